"""Gatekeeper's ``spec.match`` of a Constraint, applied to the objects of a design (no cluster).

Supported: ``kinds`` (apiGroups x kinds, ``*`` wildcards), ``scope`` (``*``, ``Cluster``, ``Namespaced``),
``namespaces`` and ``excludedNamespaces`` (exact names or a ``prefix*`` / ``*suffix`` glob),
``labelSelector`` and ``namespaceSelector`` (matchLabels and matchExpressions In/NotIn/Exists/
DoesNotExist) and ``name``. A ``namespaceSelector`` can only look at Namespace objects that are part of
the design; an object whose namespace is not in the design does not match it. Cluster-scoped objects
ignore the namespace criteria, except a Namespace object, which is matched by its own name, as in
Gatekeeper. A namespaced object without a namespace is taken to be in ``default`` (where kubectl would
put it).

Caller: designer.policy.gatekeeper.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "ConstraintTemplate",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


def is_namespaced(obj: Mapping[str, Any]) -> bool:
    """Whether the object's kind lives in a namespace (known cluster-scoped kinds excepted)."""
    return str(obj.get("kind", "")) not in CLUSTER_SCOPED_KINDS


def effective_namespace(obj: Mapping[str, Any]) -> str:
    """The namespace the object lands in: its own, ``default`` if unset, '' if cluster-scoped."""
    if not is_namespaced(obj):
        return ""
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or "default")


def matches(match: Mapping[str, Any] | None, obj: Mapping[str, Any], namespaces: Mapping[str, Any]) -> bool:
    """Whether a constraint's ``spec.match`` selects ``obj``.

    ``namespaces`` maps namespace names to the design's Namespace objects (for namespaceSelector).
    """
    if not match:
        return True
    meta = obj.get("metadata") or {}
    namespaced = is_namespaced(obj)
    scope = str(match.get("scope") or "*")
    if (scope == "Cluster" and namespaced) or (scope == "Namespaced" and not namespaced):
        return False
    if not _kinds_match(match.get("kinds"), obj):
        return False
    name = match.get("name")
    if name and not _glob(str(meta.get("name", "")), str(name)):
        return False
    ns_name = effective_namespace(obj) if namespaced else ""
    if obj.get("kind") == "Namespace":
        ns_name = str(meta.get("name", ""))
    if ns_name or obj.get("kind") == "Namespace":
        included = match.get("namespaces")
        if included and not any(_glob(ns_name, str(p)) for p in included):
            return False
        excluded = match.get("excludedNamespaces") or []
        if any(_glob(ns_name, str(p)) for p in excluded):
            return False
    if not selector_matches(match.get("labelSelector"), meta.get("labels") or {}):
        return False
    ns_selector = match.get("namespaceSelector")
    if ns_selector:
        if obj.get("kind") == "Namespace":
            ns_labels = meta.get("labels") or {}
        elif ns_name in namespaces:
            ns_labels = (namespaces[ns_name].get("metadata") or {}).get("labels") or {}
        else:
            return False
        if not selector_matches(ns_selector, ns_labels):
            return False
    return True


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> bool:
    """A Kubernetes LabelSelector (matchLabels + matchExpressions) against a label map."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key")
        operator = expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and str(labels[key]) in values):
            return False
        if operator == "NotIn" and present and str(labels[key]) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _kinds_match(kinds: Any, obj: Mapping[str, Any]) -> bool:
    if not kinds:
        return True
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.rpartition("/")[0]
    kind = str(obj.get("kind", ""))
    for entry in kinds:
        groups = entry.get("apiGroups") or ["*"]
        names = entry.get("kinds") or ["*"]
        if ("*" in groups or group in groups) and ("*" in names or kind in names):
            return True
    return False


def _glob(value: str, pattern: str) -> bool:
    if "*" not in pattern:
        return value == pattern
    return fnmatch.fnmatchcase(value, pattern)
