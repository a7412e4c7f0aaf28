"""index.json on disk and on the wire: reading, validating (catalog.schema.json) and writing.

Validation has two speeds: a check that mirrors the schema (never looser) accepts a good index in
one pass, and jsonschema explains whatever that check rejects, with the offending key path; the
same check vets entries that come from OCI artifact configs. Callers: designer.catalog.building,
designer.catalog.sources.*, tests, benchmarks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema
from designer import resources
from designer.catalog import versions
from designer.catalog.entries import INDEX_KIND, CatalogEntry, CatalogIndex
from designer.errors import CatalogError

INDEX_FILE = "index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024
"""An index larger than this is refused (a 10,000-entry index is about 5 MiB)."""


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
    import jsonschema  # ~40 ms: only when an index fails the fast check and needs explaining

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
