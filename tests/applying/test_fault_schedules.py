"""Property-based fault injection: random fault schedules over a design's requests, then invariants.

Hypothesis draws a schedule (which requests fail, how, how often: 5xx, 429 with Retry-After, a
stale 409, connection resets, lost answers, stalls past the client's timeout, slow answers, a custom
group's discovery answering 404) and the run's flags; the run is apply (v1 → v2, with --prune, with
or without --rollback-on-failure), delete, or diff against a sandbox holding v1. Whatever happens,
the invariants of faultkit.py must hold: honest exit codes, nothing orphaned, rollback leaves the
cluster as before (or says it could not), and a clean re-run converges.

Examples per property: DESIGNER_FAULT_EXAMPLES (default 15; each example is a fresh sandbox and a
few CLI runs, about a second), so a longer soak is `DESIGNER_FAULT_EXAMPLES=300 pytest -k schedules`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.sandbox.faults import Drop
from tests.applying.faultkit import (
    REQUEST_TIMEOUT,
    Bench,
    Content,
    bench,
    check_honest,
    check_nothing_orphaned,
    summary,
    write_design,
)
from tests.crds import crd_body

EXAMPLES = int(os.environ.get("DESIGNER_FAULT_EXAMPLES", "15"))
# pytest-timeout bounds the whole property (all its examples), so it grows with them
pytestmark = pytest.mark.timeout(max(300, EXAMPLES * 8))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

OBJECTS = [
    "/api/v1/namespaces/shop",
    "/api/v1/namespaces/shop/configmaps/config",
    "/api/v1/namespaces/shop/configmaps/flags",
    "/api/v1/namespaces/shop/configmaps/legacy",
    "/api/v1/namespaces/shop/secrets/creds",
    "/apis/apps/v1/namespaces/shop/deployments/api",
    "/api/v1/namespaces/shop/services/api-svc",
    "/api/v1/namespaces/default/configmaps/designer-inventory-shop",
]
DISCOVERY = ["/api/v1", "/apis/apps/v1", "/apis/example.com/v1"]


@dataclass(frozen=True)
class Planned:
    """One fault of a schedule (see designer.sandbox.faults.Fault)."""

    method: str | None
    path: str
    status: int | None
    drop: Drop | None
    delay: float
    retry_after: float | None
    times: int
    exact: bool

    def inject(self, b: Bench) -> None:
        b.sandbox.inject_fault(
            self.method,
            self.path,
            self.status,
            drop=self.drop,
            delay=self.delay,
            retry_after=self.retry_after,
            times=self.times,
            exact=self.exact,
        )


@st.composite
def object_faults(draw: st.DrawFn) -> Planned:
    kind = draw(st.sampled_from(["500", "503", "504", "429", "409", "reset", "lost", "stall", "slow"]))
    status: int | None = None
    drop: Drop | None = None
    delay = 0.0
    retry_after = None
    if kind in ("500", "503", "504", "409"):
        status = int(kind)
    elif kind == "429":
        status, retry_after = 429, draw(st.sampled_from([0.05, 0.2]))
    elif kind == "reset":
        drop = "before"
    elif kind == "lost":
        drop = "after"
    elif kind == "stall":  # past the client's timeout, then the connection dies: nothing written
        delay, drop = REQUEST_TIMEOUT * 1.2, "before"
    else:
        delay = 0.2  # slow, but answered in time
    slow = kind in ("stall", "slow")
    return Planned(
        method=draw(st.sampled_from(["GET", "PATCH", "DELETE", None])),
        path=draw(st.sampled_from(OBJECTS)),
        status=status,
        drop=drop,
        delay=delay,
        retry_after=retry_after,
        times=1 if slow else draw(st.integers(1, 5)),
        exact=False,
    )


@st.composite
def discovery_faults(draw: st.DrawFn) -> Planned:
    status, drop = draw(st.sampled_from([(404, None), (503, None), (None, "before")]))
    return Planned(
        "GET", draw(st.sampled_from(DISCOVERY)), status, drop, 0.0, None, draw(st.integers(1, 4)), True
    )


SCHEDULES = st.lists(st.one_of(object_faults(), object_faults(), discovery_faults()), min_size=1, max_size=4)


_EXPECTED: dict[str, Content] = {}


def expected(tmp: Path, version: str, capsys: pytest.CaptureFixture[str]) -> Content:
    """The state a clean apply of ``version`` leaves (computed once, on a sandbox of its own)."""
    if version not in _EXPECTED:
        with bench(tmp / f"expected-{version}") as clean:
            code, out, _ = apply(clean, capsys, version)
            assert code == 0, out[-2000:]
            _EXPECTED[version] = clean.state()
    return _EXPECTED[version]


def apply(b: Bench, capsys: pytest.CaptureFixture[str], version: str, *flags: str) -> tuple[int, str, str]:
    return b.design(capsys, "apply", str(write_design(b.directory, version)), "--yes", "-o", "json", *flags)


@contextmanager
def holding_v1(tmp: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Bench]:
    """A fresh sandbox with v1 applied, and a CRD of another team (its group can fail)."""
    with bench(tmp / f"run-{time.monotonic_ns()}") as b:
        b.sandbox.call(lambda: None)
        code, out, _ = apply(b, capsys, "v1")
        assert code == 0, out[-2000:]
        _install_widgets(b, capsys)
        b.sandbox.recorder.clear()
        yield b


def _install_widgets(b: Bench, capsys: pytest.CaptureFixture[str]) -> None:
    path = b.directory / "widgets.yaml"
    crd = crd_body("example.com", "Widget", "widgets")
    import yaml

    path.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: widgets}\ncomponents:\n"
        + "  - {name: widgets, kind: CustomResourceDefinition, apiVersion: apiextensions.k8s.io/v1, "
        + f"settings: {yaml.safe_dump({'spec': crd['spec']}, default_flow_style=True).strip()}}}\n"
    )
    code, out, _ = b.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, out[-2000:]


def converge(b: Bench, capsys: pytest.CaptureFixture[str], version: str, want: Content) -> None:
    """A clean re-run applies ``version`` exactly; diff then has nothing to do."""
    b.settle()
    b.sandbox.recorder.clear()
    code, out, err = apply(b, capsys, version, "--prune")
    assert code == 0, (out[-3000:], err[-2000:])
    assert b.state() == want
    assert set(b.state()) == set(b.inventory() or ())
    code, out, _ = b.design(capsys, "diff", str(write_design(b.directory, version)), "--exit-code")
    assert code == 0, out[-3000:]


@SETTINGS
@given(schedule=SCHEDULES, rollback=st.booleans())
def test_apply_under_random_faults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schedule: list[Planned], rollback: bool
) -> None:
    want_v2 = expected(tmp_path, "v2", capsys)
    with holding_v1(tmp_path, capsys) as b:
        before = b.state()
        for fault in schedule:
            fault.inject(b)
        flags = ["--prune", *(["--rollback-on-failure"] if rollback else [])]
        code, out, err = apply(b, capsys, "v2", *flags)
        b.settle()
        check_honest(code, err)
        b.sandbox.recorder.clear()  # what is left of the schedule must not hit the checks below
        if code == 0:
            assert b.state() == want_v2
        elif code == 3:  # the plan could not be made: nothing was written
            assert b.state() == before
        else:
            _check_failed_run(b, summary(out), rollback, before, want_v2)
        check_nothing_orphaned(b)
        converge(b, capsys, "v2", want_v2)


def _check_failed_run(
    b: Bench, result: dict[str, Any], rollback: bool, before: Content, want: Content
) -> None:
    """After exit 1: "the design applied or the cluster as it was before", as the summary says."""
    failures = result["failures"]
    messages = [f["message"] for f in failures]
    if any(m.startswith("nothing was applied") for m in messages):
        assert b.state() == before, failures
        return
    if result["uncertain"] or any(m.startswith("rollback failed") for m in messages):
        return  # said so: the user is told which objects may be as the run left them
    if all(f["component"] in ("(prune)", "(inventory)") for f in failures):
        # applied and ready; only pruning a leftover or the final record failed: the design is applied
        state = b.state()
        assert {ref: state.get(ref) for ref in want} == want, failures
        return
    if rollback:
        assert b.state() == before, failures


@SETTINGS
@given(schedule=SCHEDULES)
def test_delete_under_random_faults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schedule: list[Planned]
) -> None:
    with holding_v1(tmp_path, capsys) as b:
        for fault in schedule:
            fault.inject(b)
        path = str(write_design(b.directory, "v1"))
        code, out, err = b.design(capsys, "delete", path, "--yes", "-o", "json")
        b.settle()
        check_honest(code, err)
        b.sandbox.recorder.clear()
        if code == 0:
            assert b.state() == {} and b.inventory() is None
            assert b.sandbox.get("v1", "Namespace", "shop") is None
        else:
            check_nothing_orphaned(b)
        code, out, _ = b.design(capsys, "delete", path, "--yes", "-o", "json")
        assert code == 0, out[-3000:]
        assert b.state() == {} and b.inventory() is None


@SETTINGS
@given(schedule=SCHEDULES)
def test_diff_under_random_faults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schedule: list[Planned]
) -> None:
    with holding_v1(tmp_path, capsys) as b:
        before = b.state()
        for fault in schedule:
            fault.inject(b)
        code, _, err = b.design(capsys, "diff", str(write_design(b.directory, "v2")), "--exit-code")
        b.settle()
        check_honest(code, err)
        assert code in (1, 3), "v2 differs from v1: diff must say so, or say it could not tell"
        assert not b.sandbox.recorder.writes(dry_run=False), "diff wrote to the cluster"
        assert b.state() == before
