"""The istio and linkerd adapters: control-plane rendering, ordering hints, operations, errors.

Designs are written to temp files and loaded by the real loader; control planes come from the small
manifests in tests/fixtures/meshes (Istio's with its real CRDs when scripts/fetch-mesh-crds.sh fetched
them: tests.meshcrds). istioctl and helm are not installed here, so one test puts a
stand-in `istioctl` script on PATH (a stub, said so there) to check the argv the adapter builds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from designer.adapters import capabilities
from designer.adapters.istio import IstioAdapter
from designer.adapters.kubernetes import KubernetesAdapter
from designer.adapters.linkerd import LinkerdAdapter
from designer.adapters.registry import AdapterRegistry
from designer.errors import AdapterError, SchemaError
from designer.graph import build_graph
from designer.loading import load_paths
from designer.model import Design
from designer.rendering import render
from tests import meshcrds

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meshes"

ISTIO_DESIGN = """\
apiVersion: designer/v1
kind: Design
metadata: {name: mesh-demo}
components:
  - name: istio
    kind: IstioMesh
    apiVersion: designer/v1
    settings:
      profile: minimal
      installer: {manifest: %(manifest)s}
  - name: shop-ns
    kind: Namespace
    apiVersion: v1
    labels: {istio-injection: enabled}
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop-ns
    settings:
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: nginx:1.27}]}
  - name: web-routes
    kind: VirtualService
    apiVersion: networking.istio.io/v1
    namespace: shop-ns
    settings: {spec: {hosts: [web], http: [{route: [{destination: {host: web}}]}]}}
"""


def _design(tmp_path: Path, text: str) -> Design:
    path = tmp_path / "design.yaml"
    path.write_text(text)
    (design,) = load_paths([path])
    return design


def _registry() -> AdapterRegistry:
    return AdapterRegistry.from_adapters([KubernetesAdapter(), IstioAdapter(), LinkerdAdapter()])


def _crd_names(manifest: Path) -> set[str]:
    """The CRDs a control-plane folder holds, read apart from the adapter (so its count is the files')."""
    names = set()
    for file in manifest.glob("*.yaml"):
        for doc in yaml.load_all(file.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if doc and doc["kind"] == "CustomResourceDefinition":
                names.add(doc["metadata"]["name"])
    return names


def test_istio_renders_control_plane_from_manifest_folder_relative_to_design(tmp_path: Path) -> None:
    manifest = meshcrds.istio_control_plane(tmp_path / "src")
    (tmp_path / "cp").symlink_to(manifest)
    design = _design(tmp_path, ISTIO_DESIGN % {"manifest": "cp"})
    objects = IstioAdapter().render(design.component("istio"))
    kinds = [o["kind"] for o in objects]
    assert kinds[0] == "Namespace" and objects[0]["metadata"]["name"] == "istio-system"
    crds = {o["metadata"]["name"] for o in objects if o["kind"] == "CustomResourceDefinition"}
    assert crds == _crd_names(manifest) and "virtualservices.networking.istio.io" in crds
    assert kinds.count("CustomResourceDefinition") == len(crds)
    assert kinds.index("CustomResourceDefinition") < kinds.index("Deployment")
    assert kinds.index("ServiceAccount") < kinds.index("Deployment")
    assert any(o["kind"] == "Deployment" and o["metadata"]["name"] == "istiod" for o in objects)


def test_rendering_through_registry_puts_mesh_first(tmp_path: Path) -> None:
    design = _design(tmp_path, ISTIO_DESIGN % {"manifest": FIXTURES / "istio"})
    graph = build_graph(design)
    rendered = render(design, graph, _registry())
    components = [r.component.name for r in rendered]
    assert components.index("istio") < components.index("shop-ns") < components.index("web")
    assert components[-1] == "web-routes" or components.index("istio") < components.index("web-routes")


def test_istio_ordering_hints_mesh_then_injected_namespace_then_workloads(tmp_path: Path) -> None:
    design = _design(tmp_path, ISTIO_DESIGN % {"manifest": FIXTURES / "istio"})
    edges = {
        (e.dependency, e.dependent)
        for e in capabilities.ordering_hints(_registry().adapters, design.components)
    }
    assert ("istio", "shop-ns") in edges
    assert ("shop-ns", "web") in edges
    assert ("istio", "web") in edges
    assert ("istio", "web-routes") in edges
    assert all(dep != "web" for dep, _ in edges)


def test_istio_revision_label_only_matches_its_revision(tmp_path: Path) -> None:
    text = (ISTIO_DESIGN % {"manifest": FIXTURES / "istio"}).replace(
        "profile: minimal", "profile: minimal\n      revision: canary"
    )
    other = text.replace("{istio-injection: enabled}", "{istio.io/rev: stable}")
    same = text.replace("{istio-injection: enabled}", "{istio.io/rev: canary}")
    adapter = IstioAdapter()
    hints_other = {
        (e.dependency, e.dependent) for e in adapter.ordering_hints(_design(tmp_path, other).components)
    }
    hints_same = {
        (e.dependency, e.dependent) for e in adapter.ordering_hints(_design(tmp_path, same).components)
    }
    assert ("istio", "shop-ns") not in hints_other
    assert ("istio", "shop-ns") in hints_same


def test_linkerd_renders_and_orders_annotated_namespace(tmp_path: Path) -> None:
    text = f"""\
apiVersion: designer/v1
kind: Design
metadata: {{name: l5d}}
components:
  - name: linkerd
    kind: LinkerdMesh
    apiVersion: designer/v1
    settings: {{installer: {{manifest: {FIXTURES / "linkerd" / "control-plane.yaml"}}}}}
  - name: app-ns
    kind: Namespace
    apiVersion: v1
    annotations: {{linkerd.io/inject: enabled}}
  - name: api
    kind: Deployment
    apiVersion: apps/v1
    namespace: app-ns
    settings:
      spec:
        selector: {{matchLabels: {{app: api}}}}
        template: {{metadata: {{labels: {{app: api}}}}, spec: {{containers: [{{name: api, image: api:1}}]}}}}
  - name: api-server
    kind: Server
    apiVersion: policy.linkerd.io/v1beta1
    namespace: app-ns
    settings: {{spec: {{podSelector: {{matchLabels: {{app: api}}}}, port: 8080}}}}
"""
    design = _design(tmp_path, text)
    adapter = LinkerdAdapter()
    objects = adapter.render(design.component("linkerd"))
    assert [o["kind"] for o in objects][:1] == ["Namespace"]
    assert sum(o["kind"] == "Namespace" for o in objects) == 1  # the manifest's own, not a second one
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "CustomResourceDefinition"} == {
        "servers.policy.linkerd.io",
        "httproutes.policy.linkerd.io",
        "authorizationpolicies.policy.linkerd.io",
        "meshtlsauthentications.policy.linkerd.io",
        "networkauthentications.policy.linkerd.io",
        "serviceprofiles.linkerd.io",
    }
    edges = {(e.dependency, e.dependent) for e in adapter.ordering_hints(design.components)}
    assert {("linkerd", "app-ns"), ("app-ns", "api"), ("linkerd", "api"), ("linkerd", "api-server")} <= edges


def test_missing_manifest_is_an_adapter_error_with_location(tmp_path: Path) -> None:
    design = _design(tmp_path, ISTIO_DESIGN % {"manifest": "nowhere"})
    with pytest.raises(AdapterError) as err:
        IstioAdapter().render(design.component("istio"))
    assert "manifest 'nowhere' does not exist" in err.value.message
    assert err.value.location is not None and err.value.location.file.endswith("design.yaml")
    assert err.value.hint == "paths are relative to the design file"


def test_no_installer_and_no_istioctl_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no istioctl, no helm
    text = (ISTIO_DESIGN % {"manifest": "x"}).replace("      installer: {manifest: x}\n", "")
    design = _design(tmp_path, text)
    with pytest.raises(AdapterError) as err:
        IstioAdapter().render(design.component("istio"))
    assert "`istioctl` is not on PATH" in err.value.message
    assert err.value.hint is not None and "installer" in err.value.hint


def test_istioctl_installer_runs_manifest_generate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stub `istioctl` (istioctl is not installed here): it records its argv and prints a manifest."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "istioctl"
    stub.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "argv"}\ncat {FIXTURES / "istio" / "istiod.yaml"}\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    text = (ISTIO_DESIGN % {"manifest": "x"}).replace(
        "      installer: {manifest: x}\n", "      revision: canary\n"
    )
    objects = IstioAdapter().render(_design(tmp_path, text).component("istio"))
    assert (tmp_path / "argv").read_text().split() == [
        "manifest",
        "generate",
        "--set",
        "profile=minimal",
        "--set",
        "revision=canary",
    ]
    assert [o["kind"] for o in objects] == ["Namespace", "ServiceAccount", "Service", "Deployment"]


def test_failing_installer_reports_exit_code_and_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stub `istioctl` that fails like the real one does on a bad profile."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "istioctl"
    stub.write_text("#!/bin/sh\necho 'Error: unknown profile' >&2\nexit 1\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    text = (ISTIO_DESIGN % {"manifest": "x"}).replace("      installer: {manifest: x}\n", "")
    with pytest.raises(AdapterError, match=r"exited 1: Error: unknown profile"):
        IstioAdapter().render(_design(tmp_path, text).component("istio"))


def test_mesh_settings_are_checked_against_the_kind_schema(tmp_path: Path) -> None:
    text = (ISTIO_DESIGN % {"manifest": "x"}).replace(
        "profile: minimal", "profile: minimal\n      proflie: x"
    )
    with pytest.raises(SchemaError):
        _design(tmp_path, text)


def test_operations_build_objects(tmp_path: Path) -> None:
    ops = {op.key: op for op in capabilities.operations_of(IstioAdapter())}
    assert set(ops) >= {"install", "uninstall", "httpbin", "inject", "strict-mtls", "deny-all"}
    assert ops["uninstall"].delete and not ops["install"].delete
    (ns,) = ops["inject"].build({"namespace": "shop", "revision": "canary"})
    assert ns["metadata"]["labels"] == {"istio.io/rev": "canary"}
    (pa,) = ops["strict-mtls"].build({"namespace": "shop"})
    assert pa["kind"] == "PeerAuthentication" and pa["spec"]["mtls"]["mode"] == "STRICT"
    manifest = meshcrds.istio_control_plane(tmp_path)
    installed = ops["install"].build({"manifest": str(manifest)})
    assert sum(o["kind"] == "CustomResourceDefinition" for o in installed) == len(_crd_names(manifest))
    l5d = {op.key: op for op in capabilities.operations_of(LinkerdAdapter())}
    app = l5d["httpbin"].build({"namespace": "demo"})
    assert app[0]["metadata"]["annotations"] == {"linkerd.io/inject": "enabled"}


def test_capabilities_merge_and_kinds() -> None:
    registry = _registry()
    rules = capabilities.readiness_rules(registry.adapters)
    assert "install.istio.io/IstioOperator" in rules
    assert capabilities.kinds_of(KubernetesAdapter()) == ()
    assert "designer/v1/IstioMesh" in capabilities.kinds_of(IstioAdapter())
    assert "policy.linkerd.io/Server" in capabilities.kinds_of(LinkerdAdapter())
    assert capabilities.policies_of(IstioAdapter()) == tuple(IstioAdapter().policies())
