"""A catalog in a local folder: index.json plus archives/ (the repository's catalog/ is one).

The same layout, copied to any web server, is an HTTP source. Push writes the archive and updates
the index in place. Callers: designer.catalog.sources.config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from designer.catalog import building, entries, indexfile, packaging
from designer.catalog.sources import base
from designer.errors import CatalogError


@dataclass(slots=True)
class DirectorySource:
    """Entries and archives in ``folder``."""

    name: str
    folder: Path
    read_only: bool = False

    @property
    def url(self) -> str:
        """The folder, as a file URL."""
        return self.folder.resolve().as_uri()

    def index(self) -> entries.CatalogIndex:
        """index.json of the folder (an empty catalog when there is none yet)."""
        if not self.folder.is_dir():
            raise CatalogError(f"catalog folder {self.folder} does not exist", hint="check the source URL")
        return indexfile.read_index(self.folder)

    def resolve(self, ref: str) -> entries.CatalogEntry:
        """Look ``ref`` up in the index."""
        return self.index().resolve(ref)

    def versions(self, name: str) -> list[str]:
        """Versions of ``name`` listed in the index."""
        return [e.version for e in self.index().versions_of(name)]

    def fetch(self, entry: entries.CatalogEntry) -> bytes:
        """Read the archive the entry points at; paths leaving the folder are refused."""
        rel = PurePosixPath(entry.archive)
        if rel.is_absolute() or ".." in rel.parts or "://" in entry.archive:
            raise CatalogError(
                f"{self.name}: archive path {entry.archive!r} of {entry.ref} leaves the catalog folder",
                hint="refused; index entries point inside the folder",
            )
        path = self.folder / Path(*rel.parts)
        try:
            if path.stat().st_size > packaging.MAX_ARCHIVE_BYTES:
                raise CatalogError(f"{path}: archive is larger than {packaging.MAX_ARCHIVE_BYTES} bytes")
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise CatalogError(
                f"{self.name}: archive {entry.archive} of {entry.ref} is missing",
                hint="rebuild the catalog (`design catalog build`) or push the pattern again",
            ) from exc
        except OSError as exc:
            raise CatalogError(f"cannot read {path}: {exc.strerror}") from exc

    def push(self, package: packaging.Package) -> entries.CatalogEntry:
        """Store the archive under archives/ and list it in index.json."""
        if self.read_only:
            raise CatalogError(
                f"source {self.name} is the catalog built from patterns/ and is not pushed to",
                hint="add the pattern to patterns/ and run `design catalog build`, or push to a folder, "
                "HTTP or OCI source added with `design catalog add-source`",
            )
        index = self.index() if self.folder.exists() else entries.CatalogIndex(())
        existing = base.find(index, package.info.name, package.info.version)
        if base.check_republish(existing, package, self.name):
            assert existing is not None
            return existing
        packaging.write_package(package, self.folder / building.ARCHIVES)
        entry = building.entry_for(package, f"{building.ARCHIVES}/{package.archive_name}")
        indexfile.write_index(self.folder, entries.CatalogIndex.of([*index.entries, entry]))
        return entry
