"""The istio adapter: the `IstioMesh` component, injection ordering and Istio operations.

``IstioMesh`` (apiVersion designer/v1) settings: version, profile, revision, namespace (istio-system)
and installer (see designer.adapters.installers: istioctl, helm or a manifest). Namespaces labelled
``istio-injection=enabled`` or ``istio.io/rev=<revision>`` come after the control plane and before
their workloads; VirtualService, DestinationRule, Gateway and the other Istio resources come after
the control plane is ready (istiod is a Deployment: its rollout is the readiness gate).
Registered as entry point ``istio`` in the ``designer.adapters`` group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designer.adapters.capabilities import MeshOperation, OperationCategory
from designer.adapters.mesh import MeshAdapter, MeshProfile, pod_template_meta
from designer.adapters.readiness import CURRENT, Readiness, Rule, Status
from designer.adapters.samples import httpbin
from designer.model import Component, KubeObject

ISTIO_KINDS = frozenset(
    {
        "networking.istio.io/VirtualService",
        "networking.istio.io/DestinationRule",
        "networking.istio.io/Gateway",
        "networking.istio.io/ServiceEntry",
        "networking.istio.io/Sidecar",
        "networking.istio.io/EnvoyFilter",
        "networking.istio.io/WorkloadEntry",
        "security.istio.io/PeerAuthentication",
        "security.istio.io/AuthorizationPolicy",
        "security.istio.io/RequestAuthentication",
        "extensions.istio.io/WasmPlugin",
        "telemetry.istio.io/Telemetry",
    }
)


def _namespace_injects(namespace: Component, mesh_settings: Mapping[str, Any]) -> bool:
    labels = namespace.labels
    if labels.get("istio-injection") == "enabled":
        return True
    revision = mesh_settings.get("revision")
    rev_label = labels.get("istio.io/rev")
    return rev_label is not None and (revision is None or rev_label == str(revision))


def _workload_injects(workload: Component) -> bool:
    meta = pod_template_meta(workload)
    flag = (meta.get("labels") or {}).get("sidecar.istio.io/inject") or (meta.get("annotations") or {}).get(
        "sidecar.istio.io/inject"
    )
    return str(flag).lower() == "true"


def _istioctl(settings: Mapping[str, Any], options: Mapping[str, Any]) -> list[list[str]]:
    argv = ["manifest", "generate", "--set", f"profile={settings.get('profile', 'default')}"]
    if settings.get("revision"):
        argv += ["--set", f"revision={settings['revision']}"]
    if settings.get("version"):
        argv += ["--set", f"tag={settings['version']}"]
    for key, value in sorted((options.get("set") or {}).items()):
        argv += ["--set", f"{key}={value}"]
    return [argv]


def istio_operator(body: KubeObject) -> Readiness:
    """IstioOperator: HEALTHY is ready, ERROR is terminal."""
    state = (body.get("status") or {}).get("status")
    if state == "HEALTHY":
        return CURRENT
    if state == "ERROR":
        return Readiness(Status.FAILED, f"IstioOperator reports ERROR: {body.get('status')}")
    return Readiness(Status.IN_PROGRESS, f"IstioOperator status {state or 'unknown'}")


class IstioAdapter(MeshAdapter):
    """Istio: control plane from istioctl, helm or a manifest; injection and CR ordering."""

    name = "istio"
    profile = MeshProfile(
        mesh="istio",
        kind="IstioMesh",
        cli="istioctl",
        default_namespace="istio-system",
        resource_groups=frozenset(k.partition("/")[0] for k in ISTIO_KINDS),
        resource_kinds=ISTIO_KINDS,
        namespace_injects=_namespace_injects,
        workload_injects=_workload_injects,
    )
    cli_commands = staticmethod(_istioctl)

    def readiness_rules(self) -> Mapping[str, Rule]:
        return {"install.istio.io/IstioOperator": istio_operator}

    def operations(self) -> Sequence[MeshOperation]:
        """install/uninstall, httpbin, namespace injection, strict mTLS, deny-all."""
        return [
            MeshOperation(
                key="install",
                category=OperationCategory.INSTALL,
                description="install the Istio control plane",
                build=lambda p: list(self.render(self.component_for(p))),
                params=("manifest", "profile", "revision"),
            ),
            MeshOperation(
                key="uninstall",
                category=OperationCategory.INSTALL,
                description="remove the Istio control plane",
                build=lambda p: list(self.render(self.component_for(p))),
                delete=True,
                params=("manifest", "profile", "revision"),
            ),
            MeshOperation(
                key="httpbin",
                category=OperationCategory.SAMPLE_APPLICATION,
                description="deploy the httpbin sample in an injected namespace",
                build=lambda p: httpbin(p.get("namespace", "httpbin"), {"istio-injection": "enabled"}),
                params=("namespace",),
            ),
            MeshOperation(
                key="inject",
                category=OperationCategory.CONFIGURE,
                description="label a namespace for automatic sidecar injection",
                build=lambda p: [_namespace(p)],
                params=("namespace", "revision"),
            ),
            MeshOperation(
                key="strict-mtls",
                category=OperationCategory.CONFIGURE,
                description="require mutual TLS in a namespace (PeerAuthentication STRICT)",
                build=lambda p: [_policy(p, "PeerAuthentication", {"mtls": {"mode": "STRICT"}})],
                params=("namespace",),
            ),
            MeshOperation(
                key="deny-all",
                category=OperationCategory.CONFIGURE,
                description="deny all traffic in a namespace (empty AuthorizationPolicy)",
                build=lambda p: [_policy(p, "AuthorizationPolicy", {})],
                params=("namespace",),
            ),
        ]


def _namespace(params: Mapping[str, str]) -> KubeObject:
    revision = params.get("revision")
    labels = {"istio.io/rev": revision} if revision else {"istio-injection": "enabled"}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": params["namespace"], "labels": labels},
    }


def _policy(params: Mapping[str, str], kind: str, spec: dict[str, Any]) -> KubeObject:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": kind,
        "metadata": {
            "name": "default" if kind == "PeerAuthentication" else "deny-all",
            "namespace": params.get("namespace", "default"),
        },
        "spec": spec,
    }
