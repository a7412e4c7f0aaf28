"""Checking an object against its kind's shape, as a real apiserver decodes it.

Three answers, each with the real server's wording:

- **typed decoding** of a write (POST, PUT, merge/JSON/strategic patch): a value of the wrong JSON
  type is a 400 ``<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot unmarshal string
  into Go struct field DeploymentSpec.spec.replicas of type int32`` (the first one, in document
  order, as Go's decoder stops there); Secret and ConfigMap bytes that are not base64 likewise.
  A custom resource's values are checked by its schema instead (crdschema.py: 422
  ``FieldValueTypeInvalid``, with the value checks), its metadata as here.
- **field validation** (``fieldValidation=Warn|Strict|Ignore``, Warn by default): unknown fields and
  fields given twice are dropped and reported as ``Warning`` headers (``unknown field
  "spec.replica"``), refused together with Strict (400 ``strict decoding error: ...``), or dropped
  silently with Ignore.
- **server-side apply**: the applied configuration is converted to a typed value first, and what does
  not fit is a 500 ``failed to create typed patch object (/name; apps/v1, Kind=Deployment):
  .spec.replica: field not declared in schema`` whatever fieldValidation says (structured-merge-diff
  stops descending into a struct once it found an undeclared field there: a real server visits the
  fields in Go's map order, so which of several it reports varies; here, all of one struct's).

The request's fieldValidation mode and its warnings come from requestoptions.py; Api.commit and
writes.server_side_apply call the checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from designer.kubetypes.listsemantics import SET, item_key, key_json, list_kind
from designer.kubetypes.shapes import Shape
from designer.kubetypes.values import base64_problem, json_type, quantity_fits, scalar_misfit
from designer.sandbox.fieldsets import path_str
from designer.sandbox.requestoptions import STRICT, WARN, current
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import ApiError, bad_request

_QUANTITY_TEXT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


# -- JSON with repeated keys ---------------------------------------------------------------------


class Repeated(dict[str, Any]):
    """A JSON object whose text gave some keys more than once (the last value wins, as in Go)."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    again: list[str] = []
    for key, value in pairs:
        if key in out and key not in again:
            again.append(key)
        out[key] = value
    if not again:
        return out
    marked = Repeated(out)
    marked.repeated = again
    return marked


def loads(raw: bytes) -> Any:
    """JSON that remembers repeated keys, for field validation's ``duplicate field`` reports."""
    return json.loads(raw, object_pairs_hook=_pairs)


# -- writes other than apply ----------------------------------------------------------------------


@dataclass
class _Walk:
    custom: bool
    type_error: str | None = None
    problems: list[str] = field(default_factory=list)


def _walk(w: _Walk, value: Any, shape: Shape | None, path: str, go: str, owner: str) -> Any:
    """``value`` without its unknown fields; records the first type error and every unknown field."""
    if shape is None or value is None or shape.kind == "any":
        return value
    kind = shape.kind
    if kind == "scalar":
        _check_scalar(w, value, shape, path, go, owner)
        return value
    wanted = dict if kind in ("struct", "map") else list
    if not isinstance(value, wanted):
        if w.custom and not shape.name:
            return value  # a custom resource's types are its schema's checks (crdschema.py)
        if w.type_error is None:
            w.type_error = f"json: cannot unmarshal {json_type(value)} into Go struct field {owner}.{go} of type {shape.go_type()}"
        return value
    if isinstance(value, list):
        item = shape.item
        return [_walk(w, v, item, f"{path}[{n}]", go, owner) for n, v in enumerate(value)]
    if kind == "map":
        inner = shape.value
        for key in getattr(value, "repeated", ()):
            w.problems.append(f'duplicate field "{path}.{key}"' if path else f'duplicate field "{key}"')
        return {k: _walk(w, v, inner, f"{path}.{k}" if path else k, go, owner) for k, v in value.items()}
    out: dict[str, Any] = {}
    repeated = getattr(value, "repeated", ())
    struct_name = shape.go_name or owner
    for key, item in value.items():
        here = f"{path}.{key}" if path else key
        if key in repeated:
            w.problems.append(f'duplicate field "{here}"')
        child = shape.field(key)
        if child is None:
            if shape.open:
                out[key] = item
            else:
                w.problems.append(f'unknown field "{here}"')
            continue
        child_go = f"{go}.{key}" if go else key
        if child.name and not shape.name and w.custom:
            child_go = ""  # a custom resource's metadata decodes as ObjectMeta on its own
        out[key] = _walk(w, item, child, here, child_go if child_go else "", struct_name)
    return out


def _check_scalar(w: _Walk, value: Any, shape: Shape, path: str, go: str, owner: str) -> None:
    scalar = shape.scalar
    if scalar == "quantity":
        if not quantity_fits(value):
            w.type_error = w.type_error or _QUANTITY_TEXT
        return
    if w.custom and not owner:
        return  # a custom resource's types and formats are its schema's checks (crdschema.py)
    wrong = scalar_misfit(value, scalar)
    if wrong is not None:
        if w.type_error is None:
            w.type_error = (
                f"json: cannot unmarshal {wrong} into Go struct field {owner}.{go} of type {shape.go_type()}"
            )
        return
    if scalar == "byte" and isinstance(value, str) and w.type_error is None:
        offset = base64_problem(value)
        if offset is not None:
            w.type_error = f"illegal base64 data at input byte {offset}"


def check(rt: ResourceType, obj: dict[str, Any], *, name: str) -> dict[str, Any]:
    """``obj`` as the server keeps it: unknown fields dropped (and reported as the request's
    fieldValidation says); raises for values a typed decoding or a CRD schema refuses."""
    shape = rt.shape
    options = current()
    if shape is None or options is None:  # no request: a controller's own write
        return obj
    w = _Walk(custom=not rt.builtin)
    kept = _walk(w, obj, shape, "", "", "" if w.custom else rt.kind)
    if w.custom:  # a CRD's pruning lists the fields it dropped sorted, after the decoder's duplicates
        unknown = sorted(p for p in w.problems if p.startswith("unknown field"))
        w.problems = [p for p in w.problems if not p.startswith("unknown field")] + unknown
    prefix = f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}'
    if w.type_error is not None:
        raise bad_request(f"{prefix}: {w.type_error}")
    if w.problems and options.field_validation == STRICT:
        raise bad_request(f"{prefix}: strict decoding error: {', '.join(w.problems)}")
    if options.field_validation == WARN:
        options.warnings.extend(w.problems)
    return dict(kept)


# -- server-side apply ----------------------------------------------------------------------------


def _go_value(value: Any) -> str:
    """A value as structured-merge-diff's errors print it with %v: ``&{[app]}``, ``&{5}`` (its
    ``expected boolean``, ``expected map`` and ``expected list`` errors)."""
    return "&{" + _go_plain(value) + "}"


def _go_value_in_full(value: Any) -> str:
    """A value as its ``expected string`` error prints it, with %#v:
    ``&value.valueUnstructured{Value:5}``."""
    return "&value.valueUnstructured{Value:" + _go_repr(value) + "}"


def _go_plain(value: Any) -> str:
    """Go's %v of a decoded JSON value: ``[a b]``, ``map[k:v]``, ``5``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(_go_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_plain(v)}" for k, v in sorted(value.items())) + "]"
    return "<nil>" if value is None else str(value)


def _go_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_repr(v) for v in value) + "}"
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}:{_go_repr(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + inner + "}"
    return "<nil>"


def _apply_errors(value: Any, shape: Shape | None, path: str, out: list[str]) -> None:
    if shape is None or value is None or shape.kind == "any":
        return
    kind = shape.kind
    if kind == "scalar":
        scalar = shape.scalar
        if scalar in ("string", "byte", "date-time") and not isinstance(value, str):
            out.append(f"{path}: expected string, got {_go_value_in_full(value)}")
        elif scalar == "boolean" and not isinstance(value, bool):
            out.append(f"{path}: expected boolean, got {_go_value(value)}")
        elif scalar in ("int32", "int64", "integer", "number") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            out.append(f"{path}: expected numeric (int or float), got {json_type(value)}")
        return
    if kind in ("struct", "map") and not isinstance(value, dict):
        out.append(f"{path}: expected map, got {_go_value(value)}")
        return
    if kind == "list":
        if not isinstance(value, list):
            out.append(f"{path}: expected list, got {_go_value(value)}")
            return
        semantics = list_kind(shape)
        seen: set[str] = set()
        repeated: list[str] = []
        for n, item in enumerate(value):
            key = item_key(item, semantics) if isinstance(semantics, tuple) else None
            if key is not None:
                element = path_str((("k", key_json(key)),))
                shown = element[1:-1]
                if shown in seen and shown not in repeated:
                    repeated.append(shown)
                seen.add(shown)
            elif semantics == SET and not isinstance(item, dict | list):
                element = f"[={json.dumps(item)}]"
            else:
                element = f"[{n}]"
            _apply_errors(item, shape.item, f"{path}{element}", out)
        out.extend(f"{path}: duplicate entries for key [{k}]" for k in repeated)
        return
    if kind == "map":
        for key, item in value.items():
            _apply_errors(item, shape.value, f"{path}.{key}", out)
        return
    unknown = [k for k in value if shape.field(k) is None] if not shape.open else []
    if unknown:
        out.extend(f"{path}.{k}: field not declared in schema" for k in unknown)
        return
    for key, item in value.items():
        _apply_errors(item, shape.field(key), f"{path}.{key}", out)


def check_applied(rt: ResourceType, applied: dict[str, Any], name: str, namespace: str = "") -> None:
    """Raise the 500 a real server answers when an applied configuration does not fit the kind:
    undeclared fields, values of the wrong type, two items of one key in a keyed list (kube-apiserver
    names the object by the namespace the body gives, empty when only the URL does)."""
    errors: list[str] = []
    _apply_errors(applied, rt.shape, "", errors)
    if not errors:
        return
    where = f"({namespace}/{name}; {rt.group}/{rt.version}, Kind={rt.kind})"
    text = errors[0] if len(errors) == 1 else "errors:\n" + "\n".join(f"  {e}" for e in errors)
    raise ApiError(500, "", f"failed to create typed patch object {where}: {text}")


def fits_typed(rt: ResourceType, obj: dict[str, Any]) -> bool:
    """Whether ``obj`` converts to a typed value of its kind (structured-merge-diff): where it does
    not (a custom resource's list where its schema has a string, which a create or update does not
    refuse), kube-apiserver's field manager gives up and removes the object's managedFields."""
    errors: list[str] = []
    _apply_errors(obj, rt.shape, "", errors)
    return not errors


def check_converted(rt: ResourceType, merged: dict[str, Any], name: str, namespace: str = "") -> None:
    """Raise the 500 a real server answers when an applied object fits the schema but not the Go
    type it is converted to (bytes that are not base64, a fraction for an integer)."""
    if not rt.builtin or rt.shape is None:
        return
    w = _Walk(custom=False)
    _walk(w, merged, rt.shape, "", "", rt.kind)
    if w.type_error is None:
        return
    gvk = f"{rt.group}/{rt.version}, Kind={rt.kind}"
    problem = w.type_error
    if problem.startswith("illegal base64"):
        problem = f"error decoding from json: {problem}"
    elif " number " in problem or problem.startswith("json: cannot unmarshal number "):
        wanted = problem.rpartition(" of type ")[2]
        problem = f"cannot convert float64 to {wanted}"
    raise ApiError(
        500,
        "",
        f"failed to convert new object ({namespace}/{name}; {gvk}) to proper version: "
        f"unable to convert unstructured object to {gvk}: {problem}",
    )
