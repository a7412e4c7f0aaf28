"""Build the catalog (index.json + archives/) from a folder of patterns, or check it is current.

`design catalog build` runs this over patterns/ into catalog/; a test runs `check` so a pattern
edited without rebuilding fails CI. Archives are reproducible, so "current" means byte-identical.
Callers: designer.cli.catalog, tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from designer.catalog import entries, indexfile, packaging
from designer.errors import CatalogError

ARCHIVES = "archives"
PATTERN_SUFFIXES = (".yaml", ".yml")


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
    """What differs between ``out`` and a fresh build of ``patterns`` (empty when current)."""
    result = plan(patterns)
    problems: list[str] = []
    index_path = out / indexfile.INDEX_FILE
    current = index_path.read_text(encoding="utf-8") if index_path.exists() else ""
    if current != result.index.dumps():
        problems.append(f"{index_path} is stale")
    for package in result.packages:
        archive = out / ARCHIVES / package.archive_name
        if not archive.exists():
            problems.append(f"{archive} is missing")
        elif archive.read_bytes() != package.data:
            problems.append(f"{archive} differs from a fresh package")
    wanted = {p.archive_name for p in result.packages}
    if (out / ARCHIVES).is_dir():
        problems.extend(
            f"{old} is not listed in the index"
            for old in sorted((out / ARCHIVES).glob("*.tar.gz"))
            if old.name not in wanted
        )
    return problems
