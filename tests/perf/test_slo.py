"""SLO parsing and evaluation against result records (pure functions, no load)."""

from __future__ import annotations

import pytest

from designer.errors import ProfileError
from designer.perf import slo
from designer.perf.histograms import Histogram

RECORD = {
    "target_rate": 1000.0,
    "achieved_rate": 990.0,
    "sent": 1000,
    "requests": 995,
    "errors": 5,
    "dropped": 0,
    "latency_ms": {
        "min": 0.1,
        "mean": 2.0,
        "p50": 1.5,
        "p90": 3.0,
        "p99": 240.0,
        "p99_9": 300.0,
        "max": 400.0,
    },
    "raw_latency_ms": {"p50": 1.0, "p99": 4.0},
}


@pytest.mark.parametrize(
    ("expr", "passed"),
    [
        ("p(99) < 250ms", True),
        ("p(99)<200", False),
        ("p(99) < 0.25s", True),
        ("p(99.9) <= 300ms", True),
        ("raw_p(99) < 5ms", True),
        ("avg < 2ms", False),
        ("med == 1.5", True),
        ("max < 500000us", True),
        ("error_rate < 1%", True),
        ("error_rate < 0.004", False),
        ("rate >= 0.95 * target", True),
        ("rate >= 99.5% target", False),
        ("rate > target", False),
        ("rate >= 900", True),
        ("errors == 5", True),
        ("dropped != 0", False),
    ],
)
def test_evaluate(expr: str, passed: bool) -> None:
    (verdict,) = slo.evaluate([expr], RECORD)
    assert verdict.passed is passed, verdict


def test_observed_and_threshold_are_reported() -> None:
    (verdict,) = slo.evaluate(["rate >= 0.95 * target"], RECORD)
    assert verdict.observed == 990.0 and verdict.threshold == 950.0


def test_percentile_not_in_the_summary_comes_from_the_histogram() -> None:
    hist = Histogram()
    hist.record_many(range(1000, 101000, 1000))  # 1 .. 100 ms
    record = {**RECORD, "histograms": {"corrected": hist.encode()}}
    (verdict,) = slo.evaluate(["p(80) < 81ms"], record)
    assert verdict.passed and 79 <= (verdict.observed or 0) <= 81


def test_relative_rate_without_target_fails_instead_of_passing() -> None:
    (verdict,) = slo.evaluate(["rate >= 0.9 * target"], {**RECORD, "target_rate": None})
    assert verdict.passed is False and verdict.threshold is None


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("p99 < 3", "unknown metric 'p99'"),
        ("p(99) < fast", "is not a duration"),
        ("error_rate < 2ms", "fraction or a percentage"),
        ("latency", "cannot parse SLO"),
    ],
)
def test_bad_expressions_are_profile_errors(expr: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as info:
        slo.parse(expr)
    assert info.value.hint
