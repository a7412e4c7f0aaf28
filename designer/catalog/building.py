"""Build the catalog (index.json, archives/, artifacthub/) from a folder of patterns, or check it.

`design catalog build` runs this over patterns/ into catalog/; a test runs `check` so a pattern
edited without rebuilding fails CI. Every file is a function of the patterns and the options
(archives are reproducible, Artifact Hub's metadata takes its date from the design), so "current"
means byte-identical. Callers: designer.cli.catalog, tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from designer.catalog import artifacthub, entries, files, indexfile, packaging
from designer.errors import CatalogError

ARCHIVES = "archives"
PATTERN_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = indexfile.MAX_INDEX_BYTES


@dataclass(frozen=True, slots=True)
class Build:
    """The index, packages and Artifact Hub files that a patterns folder produces."""

    index: entries.CatalogIndex
    packages: tuple[packaging.Package, ...]
    listings: dict[str, bytes]
    """artifacthub/NAME/VERSION/* files by path relative to the catalog folder."""
    undated: tuple[str, ...]
    """Pattern files without metadata.created (Artifact Hub shows them as 1970-01-01)."""


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


def plan(patterns: Path, *, source_url: str | None = None) -> Build:
    """Package every pattern file in ``patterns`` (not recursive) without writing anything.

    ``source_url`` is where the catalog will be published; it goes into the install instructions.
    """
    if not patterns.is_dir():
        raise CatalogError(f"{patterns} is not a folder", hint="give the patterns folder")
    paths = sorted(p for p in patterns.iterdir() if p.suffix in PATTERN_SUFFIXES and p.is_file())
    packages = [packaging.pack(p) for p in paths]
    seen: dict[str, Path] = {}
    listings: dict[str, bytes] = {}
    undated: list[str] = []
    for path, package in zip(paths, packages, strict=True):
        info = package.info
        # Artifact Hub names cannot hold '.': a.b and a-b would be the same package there.
        for ref in (
            f"{info.name}@{info.version}",
            f"artifacthub {info.name.replace('.', '-')}@{info.version}",
        ):
            if ref in seen:
                raise CatalogError(
                    f"{path}: {ref} is also defined by {seen[ref]}", hint="rename or re-version one"
                )
            seen[ref] = path
        item = artifacthub.listing(package)
        listings.update(artifacthub.files(item, source_url=source_url))
        if item.created is None:
            undated.append(path.name)
    index = entries.CatalogIndex.of(entry_for(p, f"{ARCHIVES}/{p.archive_name}") for p in packages)
    return Build(index, tuple(packages), listings, tuple(undated))


def build(patterns: Path, out: Path, *, source_url: str | None = None) -> Build:
    """Write the catalog for ``patterns`` into ``out``; drop the files of versions no longer listed."""
    result = plan(patterns, source_url=source_url)
    for package in result.packages:
        packaging.write_package(package, out / ARCHIVES)
    for rel, data in result.listings.items():
        files.write_atomic(out / rel, data)
    wanted = _wanted(result)
    for rel in _generated(out):
        if rel not in wanted:
            (out / rel).unlink()
    for folder in sorted((out / artifacthub.FOLDER).glob("*/*"), reverse=True) + sorted(
        (out / artifacthub.FOLDER).glob("*")
    ):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # an emptied NAME/VERSION (then NAME) folder
    indexfile.write_index(out, result.index)
    return result


def check(patterns: Path, out: Path, *, source_url: str | None = None) -> list[str]:
    """What differs between ``out`` and a fresh build of ``patterns`` (empty when current).

    Each problem names a file relative to ``out`` (``archives/x-1.0.0.tar.gz differs …``), so the
    caller can say where ``out`` is in the user's terms.
    """
    result = plan(patterns, source_url=source_url)
    problems: list[str] = []
    if _current(out / indexfile.INDEX_FILE, MAX_FILE_BYTES) != result.index.dumps().encode():
        problems.append(f"{indexfile.INDEX_FILE} is stale")
    fresh = {f"{ARCHIVES}/{p.archive_name}": p.data for p in result.packages} | result.listings
    for rel, data in fresh.items():
        current = _current(out / rel, MAX_FILE_BYTES)
        if current is None:
            problems.append(f"{rel} is missing")
        elif current != data:
            problems.append(f"{rel} differs from a fresh build")
    problems.extend(f"{rel} is not listed in the index" for rel in _generated(out) if rel not in fresh)
    return problems


def _wanted(result: Build) -> set[str]:
    return {f"{ARCHIVES}/{p.archive_name}" for p in result.packages} | set(result.listings)


def _generated(out: Path) -> list[str]:
    """The files a build writes that are in ``out`` now (archives, Artifact Hub files), relative.

    Anything else (an artifacthub-repo.yml of the team's own, say) is never touched.
    """
    found = [f"{ARCHIVES}/{p.name}" for p in (out / ARCHIVES).glob("*.tar.gz")]
    found += [
        p.relative_to(out).as_posix()
        for p in (out / artifacthub.FOLDER).glob("*/*/*")
        if p.name in artifacthub.FILES
    ]
    return sorted(found)


def _current(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` in the catalog, or None when absent (a FIFO or a huge file is an error)."""
    if not os.path.lexists(path):
        return None
    return files.read_regular(path, limit=limit, follow_symlinks=False)
