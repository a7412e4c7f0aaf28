"""`design diff` end to end: a design file, an API server over HTTP (each test that needs no fault
injection runs on the emulator and on the real control plane: ``kube_api``), and the real kubectl for
the changes other tools make (apply --server-side, scale, label, edit)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.cli.main import run
from designer.cluster.connecting import connect
from designer.cluster.inventory import with_ownership, write_inventory
from designer.graph import build_graph
from designer.loading import load_paths
from designer.model import ObjectRef
from designer.rendering import render
from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import KubeTarget
from tests import requirements

DESIGN = """\
apiVersion: designer/v1
kind: Design
metadata:
  name: shop
variables:
  ns: {default: shop}
components:
- name: namespace
  kind: Namespace
  apiVersion: v1
  objectName: ${ns}
- name: config
  kind: ConfigMap
  apiVersion: v1
  namespace: ${ns}
  settings:
    data: {mode: fast, color: blue}
- name: db-secret
  kind: Secret
  apiVersion: v1
  namespace: ${ns}
  settings:
    type: Opaque
    stringData: {password: design-pass-123}
- name: web
  kind: Deployment
  apiVersion: apps/v1
  namespace: ${ns}
  labels: {tier: front}
  dependsOn: [config]
  settings:
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx:1.25
            ports: [{containerPort: 8080}]
            resources:
              limits: {cpu: 500m, memory: 256Mi}
              requests: {cpu: "0.25", memory: 128Mi}
- name: web-svc
  kind: Service
  apiVersion: v1
  objectName: web
  namespace: ${ns}
  settings:
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: 8080}]
"""


@pytest.fixture
def design(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(DESIGN, encoding="utf-8")
    return path


Target = Sandbox | KubeTarget
"""The emulator alone (faults, request log), or either engine (``kube_api``)."""


def kubectl(target: Target, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    binary = requirements.executable("kubectl", install="apt-get install kubernetes-client")
    result = subprocess.run(
        [binary, "--kubeconfig", str(target.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        input=stdin,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def design_cmd(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(
    capsys: pytest.CaptureFixture[str], target: Target, design: Path, *extra: str
) -> tuple[int, dict[str, Any]]:
    """Run `design diff -o json` and check (on the emulator, which logs requests) that it wrote
    nothing but dry runs."""
    sandbox = target if isinstance(target, Sandbox) else target.sandbox
    before = len(sandbox.requests) if sandbox else 0
    code, out, err = design_cmd(
        capsys, "diff", str(design), "--kubeconfig", str(target.kubeconfig_path), "-o", "json", *extra
    )
    assert code in (0, 1), err
    if sandbox is not None:
        writes = [r for r in sandbox.requests[before:] if r.is_write and not r.dry_run]
        assert writes == [], f"design diff wrote to the cluster: {writes}"
    return code, json.loads(out)


def apply_with_kubectl(
    capsys: pytest.CaptureFixture[str], target: Target, design: Path, tmp_path: Path
) -> None:
    code, rendered, err = design_cmd(capsys, "render", str(design))
    assert code == 0, err
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(rendered, encoding="utf-8")
    kubectl(target, "apply", "--server-side", "-f", str(manifest))


def actions(doc: dict[str, Any]) -> dict[str, str]:
    return {f"{s['object']['kind']}/{s['object']['name']}": s["action"] for s in doc["steps"]}


def step(doc: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    return next(s for s in doc["steps"] if s["object"]["kind"] == kind and s["object"]["name"] == name)


def test_empty_cluster_is_all_creates(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path
) -> None:
    code, doc = diff_json(capsys, kube_api, design, "--exit-code")
    assert code == 1
    assert doc["schema_version"] == 1 and doc["design"] == "shop" and doc["context"] == "sandbox"
    assert actions(doc) == {
        "Namespace/shop": "create",
        "ConfigMap/config": "create",
        "Secret/db-secret": "create",
        "Deployment/web": "create",
        "Service/web": "create",
    }
    web = step(doc, "Deployment", "web")
    assert web["object"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "shop",
        "name": "web",
    }
    assert web["component"] == "web"
    # the namespace does not exist yet, so namespaced objects cannot be dry-run: said so
    assert not web["server_validated"] and "namespace shop is created by this design" in web["reason"]
    assert step(doc, "Namespace", "shop")["server_validated"]


def test_after_kubectl_server_side_apply_everything_is_noop(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, kube_api, design, tmp_path)
    code, doc = diff_json(capsys, kube_api, design, "--exit-code")
    assert code == 0, doc
    assert set(actions(doc).values()) == {"noop"}
    assert all(s["changes"] == [] and s["server_validated"] for s in doc["steps"])
    # quantities: the design says 500m/"0.25"; whatever the server stores, no change is reported


def test_drift_reports_exactly_the_changed_fields_and_who_changed_them(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, kube_api, design, tmp_path)
    kubectl(kube_api, "scale", "deployment/web", "-n", "shop", "--replicas=5")
    kubectl(kube_api, "label", "deployment/web", "-n", "shop", "tier=hacked", "--overwrite")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/mode: fast/mode: slow/' \"$1\"\n", encoding="utf-8")
    editor.chmod(0o755)
    kubectl(kube_api, "edit", "configmap/config", "-n", "shop", env={"KUBE_EDITOR": str(editor)})

    code, doc = diff_json(capsys, kube_api, design, "--exit-code")
    assert code == 1
    assert actions(doc) == {
        "Namespace/shop": "noop",
        "ConfigMap/config": "update",
        "Secret/db-secret": "noop",
        "Deployment/web": "update",
        "Service/web": "noop",
    }
    web = {c["path"]: c for c in step(doc, "Deployment", "web")["changes"]}
    assert set(web) == {"metadata.labels.tier", "spec.replicas"}
    assert (web["spec.replicas"]["before"], web["spec.replicas"]["after"]) == (5, 2)
    assert web["spec.replicas"]["manager"].startswith("kubectl")  # kubectl scale's manager
    assert (web["metadata.labels.tier"]["before"], web["metadata.labels.tier"]["after"]) == (
        "hacked",
        "front",
    )
    assert web["metadata.labels.tier"]["manager"] == "kubectl-label"
    config = step(doc, "ConfigMap", "config")["changes"]
    assert config == [{"path": "data.mode", "before": "slow", "after": "fast", "manager": "kubectl-edit"}]

    code, text, _ = design_cmd(capsys, "diff", str(design), "--kubeconfig", str(kube_api.kubeconfig_path))
    assert code == 0  # without --exit-code
    assert "--- LIVE/apps.v1.Deployment.shop.web" in text
    assert "-  replicas: 5" in text and "+  replicas: 2" in text
    assert "spec.replicas: changed by kubectl" in text
    assert "data.mode: changed by kubectl-edit" in text
    assert "2 to update" in text and "3 unchanged" in text


def test_secret_values_are_masked_everywhere(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, kube_api, design, tmp_path)
    kubectl(
        kube_api,
        "patch",
        "secret/db-secret",
        "-n",
        "shop",
        "-p",
        '{"stringData": {"password": "tampered-pass"}}',
    )
    _, doc = diff_json(capsys, kube_api, design)
    (change,) = step(doc, "Secret", "db-secret")["changes"]
    assert change == {
        "path": "data.password",
        "before": "*** (before)",
        "after": "*** (after)",
        "manager": "kubectl-patch",
    }
    _, text, _ = design_cmd(capsys, "diff", str(design), "--kubeconfig", str(kube_api.kubeconfig_path))
    assert "-  password: '*** (before)'" in text and "+  password: '*** (after)'" in text
    for secret in ("design-pass-123", "tampered-pass"):
        for shown in (secret, base64.b64encode(secret.encode()).decode()):
            assert shown not in text and shown not in json.dumps(doc)


def test_removed_component_is_a_delete_only_if_designer_applied_it(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, kube_api, design, tmp_path)
    extra = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: shop}\ndata: {a: b}\n"
    kubectl(kube_api, "apply", "--server-side", "-f", "-", stdin=extra % "old-config")
    kubectl(kube_api, "apply", "--server-side", "-f", "-", stdin=extra % "foreign")
    cluster = connect(kube_api.kubeconfig_path)
    try:  # what `design apply` records: the design's objects plus one that has since left it
        refs = [
            ObjectRef("v1", "Namespace", None, "shop"),
            ObjectRef("v1", "ConfigMap", "shop", "old-config"),
        ]
        write_inventory(cluster, "shop", refs)
    finally:
        cluster.close()
    _, doc = diff_json(capsys, kube_api, design)
    assert actions(doc)["ConfigMap/old-config"] == "delete"
    assert "ConfigMap/foreign" not in actions(doc)
    deleted = step(doc, "ConfigMap", "old-config")
    assert deleted["component"] is None and "no longer in the design" in deleted["reason"]
    assert doc["steps"][-1] == deleted  # deletes come last


@pytest.mark.parametrize(
    ("status", "message"),
    [(400, 'admission webhook "check.example.com" does not support dry run'), (403, "dry run is forbidden")],
)
def test_refused_dry_run_falls_back_to_a_less_precise_local_diff(
    capsys: pytest.CaptureFixture[str],
    sandbox: Sandbox,
    design: Path,
    tmp_path: Path,
    status: int,
    message: str,
) -> None:
    apply_with_kubectl(capsys, sandbox, design, tmp_path)
    kubectl(sandbox, "scale", "deployment/web", "-n", "shop", "--replicas=4")
    sandbox.inject_fault("PATCH", "/namespaces/shop/deployments/web", status, message=message, times=2)
    code, doc = diff_json(capsys, sandbox, design, "--exit-code")
    assert code == 1
    web = step(doc, "Deployment", "web")
    assert web["action"] == "update" and not web["server_validated"]
    assert web["reason"].startswith("less precise")
    assert [(c["path"], c["before"], c["after"]) for c in web["changes"]] == [("spec.replicas", 4, 2)]
    assert any("less precise" in n for n in doc["notes"])
    _, text, _ = design_cmd(capsys, "diff", str(design), "--kubeconfig", str(sandbox.kubeconfig_path))
    assert "(less precise)" in text


def test_immutable_change_is_a_replace(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, kube_api, design, tmp_path)
    design.write_text(DESIGN.replace("app: web", "app: web2"), encoding="utf-8")
    _, doc = diff_json(capsys, kube_api, design)
    web = step(doc, "Deployment", "web")
    assert web["action"] == "replace"
    assert "immutable" in web["reason"]
    assert "spec.selector.matchLabels.app" in [c["path"] for c in web["changes"]]


def test_custom_resource_of_a_crd_in_the_same_design(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, tmp_path: Path
) -> None:
    path = tmp_path / "widgets.yaml"
    path.write_text(
        """\
apiVersion: designer/v1
kind: Design
metadata: {name: widgets}
components:
- name: crd
  kind: CustomResourceDefinition
  apiVersion: apiextensions.k8s.io/v1
  objectName: widgets.example.com
  settings:
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
      versions:
      - name: v1
        served: true
        storage: true
        schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
- name: w1
  kind: Widget
  apiVersion: example.com/v1
  namespace: default
  dependsOn: [crd]
  settings: {spec: {size: 3}}
""",
        encoding="utf-8",
    )
    _, doc = diff_json(capsys, kube_api, path)
    assert actions(doc) == {"CustomResourceDefinition/widgets.example.com": "create", "Widget/w1": "create"}
    widget = step(doc, "Widget", "w1")
    assert not widget["server_validated"]
    assert "CRD widgets.example.com is created by this design" in widget["reason"]
    _, text, _ = design_cmd(capsys, "diff", str(path), "--kubeconfig", str(kube_api.kubeconfig_path))
    assert "not validated by the server" in text


def test_unknown_kind_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, tmp_path: Path
) -> None:
    path = tmp_path / "gadget.yaml"
    path.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: g}\ncomponents:\n"
        "- {name: g1, kind: Gadget, apiVersion: example.com/v1, namespace: default, settings: {spec: {a: 1}}}\n",
        encoding="utf-8",
    )
    code, _, err = design_cmd(capsys, "diff", str(path), "--kubeconfig", str(kube_api.kubeconfig_path))
    assert code == 3
    assert (
        "error: the cluster does not serve 1 kind this design uses: Gadget in example.com/v1 (used by g1)"
        in err
    )
    assert "hint: install the CRDs that define example.com/v1" in err


def test_unreachable_cluster_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], design: Path, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kc"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: gone, user: {}}]\ncontexts: [{name: gone, context: {cluster: gone, user: gone}}]\n",
        encoding="utf-8",
    )
    code, _, err = design_cmd(capsys, "diff", str(design), "--kubeconfig", str(kubeconfig))
    assert code == 3
    assert "error: cannot reach the Kubernetes API" in err


def test_unreadable_inventory_is_a_note_not_a_failure(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox, design: Path, tmp_path: Path
) -> None:
    apply_with_kubectl(capsys, sandbox, design, tmp_path)
    sandbox.inject_fault("GET", "/configmaps/designer-inventory-shop", 403, message="configmaps is forbidden")
    code, doc = diff_json(capsys, sandbox, design, "--exit-code")
    assert code == 0
    assert doc["notes"] == [
        "deletes are not shown: designer's inventory cannot be read "
        "(get ConfigMap/default/designer-inventory-shop: configmaps is forbidden)"
    ]


def test_context_flag_and_kubeconfig_env_like_kubectl(
    capsys: pytest.CaptureFixture[str],
    sandbox: Sandbox,
    design: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kubeconfig = tmp_path / "two-contexts"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        f"clusters: [{{name: gone, cluster: {{server: 'http://127.0.0.1:9'}}}}, {{name: sb, cluster: {{server: '{sandbox.url}'}}}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: u}}, {name: lab, context: {cluster: sb, user: u}}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    code, out, err = design_cmd(capsys, "diff", str(design), "--context", "lab", "-o", "json")
    assert code == 0, err
    assert json.loads(out)["context"] == "lab"


def test_several_designs_in_one_folder(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path
) -> None:
    other = design.parent / "cache.yaml"
    other.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: cache}\ncomponents:\n"
        "- {name: cache-config, kind: ConfigMap, apiVersion: v1, namespace: default, settings: {data: {a: b}}}\n",
        encoding="utf-8",
    )
    _, doc = diff_json(capsys, kube_api, design.parent)
    assert doc["schema_version"] == 1
    assert sorted(doc["designs"]) == ["cache", "shop"]
    assert doc["summary"]["create"] == 6 == len(doc["steps"])


def apply_as_designer(target: Target, design_path: Path) -> None:
    """What `design apply` sends: every rendered object with the ownership labels, field manager designer."""
    (loaded,) = load_paths([design_path])
    cluster = connect(target.kubeconfig_path)
    try:
        for obj in render(loaded, build_graph(loaded), AdapterRegistry.from_entry_points()):
            cluster.apply(with_ownership(obj.body, loaded.name))
    finally:
        cluster.close()


def test_fields_dropped_from_the_design_show_as_removed(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path
) -> None:
    apply_as_designer(kube_api, design)
    code, doc = diff_json(capsys, kube_api, design, "--exit-code")
    assert code == 0 and set(actions(doc).values()) == {"noop"}
    design.write_text(
        DESIGN.replace("    data: {mode: fast, color: blue}", "    data: {mode: fast}"), encoding="utf-8"
    )
    code, doc = diff_json(capsys, kube_api, design, "--exit-code")
    assert code == 1
    assert step(doc, "ConfigMap", "config")["changes"] == [
        {"path": "data.color", "before": "blue", "after": None, "manager": "designer"}
    ]


def test_agrees_with_kubectl_diff_server_side(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path, tmp_path: Path
) -> None:
    """Same verdict as `kubectl diff --server-side` (exit 1 = changes) at each stage of a lifecycle."""
    code, rendered, _ = design_cmd(capsys, "render", str(design))
    assert code == 0
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(rendered, encoding="utf-8")
    binary = requirements.executable("kubectl", install="apt-get install kubernetes-client")

    def kubectl_diff() -> int:
        args = [
            binary,
            "--kubeconfig",
            str(kube_api.kubeconfig_path),
            "diff",
            "--server-side",
            "--force-conflicts",
        ]
        return subprocess.run(
            [*args, "-f", str(manifest)], capture_output=True, timeout=60, check=False
        ).returncode

    def ours() -> int:
        return diff_json(capsys, kube_api, design, "--exit-code")[0]

    kubectl(kube_api, "create", "namespace", "shop")  # kubectl diff cannot dry-run into a missing namespace
    assert (kubectl_diff(), ours()) == (1, 1)
    kubectl(kube_api, "apply", "--server-side", "-f", str(manifest))
    assert (kubectl_diff(), ours()) == (0, 0)
    kubectl(kube_api, "label", "deployment/web", "-n", "shop", "tier=hacked", "--overwrite")
    assert (kubectl_diff(), ours()) == (1, 1)


def test_set_overrides_variables_and_text_is_plain_off_a_tty(
    capsys: pytest.CaptureFixture[str], kube_api: KubeTarget, design: Path
) -> None:
    code, text, err = design_cmd(
        capsys, "diff", str(design), "--kubeconfig", str(kube_api.kubeconfig_path), "--set", "ns=staging"
    )
    assert code == 0, err
    assert "create Deployment/staging/web" in text
    assert "+++ MERGED/apps.v1.Deployment.staging.web" in text
    assert "@@ -0,0 +1," in text  # a create has an empty live side (like diff -N)
    assert "5 to create" in text
    assert "\x1b[" not in text  # no colour codes when stdout is not a terminal
