"""A catalog in a local folder: index.json plus archives/ (the repository's catalog/ is one).

The same layout, copied to any web server, is an HTTP source. Push writes the archive and updates
the index in place. Callers: designer.catalog.sources.config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from designer.catalog import building, entries, files, indexfile, packaging
from designer.catalog.sources import base
from designer.errors import CatalogError


@dataclass(slots=True)
class DirectorySource:
    """Entries and archives in ``folder``; the index is read once per source object."""

    name: str
    folder: Path
    read_only: bool = False
    _index: entries.CatalogIndex | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        """The folder, as a file URL."""
        return self.folder.resolve().as_uri()

    def index(self) -> entries.CatalogIndex:
        """index.json of the folder (an empty catalog when there is none yet)."""
        if self._index is None:
            if not self.folder.is_dir():
                raise CatalogError(
                    f"catalog folder {self.folder} does not exist", hint="check the source URL"
                )
            self._index = indexfile.read_index(self.folder)
        return self._index

    def skipped(self) -> list[str]:
        """The index entries this source could not use, one line each."""
        origin = str(self.folder / indexfile.INDEX_FILE)
        return [s.describe(origin) for s in self._index.skipped] if self._index else []

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
        if not path.is_symlink() and not path.exists():
            raise CatalogError(
                f"{self.name}: archive {entry.archive} of {entry.ref} is missing",
                hint="rebuild the catalog (`design catalog build`) or push the pattern again",
            )
        # Not through a symlink, and only a regular file: /dev/zero or a FIFO would never end.
        return files.read_regular(path, limit=packaging.MAX_ARCHIVE_BYTES, follow_symlinks=False)

    def push(self, package: packaging.Package) -> entries.CatalogEntry:
        """Store the archive under archives/ and list it in index.json."""
        if self.read_only:
            raise CatalogError(
                f"source {self.name} is the catalog built from patterns/ and is not pushed to",
                hint="add the pattern to patterns/ and run `design catalog build`, or push to a folder, "
                "HTTP or OCI source added with `design catalog add-source`",
            )
        self._index = None  # read afresh: another push may have changed it
        index = self.index() if self.folder.exists() else entries.CatalogIndex(())
        existing = base.find(index, package.info.name, package.info.version)
        if base.check_republish(existing, package, self.name):
            assert existing is not None
            return existing
        entry = building.entry_for(package, f"{building.ARCHIVES}/{package.archive_name}")
        packaging.write_package(package, self.folder / building.ARCHIVES)
        self._index = entries.CatalogIndex.of([*index.entries, entry], skipped=index.skipped)
        indexfile.write_index(self.folder, self._index)
        return entry
