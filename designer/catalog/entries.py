"""The catalog index: entries, reading and writing index.json, lookup by NAME[@VERSION], and search.

One index format serves every source: the local catalog/ folder and HTTP indexes store it as
index.json beside their archives; OCI sources build it from artifact configs. The file is validated
against schemas/catalog.schema.json on read, so a broken index fails with the offending key path.
Callers: designer.catalog.building, designer.catalog.sources.*, designer.cli.catalog, benchmarks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from designer import resources
from designer.catalog import versions
from designer.errors import CatalogError

INDEX_FILE = "index.json"
INDEX_KIND = "CatalogIndex"
MAX_INDEX_BYTES = 64 * 1024 * 1024
"""An index larger than this is refused (a 10,000-entry index is about 5 MiB)."""


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


@dataclass(frozen=True)
class CatalogIndex:
    """All entries of one source, sorted by name then version precedence.

    Lookups by name and the `@latest` entry of every name are computed once, so search over
    10,000 entries stays a single linear pass.
    """

    entries: tuple[CatalogEntry, ...]
    _by_name: dict[str, list[CatalogEntry]] = field(init=False, repr=False, compare=False)
    _latest: tuple[CatalogEntry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[CatalogEntry]] = {}
        for entry in self.entries:
            by_name.setdefault(entry.name, []).append(entry)
        latest = []
        for name in sorted(by_name):
            group = by_name[name]
            best = versions.latest([e.version for e in group]) if len(group) > 1 else group[0].version
            latest.append(next(e for e in group if e.version == best))
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_latest", tuple(latest))

    @classmethod
    def of(cls, entries: Iterable[CatalogEntry]) -> CatalogIndex:
        """An index of ``entries`` in canonical order."""
        return cls(tuple(sorted(entries, key=lambda e: (e.name, versions.parse(e.version).sort_key()))))

    def as_json(self) -> dict[str, Any]:
        """The index.json document."""
        return {
            "schema_version": 1,
            "kind": INDEX_KIND,
            "entries": [e.as_json() for e in self.entries],
        }

    def dumps(self) -> str:
        """Canonical text: stable key order and a final newline, so rebuilds compare byte for byte."""
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"

    def names(self) -> list[str]:
        """Distinct entry names, sorted."""
        return sorted(self._by_name)

    def versions_of(self, name: str) -> list[CatalogEntry]:
        """Every entry of ``name``, lowest version first."""
        return list(self._by_name.get(name, ()))

    def latest_entries(self) -> list[CatalogEntry]:
        """The `@latest` entry of every name."""
        return list(self._latest)

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
            best = versions.latest([e.version for e in candidates])
            return next(e for e in candidates if e.version == best)
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
        pool: list[CatalogEntry] = list(self.entries if all_versions else self._latest)
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


@cache
def _schema() -> dict[str, Any]:
    with (resources.schemas_dir() / "catalog.schema.json").open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def parse_index(text: str | bytes, *, origin: str) -> CatalogIndex:
    """Parse and validate an index document; ``origin`` names it in errors (a path or a URL)."""
    if len(text) > MAX_INDEX_BYTES:
        raise CatalogError(f"{origin}: index is larger than {MAX_INDEX_BYTES} bytes", hint="is it an index?")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogError(f"{origin}: index is not valid JSON: {exc}", hint="rebuild it") from exc
    # jsonschema needs ~0.3 ms per entry; a check mirroring the schema (never looser) keeps a
    # 10,000-entry index fast, and jsonschema still explains any document the check rejects.
    error = None if _fast_valid(data) else _schema_error(data)
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise CatalogError(
            f"{origin}: index breaks catalog.schema.json: {error.message}",
            path=where.lstrip(".") or None,
            hint="rebuild the index with `design catalog build`",
        )
    index = CatalogIndex.of(CatalogEntry.from_json(e) for e in data["entries"])
    seen: set[str] = set()
    for entry in index.entries:
        versions.parse(entry.version)
        if entry.ref in seen:
            raise CatalogError(f"{origin}: {entry.ref} is listed twice", hint="an index lists a version once")
        seen.add(entry.ref)
    return index


def entry_from_untrusted(data: Mapping[str, Any], *, origin: str) -> CatalogEntry:
    """An entry built from data a source supplied (an OCI config blob), checked like an index entry."""
    if not _fast_entry(data):
        document = {"schema_version": 1, "kind": INDEX_KIND, "entries": [dict(data)]}
        error = _schema_error(document)
        detail = error.message if error is not None else "invalid entry"
        raise CatalogError(f"{origin}: metadata breaks catalog.schema.json: {detail}", hint="refused")
    return CatalogEntry.from_json(data)


def _schema_error(data: Any) -> jsonschema.ValidationError | None:
    validator = jsonschema.Draft202012Validator(_schema())
    found: jsonschema.ValidationError | None = jsonschema.exceptions.best_match(validator.iter_errors(data))
    return found


def _fast_valid(data: Any) -> bool:
    if not isinstance(data, dict) or set(data) != {"schema_version", "kind", "entries"}:
        return False
    version = data["schema_version"]
    if type(version) is not int or version != 1 or data["kind"] != INDEX_KIND:
        return False
    items = data["entries"]
    return isinstance(items, list) and all(_fast_entry(e) for e in items)


def _fast_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or not _REQUIRED <= entry.keys() <= _ALLOWED:
        return False
    rules = _rules()
    return all(rules[key](value) for key, value in entry.items())


_REQUIRED = frozenset({"name", "version", "digest", "size", "archive"})
_ALLOWED = _REQUIRED | {"description", "type", "tags", "meshes", "file"}


@cache
def _rules() -> dict[str, Callable[[Any], bool]]:
    props = _schema()["$defs"]["entry"]["properties"]

    def pattern(key: str, *, longest: int | None = None) -> Callable[[Any], bool]:
        regex = re.compile(props[key]["pattern"])
        return lambda v: (
            isinstance(v, str)
            and regex.search(v) is not None
            and (longest is None or len(v) <= longest)
            and len(v) >= props[key].get("minLength", 0)
        )

    def strings(v: Any) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    kinds = frozenset(props["type"]["enum"])
    return {
        "name": pattern("name", longest=props["name"]["maxLength"]),
        "version": pattern("version"),
        "digest": pattern("digest"),
        "file": pattern("file"),
        "description": lambda v: isinstance(v, str),
        "type": lambda v: isinstance(v, str) and v in kinds,
        "tags": strings,
        "meshes": strings,
        "size": lambda v: type(v) is int and v >= 1,
        "archive": lambda v: isinstance(v, str) and len(v) >= 1,
    }


def read_index(folder: Path) -> CatalogIndex:
    """The index.json of a catalog folder; an absent file is an empty catalog."""
    path = folder / INDEX_FILE
    if not path.exists():
        return CatalogIndex(())
    try:
        return parse_index(path.read_bytes(), origin=str(path))
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from exc


def write_index(folder: Path, index: CatalogIndex) -> Path:
    """Write ``index`` as the folder's index.json (through a temporary file, so readers never see half)."""
    path = folder / INDEX_FILE
    tmp = path.with_suffix(".json.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(index.dumps(), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise CatalogError(f"cannot write {path}: {exc.strerror}") from exc
    return path
