"""The validation a diff/apply engine must meet: names, selectors and immutable fields (422 Invalid).

Only rules that change an engine's behaviour are emulated: invalid names, a Deployment selector that
does not match its template, and fields that may not change after creation (``field is immutable``,
which tells the engine to plan a replace). Called by operations.py before every write.
"""

from __future__ import annotations

import json
import re
from typing import Any

from designer.sandbox.resources import ResourceType
from designer.sandbox.status import invalid

KubeObject = dict[str, Any]

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_KINDS = frozenset({"Namespace", "Service"})

# kind -> dotted paths that may not change on update.
_IMMUTABLE: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec.selector",),
    "ReplicaSet": ("spec.selector",),
    "DaemonSet": ("spec.selector",),
    "StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
    "Job": ("spec.selector", "spec.template", "spec.completionMode"),
    "Service": ("spec.clusterIP",),
    "PersistentVolumeClaim": ("spec.storageClassName", "spec.volumeName", "spec.accessModes"),
    "StorageClass": ("provisioner", "parameters", "reclaimPolicy"),
    "RoleBinding": ("roleRef",),
    "ClusterRoleBinding": ("roleRef",),
}


def _at(obj: Any, dotted: str) -> Any:
    node = obj
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _value(v: Any) -> str:
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def validate_name(rt: ResourceType, name: str) -> None:
    pattern = _LABEL if rt.kind in _LABEL_KINDS else _SUBDOMAIN
    if not name:
        raise invalid(
            rt,
            name,
            [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")],
        )
    limit = 63 if rt.kind in _LABEL_KINDS else 253
    if len(name) > limit or not pattern.match(name):
        raise invalid(
            rt,
            name,
            [
                (
                    "metadata.name",
                    "FieldValueInvalid",
                    f'Invalid value: "{name}": a '
                    "lowercase RFC 1123 name must consist of lower case alphanumeric "
                    "characters, '-' or '.', and must start and end with an alphanumeric "
                    "character",
                )
            ],
        )


def validate(rt: ResourceType, obj: KubeObject) -> None:
    """Checks every write must pass (create and update)."""
    name = obj["metadata"]["name"]
    validate_name(rt, name)
    if rt.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet") and rt.builtin:
        spec = obj.get("spec") or {}
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not (
            selector.get("matchLabels") or selector.get("matchExpressions")
        ):
            raise invalid(rt, name, [("spec.selector", "FieldValueRequired", "Required value")])
        labels = _at(spec, "template.metadata.labels") or {}
        wanted = selector.get("matchLabels") or {}
        if any(labels.get(k) != v for k, v in wanted.items()):
            raise invalid(
                rt,
                name,
                [
                    (
                        "spec.template.metadata.labels",
                        "FieldValueInvalid",
                        f"Invalid value: {_value(labels)}: `selector` does not match template `labels`",
                    )
                ],
            )
        if not _at(spec, "template.spec.containers"):
            raise invalid(
                rt, name, [("spec.template.spec.containers", "FieldValueRequired", "Required value")]
            )


def validate_update(rt: ResourceType, old: KubeObject, new: KubeObject) -> None:
    """Immutable fields: a change is a 422 whose cause says ``field is immutable``."""
    if not rt.builtin:
        return
    causes = []
    for dotted in _IMMUTABLE.get(rt.kind, ()):
        before, after = _at(old, dotted), _at(new, dotted)
        if before is not None and before != after:
            causes.append(
                (dotted, "FieldValueInvalid", f"Invalid value: {_value(after)}: field is immutable")
            )
    if causes:
        raise invalid(rt, new["metadata"]["name"], causes)
