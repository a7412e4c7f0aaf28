"""Fault injection against apply, rollback, prune, delete and diff (issue 13, "Faults"): one test per
kind of fault, each checking that exit codes are honest, nothing is lost or orphaned, a clean re-run
converges, and rollback leaves the cluster as it was (see faultkit.py for the invariants).

The random fault schedules over a whole run are in test_fault_schedules.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.model import ObjectRef
from tests.applying.faultkit import (
    ATTEMPTS,
    REQUEST_TIMEOUT,
    Bench,
    bench,
    check_honest,
    check_nothing_orphaned,
    events,
    summary,
    write_design,
)
from tests.crds import crd_body

CONFIG = "/api/v1/namespaces/shop/configmaps/config"
DEPLOYMENT = "/apis/apps/v1/namespaces/shop/deployments/api"
WIDGETS = "/apis/example.com/v1"
INVENTORY = "/api/v1/namespaces/default/configmaps/designer-inventory-shop"
NAMESPACE = ObjectRef("v1", "Namespace", None, "shop")


@pytest.fixture
def b(tmp_path: Path) -> Iterator[Bench]:
    with bench(tmp_path / "sandbox") as running:
        yield running


def _apply(b: Bench, capsys: pytest.CaptureFixture[str], version: str, *flags: str) -> tuple[int, str, str]:
    return b.design(capsys, "apply", str(write_design(b.directory, version)), "--yes", "-o", "json", *flags)


def _converges(b: Bench, capsys: pytest.CaptureFixture[str], version: str) -> None:
    """A clean re-run (no faults) applies ``version`` exactly; diff then shows nothing to do."""
    b.sandbox.recorder.clear()
    code, out, err = _apply(b, capsys, version, "--prune")
    assert code == 0, (out[-3000:], err[-2000:])
    code, out, err = b.design(capsys, "diff", str(write_design(b.directory, version)), "--exit-code")
    assert code == 0, out[-3000:]
    assert set(b.state()) == set(b.inventory() or ())


def _install_widgets(b: Bench) -> None:
    """A CRD of another team (not in the design): its group can vanish under designer."""
    from designer.cluster.kube import KubeCluster
    from designer.cluster.kubeconfig import load_client

    settings = load_client(b.kubeconfig)
    with KubeCluster(settings.api_client, context_name="setup") as cluster:
        cluster.apply(crd_body("example.com", "Widget", "widgets"))
    deadline = time.monotonic() + 5
    while b.sandbox.table.for_kind("example.com/v1", "Widget") is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)


# -- a vanishing API group (issue 13.5) -------------------------------------------------------------


@pytest.mark.parametrize("times", [2, 1000], ids=["for-a-moment", "lasting"])
def test_delete_removes_the_namespace_while_another_group_answers_404(
    b: Bench, capsys: pytest.CaptureFixture[str], times: int
) -> None:
    _install_widgets(b)
    assert _apply(b, capsys, "v1")[0] == 0
    b.sandbox.inject_fault("GET", WIDGETS, 404, exact=True, times=times)
    code, out, err = b.design(capsys, "delete", str(write_design(b.directory, "v1")), "--yes", "-o", "json")
    check_honest(code, err)
    assert code == 0, out[-3000:]
    assert b.sandbox.get("v1", "Namespace", "shop") is None, "delete left the Namespace"
    assert b.state() == {} and b.inventory() is None
    assert summary(out)["deleted"] == 6


@pytest.mark.parametrize("command", ["apply", "diff"])
def test_core_kinds_are_found_while_another_group_answers_404(
    b: Bench, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    _install_widgets(b)
    b.sandbox.inject_fault("GET", WIDGETS, 404, exact=True, times=1000)
    args = ["--yes", "-o", "json"] if command == "apply" else []
    code, out, err = b.design(capsys, command, str(write_design(b.directory, "v1")), *args)
    check_honest(code, err)
    assert "no kind" not in out + err
    assert code == 0, out[-3000:] + err[-2000:]
    if command == "apply":
        assert set(b.state()) == set(b.inventory() or ())
        assert len(b.state()) == 6


def test_a_lasting_404_on_the_designs_own_group_fails_delete_honestly(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    """The design has a Widget: while its group answers 404, delete cannot know it is gone."""
    _install_widgets(b)
    widget = (
        "  - {name: gadget, kind: Widget, apiVersion: example.com/v1, namespace: shop, dependsOn: [shop]}\n"
    )
    path = write_design(b.directory, "v1", extra=widget)
    code, out, _ = b.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, out[-3000:]
    b.sandbox.inject_fault("GET", WIDGETS, 404, exact=True, times=1000)
    code, out, err = b.design(capsys, "delete", str(path), "--yes", "-o", "json")
    check_honest(code, err)
    assert code == 3  # the cluster cannot say what the design's kinds are: nothing is deleted
    assert "example.com/v1" in err and "hint:" in err
    assert len(b.state()) == 7
    b.sandbox.recorder.clear()
    code, out, _ = b.design(capsys, "delete", str(path), "--yes", "-o", "json")
    assert code == 0, out[-3000:]
    assert b.sandbox.get("v1", "Namespace", "shop") is None


# -- lost answers (issue 13.6) ----------------------------------------------------------------------


def _lose_answers(b: Bench, path: str, times: int = ATTEMPTS) -> None:
    """The next real writes to ``path`` are carried out and their answers dropped (by default as
    often as the client tries: the run's write fails, a later one, such as rollback's, gets through)."""
    b.sandbox.inject_fault("PATCH", path, None, drop="after", dry_run=False, times=times)


def _when_ready(b: Bench, component: str, *faults: tuple[str, str, int]) -> dict[str, Any]:
    """An ``after_ready`` hook injecting ``faults`` (method, path, status) once ``component`` is
    ready: after the plan's reads, before the writes of what depends on it."""

    def hook(name: str, objects: Any) -> None:
        if name == component:
            for method, path, status in faults:
                b.sandbox.inject_fault(method, path, status, times=1000)

    return {"after_ready": hook}


def test_a_write_whose_answer_is_lost_is_re_read_and_rolled_back(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    before = b.state()
    _lose_answers(b, CONFIG)
    code, out, err = _apply(b, capsys, "v2", "--rollback-on-failure")
    check_honest(code, err)
    assert code == 1
    result = summary(out)
    config = {"apiVersion": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "config"}
    applied = [e["object"] for e in events(out) if e["event"] == "applied"]
    assert config in applied, "the changed object was not counted as applied"
    assert config in [e["object"] for e in events(out) if e["event"] == "rolled_back"]
    assert result["uncertain"] == 0
    assert b.state() == before
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_rollback_whose_own_answers_are_lost_says_so(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    _lose_answers(b, CONFIG, times=1000)
    code, out, err = _apply(b, capsys, "v2", "--rollback-on-failure")
    check_honest(code, err)
    assert code == 1
    rollback = [f for f in summary(out)["failures"] if f["message"].startswith("rollback failed")]
    assert [f["object"]["name"] for f in rollback] == ["config"]
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_a_lost_answer_without_rollback_is_counted_and_converges(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    _lose_answers(b, CONFIG)
    code, out, err = _apply(b, capsys, "v2")
    check_honest(code, err)
    assert code == 1
    assert summary(out)["applied"] >= 1
    live = b.sandbox.get("v1", "ConfigMap", "config", "shop")
    assert live is not None and live["data"] == {"mode": "b"}  # the write happened
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_a_lost_answer_that_cannot_be_re_read_is_reported_as_possibly_changed(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    _lose_answers(b, CONFIG)
    code, out, err = b.design(
        capsys,
        "apply",
        str(write_design(b.directory, "v2")),
        "--yes",
        "--rollback-on-failure",
        obj=_when_ready(b, "shop", ("GET", CONFIG, 503)),
    )
    check_honest(code, err)
    assert code == 1
    assert "possibly changed: sandbox ConfigMap/shop/config" in out
    assert "rollback failed" in out and "hint: the object may still be as this run left it" in out
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_a_created_object_whose_answer_is_lost_is_recorded_then_pruned(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    """The new "flags" ConfigMap is created but its answer lost and not re-readable: it must be
    recorded in the inventory, so that going back to v1 with --prune removes it."""
    assert _apply(b, capsys, "v1")[0] == 0
    flags = "/api/v1/namespaces/shop/configmaps/flags"
    _lose_answers(b, flags)
    code, out, err = b.design(
        capsys,
        "apply",
        str(write_design(b.directory, "v2")),
        "--yes",
        "-o",
        "json",
        obj=_when_ready(b, "shop", ("GET", flags, 503)),
    )
    check_honest(code, err)
    assert code == 1 and summary(out)["uncertain"] == 1
    assert b.sandbox.get("v1", "ConfigMap", "flags", "shop") is not None
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v1")
    assert b.sandbox.get("v1", "ConfigMap", "flags", "shop") is None


# -- 5xx, 429, 409, resets, stalls ------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    b.sandbox.inject_fault("PATCH", DEPLOYMENT, 429, retry_after=0.3, dry_run=False, times=1)
    code, out, err = _apply(b, capsys, "v1")
    check_honest(code, err)
    assert code == 0, out[-3000:]
    writes = [r for r in b.sandbox.recorder.writes(dry_run=False) if r.path == DEPLOYMENT]
    assert [w.status for w in writes][:2] == [429, 201]
    assert writes[1].time - writes[0].time >= 0.3, "Retry-After was not honoured"


def test_persistent_5xx_fails_the_component_and_rollback_restores(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    before = b.state()
    b.sandbox.inject_fault("PATCH", DEPLOYMENT, 500, dry_run=False, times=1000)
    code, out, err = _apply(b, capsys, "v2", "--rollback-on-failure")
    check_honest(code, err)
    assert code == 1
    result = summary(out)
    assert result["failures"][0]["status"] == 500 and result["rolled_back"] >= 1
    assert b.state() == before
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_a_stale_409_is_reported_with_what_to_do(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    b.sandbox.inject_fault(
        "PATCH", CONFIG, 409, dry_run=False, times=1000, message="the object has been modified"
    )
    code, out, err = _apply(b, capsys, "v1")
    check_honest(code, err)
    assert code == 1
    (failure,) = summary(out)["failures"]
    assert failure["status"] == 409 and "run the command again" in failure["hint"]
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v1")


def test_connection_resets_are_retried(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (CONFIG, DEPLOYMENT, "/api/v1/namespaces/shop/services/api-svc"):
        b.sandbox.inject_fault(None, path, None, drop="before", times=2)
    code, out, err = _apply(b, capsys, "v1")
    check_honest(code, err)
    assert code == 0, out[-3000:]
    assert sum(r.dropped for r in b.sandbox.requests) == 6
    _converges(b, capsys, "v1")


def test_a_stall_beyond_the_timeout_is_retried(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    """The server hangs past the client's timeout, then the connection dies (nothing written)."""
    b.sandbox.inject_fault(
        "PATCH", DEPLOYMENT, None, delay=REQUEST_TIMEOUT * 1.5, drop="before", dry_run=False, times=1
    )
    code, out, err = _apply(b, capsys, "v1")
    check_honest(code, err)
    assert code == 0, out[-3000:]
    _converges(b, capsys, "v1")


def test_prune_that_fails_keeps_the_object_recorded(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    legacy = "/api/v1/namespaces/shop/configmaps/legacy"
    b.sandbox.inject_fault("DELETE", legacy, 503, times=1000)
    code, _, err = _apply(b, capsys, "v2", "--prune")
    check_honest(code, err)
    assert code == 1
    assert ObjectRef("v1", "ConfigMap", "shop", "legacy") in (b.inventory() or ())
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")
    assert b.sandbox.get("v1", "ConfigMap", "legacy", "shop") is None


def test_delete_with_lost_answers_and_5xx_finishes_or_says_so(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    b.sandbox.inject_fault("DELETE", DEPLOYMENT, None, drop="after", times=1)
    b.sandbox.inject_fault("DELETE", CONFIG, 503, times=1000)
    path = str(write_design(b.directory, "v1"))
    code, out, err = b.design(capsys, "delete", path, "--yes", "-o", "json")
    check_honest(code, err)
    assert code == 1
    assert b.sandbox.get("apps/v1", "Deployment", "api", "shop") is None  # its lost answer: retried, gone
    assert b.sandbox.get("v1", "ConfigMap", "config", "shop") is not None
    assert b.sandbox.get("v1", "Namespace", "shop") is not None  # waits for what is in it
    b.sandbox.recorder.clear()
    code, out, err = b.design(capsys, "delete", path, "--yes", "-o", "json")
    assert code == 0, out[-3000:]
    assert b.state() == {} and b.inventory() is None


def test_deletes_whose_answers_are_all_lost_are_decided_by_the_objects_get(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every DELETE of the ConfigMap is carried out but answered by a dropped connection: the
    delete's outcome is not known, so the object's GET says whether it is gone (it is)."""
    assert _apply(b, capsys, "v1")[0] == 0
    b.sandbox.inject_fault("DELETE", CONFIG, None, drop="after", times=1000)
    code, out, err = b.design(capsys, "delete", str(write_design(b.directory, "v1")), "--yes", "-o", "json")
    check_honest(code, err)
    assert code == 0, out[-3000:]
    assert b.state() == {} and b.inventory() is None
    assert any(r.dropped for r in b.sandbox.requests if r.method == "DELETE")


@pytest.mark.parametrize("fault", ["500", "reset", "lost"])
def test_diff_never_writes_and_never_claims_no_changes_it_could_not_see(
    b: Bench, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    b.sandbox.recorder.clear()
    if fault == "500":
        b.sandbox.inject_fault("GET", "/namespaces/shop/configmaps", 500, times=1000)
    else:
        drop = "before" if fault == "reset" else "after"
        b.sandbox.inject_fault("PATCH", CONFIG, None, drop=drop, times=1000)
    code, out, err = b.design(capsys, "diff", str(write_design(b.directory, "v2")), "--exit-code")
    check_honest(code, err)
    assert code == 3, out[-2000:]
    assert "ConfigMap" in err and "hint:" in err
    assert not b.sandbox.recorder.writes(dry_run=False)


# -- the inventory ----------------------------------------------------------------------------------


def test_an_inventory_that_cannot_be_recorded_first_stops_the_run_before_any_change(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _apply(b, capsys, "v1")[0] == 0
    before = b.state()
    b.sandbox.recorder.clear()
    b.sandbox.inject_fault("PATCH", INVENTORY, 500, dry_run=False, times=1000)
    code, out, err = _apply(b, capsys, "v2")
    check_honest(code, err)
    assert code == 1
    (failure,) = summary(out)["failures"]
    assert "nothing was applied" in failure["message"]
    assert b.state() == before
    assert not [r for r in b.sandbox.recorder.writes(dry_run=False) if r.path != INVENTORY]
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v2")


def test_a_final_inventory_write_that_fails_orphans_nothing(
    b: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run records what it will create before writing; when the final record fails, the
    created objects are still in the inventory (a later prune can find them)."""
    assert _apply(b, capsys, "v1")[0] == 0
    code, out, err = b.design(
        capsys,
        "apply",
        str(write_design(b.directory, "v2")),
        "--yes",
        "-o",
        "json",
        obj=_when_ready(b, "shop", ("PATCH", INVENTORY, 500)),
    )
    check_honest(code, err)
    assert code == 1
    assert [f["component"] for f in summary(out)["failures"]] == ["(inventory)"]
    assert b.sandbox.get("v1", "ConfigMap", "flags", "shop") is not None
    check_nothing_orphaned(b)
    b.sandbox.recorder.clear()
    _converges(b, capsys, "v1")
    assert b.sandbox.get("v1", "ConfigMap", "flags", "shop") is None


def test_rollback_of_a_first_apply_leaves_no_inventory(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    b.sandbox.inject_fault("PATCH", DEPLOYMENT, 500, dry_run=False, times=1000)
    code, out, err = _apply(b, capsys, "v1", "--rollback-on-failure")
    check_honest(code, err)
    assert code == 1 and summary(out)["rolled_back"] >= 4
    assert b.state() == {} and b.inventory() is None
