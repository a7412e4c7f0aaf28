"""A custom resource's values against its CRD's structural schema: defaults, types and value checks.

kube-apiserver does more with a CRD's ``openAPIV3Schema`` than prune unknown fields (fieldcheck.py
does that, and server-side apply's typed-patch errors): it fills in ``default`` values, drops the
``null`` fields a decoded request body gives where the schema neither allows nor defaults them, and
validates what it stores with kube-openapi's validators: JSON types and numeric formats (``int32``:
a fraction, or a number out of range, is refused), string formats (``byte``, ``date-time``,
``ipv4``, ``ipv6``), ``enum``, ``required``, bounds, lengths, ``pattern``, ``oneOf``/``anyOf``/``not``.
Real CRDs lean on all of it: Istio's (``required``, ``enum``, bounds, lengths, ``pattern``, ``oneOf``)
and the Gateway API's (defaults: an HTTPRoute's parentRefs get ``group`` and ``kind``, each rule a
``PathPrefix /`` match). The causes carry the real server's reasons and wording (apiextensions-
apiserver's conversion of kube-openapi's errors), measured against kube-apiserver with Istio's and
the Gateway API's CRDs (tests/sandbox/test_mesh_crd_fidelity.py; designer/sandbox/FIDELITY.md).

Not evaluated: ``x-kubernetes-validations`` (CEL rules) and the string formats real CRDs do not use.
When a CRD has CEL rules and the object has an error that stops them on a real server (a missing
field, a value not in an enum, too long, too many, a wrong type), the last cause says they were not
checked, as kube-apiserver's. kube-apiserver lists the errors of sibling fields in Go's map order
(random from one request to the next); here they come by field name.
Callers: designer.sandbox.operations (``Api.commit``); fieldcheck.py (`base64_problem`).
"""

from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

Cause = tuple[str, str, str]
Schema = Mapping[str, Any]
BLOCKING = frozenset(
    {
        "FieldValueNotSupported",
        "FieldValueRequired",
        "FieldValueTooLong",
        "FieldValueTooMany",
        "FieldValueTypeInvalid",
    }
)
"""The reasons after which kube-apiserver does not run a CRD's CEL rules."""
CEL_SKIPPED: Cause = (
    "<nil>",
    "FieldValueInvalid",
    "Invalid value: null: some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation",
)
_INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_INT64 = (-(2**63), 2**63 - 1)
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_FLOAT32_MAX = 3.4028234663852886e38
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?")


# -- defaulting ----------------------------------------------------------------------------------


def apply_defaults(value: Any, schema: Schema | None, *, prune_nulls: bool = True) -> None:
    """Fill in ``default`` values, in place, top-down (a default's own fields are defaulted too); a
    ``null`` where the schema does not allow it takes the default when there is one. With
    ``prune_nulls`` (a decoded request body: create, update, patch) such a field without a default is
    dropped, as kube-apiserver's decoder does; server-side apply keeps it, and validation refuses it.
    """
    if not schema or value is None:
        return
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for name in list(value):
            child = properties.get(name) or (extra if isinstance(extra, dict) else None)
            if child is not None and value[name] is None and not child.get("nullable"):
                if "default" in child:
                    value[name] = copy.deepcopy(child["default"])
                elif prune_nulls:
                    del value[name]
        for name, child in properties.items():
            if name not in value and "default" in child:
                value[name] = copy.deepcopy(child["default"])
        for name, item in value.items():
            child = properties.get(name) or (extra if isinstance(extra, dict) else None)
            if child is not None:
                apply_defaults(item, child, prune_nulls=prune_nulls)
    elif isinstance(value, list):
        item_schema = schema.get("items")
        if isinstance(item_schema, dict):
            for n, item in enumerate(value):
                if item is None and "default" in item_schema and not item_schema.get("nullable"):
                    value[n] = copy.deepcopy(item_schema["default"])
                apply_defaults(value[n], item_schema, prune_nulls=prune_nulls)


# -- validation ----------------------------------------------------------------------------------


def validate(value: Any, schema: Schema | None, path: str = "") -> list[Cause]:
    """Every validation error of ``value`` (already pruned and defaulted), in kube-openapi's order
    of validators (`_check`); sibling fields by name."""
    causes: list[Cause] = []
    if schema:
        _check(value, schema, path, causes)
    return causes


def with_cel_note(causes: list[Cause], cel_rules: bool) -> list[Cause]:
    """``causes`` plus the note that CEL rules were not checked, where a real server adds it (the
    CRD version has rules, and a cause stops them)."""
    if cel_rules and any(reason in BLOCKING for _, reason, _ in causes):
        return [*causes, CEL_SKIPPED]
    return causes


def has_rules(schema: Any) -> bool:
    """Whether a schema holds any CEL rule (``x-kubernetes-validations``), at any depth."""
    if isinstance(schema, dict):
        return "x-kubernetes-validations" in schema or any(has_rules(v) for v in schema.values())
    if isinstance(schema, list):
        return any(has_rules(v) for v in schema)
    return False


def _check(value: Any, schema: Schema, path: str, causes: list[Cause]) -> None:
    """kube-openapi's validators in its order (type, combinations, string, format, number, array,
    enum, object), each where it applies to the value's JSON kind."""
    if value is None:
        if schema.get("type") and not schema.get("nullable"):
            causes.append(_type_invalid(path, str(schema["type"]), "null"))
        return
    wrong = _type_problem(value, schema)
    if wrong is not None:
        causes.append(_type_invalid(path, *wrong))
    _check_combinations(value, schema, path, causes)
    if isinstance(value, str):
        _check_string(value, schema, path, causes)
        _check_format(value, schema, path, causes)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path, causes)
    elif isinstance(value, list):
        _check_array(value, schema, path, causes)
    if "enum" in schema and value not in schema["enum"]:
        listed = ", ".join(_go_quoted(v) for v in schema["enum"])
        causes.append(
            (
                path,
                "FieldValueNotSupported",
                f"Unsupported value: {_go_quoted(value)}: supported values: {listed}",
            )
        )
    if isinstance(value, dict):
        _check_object(value, schema, path, causes)


def _go_kind(value: Any) -> tuple[str, str]:
    """A decoded JSON value's OpenAPI type and the format kube-openapi infers from its Go type
    (JSON numbers decode as int64, or float64 when they have a fraction or an exponent)."""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return "integer", "int64"
    if isinstance(value, float):
        return "number", "float64"
    if isinstance(value, str):
        return "string", ""
    return ("array", "") if isinstance(value, list) else ("object", "")


def _type_problem(value: Any, schema: Schema) -> tuple[str, str] | None:
    """(what the schema wants, what was given) when kube-openapi's type validator refuses ``value``:
    with a ``format`` a number must fit it (``int32`` takes an int64, not a fraction), integral
    floats pass as integers and integers as numbers; a string or a list passes a non-numeric
    format's type check (the format check judges strings)."""
    wanted, form = schema.get("type"), schema.get("format") or ""
    if not wanted:
        return None
    got, got_form = _go_kind(value)
    fits = wanted == got
    float_int = got == "number" and wanted == "integer" and float(value).is_integer()
    int_float = got == "integer" and wanted == "number"
    if got not in ("string", "array") and form and not (fits or got_form == form or float_int or int_float):
        return form, got_form
    if wanted not in ("number", "integer") and form and got in ("string", "array"):
        return None
    return None if fits or float_int or int_float else (str(wanted), got)


def _check_string(value: str, schema: Schema, path: str, causes: list[Cause]) -> None:
    """Only the first of maxLength, minLength, pattern that fails (kube-openapi stops there)."""
    pattern = _pattern(str(schema["pattern"])) if "pattern" in schema else None
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(
            (path, "FieldValueTooLong", f"Too long: may not be more than {schema['maxLength']} bytes")
        )
    elif "minLength" in schema and len(value) < schema["minLength"]:
        causes.append(_invalid(path, value, f"should be at least {schema['minLength']} chars long"))
    elif pattern is not None and pattern.search(value) is None:
        causes.append(_invalid(path, value, f"should match '{schema['pattern']}'"))


def _check_format(value: str, schema: Schema, path: str, causes: list[Cause]) -> None:
    """The string formats the real mesh CRDs use; others are not checked (FIDELITY.md)."""
    form = schema.get("format")
    if form == "byte":
        fits = base64_problem(value) is None
    elif form == "date-time":
        fits = _DATE_TIME.fullmatch(value) is not None
    elif form in ("ipv4", "ipv6"):
        try:
            ipaddress.ip_address(value)
            fits = ("." if form == "ipv4" else ":") in value
        except ValueError:
            fits = False
    else:
        return
    if not fits:
        causes.append(_type_invalid(path, str(form), value))


def _check_number(value: int | float, schema: Schema, path: str, causes: list[Cause]) -> None:
    """The range of the type and format first ("Checked value must be of type integer with format
    int32"), then multipleOf, maximum, minimum."""
    kind, form = schema.get("type"), schema.get("format") or ""
    if kind in ("integer", "number") and not _in_range(value, str(kind), form):
        with_format = f" with format {form}" if form else ""
        causes.append(
            (
                "<nil>",
                "FieldValueInvalid",
                f'Invalid value: "": Checked value must be of type {kind}{with_format} in {path}',
            )
        )
    factor = schema.get("multipleOf")
    if factor and (value / factor) != int(value / factor):
        causes.append(_invalid(path, value, f"should be a multiple of {_go_number(factor)}"))
    if "maximum" in schema:
        high, exclusive = schema["maximum"], schema.get("exclusiveMaximum") is True
        if value > high or (exclusive and value == high):
            words = "less than" if exclusive else "less than or equal to"
            causes.append(_invalid(path, value, f"should be {words} {_go_number(high)}"))
    if "minimum" in schema:
        low, exclusive = schema["minimum"], schema.get("exclusiveMinimum") is True
        if value < low or (exclusive and value == low):
            words = "greater than" if exclusive else "greater than or equal to"
            causes.append(_invalid(path, value, f"should be {words} {_go_number(low)}"))


def _in_range(value: int | float, kind: str, form: str) -> bool:
    """Whether ``value`` printed as Go prints it parses as the type and format (kube-openapi's
    IsValueValidAgainstRange): an integer must have no fraction and fit its bits."""
    if kind == "integer":
        if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e21):
            return False
        low, high = _INTEGER_RANGES.get(form, _INT64)
        return low <= int(value) <= high
    return not (form in ("float", "float32") and abs(value) > _FLOAT32_MAX)


def _check_array(value: list[Any], schema: Schema, path: str, causes: list[Cause]) -> None:
    items = schema.get("items")
    if isinstance(items, dict):
        for n, item in enumerate(value):
            _check(item, items, f"{path}[{n}]", causes)
    if "minItems" in schema and len(value) < schema["minItems"]:
        causes.append(_invalid(path, len(value), f"should have at least {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        causes.append(
            (
                path,
                "FieldValueTooMany",
                f"Too many: {len(value)}: must have at most {schema['maxItems']} items",
            )
        )


def _check_object(value: dict[str, Any], schema: Schema, path: str, causes: list[Cause]) -> None:
    """Too few or too many properties end the object's checks; then its fields, then required."""
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        causes.append(
            _invalid(path, len(value), f"should have at least {schema['minProperties']} properties")
        )
        return
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        causes.append(_invalid(path, len(value), f"should have at most {schema['maxProperties']} properties"))
        return
    properties: Mapping[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for name in sorted(value):
        child = properties.get(name) or (extra if isinstance(extra, dict) else None)
        if child is not None:
            _check(value[name], child, _join(path, name), causes)
    for name in schema.get("required") or ():
        if name not in value:
            causes.append((_join(path, name), "FieldValueRequired", "Required value"))


def _check_combinations(value: Any, schema: Schema, path: str, causes: list[Cause]) -> None:
    """oneOf, anyOf, allOf and not: value validations only, in a structural schema."""
    quoted = json.dumps(path)
    if schema.get("oneOf"):
        valid = sum(not validate(value, option, path) for option in schema["oneOf"])
        if valid != 1:
            found = f" Found {valid} valid alternatives" if valid else ""
            causes.append(
                (
                    "<nil>",
                    "FieldValueInvalid",
                    f'Invalid value: "": {quoted} must validate one and only one schema (oneOf).{found}',
                )
            )
    if schema.get("anyOf") and not any(not validate(value, option, path) for option in schema["anyOf"]):
        causes.append(
            (
                "<nil>",
                "FieldValueInvalid",
                f'Invalid value: "": {quoted} must validate at least one schema (anyOf)',
            )
        )
    for option in schema.get("allOf") or ():
        _check(value, option, path, causes)
    if isinstance(schema.get("not"), dict) and not validate(value, schema["not"], path):
        causes.append(
            ("<nil>", "FieldValueInvalid", f'Invalid value: "": {quoted} must not validate the schema (not)')
        )


def base64_problem(value: str) -> int | None:
    """Where Go's base64 decoder fails on ``value`` (its byte offset), or None when it decodes."""
    compact = value.replace("\r", "").replace("\n", "")
    try:
        base64.b64decode(compact, validate=True)
        return None
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(value) if c not in _BASE64 and c not in "\r\n"), None)
        return bad if bad is not None else len(compact) // 4 * 4


# -- how kube-apiserver prints them ----------------------------------------------------------------


def _invalid(path: str, value: Any, should: str) -> Cause:
    return (path, "FieldValueInvalid", f"Invalid value: {_go_quoted(value)}: {path} in body {should}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_invalid(path: str, wanted: str, got: str) -> Cause:
    """kube-openapi's "must be of type" error as apiextensions-apiserver words it."""
    shown = json.dumps(got)
    return (
        path,
        "FieldValueTypeInvalid",
        f"Invalid value: {shown}: {path} in body must be of type {wanted}: {shown}",
    )


def _go_number(number: Any) -> str:
    """A schema bound as Go's %v prints a float64 (integral values without a fraction)."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return str(number)


def _go_quoted(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_number(value)
    return json.dumps(value, separators=(",", ":"))


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    """A schema ``pattern`` (RE2 syntax, which Python's re reads the same for what CRDs use)."""
    try:
        return re.compile(text)
    except re.error:
        return None
