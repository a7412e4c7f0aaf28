"""Whether a JSON value fits a scalar of an object's shape, as the API server decodes it.

The server decodes a built-in object into Go types: an ``int32`` field takes a whole number in its
range (``3``, not ``"3"`` nor ``3.5``), an int-or-string field either, a quantity field a number or a
quantity string (``500m``, ``1Gi``), a ``[]byte`` field base64 text. These answers are shared by the
sandbox's typed decoding (designer.sandbox.fieldcheck, which words them as Go does) and designer's
own check of designs (conformance.py, which words them for people).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from designer.quantities import parse_quantity

INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "integer": (-(2**63), 2**63 - 1),
}
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def json_type(value: Any) -> str:
    """A JSON value's type in Go's decoding words (``cannot unmarshal <type> into ...``)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def scalar_misfit(value: Any, scalar: str) -> str | None:
    """Why ``value`` does not decode as ``scalar`` (Go's word for what it got: ``string``, ``number
    3.5``), None when it does. Quantities are `quantity_fits`'s; ``byte`` text is `base64_problem`'s."""
    if scalar in ("string", "date-time", "byte"):
        return None if isinstance(value, str) else json_type(value)
    if scalar == "boolean":
        return None if isinstance(value, bool) else json_type(value)
    if scalar == "number":
        return None if isinstance(value, int | float) and not isinstance(value, bool) else json_type(value)
    if scalar in INT_RANGES or scalar == "int-or-string":
        if scalar == "int-or-string" and isinstance(value, str):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return json_type(value)
        low, high = INT_RANGES.get(scalar, INT_RANGES["int32"])
        if isinstance(value, float) or not low <= value <= high:
            return f"number {json.dumps(value)}"
        return None
    return None


def quantity_fits(value: Any) -> bool:
    """True for a number or a quantity string (``100m``, ``1Gi``, ``1e3``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and parse_quantity(value) is not None


def base64_problem(value: str) -> int | None:
    """Where Go's base64 decoder fails on ``value`` (its byte offset), or None when it decodes."""
    compact = value.replace("\r", "").replace("\n", "")
    try:
        base64.b64decode(compact, validate=True)
        return None
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(value) if c not in _BASE64 and c not in "\r\n"), None)
        return bad if bad is not None else len(compact) // 4 * 4
