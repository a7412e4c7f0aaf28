"""Facts about well-known kinds: install rank, default apiVersion, cluster scope, mesh ownership.

Pure data, no I/O. The install rank is Helm's InstallOrder (helm/helm pkg/release/util/kind_sorter.go);
unknown kinds rank after every known one.
"""

from __future__ import annotations

INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
)  # fmt: skip

_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}
_MESH_INSTALL_RANK = -1  # a mesh's control plane goes before everything of its own
UNKNOWN_RANK = len(INSTALL_ORDER)


def install_rank(kind: str) -> int:
    """Helm's install position of ``kind``; mesh installations first, unknown kinds last."""
    if kind in MESH_INSTALL_KINDS:
        return _MESH_INSTALL_RANK
    return _RANK.get(kind, UNKNOWN_RANK)


DEFAULT_API_VERSIONS: dict[str, str] = {
    **dict.fromkeys(
        ("Namespace", "ServiceAccount", "Secret", "ConfigMap", "Service", "Pod", "PersistentVolume",
         "PersistentVolumeClaim", "ReplicationController", "ResourceQuota", "LimitRange", "Endpoints"),
        "v1",
    ),
    **dict.fromkeys(("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"), "apps/v1"),
    **dict.fromkeys(("Job", "CronJob"), "batch/v1"),
    **dict.fromkeys(("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"),
                    "rbac.authorization.k8s.io/v1"),
    **dict.fromkeys(("Ingress", "IngressClass", "NetworkPolicy"), "networking.k8s.io/v1"),
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "CustomResourceDefinition": "apiextensions.k8s.io/v1",
    "StorageClass": "storage.k8s.io/v1",
    "PriorityClass": "scheduling.k8s.io/v1",
    "APIService": "apiregistration.k8s.io/v1",
    **dict.fromkeys(("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
                    "admissionregistration.k8s.io/v1"),
    **dict.fromkeys(("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar",
                     "EnvoyFilter", "WorkloadEntry"), "networking.istio.io/v1"),
    **dict.fromkeys(("PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"),
                    "security.istio.io/v1"),
    "WasmPlugin": "extensions.istio.io/v1alpha1",
    "Telemetry": "telemetry.istio.io/v1alpha1",
    "ServiceProfile": "linkerd.io/v1alpha2",
    "Server": "policy.linkerd.io/v1beta1",
}  # fmt: skip

CLUSTER_SCOPED: frozenset[str] = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "CustomResourceDefinition", "ClusterRole",
        "ClusterRoleBinding", "StorageClass", "PriorityClass", "IngressClass", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PodSecurityPolicy",
        "RuntimeClass", "CSIDriver", "VolumeAttachment",
    }
)  # fmt: skip

WORKLOAD_KINDS: frozenset[str] = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
)

MESH_INSTALL_KINDS: dict[str, str] = {"IstioMesh": "istio", "LinkerdMesh": "linkerd"}
"""designer's mesh-installation kinds and the mesh each installs."""

PROFILE_KIND = "PerformanceProfile"
"""designer's kind for a performance profile (designer/v1): load to run, not an object to apply."""

MESH_API_GROUP_SUFFIXES: dict[str, tuple[str, ...]] = {
    "istio": ("istio.io",),
    "linkerd": ("linkerd.io",),
}
"""A resource belongs to a mesh when its API group ends with one of these."""

MESH_NAMESPACE_MARKERS: dict[str, tuple[str, ...]] = {
    "istio": ("istio-injection", "istio.io/rev"),
    "linkerd": ("linkerd.io/inject",),
}
"""Labels or annotations that put a namespace (and so its workloads) under a mesh."""


def mesh_of_group(group: str) -> str | None:
    """The mesh whose CRDs serve API group ``group``, if any."""
    for mesh, suffixes in MESH_API_GROUP_SUFFIXES.items():
        if any(group == s or group.endswith("." + s) for s in suffixes):
            return mesh
    return None
