"""Noise-aware comparison on real runs: a 2x slower server is a regression, a rerun is not."""

from __future__ import annotations

from typing import Any

import pytest

from designer.perf.comparing import compare, ks_distance
from designer.perf.histograms import Histogram
from designer.perf.profile import Profile, Target
from designer.perf.results import RunContext
from designer.perf.running import run_profile
from perf.perfservers import StubServer


def _run(delay_s: float, version: str) -> dict[str, Any]:
    server = StubServer(delay_s=delay_s).start()
    try:
        profile = Profile(
            name="cmp", targets=(Target(url=server.url),), rate=200, connections=10, duration_s=1.5
        )
        return run_profile(profile, RunContext(design="d", version=version))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    return {"base": _run(0.010, "1"), "rerun": _run(0.010, "1"), "slow": _run(0.020, "2")}


def test_same_server_twice_is_not_flagged(runs: dict[str, dict[str, Any]]) -> None:
    result = compare(runs["base"], runs["rerun"])
    assert result.verdict == "no significant change", result.as_json()
    assert result.warnings == []  # same comparability key


def test_two_times_slower_server_is_a_regression(runs: dict[str, dict[str, Any]]) -> None:
    result = compare(runs["base"], runs["slow"], ignore_key=("version",))
    assert result.verdict == "regression", result.as_json()
    assert result.ks_distance > 0.9
    assert result.percentiles["p50"]["change"] > 0.5 and result.shift > 0.5
    assert result.warnings == []
    # and the other way round it is an improvement
    assert compare(runs["slow"], runs["base"], ignore_key=("version",)).verdict == "improvement"


def test_key_differences_are_warned(runs: dict[str, dict[str, Any]]) -> None:
    result = compare(runs["base"], runs["slow"])
    assert any("version differs" in w for w in result.warnings)


def test_saturated_runs_are_not_comparable(runs: dict[str, dict[str, Any]]) -> None:
    saturated = {**runs["rerun"], "saturated": True}
    result = compare(runs["base"], saturated)
    assert result.verdict == "not comparable"


def test_ks_distance_bounds() -> None:
    a, b, c = Histogram(), Histogram(), Histogram()
    a.record_many([1000, 2000, 3000] * 10)
    b.record_many([1000, 2000, 3000] * 20)
    c.record_many([50_000] * 10)
    assert ks_distance(a, b) == pytest.approx(0.0, abs=1e-9)
    assert ks_distance(a, c) == pytest.approx(1.0)
