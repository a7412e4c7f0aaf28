"""JSON Schema validation of designs (schemas/design.schema.json, Draft 2020-12).

Every independent error becomes a SchemaError at the file position of the offending key, with its
key path and a hint ('did you mean' for unknown keys, what a pattern expects). designer's own kinds
also have their ``settings`` checked against schemas/kinds/<Kind>.schema.json; other tools' inputs
that designer recognises (schemas/tools/) are checked the same way.
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


@functools.cache
def tool_validator(name: str, formats: tuple[tuple[str, Callable[[object], bool]], ...] = ()) -> Validator:
    """A validator for schemas/<name>, with ``formats`` (name, check) added to the standard format
    checks: another tool's schema may use a format in that tool's own sense (Compose's ``duration``
    is Go's, not ISO 8601's). Use with `explain`."""
    import jsonschema

    schema = json.loads((schemas_dir() / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    checker = jsonschema.FormatChecker()
    for format_name, check in formats:
        checker.checks(format_name)(check)
    return cls(_inline_refs(schema, schema.get("$defs", {})), format_checker=checker)


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


def design_errors(document: Any, locate: Locator) -> list[SchemaError]:
    """Every independent way a native design document breaks design.schema.json (none: valid)."""
    if _design_accepts()(document):
        return []
    validator = _validator("design.schema.json")
    assert validator is not None, "schemas/design.schema.json is missing from the installation"
    return _errors(validator, document, locate, prefix="")


def kind_settings_errors(kind: str, settings: Any, locate: Locator, prefix: str) -> list[SchemaError]:
    """How the settings of one of designer's own kinds break schemas/kinds/<kind>.schema.json."""
    if kind not in designer_kinds():
        return []
    validator = _validator(f"kinds/{kind}.schema.json")
    return [] if validator is None else _errors(validator, settings, locate, prefix=prefix)


def document_errors(schema_name: str, document: Any, locate: Locator, prefix: str = "") -> list[SchemaError]:
    """How ``document`` breaks schemas/<schema_name> (another tool's input, checked as what it is)."""
    validator = _validator(schema_name)
    assert validator is not None, f"schemas/{schema_name} is missing from the installation"
    return _errors(validator, document, locate, prefix=prefix)


@functools.cache
def designer_kinds() -> frozenset[str]:
    """designer's own kinds that have a settings schema (the file names are never built from input)."""
    folder = schemas_dir() / "kinds"
    return frozenset(p.name.removesuffix(".schema.json") for p in folder.glob("*.schema.json"))


def explain(validator: Validator, document: Any, locate: Locator, prefix: str = "") -> list[SchemaError]:
    """Every independent way ``document`` breaks ``validator``'s schema, described as for designs (for
    readers of other tools' files that build their own validator, e.g. with extra formats)."""
    return _errors(validator, document, locate, prefix)


def _errors(validator: Validator, doc: Any, locate: Locator, prefix: str) -> list[SchemaError]:
    if validator.is_valid(doc):  # the fast path; collecting errors is several times slower
        return []
    from jsonschema.exceptions import best_match

    found: dict[tuple[str, str], SchemaError] = {}
    for top in validator.iter_errors(doc):
        error = best_match([top]) or top  # descends into oneOf/anyOf to the branch that nearly fit
        path = _join(prefix, _path_text(error.absolute_path))
        for message, hint, key in _describe(error):
            key_path = _join(path, key) if key else path
            found.setdefault(
                (key_path, message),
                SchemaError(message, location=locate(key_path), path=key_path or "(top level)", hint=hint),
            )
    return sorted(found.values(), key=_position)


def _position(error: SchemaError) -> tuple[int, int, str]:
    loc = error.location
    return (loc.line, loc.column, error.path or "") if loc else (0, 0, error.path or "")


def _describe(error: ValidationError) -> list[tuple[str, str | None, str | None]]:
    """(message, hint, key below the error's path) for each problem the error stands for."""
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        schema: Any = error.schema
        allowed = sorted(_properties(schema))
        unknown = _UNEXPECTED.search(error.message)
        names = _unexpected_keys(error) or [unknown.group(1) if unknown else "?"]
        return [
            (
                f"unknown key {name!r}",
                did_you_mean(name, allowed) or f"allowed keys: {', '.join(allowed)}",
                name,
            )
            for name in names
        ]
    if error.validator == "required":
        return [(error.message.replace("is a required property", "is required"), None, None)]
    if error.validator == "type":
        return [
            (
                f"expected {_article(error.validator_value)}, got {type(error.instance).__name__} "
                f"{_short(error.instance)}",
                None,
                None,
            )
        ]
    if error.validator == "pattern":
        return [(f"{_short(error.instance)} does not match the required pattern", _pattern_hint(error), None)]
    if error.validator == "maxLength":
        return [(f"{_short(error.instance)} is longer than {error.validator_value} characters", None, None)]
    if error.validator in ("const", "enum"):
        value: Any = error.validator_value
        allowed = list(value) if error.validator == "enum" else [value]
        return [
            (
                f"{_short(error.instance)} is not allowed here",
                f"use one of: {', '.join(map(str, allowed))}",
                None,
            )
        ]
    return [(error.message if len(error.message) <= 200 else error.message[:197] + "...", None, None)]


def _properties(schema: Any) -> set[str]:
    """The keys a schema names: its own properties and those of its allOf/anyOf/oneOf branches."""
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, ()):
            names |= _properties(branch)
    return names


def _unexpected_keys(error: ValidationError) -> list[str]:
    schema: Any = error.schema
    instance: Any = error.instance
    if not isinstance(schema, dict) or not isinstance(instance, dict):
        return []
    known = _properties(schema)
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]


_PATTERN_HINTS = {
    "[-a-z0-9.]": "use a DNS-1123 name: lowercase letters, digits, '-' and '.', starting and ending alphanumeric",
    "^[A-Z][A-Za-z0-9]*$": "a kind is CamelCase: a capital letter, then letters and digits (e.g. ConfigMap)",
    "v[0-9]+((alpha|beta)": "an apiVersion is [group/]version, e.g. v1, apps/v1 or networking.istio.io/v1beta1",
    "^[^/%]+$": "an object name cannot hold '/' or '%'",
    "(ms|s|m|h)": "write a duration such as 90s, 2m or 1h30m",
    "^[A-Za-z_][A-Za-z0-9_]*$": "variable names are letters, digits and '_', not starting with a digit",
    "(0|[1-9]\\d*)\\.": "use a semantic version such as 1.2.0",
}


def _pattern_hint(error: ValidationError) -> str:
    pattern = str(error.validator_value)
    for fragment, hint in _PATTERN_HINTS.items():
        if fragment in pattern:
            return hint
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
