"""What the istio and linkerd adapters share: a mesh component, its ordering hints and operations.

`MeshAdapter` is configured by a `MeshProfile` (the mesh's component kind, CLI, custom-resource
groups and how a namespace or workload opts into injection). The subclasses in istio.py and
linkerd.py only fill in the profile and the CLI commands. Ordering hints follow what a mesh needs:
control plane → namespaces labelled for injection → their workloads, and mesh custom resources
only after the control plane (its CRDs and webhooks) is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.adapters.capabilities import MeshOperation
from designer.adapters.installers import CliCommands, render_control_plane
from designer.adapters.kindorder import sort_objects
from designer.adapters.readiness import Rule
from designer.errors import Location
from designer.model import DESIGNER_API_VERSION, Component, Edge, KubeObject
from designer.resources import policies_dir

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob", "ReplicationController"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeshProfile:
    """The facts about one mesh that the shared logic needs."""

    mesh: str  # adapter name: "istio"
    kind: str  # designer kind: "IstioMesh"
    cli: str  # "istioctl"
    default_namespace: str
    resource_groups: frozenset[str]  # API groups of the mesh's own resources
    resource_kinds: frozenset[str]  # kinds of those groups, for `design adapters`
    namespace_injects: Callable[[Component, Mapping[str, Any]], bool]  # (namespace component, mesh settings)
    workload_injects: Callable[[Component], bool]


class MeshAdapter:
    """An adapter for one mesh: renders its control plane and orders the mesh's resources."""

    name: str
    profile: MeshProfile
    cli_commands: CliCommands

    def handles(self, component: Component) -> bool:
        """The mesh component itself (designer/v1, kind `profile.kind`)."""
        return component.is_designer_kind and component.kind == self.profile.kind

    def render(self, component: Component) -> Sequence[KubeObject]:
        """The control plane, in install order, with its namespace first."""
        objects = render_control_plane(component, cli=self.profile.cli, cli_commands=self.cli_commands)
        namespace = self.namespace_of(component)
        has_ns = any(o.get("kind") == "Namespace" and o["metadata"].get("name") == namespace for o in objects)
        if not has_ns:
            objects.insert(0, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        return sort_objects(objects)

    def namespace_of(self, component: Component) -> str:
        """The control plane's namespace."""
        return str(component.settings.get("namespace") or self.profile.default_namespace)

    def kinds(self) -> Sequence[str]:
        """The mesh kind and the mesh resources this adapter orders."""
        own = f"{DESIGNER_API_VERSION}/{self.profile.kind}"
        return [own, *sorted(self.profile.resource_kinds)]

    def readiness_rules(self) -> Mapping[str, Rule]:
        """No special rules by default: istiod and friends are Deployments."""
        return {}

    def policies(self) -> Sequence[Path]:
        """Rego files under policies/<mesh>/ (none is fine)."""
        folder = policies_dir() / self.profile.mesh
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.rego") if not p.name.endswith("_test.rego"))

    def is_mesh_resource(self, component: Component) -> bool:
        """True for the mesh's own custom resources (VirtualService, Server, …)."""
        group = component.api_version.rpartition("/")[0]
        return group in self.profile.resource_groups

    def ordering_hints(self, components: Sequence[Component]) -> Sequence[Edge]:
        """mesh → injected namespaces → their workloads; mesh → mesh resources and injected workloads."""
        edges: list[Edge] = []
        meshes = [c for c in components if self.handles(c)]
        for mesh in meshes:
            injected: dict[str, str] = {}  # namespace object name -> component name
            for comp in components:
                if comp is mesh:
                    continue
                if self.is_mesh_resource(comp):
                    edges.append(
                        Edge(mesh.name, comp.name, f"{comp.kind} needs the {self.name} control plane")
                    )
                elif comp.kind == "Namespace" and self.profile.namespace_injects(comp, mesh.settings):
                    injected[comp.object_name or comp.name] = comp.name
                    edges.append(Edge(mesh.name, comp.name, f"namespace injection needs {self.name} ready"))
            for comp in components:
                if comp.kind not in WORKLOAD_KINDS or comp is mesh:
                    continue
                ns_comp = injected.get(comp.namespace or "")
                if ns_comp is not None:
                    edges.append(Edge(ns_comp, comp.name, "injection label before the workloads"))
                if ns_comp is not None or self.profile.workload_injects(comp):
                    edges.append(Edge(mesh.name, comp.name, f"sidecar injection needs {self.name} ready"))
        return edges

    def operations(self) -> Sequence[MeshOperation]:
        """Meshery-style operations; subclasses add their own."""
        return []

    def component_for(self, params: Mapping[str, str]) -> Component:
        """A mesh component built from operation parameters (manifest, profile, revision)."""
        settings: dict[str, Any] = {
            k: v for k, v in params.items() if k in {"profile", "revision", "version"}
        }
        if params.get("manifest"):
            settings["installer"] = {"manifest": str(Path(params["manifest"]).resolve())}
        return Component(
            name=self.name,
            kind=self.profile.kind,
            api_version=DESIGNER_API_VERSION,
            settings=settings,
            location=Location(str(Path.cwd() / "operation"), 1),
            key_path=f"operation.{self.name}",
        )


def pod_template_meta(component: Component) -> Mapping[str, Any]:
    """metadata of a workload's pod template (or of the Pod itself)."""
    spec: Mapping[str, Any] = component.settings.get("spec") or {}
    if component.kind == "Pod":
        return {"labels": component.labels, "annotations": component.annotations}
    if component.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return (spec.get("template") or {}).get("metadata") or {}
