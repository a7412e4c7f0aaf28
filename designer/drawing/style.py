"""What the built-in drawing and Graphviz share: colours by kind family and by finding severity."""

from __future__ import annotations

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_COLOURS = {
    "critical": "#8e0b0b",
    "high": "#d1361b",
    "medium": "#e08a00",
    "low": "#2f6fb5",
    "info": "#6b7280",
}
_FAMILIES = {
    "workload": (
        "#dbeafe",
        ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"),
    ),
    "network": (
        "#dcfce7",
        ("Service", "Ingress", "NetworkPolicy", "Gateway", "HTTPRoute", "GRPCRoute", "IngressClass"),
    ),
    "config": (
        "#fef9c3",
        ("ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "StorageClass"),
    ),
    "access": ("#fce7f3", ("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")),
    "scope": ("#e5e7eb", ("Namespace", "CustomResourceDefinition", "ResourceQuota", "LimitRange")),
    "scaling": ("#ede9fe", ("HorizontalPodAutoscaler", "PodDisruptionBudget", "PriorityClass")),
}
_BY_KIND = {kind: colour for colour, kinds in _FAMILIES.values() for kind in kinds}
MESH_COLOUR = "#ccfbf1"
OTHER_COLOUR = "#f3f4f6"
FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"


def kind_colour(kind: str, api_version: str) -> str:
    """The fill of a node: by kind family; a mesh's resources and designer's kinds in teal."""
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    group = api_version.rpartition("/")[0]
    if api_version == "designer/v1" or "istio.io" in group or "linkerd.io" in group:
        return MESH_COLOUR
    return OTHER_COLOUR


def legend() -> list[tuple[str, str]]:
    """(label, colour) of the kind families, for the picture's legend."""
    return [(name, colour) for name, (colour, _) in _FAMILIES.items()] + [("mesh / designer", MESH_COLOUR)]
