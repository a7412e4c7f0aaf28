"""The sandbox's kind table: which resources exist, their URLs, scope and verbs.

Built-in kinds are listed here once; custom resources join when their CRD is established
(`ResourceTable.add_crd`) and leave when it is deleted. Lookups are dict indexes, never scans, because
every request resolves its resource type first. Used by discovery.py, server.py and operations.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from designer.kubetypes import shapes
from designer.kubetypes.shapes import Shape
from designer.sandbox import crdschema

_ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource: ``deployments`` in ``apps/v1`` is namespaced, kind Deployment."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: frozenset[str] = frozenset()
    builtin: bool = True
    generation: bool = False
    categories: tuple[str, ...] = ()
    storage_version: str = ""
    """A custom resource's storage version (its discovery entry's storageVersionHash names it)."""
    schema: Shape | None = field(default=None, compare=False, hash=False, repr=False)
    """A custom resource's shape (from its CRD version's schema); built-in kinds use
    designer.kubetypes' data/types.json."""
    openapi: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)
    """A custom resource's ``openAPIV3Schema`` as the CRD gives it: defaults and value checks
    (crdschema.py)."""
    cel_rules: bool = field(default=False, compare=False, hash=False, repr=False)
    """Whether that schema has CEL rules (``x-kubernetes-validations``)."""

    @property
    def shape(self) -> Shape | None:
        """The fields, types and list semantics of this kind's objects (shapes.py)."""
        return shapes.for_kind(self.group_version, self.kind) if self.builtin else self.schema

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: objects are shared between the served versions of one group and plural."""
        return (self.group, self.plural)

    @property
    def qualified(self) -> str:
        """``deployments.apps`` or ``configmaps``: the resource as named in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _rt(gv: str, plural: str, kind: str, namespaced: bool = True, *extra: str, **kw: Any) -> ResourceType:
    group, _, version = gv.rpartition("/")
    subresources = frozenset(s for s in extra if s in ("status", "scale"))
    return ResourceType(group, version, plural, kind, namespaced, subresources=subresources, **kw)


BUILTINS: tuple[ResourceType, ...] = (
    _rt("v1", "namespaces", "Namespace", False, "status", short_names=("ns",)),
    _rt("v1", "configmaps", "ConfigMap", short_names=("cm",)),
    _rt("v1", "secrets", "Secret"),
    _rt("v1", "services", "Service", True, "status", short_names=("svc",), categories=("all",)),
    _rt("v1", "serviceaccounts", "ServiceAccount", short_names=("sa",)),
    _rt("v1", "pods", "Pod", True, "status", short_names=("po",), categories=("all",)),
    _rt("v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, "status", short_names=("pvc",)),
    _rt("v1", "persistentvolumes", "PersistentVolume", False, "status", short_names=("pv",)),
    _rt("v1", "events", "Event", short_names=("ev",)),
    _rt("v1", "endpoints", "Endpoints", short_names=("ep",)),
    _rt("v1", "limitranges", "LimitRange", short_names=("limits",)),
    _rt("v1", "resourcequotas", "ResourceQuota", True, "status", short_names=("quota",)),
    _rt("v1", "nodes", "Node", False, "status", short_names=("no",)),
    _rt(
        "apps/v1",
        "deployments",
        "Deployment",
        True,
        "status",
        "scale",
        short_names=("deploy",),
        generation=True,
        categories=("all",),
    ),
    _rt(
        "apps/v1",
        "statefulsets",
        "StatefulSet",
        True,
        "status",
        "scale",
        short_names=("sts",),
        generation=True,
        categories=("all",),
    ),
    _rt(
        "apps/v1",
        "daemonsets",
        "DaemonSet",
        True,
        "status",
        short_names=("ds",),
        generation=True,
        categories=("all",),
    ),
    _rt(
        "apps/v1",
        "replicasets",
        "ReplicaSet",
        True,
        "status",
        "scale",
        short_names=("rs",),
        generation=True,
        categories=("all",),
    ),
    _rt("batch/v1", "jobs", "Job", True, "status", generation=True, categories=("all",)),
    _rt(
        "batch/v1",
        "cronjobs",
        "CronJob",
        True,
        "status",
        short_names=("cj",),
        generation=True,
        categories=("all",),
    ),
    _rt("rbac.authorization.k8s.io/v1", "roles", "Role"),
    _rt("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding"),
    _rt("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    _rt("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    _rt(
        "networking.k8s.io/v1", "ingresses", "Ingress", True, "status", short_names=("ing",), generation=True
    ),
    _rt("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", short_names=("netpol",), generation=True),
    _rt("networking.k8s.io/v1", "ingressclasses", "IngressClass", False),
    _rt(
        "policy/v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        True,
        "status",
        short_names=("pdb",),
        generation=True,
    ),
    _rt(
        "autoscaling/v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        True,
        "status",
        short_names=("hpa",),
        categories=("all",),
    ),
    _rt(
        "apiextensions.k8s.io/v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        "status",
        short_names=("crd", "crds"),
        generation=True,
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        False,
        generation=True,
    ),
    _rt(
        "admissionregistration.k8s.io/v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        False,
        generation=True,
    ),
    _rt("storage.k8s.io/v1", "storageclasses", "StorageClass", False, short_names=("sc",)),
    _rt("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", False, short_names=("pc",)),
    _rt("coordination.k8s.io/v1", "leases", "Lease"),
)


@dataclass(slots=True)
class ResourceTable:
    """Indexes of the served resources by URL (group, version, plural) and by (apiVersion, kind)."""

    _by_url: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict)
    _by_kind: dict[tuple[str, str], ResourceType] = field(default_factory=dict)
    _by_gv: dict[tuple[str, str], dict[str, ResourceType]] = field(default_factory=dict)
    _groups: dict[str, list[str]] = field(default_factory=dict)
    _crd_types: dict[str, tuple[ResourceType, ...]] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> ResourceTable:
        table = cls()
        for rt in BUILTINS:
            table.add(rt)
        return table

    def add(self, rt: ResourceType) -> None:
        self._by_url[(rt.group, rt.version, rt.plural)] = rt
        self._by_kind[(rt.group_version, rt.kind)] = rt
        self._by_gv.setdefault((rt.group, rt.version), {})[rt.plural] = rt
        versions = self._groups.setdefault(rt.group, [])
        if rt.version not in versions:
            versions.append(rt.version)

    def remove(self, rt: ResourceType) -> None:
        self._by_url.pop((rt.group, rt.version, rt.plural), None)
        self._by_kind.pop((rt.group_version, rt.kind), None)
        resources = self._by_gv.get((rt.group, rt.version), {})
        resources.pop(rt.plural, None)
        if not resources:
            self._by_gv.pop((rt.group, rt.version), None)
            versions = self._groups.get(rt.group, [])
            if rt.version in versions:
                versions.remove(rt.version)
            if not versions:
                self._groups.pop(rt.group, None)

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_url.get((group, version, plural))

    def for_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_kind.get((api_version, kind))

    def in_group_version(self, group: str, version: str) -> Iterable[ResourceType]:
        return self._by_gv.get((group, version), {}).values()

    def has_group_version(self, group: str, version: str) -> bool:
        return (group, version) in self._by_gv

    def groups(self) -> dict[str, list[str]]:
        """Group name -> served versions (first is preferred); "" is the core group."""
        return {g: list(v) for g, v in self._groups.items()}

    def add_crd(self, crd: dict[str, Any]) -> tuple[ResourceType, ...]:
        """Serve the kinds of an established CRD; returns the types added."""
        self.remove_crd(crd["metadata"]["name"])
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        namespaced = spec.get("scope", "Namespaced") == "Namespaced"
        added = []
        storage = next((v.get("name", "") for v in spec.get("versions", []) if v.get("storage")), "")
        for version in spec.get("versions", []):
            if not version.get("served", True):
                continue
            subs = version.get("subresources") or {}
            openapi = (version.get("schema") or {}).get("openAPIV3Schema")
            rt = ResourceType(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                kind=names["kind"],
                namespaced=namespaced,
                short_names=tuple(names.get("shortNames", ())),
                subresources=frozenset(s for s in ("status", "scale") if s in subs),
                builtin=False,
                generation=True,
                categories=tuple(names.get("categories", ())),
                storage_version=storage,
                schema=shapes.for_crd(openapi),
                openapi=openapi,
                cel_rules=crdschema.has_rules(openapi),
            )
            self.add(rt)
            added.append(rt)
        self._crd_types[crd["metadata"]["name"]] = tuple(added)
        return tuple(added)

    def remove_crd(self, name: str) -> tuple[ResourceType, ...]:
        removed = self._crd_types.pop(name, ())
        for rt in removed:
            self.remove(rt)
        return removed


def crd_storage_key(crd: dict[str, Any]) -> tuple[str, str]:
    """The (group, plural) under which a CRD's custom resources are stored."""
    spec = crd.get("spec", {})
    return (spec.get("group", ""), spec.get("names", {}).get("plural", ""))
