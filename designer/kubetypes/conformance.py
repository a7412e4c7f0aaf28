"""Every way an object does not fit its kind's shape, found the way the API server would find it.

The server decodes an object into its kind's types before anything else: a value of the wrong type is
refused (400), a field it does not know is dropped with a ``Warning`` header (refused with kubectl's
default, ``fieldValidation=Strict``) and makes server-side apply fail outright (500 ``field not
declared in schema``), as do two items with one key in a keyed list. Its validation then refuses
missing required fields and values outside a field's enumeration (422). `check` finds all of these
at once, in document order, without stopping at the first; what is below a wrong value is not
looked at (its meaning is unknown).

Problems carry the object's key path, a code, a sentence, and what a caller needs to word a hint: the
word that was wrong and the names or values it may have meant (designer.loading.apifields turns
them into located design errors with "did you mean"). Nothing here raises.

Cost matters: `design validate` runs this over every object of every file, so the walk is a tight
recursion over plain dicts and lists with cached shapes (about a microsecond per value).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from designer.kubetypes.listsemantics import item_key, key_json
from designer.kubetypes.shapes import Shape
from designer.kubetypes.values import INT_RANGES, base64_problem, quantity_fits

UNKNOWN = "unknown-field"
WRONG_TYPE = "wrong-type"
REQUIRED = "required"
UNSUPPORTED = "unsupported-value"
DUPLICATE = "duplicate-key"


@dataclass(frozen=True, slots=True)
class Problem:
    """One way an object does not fit: at ``path`` (``spec.template.spec.containers[0].image``)."""

    path: str
    code: str
    message: str
    hint: str | None = None
    word: str = ""
    """What was written that is not known (a field name, a value), for a "did you mean"."""
    choices: tuple[str, ...] = ()
    """The names or values allowed there."""


def check(
    obj: Mapping[str, Any], shape: Shape, *, given: Collection[str] = (), custom: bool = False
) -> list[Problem]:
    """Every problem of ``obj`` against ``shape`` (a kind's). ``given`` names top-level fields the
    caller supplies and checks itself (a design's metadata): they count as present and are skipped.
    ``custom``: a custom resource, whose whole numbers written with a fraction (``2.0``) the server
    takes as integers (a built-in kind's Go decoding refuses them)."""
    out = _Found(custom)
    _struct(obj, shape, "", out, True, given)
    return list(out)


class _Found(list[Problem]):
    """The problems found so far, and whether the object is a custom resource."""

    __slots__ = ("custom",)

    def __init__(self, custom: bool) -> None:
        super().__init__()
        self.custom = custom


_EXPECTED = {
    "string": "a string",
    "date-time": "a time (RFC 3339 text)",
    "byte": "base64 text",
    "boolean": "true or false",
    "number": "a number",
    "int32": "an integer",
    "int64": "an integer",
    "integer": "an integer",
    "int-or-string": "an integer or a string",
    "quantity": "a quantity (a number, or text such as 500m or 1Gi)",
}
_NUMBER_TYPES = (int, float)


def _struct(
    value: Mapping[str, Any],
    shape: Shape,
    path: str,
    out: _Found,
    required: bool,
    given: Collection[str],
) -> None:
    field = shape.field
    for key, item in value.items():
        if key in given:
            continue
        child = field(key)
        here = f"{path}.{key}" if path else str(key)
        if child is None:
            if not shape.open:
                out.append(_unknown(shape, here, str(key)))
            continue
        if item is not None and child.kind != "any":
            # The server resets a written status: what it requires there is not the writer's to give.
            _value(item, child, here, out, required and (bool(path) or key != "status"))
    if required:
        for name in shape.required:
            if value.get(name) is None and name not in given:
                where = f"{path}.{name}" if path else name
                owner = f" of {shape.go_name}" if shape.go_name else ""
                out.append(Problem(where, REQUIRED, f"missing required field {name!r}{owner}", word=name))


def _value(value: Any, shape: Shape, path: str, out: _Found, required: bool) -> None:
    kind = shape.kind
    if kind == "scalar":
        _scalar(value, shape, path, out)
    elif kind == "struct":
        if isinstance(value, dict):
            _struct(value, shape, path, out, required, ())
        else:
            out.append(_wrong(path, value, f"a mapping ({shape.go_name})" if shape.go_name else "a mapping"))
    elif kind == "list":
        if isinstance(value, list):
            _list(value, shape, path, out, required)
        else:
            out.append(_wrong(path, value, "a list"))
    elif kind == "map":
        if isinstance(value, dict):
            inner = shape.value
            if inner is not None and inner.kind != "any":
                for key, item in value.items():
                    if item is not None:
                        _value(item, inner, f"{path}.{key}", out, required)
        else:
            out.append(_wrong(path, value, "a mapping"))


def _list(value: list[Any], shape: Shape, path: str, out: _Found, required: bool) -> None:
    item_shape = shape.item
    if item_shape is not None and item_shape.kind != "any":
        for n, item in enumerate(value):
            if item is not None:
                _value(item, item_shape, f"{path}[{n}]", out, required)
    if shape.list_type == "map" and shape.keys and len(value) > 1:
        _repeated_keys(value, shape.keys, path, out)


def _repeated_keys(value: list[Any], keys: tuple[str, ...], path: str, out: _Found) -> None:
    """Two items of one key in a keyed list (containers by name, ports by port and protocol)."""
    first: dict[str, int] = {}
    for n, item in enumerate(value):
        key = item_key(item, keys)
        if key is None:
            continue
        text = key_json(key)
        if text in first:
            shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in key.items())
            out.append(
                Problem(
                    f"{path}[{n}]",
                    DUPLICATE,
                    f"repeats the key {shown} of {path.rpartition('.')[2]}[{first[text]}]",
                    "server-side apply refuses a keyed list with two items of one key: "
                    "merge the two items or change one's key",
                )
            )
        else:
            first[text] = n


def _scalar(value: Any, shape: Shape, path: str, out: _Found) -> None:
    scalar = shape.scalar
    kind = type(value)
    if scalar == "string":
        if kind is not str:
            out.append(_wrong(path, value, "a string"))
        elif shape.enum and value and value not in shape.enum:
            out.append(_unsupported(path, value, shape.enum))
        return
    if kind is float and out.custom and value.is_integer():
        value, kind = int(value), int  # apiextensions-apiserver stores 2.0 as 2
    if scalar in INT_RANGES:
        if kind is int:
            low, high = INT_RANGES[scalar]
            if not low <= value <= high:
                out.append(_wrong(path, value, f"an integer that fits {scalar}"))
        else:
            out.append(_wrong(path, value, "an integer"))
        return
    if scalar == "boolean":
        if kind is not bool:
            out.append(_wrong(path, value, "true or false"))
        return
    if scalar == "int-or-string":
        if kind is not str and (
            kind is not int or not INT_RANGES["int32"][0] <= value <= INT_RANGES["int32"][1]
        ):
            out.append(_wrong(path, value, "an integer or a string"))
        return
    if scalar == "quantity":
        if not quantity_fits(value):
            out.append(_wrong(path, value, _EXPECTED["quantity"]))
        return
    if scalar == "number":
        if kind not in _NUMBER_TYPES:
            out.append(_wrong(path, value, "a number"))
        return
    if scalar in ("byte", "date-time"):
        if kind is not str:
            out.append(_wrong(path, value, _EXPECTED[scalar]))
        elif scalar == "byte":
            offset = base64_problem(value)
            if offset is not None:
                out.append(
                    Problem(
                        path,
                        WRONG_TYPE,
                        f"is not base64 text (illegal data at byte {offset})",
                        "encode the value in base64; a Secret takes plain text under stringData instead of data",
                    )
                )
    if shape.enum and value not in shape.enum:  # a custom resource's enumerated numbers
        out.append(_unsupported(path, value, shape.enum))


def _unknown(shape: Shape, path: str, key: str) -> Problem:
    owner = f" in {shape.go_name}" if shape.go_name else ""
    return Problem(path, UNKNOWN, f"unknown field {key!r}{owner}", word=key, choices=shape.field_names)


def _unsupported(path: str, value: Any, allowed: tuple[Any, ...]) -> Problem:
    shown = [str(v) for v in allowed]
    return Problem(
        path,
        UNSUPPORTED,
        f"unsupported value {_show(value)}",
        word=str(value),
        choices=tuple(shown),
    )


def _wrong(path: str, value: Any, expected: str) -> Problem:
    return Problem(path, WRONG_TYPE, f"expected {expected}, got {_got(value)}", _type_hint(value, expected))


def _got(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    if isinstance(value, int | float):
        return f"the number {_show(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _type_hint(value: Any, expected: str) -> str | None:
    """What to write instead, for the usual slips (YAML reads 8080, true and 1.0 as non-strings)."""
    if expected == "a string" and isinstance(value, bool | int | float):
        return f'quote it: "{_yaml_scalar(value)}" (YAML reads it unquoted as a {"boolean" if isinstance(value, bool) else "number"})'
    if isinstance(value, str):
        stripped = value.strip()
        if expected.startswith("an integer") and _is_int(stripped):
            return f"write {stripped} without quotes"
        if expected == "true or false" and stripped in ("true", "false"):
            return f"write {stripped} without quotes"
        if expected == "a number" and _is_number(stripped):
            return f"write {stripped} without quotes"
        if expected.startswith("a quantity"):
            return "write a number with an optional suffix: 500m, 2, 128Mi, 1Gi (no space, binary suffixes end in i)"
    if isinstance(value, float) and expected.startswith("an integer"):
        return "write a whole number" + (' or a percentage such as "25%"' if "string" in expected else "")
    if expected == "a list" and isinstance(value, dict):
        return "write each item on its own line starting with '- '"
    if expected.startswith("a mapping") and isinstance(value, list):
        return "write key: value pairs, without '- '"
    return None


def _yaml_scalar(value: bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_int(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
