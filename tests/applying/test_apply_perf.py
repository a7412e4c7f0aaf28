"""`design apply --perf`: the design's PerformanceProfiles run once everything is applied and ready.

Real parts only: the sandbox API emulator for the cluster and an asyncio HTTP server on 127.0.0.1 as
the load target (the sandbox runs no containers, so the profile targets the server by URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.applying.livetools import events, live_sandbox
from tests.perf.perfservers import StubServer

DESIGN = """\
apiVersion: designer/v1
kind: Design
metadata: {name: measured}
components:
  - {name: measured, kind: Namespace, apiVersion: v1}
  - name: config
    kind: ConfigMap
    apiVersion: v1
    namespace: measured
    settings: {data: {mode: fast}}
  - name: load
    kind: PerformanceProfile
    apiVersion: designer/v1
    settings:
      targets: [{url: "%(url)s"}]
      rate: 200
      connections: 4
      duration: 1s
      slos: ["%(slo)s"]
"""


@pytest.fixture
def server() -> Iterator[StubServer]:
    stub = StubServer().start()
    yield stub
    stub.stop()


def write(tmp_path: Path, url: str, slo: str) -> Path:
    path = tmp_path / "design.yaml"
    path.write_text(DESIGN % {"url": url, "slo": slo})
    return path


def test_profiles_run_after_apply_and_their_slos_gate_the_exit_code(
    tmp_path: Path, server: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with live_sandbox(tmp_path / "sb") as live:
        code, out, err = live.design(
            capsys,
            "apply",
            str(write(tmp_path, server.url, "error_rate < 1%")),
            "--yes",
            "--perf",
            "-o",
            "json",
        )
        assert code == 0, err
        lines = events(out)
        kinds = [line["event"] for line in lines]
        assert kinds.index("perf") > kinds.index("summary")  # load only after the apply finished
        record = next(line for line in lines if line["event"] == "perf")
        assert record["profile"] == "load" and record["requests"] >= 150
        assert record["slo_passed"] is True
        assert server.requests == record["requests"]
        assert live.sandbox.get("v1", "ConfigMap", "config", "measured") is not None

        code, out, _ = live.design(
            capsys,
            "apply",
            str(write(tmp_path, server.url, "p(50) < 0.001ms")),
            "--yes",
            "--perf",
            "-o",
            "json",
        )
        assert code == 1  # applied fine (nothing changed), but the SLO failed
        record = next(line for line in events(out) if line["event"] == "perf")
        assert record["slo_passed"] is False


def test_without_perf_no_load_is_sent(
    tmp_path: Path, server: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with live_sandbox(tmp_path / "sb") as live:
        code, _, err = live.design(
            capsys, "apply", str(write(tmp_path, server.url, "error_rate < 1%")), "--yes"
        )
        assert code == 0, err
        assert server.requests == 0
