"""Meshery's model names for the API groups designer's components use.

A Meshery component names its model (``model.name``): Meshery resolves the component's definition
from its registry by kind, apiVersion and model. Kubernetes' own groups are the ``kubernetes`` model;
Istio's CRDs the ``istio-base`` model (registered from Artifact Hub), Linkerd's ``linkerd``; designer's
own kinds (meshes, performance profiles) have no Meshery model and are exported under ``designer``,
which Meshery does not know (the export says so). Other groups use the group's first label, the
convention of Meshery's generated models. Callers: designer.exporting.meshery.
"""

from __future__ import annotations

from designer.model import DESIGNER_API_VERSION

DESIGNER_MODEL = "designer"
_KUBERNETES_SUFFIXES = (".k8s.io",)
_KUBERNETES_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "policy", "extensions"})
_REGISTRANTS = {"kubernetes": "github", "istio-base": "artifacthub", "linkerd": "artifacthub"}


def model_name(api_version: str) -> str:
    """The Meshery model of a component with this apiVersion."""
    if api_version == DESIGNER_API_VERSION:
        return DESIGNER_MODEL
    group = api_version.rpartition("/")[0]
    if group in _KUBERNETES_GROUPS or (group.endswith(_KUBERNETES_SUFFIXES) and "gateway." not in group):
        return "kubernetes"
    if group == "istio.io" or group.endswith(".istio.io"):
        return "istio-base"
    if group == "linkerd.io" or group.endswith(".linkerd.io"):
        return "linkerd"
    if group.startswith("gateway.networking"):
        return "gateway-api"
    return group.split(".")[0]


def registrant(model: str) -> str:
    """Where Meshery registers the model from (github, artifacthub, meshery)."""
    return _REGISTRANTS.get(model, "meshery" if model == DESIGNER_MODEL else "artifacthub")
