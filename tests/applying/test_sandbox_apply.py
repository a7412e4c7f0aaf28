"""`design apply` / `design delete` against a cluster: faults, rollback, prune, conflicts, contexts.

Each test drives the real CLI. ``live`` runs it on a fresh emulator (controllers on) and on the real
control plane (real controllers, the simulated kubelet); ``emulator_live`` is for what needs the
emulator: faults injected in its HTTP layer (the kubernetes client and designer's engine see real 500s
and 422s) and its request log.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.cluster.connecting import connect
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox, merge_kubeconfig
from designer.sandbox.testing import engines
from tests.applying.livetools import Live, events, live_cluster, live_sandbox

DESIGN = """\
apiVersion: designer/v1
kind: Design
metadata: {name: shop}
components:
  - {name: shop, kind: Namespace, apiVersion: v1}
  - name: config
    kind: ConfigMap
    apiVersion: v1
    namespace: shop
    settings: {data: {mode: %(mode)s}}
  - name: api
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    dependsOn: [config]
    settings:
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec: {containers: [{name: api, image: "shop/api:%(tag)s"}]}
  - name: api-svc
    kind: Service
    apiVersion: v1
    namespace: shop
    dependsOn: [api]
    settings: {spec: {selector: {app: api}, ports: [{port: 80}]}}
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    settings:
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: "shop/web:%(tag)s"}]}
%(extra)s"""


def write(
    tmp_path: Path, *, mode: str = "a", tag: str = "1", extra: str = "", name: str = "design.yaml"
) -> Path:
    path = tmp_path / name
    path.write_text(DESIGN % {"mode": mode, "tag": tag, "extra": extra})
    return path


@pytest.fixture(params=engines())
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    with live_cluster(request.param, tmp_path / "sb", request) as running:
        yield running


@pytest.fixture
def emulator_live(tmp_path: Path) -> Iterator[Live]:
    with live_sandbox(tmp_path / "sb") as running:
        yield running


def _image(live: Live, name: str) -> str:
    body = live.get("apps/v1", "Deployment", name, "shop")
    assert body is not None
    return str(body["spec"]["template"]["spec"]["containers"][0]["image"])


def test_a_500_mid_run_is_retried(
    emulator_live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def inject(name: str, objects: Any) -> None:
        if name == "config":
            emulator_live.emulator.inject_fault("PATCH", "/deployments/api", 500, times=1)

    code, out, err = emulator_live.design(
        capsys, "apply", str(write(tmp_path)), "--yes", "-o", "json", obj={"after_ready": inject}
    )
    assert code == 0, err
    statuses = [r.status for r in emulator_live.real_writes() if r.path.endswith("/deployments/api")]
    assert statuses[0] == 500 and statuses[-1] in (200, 201)
    assert events(out)[-1]["applied"] == 5


def test_a_permanent_422_fails_the_node_and_skips_exactly_its_dependents(
    emulator_live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def inject(name: str, objects: Any) -> None:
        if name == "config":
            emulator_live.emulator.inject_fault(
                "PATCH", "/deployments/api", 422, times=50, message="spec.replicas: Invalid"
            )

    code, out, _err = emulator_live.design(
        capsys,
        "apply",
        str(write(tmp_path)),
        "--yes",
        "-o",
        "json",
        "--keep-going",
        obj={"after_ready": inject},
    )
    assert code == 1
    stream = events(out)
    summary = stream[-1]
    assert summary["event"] == "summary"
    assert summary["failed"] == 1 and summary["skipped"] == 1
    assert summary["skipped_components"] == {"api-svc": "api"}
    (failure,) = summary["failures"]
    assert failure["component"] == "api" and failure["status"] == 422 and failure["reason"] == "Invalid"
    assert "spec.replicas: Invalid" in failure["message"]
    assert emulator_live.get("v1", "Service", "api-svc", "shop") is None
    assert emulator_live.get("apps/v1", "Deployment", "web", "shop") is not None


def test_text_summary_names_failure_and_skips(
    emulator_live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def inject(name: str, objects: Any) -> None:
        if name == "config":
            emulator_live.emulator.inject_fault(
                "PATCH", "/deployments/api", 422, times=50, message="bad field"
            )

    code, out, _ = emulator_live.design(
        capsys, "apply", str(write(tmp_path)), "--yes", obj={"after_ready": inject}
    )
    assert code == 1
    assert "failed: sandbox api Deployment/shop/api [Invalid 422]" in out
    assert "skipped: sandbox api-svc (depends on failed api)" in out
    assert "FAILED" in out and "SKIPPED" in out


def test_rollback_on_failure_leaves_the_cluster_as_before(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = live.design(capsys, "apply", str(write(tmp_path)), "--yes")
    assert code == 0, err
    before = {
        (r.kind, r.name): live.get(r.api_version, r.kind, r.name, r.namespace or "")
        for r in [
            ObjectRef("apps/v1", "Deployment", "shop", "api"),
            ObjectRef("v1", "ConfigMap", "shop", "config"),
        ]
    }
    broken = """\
  - name: broken
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    dependsOn: [api]
    settings:
      spec:
        progressDeadlineSeconds: 2
        selector: {matchLabels: {app: broken}}
        template: {metadata: {labels: {app: broken}}, spec: {containers: [{name: b, image: "b:fail"}]}}
"""
    v2 = write(tmp_path, mode="b", tag="2", extra=broken, name="v2.yaml")
    code, out, err = live.design(capsys, "apply", str(v2), "--yes", "-o", "json", "--rollback-on-failure")
    assert code == 1
    summary = events(out)[-1]
    assert summary["failures"][0]["component"] == "broken"
    assert "ProgressDeadlineExceeded" in summary["failures"][0]["message"]
    assert summary["rolled_back"] >= 3
    assert live.get("apps/v1", "Deployment", "broken", "shop") is None
    assert _image(live, "api") == "shop/api:1"
    config = live.get("v1", "ConfigMap", "config", "shop")
    assert config is not None and config["data"] == {"mode": "a"}
    assert before[("Deployment", "api")] is not None
    code, out, _ = live.design(capsys, "diff", str(write(tmp_path)), "--exit-code")
    assert code == 0, out


def test_prune_never_touches_objects_designer_did_not_apply(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """\
  - {name: old, kind: ConfigMap, apiVersion: v1, namespace: shop, settings: {data: {x: "1"}}}
  - {name: taken, kind: ConfigMap, apiVersion: v1, namespace: shop, settings: {data: {x: "1"}}}
  - {name: kept, kind: ConfigMap, apiVersion: v1, namespace: shop, settings: {data: {x: "1"}}, traits: {prune: false}}
"""
    code, _, err = live.design(capsys, "apply", str(write(tmp_path, extra=extra)), "--yes")
    assert code == 0, err
    cluster = connect(live.kubeconfig)
    try:
        # "taken" is deleted and re-created by someone else under the same name, without designer's labels
        ref = ObjectRef("v1", "ConfigMap", "shop", "taken")
        cluster.delete(ref)
        cluster.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "taken", "namespace": "shop"},
                "data": {"owner": "team-b"},
            },
            field_manager="kubectl",
        )
        cluster.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "stranger", "namespace": "shop"},
                "data": {"owner": "team-b"},
            },
            field_manager="kubectl",
        )
    finally:
        cluster.close()
    code, out, err = live.design(capsys, "apply", str(write(tmp_path)), "--yes", "--prune", "-o", "json")
    assert code == 0, err
    summary = events(out)[-1]
    pruned = [e["object"]["name"] for e in events(out) if e["event"] == "pruned"]
    assert pruned == ["old"]
    assert summary["pruned"] == 1
    assert live.get("v1", "ConfigMap", "old", "shop") is None
    taken = live.get("v1", "ConfigMap", "taken", "shop")
    assert taken is not None and taken["data"] == {"owner": "team-b"}
    assert live.get("v1", "ConfigMap", "stranger", "shop") is not None
    assert live.get("v1", "ConfigMap", "kept", "shop") is not None
    protected = {e["object"]["name"] for e in events(out) if e["event"] == "protected"}
    assert protected == {"taken", "kept"}


def test_conflicts_are_reported_per_field_and_force_takes_them(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    assert live.design(capsys, "apply", str(path), "--yes")[0] == 0
    cluster = connect(live.kubeconfig)
    try:
        cluster.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "config", "namespace": "shop"},
                "data": {"mode": "z"},
            },
            field_manager="kubectl",
            force=True,
        )
    finally:
        cluster.close()
    changed = write(tmp_path, mode="c", name="changed.yaml")
    code, out, _ = live.design(capsys, "apply", str(changed), "--yes", "-o", "json")
    assert code == 1
    failure = events(out)[-1]["failures"][0]
    assert failure["status"] == 409
    assert "owned by kubectl" in failure["message"] and "data" in failure["message"]
    assert "--force-conflicts" in failure["hint"]  # a new user learns the way out (issue 13)
    code, out, err = live.design(capsys, "apply", str(changed), "--yes")
    assert code == 1 and "Traceback" not in err
    assert "hint: re-run with --force-conflicts to take these fields from their managers" in out
    code, out, err = live.design(capsys, "apply", str(changed), "--yes", "--force-conflicts")
    assert code == 0, err
    config = live.get("v1", "ConfigMap", "config", "shop")
    assert config is not None and config["data"]["mode"] == "c"


def test_dry_run_writes_nothing_and_no_tty_without_yes_refuses(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    code, out, _ = live.design(capsys, "apply", str(path), "--dry-run")
    assert code == 0 and "create" in out
    assert live.get("v1", "Namespace", "shop") is None
    if live.sandbox is not None:
        assert live.real_writes() == []
    code, _, err = live.design(capsys, "apply", str(path))
    assert code == 2
    assert "pass --yes" in err
    assert live.get("v1", "Namespace", "shop") is None
    code, _, err = live.design(capsys, "delete", str(path))
    assert code == 2


def test_several_contexts_each_get_their_own_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = Sandbox(controllers=True).start()
    try:
        with live_sandbox(tmp_path / "sb") as live:
            merge_kubeconfig(live.kubeconfig, second.url, "second")
            code, out, err = live.design(
                capsys,
                "apply",
                str(write(tmp_path)),
                "--yes",
                "-o",
                "json",
                "--context",
                "sandbox",
                "--context",
                "second",
            )
            assert code == 0, err
            summaries = {e["cluster"]: e for e in events(out) if e["event"] == "summary"}
            assert set(summaries) == {"sandbox", "second"}
            assert all(s["applied"] == 5 for s in summaries.values())
            assert second.get("apps/v1", "Deployment", "web", "shop") is not None
            assert live.get("apps/v1", "Deployment", "web", "shop") is not None
    finally:
        second.stop()


def test_delete_waits_and_reports_stuck_finalizers(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """\
  - {name: stuck, kind: ConfigMap, apiVersion: v1, namespace: shop, settings: {data: {x: "1"}}}
"""
    path = write(tmp_path, extra=extra)
    code, _, err = live.design(capsys, "apply", str(path), "--yes")
    assert code == 0, err
    cluster = connect(live.kubeconfig)
    try:  # a controller puts a finalizer on the object and never removes it
        cluster.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "stuck", "namespace": "shop", "finalizers": ["example.com/hold"]},
            },
            field_manager="some-controller",
        )
    finally:
        cluster.close()
    code, out, _ = live.design(capsys, "delete", str(path), "--yes", "--timeout", "0.5s", "-o", "json")
    assert code == 1
    summary = events(out)[-1]
    (failure,) = summary["failures"]
    assert failure["component"] == "stuck" and "example.com/hold" in failure["message"]
    assert "shop" in summary["skipped_components"]  # the namespace waits for its contents
    assert live.get("apps/v1", "Deployment", "web", "shop") is None
    cluster = connect(live.kubeconfig)
    try:  # the controller lets go at last, so a shared cluster can delete the namespace
        cluster.apply(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stuck", "namespace": "shop"}},
            field_manager="some-controller",
        )
    finally:
        cluster.close()


WIDGETS = """\
apiVersion: designer/v1
kind: Design
metadata: {name: widgets}
components:
  - name: widgets-crd
    kind: CustomResourceDefinition
    apiVersion: apiextensions.k8s.io/v1
    objectName: widgets.example.com
    settings:
      spec:
        group: example.com
        scope: Namespaced
        names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
        versions:
          - name: v1
            served: true
            storage: true
            schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - {name: factory, kind: Namespace, apiVersion: v1}
  - {name: gear, kind: Widget, apiVersion: example.com/v1, namespace: factory, settings: {spec: {teeth: 12}}}
"""


def test_crd_established_before_its_resources_then_quiet(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "widgets.yaml"
    path.write_text(WIDGETS)
    if live.sandbox is not None:
        live.sandbox.recorder.clear()
    code, out, err = live.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, err + out
    stream = events(out)
    applied = {e["component"]: e["time"] for e in stream if e["event"] == "applied"}
    ready = {e["component"]: e["time"] for e in stream if e["event"] == "ready" and e["object"] is None}
    assert applied["widgets-crd"] < ready["widgets-crd"] <= applied["gear"]
    assert ready["factory"] <= applied["gear"]
    if live.sandbox is not None:  # the server's view of the same order
        writes = {live.ref_of(r): r.time for r in live.real_writes() if r.method == "PATCH"}
        crd = ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "widgets.example.com")
        gear = ObjectRef("example.com/v1", "Widget", "factory", "gear")
        assert writes[crd] < ready["widgets-crd"] <= writes[gear]
        assert writes[ObjectRef("v1", "Namespace", None, "factory")] < writes[gear]
        live.sandbox.recorder.clear()
    code, out, err = live.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, err
    assert events(out)[-1]["applied"] == 0 and events(out)[-1]["unchanged"] == 3
    if live.sandbox is not None:
        assert live.real_writes() == []
    assert live.design(capsys, "delete", str(path), "--yes")[0] == 0
    assert live.get("example.com/v1", "Widget", "gear", "factory") is None


JOB = """\
apiVersion: designer/v1
kind: Design
metadata: {name: migrate}
components:
  - {name: db, kind: Namespace, apiVersion: v1}
  - name: migrate
    kind: Job
    apiVersion: batch/v1
    namespace: db
    traits: %(traits)s
    settings:
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: m, image: "migrate:%(tag)s"}]
"""


def test_immutable_change_is_a_replace_only_when_the_component_opts_in(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB % {"traits": "{}", "tag": "1"})
    assert live.design(capsys, "apply", str(path), "--yes")[0] == 0
    first = live.get("batch/v1", "Job", "migrate", "db")
    assert first is not None
    path.write_text(JOB % {"traits": "{}", "tag": "2"})
    code, out, _ = live.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 1
    plan = next(e for e in events(out) if e["event"] == "plan")
    assert [s["action"] for s in plan["steps"] if s["object"]["kind"] == "Job"] == ["replace"]
    failure = events(out)[-1]["failures"][0]
    assert "traits.replace: true" in failure["message"]
    kept = live.get("batch/v1", "Job", "migrate", "db")
    assert kept is not None and kept["metadata"]["uid"] == first["metadata"]["uid"]
    path.write_text(JOB % {"traits": "{replace: true}", "tag": "2"})
    code, out, err = live.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, err + out
    replaced = live.get("batch/v1", "Job", "migrate", "db")
    assert replaced is not None and replaced["metadata"]["uid"] != first["metadata"]["uid"]
    assert replaced["spec"]["template"]["spec"]["containers"][0]["image"] == "migrate:2"
