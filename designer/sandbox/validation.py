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


def _regex_text(text: str, regex: str, *examples: str) -> str:
    """apimachinery's RegexError: the rule, examples, and the regular expression itself."""
    shown = ",  or ".join(f"'{e}'" for e in examples)
    return f"{text} (e.g. {shown}, regex used for validation is '{regex}')"


_SUBDOMAIN_TEXT = _regex_text(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character",
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
    "example.com",
)
_LABEL_TEXT = _regex_text(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character",
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?",
    "my-name",
    "123-abc",
)
_NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_QUALIFIED_REGEX = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_TEXT = _regex_text(_NAME_PART, _QUALIFIED_REGEX, "MyName", "my.name", "123-abc")
_LABEL_KEY_TEXT = (
    _regex_text(
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
        "with an alphanumeric character",
        _QUALIFIED_REGEX,
        "MyName",
        "my.name",
        "123-abc",
    )
    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)
_LABEL_VALUE_TEXT = _regex_text(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character",
    "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
    "MyValue",
    "my_value",
    "12345",
)
_CONFIG_KEY_TEXT = _regex_text(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    "[-._a-zA-Z0-9]+",
    "key.name",
    "KEY_NAME",
    "key-name",
)

# kind -> dotted paths that may not change on update.
_IMMUTABLE: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec.selector",),
    "ReplicaSet": ("spec.selector",),
    "DaemonSet": ("spec.selector",),
    "StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
    "Job": ("spec.selector", "spec.template", "spec.completionMode"),
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
    if kind in ("Namespace", "Service"):  # DNS labels (Services since RelaxedServiceNameValidation)
        if "." in name:
            return "must not contain dots"
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
    if key.count("/") > 1:
        return _LABEL_KEY_TEXT
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _SUBDOMAIN.match(prefix)):
        return f"prefix part {_SUBDOMAIN_TEXT}"
    if not name:
        return "name part must be non-empty"
    if len(name.encode()) > 63:
        return "name part must be no more than 63 bytes"
    if not _QUALIFIED_NAME.match(name):
        return _QUALIFIED_TEXT
    return None


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a label key (a qualified name with an optional DNS prefix); None if it is."""
    return _qualified_name_problem(key)


def label_value_problem(value: str) -> str | None:
    if len(value.encode()) > 63:
        return "must be no more than 63 bytes"
    return None if _LABEL_VALUE.match(value) else _LABEL_VALUE_TEXT


def _metadata_causes(meta: KubeObject) -> list[Cause]:
    causes: list[Cause] = []
    labels = meta.get("labels") or {}
    for key, value in labels.items():
        problem = _qualified_name_problem(str(key))
        if problem is not None:
            causes.append(("metadata.labels", "FieldValueInvalid", f'Invalid value: "{key}": {problem}'))
        why = label_value_problem(value) if isinstance(value, str) else None
        if why is not None:
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
    binary = obj.get("binaryData") or {} if kind == "ConfigMap" else {}
    size = 0
    for field in fields:
        for key, value in (obj.get(field) or {}).items():
            key = str(key)
            if len(key) > 253 or not _CONFIG_KEY.match(key) or key in (".", ".."):
                why = "must be no more than 253 characters" if len(key) > 253 else _CONFIG_KEY_TEXT
                causes.append((f"{field}[{key}]", "FieldValueInvalid", f'Invalid value: "{key}": {why}'))
            if field == "data" and key in binary:
                why = "duplicate of key present in binaryData"
                causes.append((f"data[{key}]", "FieldValueInvalid", f'Invalid value: "{key}": {why}'))
            size += len(str(value)) * 3 // 4 if field == "binaryData" or kind == "Secret" else len(str(value))
    if size > _DATA_MAX:
        causes.append(("data", "FieldValueTooLong", f"Too long: must have at most {_DATA_MAX} bytes"))
    return causes


def validate(rt: ResourceType, obj: KubeObject) -> None:
    """Checks every write must pass (create and update)."""
    name = obj["metadata"]["name"]
    validate_name(rt, name)
    meta = obj["metadata"]
    core = rt.builtin and rt.group != "apiextensions.k8s.io"
    causes = _metadata_causes(meta) + list(
        kindrules.metadata_causes(meta, _qualified_name_problem, core=core)
    )
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


def _go_struct(value: Any) -> str:
    """An internal Go struct without JSON names, as its validation errors print it (RoleRef)."""
    if not isinstance(value, dict):
        return _value(value)
    names = {"apiGroup": "APIGroup", "kind": "Kind", "name": "Name"}
    return _value({names.get(k, k[:1].upper() + k[1:]): v for k, v in value.items()})


def _cluster_ips(old: KubeObject, new: KubeObject) -> list[Cause]:
    """A Service's cluster IPs are set once: a changed clusterIP moves clusterIPs[0] along, which
    is then refused (the registry syncs the two fields before validating)."""
    before, after = old.get("spec") or {}, new.get("spec") or {}
    if not before.get("clusterIP") or before.get("clusterIP") == after.get("clusterIP"):
        return []
    ips = list(after.get("clusterIPs") or [])
    if ips == before.get("clusterIPs"):
        ips = [after.get("clusterIP"), *ips[1:]]
    return [
        ("spec.clusterIPs[0]", "FieldValueInvalid", f"Invalid value: {_value(ips)}: may not change once set")
    ]


def _frozen(old: KubeObject, new: KubeObject) -> list[Cause]:
    """An immutable ConfigMap or Secret keeps its data and its immutability."""
    causes: list[Cause] = []
    why = "Forbidden: field is immutable when `immutable` is set"
    for field in ("data", "binaryData", "stringData"):
        if (old.get(field) or {}) != (new.get(field) or {}):
            causes.append((field, "FieldValueForbidden", why))
    if new.get("immutable") is not True:
        causes.append(("immutable", "FieldValueForbidden", why))
    return causes


def validate_update(rt: ResourceType, old: KubeObject, new: KubeObject) -> None:
    """Immutable fields: a change is a 422 whose cause says ``field is immutable``; an object being
    deleted takes no new finalizers."""
    if old["metadata"].get("deletionTimestamp"):
        before = set(old["metadata"].get("finalizers") or [])
        added = [f for f in new["metadata"].get("finalizers") or [] if f not in before]
        if added:
            shown = "[]string{" + ", ".join(json.dumps(f) for f in added) + "}"
            why = f"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers {shown}"
            raise invalid(rt, new["metadata"]["name"], [("metadata.finalizers", "FieldValueForbidden", why)])
    if not rt.builtin:
        return
    causes = []
    for dotted in _IMMUTABLE.get(rt.kind, ()):
        before, after = _at(old, dotted), _at(new, dotted)
        if before is not None and before != after:
            shown = _go_struct(after) if dotted == "roleRef" else _value(after)
            causes.append((dotted, "FieldValueInvalid", f"Invalid value: {shown}: field is immutable"))
    if rt.kind == "Service":
        causes += _cluster_ips(old, new)
    if rt.kind in ("ConfigMap", "Secret") and old.get("immutable") is True:
        causes += _frozen(old, new)
    if causes:
        raise invalid(rt, new["metadata"]["name"], causes)
