"""Every pattern in patterns/ against the sandbox: apply in dependency order, re-apply writes nothing,
diff after apply is all noop, delete removes everything in reverse order.

One sandbox for the module (with the test Istio and Linkerd control planes installed once); each
pattern is applied and then deleted, so the next one starts from the same cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.applying import session
from designer.cli.main import run
from designer.loading import load_paths
from designer.model import ObjectRef
from tests.applying.livetools import Live, events, live_sandbox, mesh_design, registry
from tests.conftest import PATTERNS

PATTERN_FILES = sorted(PATTERNS.glob("*.yaml"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("patterns-sandbox")
    with live_sandbox(directory) as live:
        code = run(
            ["apply", str(mesh_design(directory)), "--yes", "--kubeconfig", str(live.kubeconfig)],
            obj={"registry": registry()},
        )
        assert code == 0, "installing the test meshes failed"
        yield live


def test_there_are_patterns() -> None:
    assert len(PATTERN_FILES) >= 5


@pytest.mark.parametrize("pattern", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_pattern_applies_in_order_reapplies_quietly_and_deletes_cleanly(
    live: Live, pattern: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (design,) = load_paths([pattern])
    prepared = session.prepare(design, registry())
    live.sandbox.recorder.clear()

    code, out, err = live.design(capsys, "apply", str(pattern), "--yes", "-o", "json")
    assert code == 0, err + out
    stream = events(out)
    summary = [e for e in stream if e["event"] == "summary"]
    assert summary and summary[-1]["failed"] == 0 and summary[-1]["skipped"] == 0
    ready_at = {e["component"]: e["time"] for e in stream if e["event"] == "ready" and e["object"] is None}
    component_of = {
        ObjectRef(**{k if k != "apiVersion" else "api_version": v for k, v in e["object"].items()}): e[
            "component"
        ]
        for e in stream
        if e["event"] == "applied"
    }
    writes = [(r, live.ref_of(r)) for r in live.real_writes() if r.method == "PATCH"]
    assert writes, "nothing was written"
    for record, ref in writes:
        if ref is None or (ref.kind == "ConfigMap" and ref.name.startswith("designer-inventory-")):
            continue
        component = component_of[ref]
        for dependency in prepared.dependencies[component]:
            assert ready_at[dependency] <= record.time, f"{ref} written before {dependency} was ready"
    first_write = {ref: r.time for r, ref in reversed(writes)}
    for ref, at in first_write.items():
        if ref.namespace and ObjectRef("v1", "Namespace", None, ref.namespace) in first_write:
            assert first_write[ObjectRef("v1", "Namespace", None, ref.namespace)] < at, (
                f"{ref} before its namespace"
            )

    live.sandbox.recorder.clear()
    code, out, err = live.design(capsys, "apply", str(pattern), "--yes", "-o", "json")
    assert code == 0, err
    assert live.real_writes() == [], "re-applying an unchanged design wrote to the cluster"
    code, out, err = live.design(capsys, "diff", str(pattern), "--exit-code", "-o", "json")
    assert code == 0, out + err

    live.sandbox.recorder.clear()
    code, out, err = live.design(capsys, "delete", str(pattern), "--yes", "-o", "json")
    assert code == 0, err + out
    deleted_at = {live.ref_of(r): r.time for r in live.real_writes() if r.method == "DELETE"}
    for obj in prepared.objects:
        body_ns = obj.body["metadata"].get("namespace")
        assert live.sandbox.get(obj.ref.api_version, obj.ref.kind, obj.ref.name, body_ns or "") is None, (
            f"{obj.ref} left behind"
        )
    by_component: dict[str, list[float]] = {}
    for e in events(out):
        if e["event"] == "deleted" and e["object"]:
            ref = ObjectRef(
                e["object"]["apiVersion"], e["object"]["kind"], e["object"]["namespace"], e["object"]["name"]
            )
            by_component.setdefault(e["component"], []).append(deleted_at[ref])
    for component, deps in prepared.dependencies.items():
        for dep in deps:
            if component in by_component and dep in by_component:
                assert max(by_component[component]) < min(by_component[dep]), (
                    f"{dep} deleted before {component}"
                )
