"""Gatekeeper's ``spec.match`` of a Constraint, applied to the objects of a design (no cluster).

Supported: ``kinds`` (apiGroups x kinds, ``*`` wildcards), ``scope`` (``*``, ``Cluster``, ``Namespaced``),
``namespaces`` and ``excludedNamespaces`` (exact names or a ``prefix*`` / ``*suffix`` glob),
``labelSelector`` and ``namespaceSelector`` (matchLabels and matchExpressions In/NotIn/Exists/
DoesNotExist) and ``name``. A ``namespaceSelector`` can only look at the Namespace objects it is given
(the design's and the inventory's); an object whose namespace is not among them does not match it
(``strict``: it is an error, as in gator). Cluster-scoped objects ignore the namespace criteria, except
a Namespace object, which is matched by its own name, as in Gatekeeper. Which namespace an object is
reviewed in is the caller's choice: by default a namespaced object without one is taken to be in
``default`` (where kubectl would put it); gator's rule (no namespace written: reviewed as
cluster-scoped) is passed in as ``namespace``.

Callers: designer.policy.gatekeeper, designer.policy.gator.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from designer.errors import PolicyError

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


def matches(
    match: Mapping[str, Any] | None,
    obj: Mapping[str, Any],
    namespaces: Mapping[str, Any],
    *,
    namespace: str | None = None,
    strict: bool = False,
    generated: bool = False,
) -> bool:
    """Whether a constraint's ``spec.match`` selects ``obj``.

    ``namespaces`` maps namespace names to Namespace objects (for namespaceSelector). ``namespace`` is
    the namespace the object is reviewed in ('' for cluster-scoped; default: `effective_namespace`).
    With ``strict``, a namespaceSelector that needs a Namespace object nobody gave raises PolicyError.
    ``generated``: the object was made by an ExpansionTemplate (``match.source``: Original, Generated, All).
    """
    if not match:
        return True
    source = str(match.get("source") or "All")
    if (source == "Original" and generated) or (source == "Generated" and not generated):
        return False
    meta = obj.get("metadata") or {}
    is_namespace = obj.get("kind") == "Namespace" and "/" not in str(obj.get("apiVersion", "v1"))
    ns_name = effective_namespace(obj) if namespace is None else namespace
    if is_namespace:
        ns_name = str(meta.get("name", ""))
    namespaced = bool(ns_name) and not is_namespace
    scope = str(match.get("scope") or "*")
    if (scope == "Cluster" and namespaced) or (scope == "Namespaced" and not namespaced):
        return False
    if not _kinds_match(match.get("kinds"), obj):
        return False
    name = match.get("name")
    if name and not _glob(str(meta.get("name", "")), str(name)):
        return False
    if ns_name:
        included = match.get("namespaces")
        if included and not any(_glob(ns_name, str(p)) for p in included):
            return False
        excluded = match.get("excludedNamespaces") or []
        if any(_glob(ns_name, str(p)) for p in excluded):
            return False
    if not selector_matches(match.get("labelSelector"), meta.get("labels") or {}):
        return False
    ns_selector = match.get("namespaceSelector")
    if ns_selector and ns_name:
        if is_namespace:
            ns_labels = meta.get("labels") or {}
        elif ns_name in namespaces:
            ns_labels = (namespaces[ns_name].get("metadata") or {}).get("labels") or {}
        elif strict:
            raise PolicyError(
                f"namespace selector for namespace-scoped object but missing Namespace {ns_name!r}",
                hint="add the Namespace object to the case's inventory, as gator requires",
            )
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
