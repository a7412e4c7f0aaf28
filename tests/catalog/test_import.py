"""`design import`: Meshery patterns, Kubernetes manifests, URLs and Helm (absent) into native designs."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.loading import load_file, load_text
from tests import requirements

MESHERY = requirements.SHARED / "testdata" / "meshery-patterns"

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data:
  start.sh: 'exec web --home "${HOME}"'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          volumeMounts: [{name: config, mountPath: /etc/web}]
      volumes:
        - name: config
          configMap: {name: web-config}
"""


@pytest.mark.parametrize(
    "path", requirements.shared_files("testdata/meshery-patterns", "*.yaml"), ids=lambda p: p.name
)
def test_meshery_patterns_import_to_native_designs_or_a_clear_error(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements.shared_file(path)
    out = tmp_path / "native.yaml"
    code = run(["import", str(path), "--from", "meshery", "-o", str(out)])
    err = capsys.readouterr().err
    if code != 0:
        # A file designer cannot express must fail as a user error naming the file, never a crash.
        assert code == 3, err
        assert err.startswith("error: ") and path.name in err
        assert "hint:" in err
        return
    original = load_file(path)
    native = load_file(out)
    assert [d.source_format for d in native] == ["designer/v1"] * len(original)
    assert [len(d.components) for d in native] == [len(d.components) for d in original]
    for before, after in zip(original, native, strict=True):
        assert [c.kind for c in after.components] == [c.kind for c in before.components]
        assert [c.to_object()["metadata"]["name"] for c in after.components] == [
            c.to_object()["metadata"]["name"] for c in before.components
        ]


def test_most_meshery_samples_convert(tmp_path: Path) -> None:
    requirements.shared("testdata", "meshery-patterns")
    converted = [
        p
        for p in sorted(MESHERY.glob("*.yaml"))
        if run(["import", str(p), "-o", str(tmp_path / p.name)]) == 0
    ]
    assert len(converted) >= 10, converted


def test_kubernetes_manifests_keep_dollar_text_literal_and_can_pin_inferred_deps(tmp_path: Path) -> None:
    source = tmp_path / "shop.yaml"
    source.write_text(MANIFESTS)
    plain, pinned = tmp_path / "plain.yaml", tmp_path / "pinned.yaml"
    assert run(["import", str(source), "--from", "kubernetes", "-o", str(plain), "--version", "1.2.0"]) == 0
    assert run(["import", str(source), "--from", "kubernetes", "-o", str(pinned), "--explicit-deps"]) == 0
    (design,) = load_file(plain)
    assert design.version == "1.2.0" and design.name == "shop"
    assert design.metadata["meshes"] == ["none"]
    config = next(c for c in design.components if c.kind == "ConfigMap")
    assert config.to_object()["data"]["start.sh"] == 'exec web --home "${HOME}"'
    assert all(not c.depends_on for c in design.components)  # left to inference by default
    (frozen,) = load_file(pinned)
    web = next(c for c in frozen.components if c.kind == "Deployment")
    assert set(web.depends_on) >= {
        config.name,
        next(c.name for c in frozen.components if c.kind == "Namespace"),
    }


def test_import_to_stdout_and_from_a_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shop.yaml").write_text(MANIFESTS)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/shop.yaml"
        assert run(["import", url, "--name", "Shop Front"]) == 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    captured = capsys.readouterr()
    (design,) = load_text(captured.out, "stdout.yaml")
    assert design.name == "shop-front" and len(design.components) == 3
    assert "imported 1 design(s), 3 components" in captured.err


def test_wrong_format_and_missing_helm_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements.shared("testdata", "meshery-patterns")
    assert run(["import", str(MESHERY / "servicemeshcon-na-2021_retries.yaml"), "--from", "kubernetes"]) == 3
    assert "is meshery-pattern, not kubernetes" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm binary anywhere
    assert run(["import", str(tmp_path), "--from", "helm"]) == 3
    err = capsys.readouterr().err
    assert "needs the helm binary" in err and "--from kubernetes" in err


V1BETA1 = """\
id: 9f0c6c2e-0000-4000-8000-000000000001
name: Shop Design
schemaVersion: designs.meshery.io/v1beta1
version: 0.0.3
components:
  - id: 9f0c6c2e-0000-4000-8000-000000000002
    displayName: shop-ns
    schemaVersion: components.meshery.io/v1beta1
    version: v1.0.0
    model: {name: kubernetes, version: v1.30.0}
    component: {version: v1, kind: Namespace}
    configuration: {metadata: {name: shop}}
    metadata: {isNamespaced: false}
  - id: 9f0c6c2e-0000-4000-8000-000000000003
    displayName: web
    model: {name: kubernetes}
    component: {version: apps/v1, kind: Deployment}
    configuration:
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: "nginx:1.27"}]}
    metadata: {isNamespaced: true, dependsOn: [shop-ns]}
relationships: []
"""


def test_meshery_v1beta1_design_keeps_its_explicit_dependency(tmp_path: Path) -> None:
    source = tmp_path / "design.yaml"
    source.write_text(V1BETA1)
    out = tmp_path / "native.yaml"
    assert run(["import", str(source), "--from", "meshery", "-o", str(out)]) == 0
    (design,) = load_file(out)
    assert design.name == "shop-design"
    web = next(c for c in design.components if c.kind == "Deployment")
    namespace = next(c for c in design.components if c.kind == "Namespace")
    assert web.depends_on == (namespace.name,)


FAKE_HELM = """#!/bin/sh
# Stand-in for `helm template RELEASE CHART [--namespace NS]`: prints one manifest naming its arguments.
[ "$1" = template ] || exit 64
cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $2-config
  namespace: ${5:-default}
data:
  chart: "$3"
YAML
"""


def test_helm_chart_is_rendered_with_helm_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """helm is not installed on the test machines, so a shell script stands in for it on PATH; the
    test checks the command line designer builds and that the rendered output becomes a design."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text(FAKE_HELM)
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    out = tmp_path / "native.yaml"
    chart = tmp_path / "web-1.2.3.tgz"
    chart.write_bytes(b"not read by the stand-in")
    assert run(["import", str(chart), "--from", "helm", "--namespace", "shop", "-o", str(out)]) == 0
    (design,) = load_file(out)
    (config,) = design.components
    body = config.to_object()
    assert (body["metadata"]["name"], body["metadata"]["namespace"]) == ("web-config", "shop")
    assert body["data"]["chart"] == str(chart)
    helm.write_text("#!/bin/sh\necho 'Error: chart not found' >&2\nexit 1\n")
    capsys.readouterr()
    assert run(["import", "missing-chart", "--from", "helm"]) == 3
    assert "helm template missing-chart failed: Error: chart not found" in capsys.readouterr().err


def test_import_refuses_to_overwrite_without_force_as_pull_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(MANIFESTS)
    out = tmp_path / "design.yaml"
    out.write_text("# mine\n")
    assert run(["import", str(source), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert out.read_text() == "# mine\n"
    assert run(["import", str(source), "-o", str(out), "--force"]) == 0
    assert "kind: Design" in out.read_text()
    assert run(["import", str(source), "-o", str(tmp_path)]) == 3
    assert "is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.yaml", "design.yaml"]
