"""The linkerd adapter: the `LinkerdMesh` component, injection ordering and Linkerd operations.

``LinkerdMesh`` (apiVersion designer/v1) settings: version, namespace (linkerd) and installer
(``linkerd install --crds`` + ``linkerd install``, helm, or a manifest; see installers.py).
Namespaces annotated ``linkerd.io/inject: enabled`` come after the control plane and before their
workloads; Server, HTTPRoute, AuthorizationPolicy and ServiceProfile come after the control plane.
Registered as entry point ``linkerd`` in the ``designer.adapters`` group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.adapters.capabilities import MeshOperation, OperationCategory
from designer.adapters.mesh import MeshAdapter, MeshProfile, pod_template_meta
from designer.adapters.samples import httpbin
from designer.model import Component

LINKERD_KINDS = frozenset(
    {
        "policy.linkerd.io/Server",
        "policy.linkerd.io/HTTPRoute",
        "policy.linkerd.io/AuthorizationPolicy",
        "policy.linkerd.io/ServerAuthorization",
        "policy.linkerd.io/MeshTLSAuthentication",
        "policy.linkerd.io/NetworkAuthentication",
        "linkerd.io/ServiceProfile",
    }
)

INJECT = "linkerd.io/inject"


def _enabled(meta: Mapping[str, Any]) -> bool:
    value = (meta.get("annotations") or {}).get(INJECT) or (meta.get("labels") or {}).get(INJECT)
    return value == "enabled"


def _namespace_injects(namespace: Component, mesh_settings: Mapping[str, Any]) -> bool:
    return _enabled({"annotations": namespace.annotations, "labels": namespace.labels})


def _workload_injects(workload: Component) -> bool:
    return _enabled(pod_template_meta(workload))


def _linkerd(settings: Mapping[str, Any], options: Mapping[str, Any]) -> list[list[str]]:
    extra: list[str] = []
    if settings.get("namespace"):
        extra += ["--linkerd-namespace", str(settings["namespace"])]
    for key, value in sorted((options.get("set") or {}).items()):
        extra += ["--set", f"{key}={value}"]
    return [["install", "--crds", *extra], ["install", "--ignore-cluster", *extra]]


class LinkerdAdapter(MeshAdapter):
    """Linkerd: control plane from the linkerd CLI, helm or a manifest; injection and CR ordering."""

    name = "linkerd"
    profile = MeshProfile(
        mesh="linkerd",
        kind="LinkerdMesh",
        cli="linkerd",
        default_namespace="linkerd",
        resource_groups=frozenset(k.partition("/")[0] for k in LINKERD_KINDS),
        resource_kinds=LINKERD_KINDS,
        namespace_injects=_namespace_injects,
        workload_injects=_workload_injects,
    )
    cli_commands = staticmethod(_linkerd)

    def operations(self) -> Sequence[MeshOperation]:
        """install/uninstall, httpbin sample, namespace injection."""
        return [
            MeshOperation(
                key="install",
                category=OperationCategory.INSTALL,
                description="install the Linkerd control plane",
                build=lambda p: list(self.render(self.component_for(p))),
                params=("manifest",),
            ),
            MeshOperation(
                key="uninstall",
                category=OperationCategory.INSTALL,
                description="remove the Linkerd control plane",
                build=lambda p: list(self.render(self.component_for(p))),
                delete=True,
                params=("manifest",),
            ),
            MeshOperation(
                key="httpbin",
                category=OperationCategory.SAMPLE_APPLICATION,
                description="deploy the httpbin sample in an injected namespace",
                build=lambda p: httpbin(p.get("namespace", "httpbin"), {}, {INJECT: "enabled"}),
                params=("namespace",),
            ),
            MeshOperation(
                key="inject",
                category=OperationCategory.CONFIGURE,
                description="annotate a namespace for automatic proxy injection",
                build=lambda p: [
                    {
                        "apiVersion": "v1",
                        "kind": "Namespace",
                        "metadata": {"name": p["namespace"], "annotations": {INJECT: "enabled"}},
                    }
                ],
                params=("namespace",),
            ),
        ]
