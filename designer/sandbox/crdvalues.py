"""One value against one node of a CRD's structural schema, as kube-openapi judges it, and how
apiextensions-apiserver words the errors: the JSON type and format a decoded value has (JSON numbers
decode as int64, or float64 with a fraction or an exponent), the type check with numeric formats,
the ranges of ``int32`` and friends, the string formats the real mesh CRDs use, Go's printing of
values and bounds. Measured against kube-apiserver (tests/sandbox/test_mesh_crd_fidelity.py).
Callers: crdschema.py (the walk over an object). Go's base64 decoding is designer.kubetypes.values'.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from designer.kubetypes.values import base64_problem

Cause = tuple[str, str, str]
"""(field, reason, message) of a Status cause."""
Schema = Mapping[str, Any]
_INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_INT64 = (-(2**63), 2**63 - 1)
_FLOAT32_MAX = 3.4028234663852886e38
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?")


def go_kind(value: Any) -> tuple[str, str]:
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


def type_problem(value: Any, schema: Schema) -> tuple[str, str] | None:
    """(what the schema wants, what was given) when kube-openapi's type validator refuses ``value``:
    with a ``format`` a number must fit it (``int32`` takes an int64, not a fraction), integral
    floats pass as integers and integers as numbers; a string or a list passes a non-numeric
    format's type check (the format check judges strings)."""
    wanted, form = str(schema.get("type") or ""), schema.get("format") or ""
    if not wanted:
        return None
    types = wanted.split(",")  # "integer,string" for x-kubernetes-int-or-string
    got, got_form = go_kind(value)
    fits = got in types
    float_int = got == "number" and "integer" in types and float(value).is_integer()
    int_float = got == "integer" and "number" in types
    if got not in ("string", "array") and form and not (fits or got_form == form or float_int or int_float):
        return form, got_form
    if not {"number", "integer"} & set(types) and form and got in ("string", "array"):
        return None
    return None if fits or float_int or int_float else (wanted, got)


def in_range(value: int | float, kind: str, form: str) -> bool:
    """Whether ``value`` printed as Go prints it parses as the type and format (kube-openapi's
    IsValueValidAgainstRange): an integer must have no fraction and fit its bits."""
    if kind == "integer":
        if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e21):
            return False
        low, high = _INTEGER_RANGES.get(form, _INT64)
        return low <= int(value) <= high
    return not (form in ("float", "float32") and abs(value) > _FLOAT32_MAX)


def format_fits(value: str, form: str) -> bool:
    """Whether a string fits its schema's ``format``: the ones the real mesh CRDs use (``byte``,
    ``date-time``, ``ipv4``, ``ipv6``); others are not checked (FIDELITY.md)."""
    if form == "byte":
        return base64_problem(value) is None
    if form == "date-time":
        return _DATE_TIME.fullmatch(value) is not None
    if form in ("ipv4", "ipv6"):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return ("." if form == "ipv4" else ":") in value
    return True


# -- how kube-apiserver prints them ----------------------------------------------------------------


def invalid(path: str, value: Any, should: str) -> Cause:
    return (path, "FieldValueInvalid", f"Invalid value: {go_quoted(value)}: {path} in body {should}")


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def type_invalid(path: str, wanted: str, got: str) -> Cause:
    """kube-openapi's "must be of type" error as apiextensions-apiserver words it."""
    shown = json.dumps(got)
    return (
        path,
        "FieldValueTypeInvalid",
        f"Invalid value: {shown}: {path} in body must be of type {wanted}: {shown}",
    )


def go_number(number: Any) -> str:
    """A schema bound as Go's %v prints a float64 (integral values without a fraction)."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return str(number)


def go_quoted(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return go_number(value)
    return json.dumps(value, separators=(",", ":"))


@cache
def pattern(text: str) -> re.Pattern[str] | None:
    """A schema ``pattern`` (RE2 syntax, which Python's re reads the same for what CRDs use)."""
    try:
        return re.compile(text)
    except re.error:
        return None
