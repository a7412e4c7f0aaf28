"""A Constraint's ``spec.parameters`` checked against its template's ``openAPIV3Schema``.

Gatekeeper turns each ConstraintTemplate into a CRD whose ``spec.parameters`` follows
``spec.crd.spec.validation.openAPIV3Schema``, so the API server refuses a constraint whose parameters
break it (gator's "invalid constraint" tests assert exactly that). The OpenAPI v3 schema is read as
JSON Schema with its Kubernetes extensions translated: ``nullable: true`` admits null,
``x-kubernetes-int-or-string`` admits an integer or a string, other ``x-kubernetes-*`` keys are
dropped; unknown fields are allowed (the API server prunes them rather than refusing them).

Caller: designer.policy.gator.running.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parameter_errors(schema: Mapping[str, Any] | None, parameters: Any) -> list[str]:
    """What is wrong with ``parameters`` (``path: message`` each), [] when they fit or there is no schema."""
    if not schema:
        return []
    import jsonschema  # only suites with templates that carry a schema pay for the import

    validator = jsonschema.Draft7Validator(_as_json_schema(schema))
    found = []
    for error in sorted(validator.iter_errors(parameters), key=lambda e: list(e.absolute_path)):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        found.append(f"spec.parameters{path}: {error.message}")
    return found


_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("not", "additionalProperties", "items", "additionalItems")


def _as_json_schema(node: Any) -> Any:
    if not isinstance(node, Mapping):
        return node  # additionalProperties: true/false
    out: dict[str, Any] = {}
    for key, value in node.items():
        if str(key).startswith("x-kubernetes-") or key == "nullable":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {name: _as_json_schema(v) for name, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_as_json_schema(v) for v in value]
        elif key in _SCHEMA_VALUES:
            out[key] = (
                [_as_json_schema(v) for v in value] if isinstance(value, list) else _as_json_schema(value)
            )
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out
