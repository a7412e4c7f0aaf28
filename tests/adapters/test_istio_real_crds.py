"""The istio adapter against Istio's real CRDs (istio.io/api, fetched by scripts/fetch-mesh-crds.sh), on
the emulator and on the real control plane.

The control plane is designer's test istiod (tests/fixtures/meshes/istio/istiod.yaml) with the real
CRDs: structural schemas with enums, bounds, required fields and CEL rules, which is where a pattern
or an operation may turn out invalid and where the emulator may part from kube-apiserver. Without the
fetched CRDs these tests are skipped with how to get them (failed under CI: tests.meshcrds).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from designer.cli.main import run
from designer.sandbox.testing import engines
from tests import meshcrds
from tests.applying.livetools import Live, events, live_cluster, registry

APP = """\
  - name: shop
    kind: Namespace
    apiVersion: v1
    labels: {istio-injection: enabled}
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    settings:
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: nginx:1.27}]}
  - name: web-svc
    kind: Service
    apiVersion: v1
    objectName: web
    namespace: shop
    settings: {spec: {selector: {app: web}, ports: [{name: http, port: 80}]}}
  - name: web-routes
    kind: VirtualService
    apiVersion: networking.istio.io/v1
    objectName: web
    namespace: shop
    settings:
      spec:
        hosts: [web]
        http:
          - route: [{destination: {host: web, subset: v1, port: {number: 80}}, weight: 100}]
            timeout: 5s
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}
  - name: web-subsets
    kind: DestinationRule
    apiVersion: networking.istio.io/v1
    objectName: web
    namespace: shop
    settings:
      spec:
        host: web
        trafficPolicy:
          connectionPool: {tcp: {maxConnections: 100}}
          outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
        subsets: [{name: v1, labels: {version: v1}}]
"""


@pytest.fixture(params=engines())
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    with live_cluster(request.param, tmp_path / "cluster", request) as running:
        yield running


@pytest.fixture
def istio_manifest(tmp_path: Path) -> Path:
    """The test istiod with Istio's real CRDs (skipped, or failed under CI, when they are not fetched)."""
    meshcrds.required()
    return meshcrds.istio_control_plane(tmp_path)


@functools.cache
def _real_crds() -> list[dict[str, Any]]:
    crds = meshcrds.required()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [d for d in yaml.load_all(crds.istio.read_text(), Loader=loader) if d]


def test_istio_mesh_with_real_crds_applies_diffs_noop_and_deletes(
    live: Live, istio_manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = tmp_path / "mesh.yaml"
    design.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: mesh}\ncomponents:\n"
        f"  - {{name: istio, kind: IstioMesh, apiVersion: designer/v1, "
        f"settings: {{installer: {{manifest: {istio_manifest}}}}}}}\n" + APP
    )
    code, out, err = live.design(capsys, "apply", str(design), "--yes", "-o", "json")
    assert code == 0, err + out
    assert events(out)[-1]["failed"] == 0
    for crd in _real_crds():  # every real CRD is served, with its real schema
        served = live.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd["metadata"]["name"])
        assert served is not None, crd["metadata"]["name"]
        assert served["spec"]["versions"] == crd["spec"]["versions"]
    route = live.get("networking.istio.io/v1", "VirtualService", "web", "shop")
    assert route is not None and route["spec"]["http"][0]["retries"]["perTryTimeout"] == "2s"

    code, out, err = live.design(capsys, "apply", str(design), "--yes", "-o", "json")
    assert code == 0 and events(out)[-1]["applied"] == 0, "re-applying wrote to the cluster"
    code, out, err = live.design(capsys, "diff", str(design), "--exit-code")
    assert code == 0, out + err

    code, out, err = live.design(capsys, "delete", str(design), "--yes")
    assert code == 0, err + out
    assert live.get("networking.istio.io/v1", "DestinationRule", "web", "shop") is None
    assert (
        live.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "virtualservices.networking.istio.io")
        is None
    )


def test_istio_operations_install_configure_and_uninstall(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """designer's own installer flow: runs with the stand-in CRDs too, when the real ones are not fetched."""
    istio_manifest = meshcrds.istio_control_plane(tmp_path)

    def operation(*args: str) -> int:
        code = run(
            ["adapters", "run", "istio", *args, "--kubeconfig", str(live.kubeconfig), "--yes"],
            obj={"registry": registry()},
        )
        assert code == 0, capsys.readouterr().err
        return code

    operation("install", "--param", f"manifest={istio_manifest}")
    assert live.get("apps/v1", "Deployment", "istiod", "istio-system") is not None
    operation("httpbin", "--param", "namespace=demo")
    operation("strict-mtls", "--param", "namespace=demo")
    operation("deny-all", "--param", "namespace=demo")
    peer = live.get("security.istio.io/v1", "PeerAuthentication", "default", "demo")
    assert peer is not None and peer["spec"]["mtls"]["mode"] == "STRICT"
    deny = live.get("security.istio.io/v1", "AuthorizationPolicy", "deny-all", "demo")
    assert deny is not None and deny["spec"] == {}
    operation("uninstall", "--param", f"manifest={istio_manifest}")
    assert live.get("apps/v1", "Deployment", "istiod", "istio-system") is None
    assert (
        live.get(
            "apiextensions.k8s.io/v1", "CustomResourceDefinition", "peerauthentications.security.istio.io"
        )
        is None
    )
    assert live.get("v1", "Namespace", "demo") is not None  # not part of the mesh install
