"""Build the catalog (index.json + archives/) from a folder of patterns, or check it is current.

`design catalog build` runs this over patterns/ into catalog/; a test runs `check` so a pattern
edited without rebuilding fails CI. Archives are reproducible, so "current" means byte-identical.
Callers: designer.cli.catalog, tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from designer.catalog import entries, files, indexfile, packaging
from designer.errors import CatalogError

ARCHIVES = "archives"
PATTERN_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = indexfile.MAX_INDEX_BYTES


@dataclass(frozen=True, slots=True)
class Build:
    """The index and packages that a patterns folder produces."""

    index: entries.CatalogIndex
    packages: tuple[packaging.Package, ...]


def entry_for(package: packaging.Package, archive: str) -> entries.CatalogEntry:
    """The index entry describing ``package`` stored at ``archive``."""
    info = package.info
    return entries.CatalogEntry.from_json(
        {
            "name": info.name,
            "version": info.version,
            "description": info.description,
            "type": info.type,
            "tags": list(info.tags),
            "meshes": list(info.meshes),
            "digest": package.digest,
            "size": len(package.data),
            "archive": archive,
            "file": info.file,
        }
    )


def plan(patterns: Path) -> Build:
    """Package every pattern file in ``patterns`` (not recursive) without writing anything."""
    if not patterns.is_dir():
        raise CatalogError(f"{patterns} is not a folder", hint="give the patterns folder")
    files = sorted(p for p in patterns.iterdir() if p.suffix in PATTERN_SUFFIXES and p.is_file())
    packages = [packaging.pack(p) for p in files]
    seen: dict[str, Path] = {}
    for path, package in zip(files, packages, strict=True):
        ref = f"{package.info.name}@{package.info.version}"
        if ref in seen:
            raise CatalogError(
                f"{path}: {ref} is also defined by {seen[ref]}", hint="rename or re-version one"
            )
        seen[ref] = path
    index = entries.CatalogIndex.of(entry_for(p, f"{ARCHIVES}/{p.archive_name}") for p in packages)
    return Build(index, tuple(packages))


def build(patterns: Path, out: Path) -> Build:
    """Write index.json and archives/ for ``patterns`` into ``out``; drop archives no longer listed."""
    result = plan(patterns)
    folder = out / ARCHIVES
    wanted = {p.archive_name for p in result.packages}
    for package in result.packages:
        packaging.write_package(package, folder)
    if folder.is_dir():
        for old in folder.glob("*.tar.gz"):
            if old.name not in wanted:
                old.unlink()
    indexfile.write_index(out, result.index)
    return result


def check(patterns: Path, out: Path) -> list[str]:
    """What differs between ``out`` and a fresh build of ``patterns`` (empty when current).

    Each problem names a file relative to ``out`` (``archives/x-1.0.0.tar.gz differs …``), so the
    caller can say where ``out`` is in the user's terms.
    """
    result = plan(patterns)
    problems: list[str] = []
    if _current(out / indexfile.INDEX_FILE, MAX_FILE_BYTES) != result.index.dumps().encode():
        problems.append(f"{indexfile.INDEX_FILE} is stale")
    for package in result.packages:
        name = f"{ARCHIVES}/{package.archive_name}"
        current = _current(out / name, packaging.MAX_ARCHIVE_BYTES)
        if current is None:
            problems.append(f"{name} is missing")
        elif current != package.data:
            problems.append(f"{name} differs from a fresh package")
    wanted = {p.archive_name for p in result.packages}
    if (out / ARCHIVES).is_dir():
        problems.extend(
            f"{ARCHIVES}/{old.name} is not listed in the index"
            for old in sorted((out / ARCHIVES).glob("*.tar.gz"))
            if old.name not in wanted
        )
    return problems


def _current(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` in the catalog, or None when absent (a FIFO or a huge file is an error)."""
    if not os.path.lexists(path):
        return None
    return files.read_regular(path, limit=limit, follow_symlinks=False)
