"""A read-only catalog served over HTTP: index.json plus archives, like a Helm chart repository.

Any static web server that serves a catalog folder works (the tests use Python's http.server).
Archive locations are relative to the index URL unless absolute. Each download is size-bounded and
has one deadline for the whole transfer (designer.fetching); failures become CatalogError. The index
is downloaded once per source object. Callers: designer.catalog.sources.config.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from designer import fetching
from designer.catalog import entries, indexfile, packaging
from designer.errors import CatalogError


@dataclass(slots=True)
class HttpSource:
    """A catalog whose index.json lives at ``url`` + ``/index.json``."""

    name: str
    url: str
    _index: entries.CatalogIndex | None = field(default=None, init=False, repr=False)

    def _base(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"

    def index(self) -> entries.CatalogIndex:
        """Download and validate the index."""
        if self._index is None:
            location = self._index_url()
            self._index = indexfile.parse_index(get(location, indexfile.MAX_INDEX_BYTES), origin=location)
        return self._index

    def _index_url(self) -> str:
        return urllib.parse.urljoin(self._base(), indexfile.INDEX_FILE)

    def skipped(self) -> list[str]:
        """The index entries this source could not use, one line each."""
        return [s.describe(self._index_url()) for s in self._index.skipped] if self._index else []

    def resolve(self, ref: str) -> entries.CatalogEntry:
        """Look ``ref`` up in the downloaded index."""
        return self.index().resolve(ref)

    def versions(self, name: str) -> list[str]:
        """Versions of ``name`` listed in the index."""
        return [e.version for e in self.index().versions_of(name)]

    def fetch(self, entry: entries.CatalogEntry) -> bytes:
        """Download the archive (relative to the index URL, or absolute)."""
        location = urllib.parse.urljoin(self._base(), entry.archive)
        if urllib.parse.urlsplit(location).scheme not in ("http", "https"):
            raise CatalogError(f"{self.name}: archive URL {location!r} is not http(s)", hint="refused")
        return get(location, packaging.MAX_ARCHIVE_BYTES)

    def push(self, package: packaging.Package) -> entries.CatalogEntry:
        """HTTP indexes are read-only: publish by copying a catalog folder to the web server."""
        raise CatalogError(
            f"source {self.name} ({self.url}) is a read-only HTTP index",
            hint="push to a folder source (`design catalog add-source NAME ./dir`), then upload the folder",
        )


def get(url: str, limit: int) -> bytes:
    """GET ``url``: at most ``limit`` bytes, within one deadline for the whole transfer."""
    return fetching.get(url, limit=limit, agent="designer-catalog", error=CatalogError)
