"""The validation a diff/apply engine must meet (422 Invalid): names, metadata, keys, selectors, immutability.

Only rules a real kube-apiserver applies are emulated, with its wording: object names by kind (DNS
subdomain by default; DNS-1123 label for Namespace and Service, path segments for
RBAC kinds, 52 characters for a CronJob), label keys and values and annotation keys (qualified
names), the total size of annotations, Secret and ConfigMap keys and sizes, a Deployment selector
that does not match its template, and fields that may not change after creation (``field is
immutable``, which tells the engine to plan a replace). Type errors are refused earlier, as a real
server's decoding does (decoding.py). Called by operations.py before every write.
"""

from __future__ import annotations

import json
import re
from typing import Any

from designer.sandbox import kindrules
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import invalid

KubeObject = dict[str, Any]
Cause = tuple[str, str, str]  # (field, reason, message)

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
_ANNOTATIONS_MAX = 256 * 1024
_DATA_MAX = 1024 * 1024

_SUBDOMAIN_TEXT = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_TEXT = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_QUALIFIED_TEXT = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character"
)
_LABEL_VALUE_TEXT = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_CONFIG_KEY_TEXT = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

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


def _name_problem(kind: str, name: str) -> str | None:
    """Why ``name`` is not a valid name for ``kind`` (None when it is)."""
    if kind in _RBAC_KINDS:  # path segment names: "system:aggregate-to-edit" is fine
        if name in (".", "..") or "/" in name or "%" in name:
            return f"may not be '{name}'" if name in (".", "..") else "may not contain '/' or '%'"
        return None
    if kind in ("Namespace", "Service"):  # Service: a DNS-1123 label (kube-apiserver 1.37 takes "1web")
        pattern, limit, text = _LABEL, 63, _LABEL_TEXT
    else:
        pattern, limit, text = _SUBDOMAIN, 253, _SUBDOMAIN_TEXT
    if kind == "CronJob":
        limit = 52
    if len(name) > limit:
        return f"must be no more than {limit} characters"
    if not pattern.match(name):
        return text
    return None


def validate_name(rt: ResourceType, name: str) -> None:
    if not name:
        raise invalid(
            rt,
            name,
            [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")],
        )
    problem = _name_problem(rt.kind if rt.builtin else "", name)
    if problem is not None:
        raise invalid(
            rt, name, [("metadata.name", "FieldValueInvalid", f'Invalid value: "{name}": {problem}')]
        )


def _qualified_name_problem(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _SUBDOMAIN.match(prefix)):
        return f"prefix part {_SUBDOMAIN_TEXT}"
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _QUALIFIED_NAME.match(name):
        return _QUALIFIED_TEXT
    return None


def _metadata_causes(meta: KubeObject) -> list[Cause]:
    causes: list[Cause] = []
    labels = meta.get("labels") or {}
    for key, value in labels.items():
        problem = _qualified_name_problem(str(key))
        if problem is not None:
            causes.append(("metadata.labels", "FieldValueInvalid", f'Invalid value: "{key}": {problem}'))
        if isinstance(value, str) and (len(value) > 63 or not _LABEL_VALUE.match(value)):
            why = "must be no more than 63 characters" if len(value) > 63 else _LABEL_VALUE_TEXT
            causes.append(("metadata.labels", "FieldValueInvalid", f'Invalid value: "{value}": {why}'))
    annotations = meta.get("annotations") or {}
    for key in annotations:
        problem = _qualified_name_problem(str(key))
        if problem is not None:
            causes.append(("metadata.annotations", "FieldValueInvalid", f'Invalid value: "{key}": {problem}'))
    size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
    if size > _ANNOTATIONS_MAX:
        causes.append(
            (
                "metadata.annotations",
                "FieldValueTooLong",
                f"Too long: must have at most {_ANNOTATIONS_MAX} bytes",
            )
        )
    return causes


def _data_causes(kind: str, obj: KubeObject) -> list[Cause]:
    """Secret and ConfigMap keys (config keys) and total size."""
    causes: list[Cause] = []
    fields = ("data", "binaryData") if kind == "ConfigMap" else ("data",)
    seen: set[str] = set()
    size = 0
    for field in fields:
        for key, value in (obj.get(field) or {}).items():
            key = str(key)
            if len(key) > 253 or not _CONFIG_KEY.match(key) or key in (".", ".."):
                why = "must be no more than 253 characters" if len(key) > 253 else _CONFIG_KEY_TEXT
                causes.append((f"{field}[{key}]", "FieldValueInvalid", f'Invalid value: "{key}": {why}'))
            if key in seen:
                causes.append(
                    (
                        f"{field}[{key}]",
                        "FieldValueInvalid",
                        f'Invalid value: "{key}": duplicate of key present in data',
                    )
                )
            seen.add(key)
            size += len(str(value)) * 3 // 4 if field == "binaryData" or kind == "Secret" else len(str(value))
    if size > _DATA_MAX:
        causes.append(("data", "FieldValueTooLong", f"Too long: must have at most {_DATA_MAX} bytes"))
    return causes


def validate(rt: ResourceType, obj: KubeObject) -> None:
    """Checks every write must pass (create and update)."""
    name = obj["metadata"]["name"]
    validate_name(rt, name)
    meta = obj["metadata"]
    causes = _metadata_causes(meta) + list(kindrules.metadata_causes(meta, _qualified_name_problem))
    if rt.builtin and rt.kind in ("Secret", "ConfigMap"):
        causes += _data_causes(rt.kind, obj)
    if rt.builtin:
        causes += kindrules.causes(rt.kind, obj)
    if causes:
        raise invalid(rt, name, causes)
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
