"""JSON Schema validation of designs (schemas/design.schema.json, Draft 2020-12).

Errors become a SchemaError at the file position of the offending key, with its key path and a
'did you mean' for unknown keys. Designer's own kinds also have their ``settings`` checked against
schemas/kinds/<Kind>.schema.json when that file exists.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from designer.errors import Location, SchemaError
from designer.loading.hints import did_you_mean
from designer.resources import schemas_dir

if TYPE_CHECKING:  # jsonschema is imported on first use: manifests-only runs never need it
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

Locator = Callable[[str], Location]

_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected")


@functools.cache
def _validator(name: str) -> Validator | None:
    import jsonschema

    path = schemas_dir() / name
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    # Local $refs are inlined: reference resolution is most of jsonschema's cost on large designs.
    return cls(_inline_refs(schema, schema.get("$defs", {})), format_checker=cls.FORMAT_CHECKER)


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and set(node) <= {"$ref", "description"}:
            return _inline_refs(defs[ref.rpartition("/")[2]], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@functools.cache
def _design_accepts() -> Callable[[Any], bool]:
    """A compiled check that accepts exactly what design.schema.json accepts, 20x faster than jsonschema.

    fastjsonschema compiles the schema to Python; the design schema uses only keywords that mean the
    same in draft-07 (tests/unit/test_schema_fast_path.py holds the two to the same verdicts), so it
    answers "valid?" for large designs, and jsonschema explains the rare "no".
    """
    import fastjsonschema

    schema = json.loads((schemas_dir() / "design.schema.json").read_text(encoding="utf-8"))
    inlined = _inline_refs(schema, schema.get("$defs", {}))
    check = fastjsonschema.compile({k: v for k, v in inlined.items() if k not in ("$schema", "$id", "$defs")})

    def accepts(document: Any) -> bool:
        try:
            check(document)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return accepts


def validate_design(document: Any, locate: Locator) -> None:
    """Raise SchemaError when a native design document breaks design.schema.json."""
    if _design_accepts()(document):
        return
    validator = _validator("design.schema.json")
    assert validator is not None, "schemas/design.schema.json is missing from the installation"
    _raise_best(validator, document, locate, prefix="")


def validate_kind_settings(kind: str, settings: Any, locate: Locator, prefix: str) -> None:
    """Check the settings of one of designer's own kinds against schemas/kinds/<kind>.schema.json."""
    validator = _validator(f"kinds/{kind}.schema.json")
    if validator is not None:
        _raise_best(validator, settings, locate, prefix=prefix)


def _raise_best(validator: Validator, doc: Any, locate: Locator, prefix: str) -> None:
    if validator.is_valid(doc):  # the fast path; collecting errors is several times slower
        return
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(doc))
    if error is None:
        return
    path = _join(prefix, _path_text(error.absolute_path))
    message, hint, key = _describe(error)
    key_path = _join(path, key) if key else path
    raise SchemaError(message, location=locate(key_path), path=key_path or "(top level)", hint=hint)


def _describe(error: ValidationError) -> tuple[str, str | None, str | None]:
    if error.validator == "additionalProperties":
        found = _UNEXPECTED.search(error.message)
        unknown = found.group(1) if found else "?"
        schema: Any = error.schema
        allowed = sorted(schema.get("properties", {}) if isinstance(schema, dict) else {})
        hint = did_you_mean(unknown, allowed) or f"allowed keys: {', '.join(allowed)}"
        return f"unknown key {unknown!r}", hint, unknown
    if error.validator == "required":
        return error.message.replace("is a required property", "is required"), None, None
    if error.validator == "type":
        return (
            f"expected {_article(error.validator_value)}, got {type(error.instance).__name__} "
            f"{_short(error.instance)}",
            None,
            None,
        )
    if error.validator == "pattern":
        return f"{_short(error.instance)} does not match the required pattern", _pattern_hint(error), None
    if error.validator in ("const", "enum"):
        value: Any = error.validator_value
        allowed = list(value) if error.validator == "enum" else [value]
        return (
            f"{_short(error.instance)} is not allowed here",
            f"use one of: {', '.join(map(str, allowed))}",
            None,
        )
    return error.message, None, None


def _pattern_hint(error: ValidationError) -> str:
    pattern = str(error.validator_value)
    if "a-z0-9" in pattern:
        return "use a DNS-1123 name: lowercase letters, digits, '-' and '.', starting and ending alphanumeric"
    return f"the value must match {pattern}"


def _article(types: Any) -> str:
    names = types if isinstance(types, list) else [types]
    words = {"object": "mapping", "array": "list"}
    return " or ".join(words.get(str(t), str(t)) for t in names)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _path_text(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"
