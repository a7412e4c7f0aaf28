"""A custom resource's values against its CRD's structural schema: defaults, types and value checks.

kube-apiserver does more with a CRD's ``openAPIV3Schema`` than prune unknown fields (fieldcheck.py
does that, and server-side apply's typed-patch errors): it fills in ``default`` values, drops the
``null`` fields a decoded request body gives where the schema neither allows nor defaults them, and
validates what it stores with kube-openapi's validators: JSON types and numeric formats (``int32``:
a fraction, or a number out of range, is refused), string formats (``byte``, ``date-time``,
``ipv4``, ``ipv6``), ``enum``, ``required``, bounds, lengths, ``pattern``, ``oneOf``/``anyOf``/``not``,
``x-kubernetes-int-or-string`` (typed ``integer,string``, as apiextensions-apiserver hands it over);
a status subresource write has its status validated on its own (`validate_status`).
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
Callers: designer.sandbox.operations (``Api.commit``); one value's type, format and wording are
crdvalues.py's.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from designer.sandbox.crdvalues import (
    Cause,
    Schema,
    format_fits,
    go_number,
    go_quoted,
    in_range,
    invalid,
    join,
    pattern,
    type_invalid,
    type_problem,
)

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


def store_numbers(value: Any) -> None:
    """Whole numbers written with a fraction (``2.0``) become integers, in place, as kube-apiserver
    stores them after validation (Go's JSON encoder writes a float64 2 as ``2``, read back as an
    int64); validation has seen them as given (a ``2.0`` is a float64 there)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, float) and item.is_integer() and abs(item) < 2**63:
            value[key] = int(item)
        elif isinstance(item, dict | list):
            store_numbers(item)


# -- validation ----------------------------------------------------------------------------------


def validate(value: Any, schema: Schema | None, path: str = "") -> list[Cause]:
    """Every validation error of ``value`` (already pruned and defaulted), in kube-openapi's order
    of validators (`_check`), sibling fields by name, each once (kube-openapi drops repeats)."""
    causes: list[Cause] = []
    if schema:
        _check(value, schema, path, causes)
    return list(dict.fromkeys(causes))


def validate_status(obj: dict[str, Any], schema: Schema | None) -> list[Cause]:
    """A status subresource write's errors: kube-apiserver validates the status on its own (the
    messages name paths within it) and puts the causes under ``status``."""
    status_schema = ((schema or {}).get("properties") or {}).get("status")
    if not status_schema or "status" not in obj:
        return []
    return [
        ("status" if field == "<nil>" else join("status", field), reason, message)
        for field, reason, message in validate(obj["status"], status_schema)
    ]


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
    if schema.get("x-kubernetes-int-or-string"):
        schema = {**schema, "type": "integer,string"}  # as apiextensions-apiserver hands it over
    if value is None:
        if schema.get("type") and not schema.get("nullable"):
            causes.append(type_invalid(path, str(schema["type"]), "null"))
        return
    wrong = type_problem(value, schema)
    if wrong is not None:
        causes.append(type_invalid(path, *wrong))
    _check_combinations(value, schema, path, causes)
    if isinstance(value, str):
        _check_string(value, schema, path, causes)
        _check_format(value, schema, path, causes)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path, causes)
    elif isinstance(value, list):
        _check_array(value, schema, path, causes)
    if "enum" in schema and value not in schema["enum"]:
        listed = ", ".join(go_quoted(v) for v in schema["enum"])
        causes.append(
            (
                path,
                "FieldValueNotSupported",
                f"Unsupported value: {go_quoted(value)}: supported values: {listed}",
            )
        )
    if isinstance(value, dict):
        _check_object(value, schema, path, causes)


def _check_string(value: str, schema: Schema, path: str, causes: list[Cause]) -> None:
    """Only the first of maxLength, minLength, pattern that fails (kube-openapi stops there)."""
    regex = pattern(str(schema["pattern"])) if "pattern" in schema else None
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(
            (path, "FieldValueTooLong", f"Too long: may not be more than {schema['maxLength']} bytes")
        )
    elif "minLength" in schema and len(value) < schema["minLength"]:
        causes.append(invalid(path, value, f"should be at least {schema['minLength']} chars long"))
    elif regex is not None and regex.search(value) is None:
        causes.append(invalid(path, value, f"should match '{schema['pattern']}'"))


def _check_format(value: str, schema: Schema, path: str, causes: list[Cause]) -> None:
    form = schema.get("format")
    if isinstance(form, str) and not format_fits(value, form):
        causes.append(type_invalid(path, form, value))


def _check_number(value: int | float, schema: Schema, path: str, causes: list[Cause]) -> None:
    """The range of the type and format first ("Checked value must be of type integer with format
    int32"), then multipleOf, maximum, minimum."""
    kind, form = str(schema.get("type") or "").partition(",")[0], schema.get("format") or ""
    if kind in ("integer", "number") and not in_range(value, kind, form):
        with_format = f" with format {form}" if form else " (default format)"
        causes.append(
            (
                "<nil>",
                "FieldValueInvalid",
                f'Invalid value: "": Checked value must be of type {kind}{with_format} in {path}',
            )
        )
    factor = schema.get("multipleOf")
    if factor and (value / factor) != int(value / factor):
        causes.append(invalid(path, value, f"should be a multiple of {go_number(factor)}"))
    if "maximum" in schema:
        high, exclusive = schema["maximum"], schema.get("exclusiveMaximum") is True
        if value > high or (exclusive and value == high):
            words = "less than" if exclusive else "less than or equal to"
            causes.append(invalid(path, value, f"should be {words} {go_number(high)}"))
    if "minimum" in schema:
        low, exclusive = schema["minimum"], schema.get("exclusiveMinimum") is True
        if value < low or (exclusive and value == low):
            words = "greater than" if exclusive else "greater than or equal to"
            causes.append(invalid(path, value, f"should be {words} {go_number(low)}"))


def _check_array(value: list[Any], schema: Schema, path: str, causes: list[Cause]) -> None:
    items = schema.get("items")
    if isinstance(items, dict):
        for n, item in enumerate(value):
            _check(item, items, f"{path}[{n}]", causes)
    if "minItems" in schema and len(value) < schema["minItems"]:
        causes.append(invalid(path, len(value), f"should have at least {schema['minItems']} items"))
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
        causes.append(invalid(path, len(value), f"should have at least {schema['minProperties']} properties"))
        return
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        causes.append(invalid(path, len(value), f"should have at most {schema['maxProperties']} properties"))
        return
    properties: Mapping[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for name in sorted(value):
        child = properties.get(name) or (extra if isinstance(extra, dict) else None)
        if child is not None:
            _check(value[name], child, join(path, name), causes)
    for name in schema.get("required") or ():
        if name not in value:
            causes.append((join(path, name), "FieldValueRequired", "Required value"))


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
    failures: list[list[Cause]] = []
    for option in schema.get("anyOf") or ():
        failures.append(validate(value, option, path))
        if not failures[-1]:
            break
    else:
        if failures:  # none fits: the error, then the first option's errors
            causes.append(
                (
                    "<nil>",
                    "FieldValueInvalid",
                    f'Invalid value: "": {quoted} must validate at least one schema (anyOf)',
                )
            )
            causes.extend(failures[0])
    for option in schema.get("allOf") or ():
        _check(value, option, path, causes)
    if isinstance(schema.get("not"), dict) and not validate(value, schema["not"], path):
        causes.append(
            ("<nil>", "FieldValueInvalid", f'Invalid value: "": {quoted} must not validate the schema (not)')
        )
