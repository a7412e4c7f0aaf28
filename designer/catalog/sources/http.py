"""A read-only catalog served over HTTP: index.json plus archives, like a Helm chart repository.

Any static web server that serves a catalog folder works (the tests use Python's http.server).
Archive locations are relative to the index URL unless absolute. Responses are size-bounded and
network failures become CatalogError. Callers: designer.catalog.sources.config.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from designer.catalog import entries, indexfile, packaging
from designer.errors import CatalogError

TIMEOUT_S = 30.0


@dataclass(slots=True)
class HttpSource:
    """A catalog whose index.json lives at ``url`` + ``/index.json``."""

    name: str
    url: str

    def _base(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"

    def index(self) -> entries.CatalogIndex:
        """Download and validate the index."""
        location = urllib.parse.urljoin(self._base(), indexfile.INDEX_FILE)
        return indexfile.parse_index(get(location, indexfile.MAX_INDEX_BYTES), origin=location)

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
    """GET ``url`` and return at most ``limit`` bytes (more is refused)."""
    request = urllib.request.Request(url, headers={"User-Agent": "designer-catalog"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data: bytes = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise CatalogError(
            f"GET {url} failed: HTTP {exc.code} {exc.reason}", hint="check the source URL"
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CatalogError(f"cannot reach {url}: {reason}", hint="is the server up? check the URL") from exc
    if len(data) > limit:
        raise CatalogError(f"GET {url}: response is larger than {limit} bytes", hint="refused")
    return data
