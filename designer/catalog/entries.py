"""The catalog index model: entries, lookup by NAME[@VERSION] (`@latest` included), and search.

One model serves every source: the local catalog/ folder and HTTP indexes store it as index.json
(designer.catalog.indexfile reads and writes that file); OCI sources build it from artifact configs.
Callers: designer.catalog.indexfile, designer.catalog.building, designer.catalog.sources.*,
designer.cli.catalog, benchmarks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.catalog import versions
from designer.errors import CatalogError

INDEX_KIND = "CatalogIndex"


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogEntry:
    """One packaged design version, as an index lists it."""

    name: str
    version: str
    description: str = ""
    type: str = "Deployment"
    tags: tuple[str, ...] = ()
    meshes: tuple[str, ...] = ()
    digest: str
    size: int
    archive: str
    """Where the archive is, relative to the index (folder, HTTP) or an OCI reference."""
    file: str = "design.yaml"
    """The design's file name, used when the design is pulled."""
    haystack: str = field(default="", compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"

    def as_json(self) -> dict[str, Any]:
        """The index.json shape of this entry."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "type": self.type,
            "tags": list(self.tags),
            "meshes": list(self.meshes),
            "digest": self.digest,
            "size": self.size,
            "archive": self.archive,
            "file": self.file,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CatalogEntry:
        """An entry from its index.json shape (already schema-checked)."""
        tags = tuple(str(t) for t in data.get("tags", ()))
        meshes = tuple(str(m) for m in data.get("meshes", ()))
        kind = str(data.get("type", "Deployment"))
        desc = str(data.get("description", ""))
        hay = " ".join([str(data["name"]), desc, kind, *tags, *meshes]).lower()
        return cls(
            name=str(data["name"]),
            version=str(data["version"]),
            description=desc,
            type=kind,
            tags=tags,
            meshes=meshes,
            digest=str(data["digest"]),
            size=int(data["size"]),
            archive=str(data["archive"]),
            file=str(data.get("file", "design.yaml")),
            haystack=hay,
        )


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An index entry that was not usable (it breaks the schema or is listed twice), kept as it was."""

    position: int
    """Its index in the document's ``entries`` list."""
    raw: Any
    reason: str

    def describe(self, origin: str) -> str:
        """One line for the user: where the entry is, what it calls itself, and why it was skipped."""
        name = self.raw.get("name") if isinstance(self.raw, dict) else None
        called = f" ({name!r})" if isinstance(name, str) else ""
        return f"{origin}: entries[{self.position}]{called} skipped: {self.reason}"


@dataclass(frozen=True)
class CatalogIndex:
    """All entries of one source, sorted by name then version precedence.

    Lookups by name and the `@latest` entry of every name are computed once, so search over
    10,000 entries stays a single linear pass. ``skipped`` holds the entries a reader could not use;
    they are reported, written back unchanged when the index is rewritten, and never resolved.
    """

    entries: tuple[CatalogEntry, ...]
    skipped: tuple[SkippedEntry, ...] = ()
    _by_name: dict[str, list[CatalogEntry]] = field(init=False, repr=False, compare=False)
    _latest: dict[str, CatalogEntry] = field(init=False, repr=False, compare=False)  # by name, sorted

    def __post_init__(self) -> None:
        by_name: dict[str, list[CatalogEntry]] = {}
        for entry in self.entries:
            by_name.setdefault(entry.name, []).append(entry)
        latest = {}
        for name in sorted(by_name):
            group = by_name[name]
            best = versions.latest([e.version for e in group]) if len(group) > 1 else group[0].version
            latest[name] = next(e for e in group if e.version == best)
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_latest", latest)

    @classmethod
    def of(cls, entries: Iterable[CatalogEntry], *, skipped: Iterable[SkippedEntry] = ()) -> CatalogIndex:
        """An index of ``entries`` in canonical order."""
        ordered = sorted(entries, key=lambda e: (e.name, versions.parse(e.version).sort_key()))
        return cls(tuple(ordered), tuple(skipped))

    def as_json(self) -> dict[str, Any]:
        """The index.json document (skipped entries last, exactly as they were read)."""
        return {
            "schema_version": 1,
            "kind": INDEX_KIND,
            "entries": [e.as_json() for e in self.entries] + [s.raw for s in self.skipped],
        }

    def dumps(self) -> str:
        """Canonical text: stable key order and a final newline, so rebuilds compare byte for byte."""
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"

    def versions_of(self, name: str) -> list[CatalogEntry]:
        """Every entry of ``name``, lowest version first."""
        return list(self._by_name.get(name, ()))

    def latest_entries(self) -> list[CatalogEntry]:
        """The `@latest` entry of every name."""
        return list(self._latest.values())

    def resolve(self, ref: str) -> CatalogEntry:
        """The entry for ``NAME``, ``NAME@latest`` or ``NAME@VERSION``."""
        name, _, wanted = ref.partition("@")
        candidates = self.versions_of(name)
        if not candidates:
            raise CatalogError(
                f"no pattern named {name!r} in this catalog",
                hint="run `design catalog search` to see what is available",
            )
        if wanted in ("", "latest"):
            return self._latest[name]
        versions.parse(wanted)
        for entry in candidates:
            if versions.same(entry.version, wanted):
                return entry
        have = ", ".join(e.version for e in candidates)
        raise CatalogError(f"{name} has no version {wanted}", hint=f"available versions: {have}")

    def search(
        self,
        query: str = "",
        *,
        type: str | None = None,
        tag: str | None = None,
        mesh: str | None = None,
        all_versions: bool = False,
    ) -> list[CatalogEntry]:
        """Entries matching every word of ``query`` (name, description, type, tags, meshes) and filters.

        Words of the form ``type:X``, ``tag:X`` and ``mesh:X`` act as filters. Results rank exact
        name matches first, then name prefixes, then names containing a word, then the rest.
        """
        words: list[str] = []
        for word in query.lower().split():
            key, sep, value = word.partition(":")
            if sep and key in ("type", "tag", "mesh") and value:
                if key == "type":
                    type = value
                elif key == "tag":
                    tag = value
                else:
                    mesh = value
            else:
                words.append(word)
        pool: list[CatalogEntry] = list(self.entries if all_versions else self._latest.values())
        # List comprehensions, narrowest test first: one linear pass per filter over 10,000 entries.
        if type:
            want_type = type.lower()
            pool = [e for e in pool if e.type.lower() == want_type]
        if tag:
            want_tag = tag.lower()
            pool = [e for e in pool if any(t.lower() == want_tag for t in e.tags)]
        if mesh:
            want_mesh = mesh.lower()
            pool = [e for e in pool if any(m.lower() == want_mesh for m in e.meshes)]
        for word in words:
            pool = [e for e in pool if word in e.haystack]
        if not words:
            return pool
        # The pool is in (name, version) order and sort is stable: ranking by rank keeps that order.
        query_text, first = " ".join(words), words[0]

        def rank(entry: CatalogEntry) -> int:
            name = entry.name
            if name == query_text:
                return 0
            if name.startswith(first):
                return 1
            return 2 if any(w in name for w in words) else 3

        return sorted(pool, key=rank)
