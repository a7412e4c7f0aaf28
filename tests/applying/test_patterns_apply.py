"""Every pattern in patterns/ against a cluster: apply in dependency order, re-apply writes nothing,
diff after apply is all noop, delete removes everything in reverse order.

Runs on the emulator and on the real control plane: one cluster per engine for the module (with the
test Istio and Linkerd control planes installed once: Istio's real CRDs (tests.meshcrds; the Istio
patterns need them), Linkerd's stand-ins); each pattern is applied and then deleted, so
the next one starts from the same cluster. The order is checked from designer's events (both engines)
and, on the emulator, from the server's request log too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.adapters.istio import IstioAdapter
from designer.applying import session
from designer.cli.main import run
from designer.loading import load_paths
from designer.model import ObjectRef
from designer.sandbox.testing import EMULATOR, engines
from tests import meshcrds
from tests.applying.livetools import Live, events, live_sandbox, mesh_design, registry
from tests.conftest import PATTERNS

PATTERN_FILES = sorted(PATTERNS.glob("*.yaml"))
ISTIO_GROUPS = IstioAdapter.profile.resource_groups


@pytest.fixture(scope="module", params=engines())
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The emulator, or the session's real control plane (kept at its baseline around the module)."""
    directory = tmp_path_factory.mktemp("patterns-cluster")
    with contextlib.ExitStack() as stack:
        if request.param == EMULATOR:
            running = stack.enter_context(live_sandbox(directory))
        else:
            session = request.getfixturevalue("_control_plane_session")
            plane = session.get()
            stack.callback(session.sweep)
            assert plane.kubeconfig_path is not None
            running = Live(None, plane.kubeconfig_path)
        code = run(
            ["apply", str(mesh_design(directory)), "--yes", "--kubeconfig", str(running.kubeconfig)],
            obj={"registry": registry()},
        )
        assert code == 0, "installing the test meshes failed"
        yield running


def test_there_are_patterns() -> None:
    assert len(PATTERN_FILES) >= 5


def _ref(event: dict[str, Any]) -> ObjectRef:
    o = event["object"]
    return ObjectRef(o["apiVersion"], o["kind"], o.get("namespace"), o["name"])


@pytest.mark.parametrize("pattern", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_pattern_applies_in_order_reapplies_quietly_and_deletes_cleanly(
    live: Live, pattern: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (design,) = load_paths([pattern])
    prepared = session.prepare(design, registry())
    if any(obj.ref.api_version.partition("/")[0] in ISTIO_GROUPS for obj in prepared.objects):
        meshcrds.required()  # Istio's resources meet its real CRDs: their schemas and CEL rules
    if live.sandbox is not None:
        live.sandbox.recorder.clear()

    code, out, err = live.design(capsys, "apply", str(pattern), "--yes", "-o", "json")
    assert code == 0, err + out
    stream = events(out)
    summary = [e for e in stream if e["event"] == "summary"]
    assert summary and summary[-1]["failed"] == 0 and summary[-1]["skipped"] == 0
    ready_at = {e["component"]: e["time"] for e in stream if e["event"] == "ready" and e["object"] is None}
    applied = [(e["component"], _ref(e), e["time"]) for e in stream if e["event"] == "applied"]
    assert applied, "nothing was applied"
    for component, ref, at in applied:  # each write waits until what it depends on is ready
        for dependency in prepared.dependencies[component]:
            assert ready_at[dependency] <= at, f"{ref} written before {dependency} was ready"
    first_write = {ref: at for _, ref, at in reversed(applied)}
    for ref, at in first_write.items():
        namespace = ObjectRef("v1", "Namespace", None, ref.namespace) if ref.namespace else None
        if namespace in first_write:
            assert first_write[namespace] <= at, f"{ref} before its namespace"
    if live.sandbox is not None:  # the server's own log agrees
        component_of = {ref: component for component, ref, _ in applied}
        for record in live.real_writes():
            ref = live.ref_of(record)
            if record.method != "PATCH" or ref is None or ref.name.startswith("designer-inventory-"):
                continue
            for dependency in prepared.dependencies[component_of[ref]]:
                assert ready_at[dependency] <= record.time, f"{ref} written before {dependency} was ready"
        live.sandbox.recorder.clear()

    code, out, err = live.design(capsys, "apply", str(pattern), "--yes", "-o", "json")
    assert code == 0, err
    assert events(out)[-1]["applied"] == 0, "re-applying an unchanged design wrote to the cluster"
    if live.sandbox is not None:
        assert live.real_writes() == [], "re-applying an unchanged design wrote to the cluster"
    code, out, err = live.design(capsys, "diff", str(pattern), "--exit-code", "-o", "json")
    assert code == 0, out + err

    code, out, err = live.design(capsys, "delete", str(pattern), "--yes", "-o", "json")
    assert code == 0, err + out
    for obj in prepared.objects:
        body_ns = obj.body["metadata"].get("namespace")
        assert live.get(obj.ref.api_version, obj.ref.kind, obj.ref.name, body_ns or "") is None, (
            f"{obj.ref} left behind"
        )
    by_component: dict[str, list[float]] = {}
    for e in events(out):
        if e["event"] == "deleted" and e["object"]:
            by_component.setdefault(e["component"], []).append(e["time"])
    for component, deps in prepared.dependencies.items():
        for dep in deps:
            if component in by_component and dep in by_component:
                assert max(by_component[component]) <= min(by_component[dep]), (
                    f"{dep} deleted before {component}"
                )
