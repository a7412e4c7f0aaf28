"""The CatalogSource protocol and the one verified way to get a package out of any source.

A source lists entries and hands over raw archive bytes; `pull` never trusts them: it checks the
bytes against the digest the entry promised, opens the archive with every safety check, and
compares the package's own metadata with the entry before returning. Callers: the sources,
designer.catalog.pulling, designer.cli.catalog.
"""

from __future__ import annotations

from typing import Protocol

from designer.catalog import entries, packaging, versions
from designer.errors import CatalogError


class CatalogSource(Protocol):
    """A place that holds packaged designs."""

    @property
    def name(self) -> str:
        """The source's configured name."""
        ...

    @property
    def url(self) -> str:
        """Where the source lives."""
        ...

    def index(self) -> entries.CatalogIndex:
        """Every usable entry the source holds (unusable ones are skipped, see `skipped`)."""
        ...

    def skipped(self) -> list[str]:
        """One line per entry that listing has skipped so far (it breaks the schema), for the user."""
        ...

    def resolve(self, ref: str) -> entries.CatalogEntry:
        """The entry for ``NAME``, ``NAME@latest`` or ``NAME@VERSION``."""
        ...

    def versions(self, name: str) -> list[str]:
        """Every version of ``name`` the source holds, lowest first."""
        ...

    def fetch(self, entry: entries.CatalogEntry) -> bytes:
        """The raw archive bytes of ``entry`` (unverified; use `pull`)."""
        ...

    def push(self, package: packaging.Package) -> entries.CatalogEntry:
        """Publish ``package``; re-publishing identical bytes is a no-op, different bytes an error."""
        ...


def pull(source: CatalogSource, ref: str) -> tuple[entries.CatalogEntry, packaging.Package]:
    """Resolve ``ref`` in ``source`` and return the entry with its verified package."""
    entry = source.resolve(ref)
    return entry, verified(source, entry)


def verified(source: CatalogSource, entry: entries.CatalogEntry) -> packaging.Package:
    """Fetch ``entry`` and check digest, archive safety and metadata; raise CatalogError otherwise."""
    origin = f"{source.name}:{entry.ref}"
    data = source.fetch(entry)
    package = packaging.read_package(data, origin=origin, expected_digest=entry.digest)
    info = package.info
    if info.name != entry.name or not versions.same(info.version, entry.version):
        raise CatalogError(
            f"{origin}: the archive holds {info.name}@{info.version}, not {entry.ref}",
            hint="the source's index is wrong; nothing was written",
        )
    return package


def check_republish(existing: entries.CatalogEntry | None, package: packaging.Package, where: str) -> bool:
    """True when ``package`` is already published identically; raise when the version is taken."""
    if existing is None:
        return False
    if existing.digest == package.digest:
        return True
    raise CatalogError(
        f"{where} already holds {existing.ref} with another digest ({existing.digest})",
        hint="published versions are immutable: bump metadata.version and push again",
    )


def find(index: entries.CatalogIndex, name: str, version: str) -> entries.CatalogEntry | None:
    """The entry ``name@version`` if the index has it."""
    for entry in index.versions_of(name):
        if versions.same(entry.version, version):
            return entry
    return None
