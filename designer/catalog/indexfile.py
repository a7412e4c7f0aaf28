"""index.json on disk and on the wire: reading, validating (catalog.schema.json) and writing.

Validation has two speeds: a check that mirrors the schema (never looser) accepts a good index in
one pass, and jsonschema explains whatever that check rejects, with the offending key path; the
same check vets entries that come from OCI artifact configs. Callers: designer.catalog.building,
designer.catalog.sources.*, tests, benchmarks.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema
from designer import resources
from designer.catalog import files, names
from designer.catalog.entries import INDEX_KIND, CatalogEntry, CatalogIndex, SkippedEntry
from designer.errors import CatalogError

INDEX_FILE = "index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024
"""An index larger than this is refused (a 10,000-entry index is about 5 MiB)."""


@functools.cache
def _schema() -> dict[str, Any]:
    with (resources.schemas_dir() / "catalog.schema.json").open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def parse_index(text: str | bytes, *, origin: str) -> CatalogIndex:
    """Parse and validate an index document; ``origin`` names it in errors (a path or a URL).

    A document that is not an index is an error. An entry that breaks the schema (a name such as
    ``../../pwn`` that an older designer wrote, a half-edited line) or that is listed twice is
    skipped and kept in ``CatalogIndex.skipped`` with the reason, so one bad entry never hides the rest.
    """
    if len(text) > MAX_INDEX_BYTES:
        raise CatalogError(f"{origin}: index is larger than {MAX_INDEX_BYTES} bytes", hint="is it an index?")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogError(f"{origin}: index is not valid JSON: {exc}", hint="rebuild it") from exc
    if not _fast_document(data):
        error = _schema_error(_without_entries(data))
        where = (
            "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) if error else ""
        )
        raise CatalogError(
            f"{origin}: index breaks catalog.schema.json: {error.message if error else 'not an index'}",
            path=where.lstrip(".") or None,
            hint="rebuild the index with `design catalog build`",
        )
    # jsonschema needs ~0.3 ms per entry; a check mirroring the schema (never looser) keeps a
    # 10,000-entry index fast, and jsonschema explains only the entries the check rejects.
    good: list[tuple[int, CatalogEntry]] = []
    skipped: list[SkippedEntry] = []
    for position, item in enumerate(data["entries"]):
        if _fast_entry(item):
            good.append((position, CatalogEntry.from_json(item)))
        else:
            skipped.append(SkippedEntry(position, item, _entry_problem(item)))
    counts = Counter(entry.ref for _, entry in good)
    for position, entry in good:
        if counts[entry.ref] > 1:
            skipped.append(
                SkippedEntry(position, entry.as_json(), f"{entry.ref} is listed {counts[entry.ref]} times")
            )
    kept = (entry for _, entry in good if counts[entry.ref] == 1)
    return CatalogIndex.of(kept, skipped=sorted(skipped, key=lambda s: s.position))


def _fast_document(data: Any) -> bool:
    if not isinstance(data, dict) or set(data) != {"schema_version", "kind", "entries"}:
        return False
    version = data["schema_version"]
    return (
        type(version) is int
        and version == 1
        and data["kind"] == INDEX_KIND
        and isinstance(data["entries"], list)
    )


def _without_entries(data: Any) -> Any:
    """The document with an empty entry list, so the schema's explanation is about the document itself."""
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        return {**data, "entries": []}
    return data


def _entry_problem(item: Any) -> str:
    """Why ``item`` is not an index entry: the name rules first (they are stricter than a regex's '$')."""
    if isinstance(item, dict):
        for kind in ("name", "version", "file"):
            if kind in item and not names.is_valid(kind, item[kind]):
                return f"{kind} {item[kind]!r} cannot be used in the catalog"
    error = _schema_error({"schema_version": 1, "kind": INDEX_KIND, "entries": [item]})
    if error is None:
        return "not a valid entry"
    where = ".".join(str(p) for p in list(error.absolute_path)[2:])
    return f"{where + ': ' if where else ''}{error.message}"


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


def _fast_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or not _REQUIRED <= entry.keys() <= _ALLOWED:
        return False
    rules = _rules()
    return all(rules[key](value) for key, value in entry.items())


_REQUIRED = frozenset({"name", "version", "digest", "size", "archive"})
_ALLOWED = _REQUIRED | {"description", "type", "tags", "meshes", "file"}


@functools.cache
def _rules() -> dict[str, Callable[[Any], bool]]:
    props = _schema()["$defs"]["entry"]["properties"]

    def pattern(key: str) -> Callable[[Any], bool]:
        regex = re.compile(props[key]["pattern"], re.ASCII)
        return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None

    def strings(v: Any) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    kinds = frozenset(props["type"]["enum"])
    return {
        # The name rules are the schema's patterns and lengths, matched whole (a test holds them equal).
        "name": functools.partial(names.is_valid, "name"),
        "version": functools.partial(names.is_valid, "version"),
        "file": functools.partial(names.is_valid, "file"),
        "digest": pattern("digest"),
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
    if not os.path.lexists(path):
        return CatalogIndex(())
    data = files.read_regular(path, limit=MAX_INDEX_BYTES, follow_symlinks=False)
    return parse_index(data, origin=str(path))


def write_index(folder: Path, index: CatalogIndex) -> Path:
    """Write ``index`` as the folder's index.json (through a temporary file, so readers never see half)."""
    return files.write_atomic(folder / INDEX_FILE, index.dumps().encode())
