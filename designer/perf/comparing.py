"""Noise-aware comparison of two runs, from their full latency histograms.

A single percentile moves between two runs of the same server; what matters is whether the whole
distribution shifted, and by enough to care. The verdict needs both:

1. a two-sample Kolmogorov–Smirnov test on the corrected-latency histograms (D above the critical
   value at α = 0.001 *and* at least ``min_distance``), and
2. a minimum effect size: the typical relative shift of the deciles (the median of the relative
   changes of p10 … p90) is at least ``min_effect`` (default 10 %). One noisy percentile cannot
   carry the verdict: on a shared machine a rerun of the same server moves its p90 by 50 %.

Closed-loop runs also compare throughput. Saturated runs, and runs whose comparability keys
differ, are flagged so nobody reads apples against oranges. Caller: designer/cli/perf.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from designer.perf.histograms import Histogram
from designer.perf.results import Record

KS_ALPHA_COEFFICIENT = 1.949  # c(α) for α = 0.001: D_crit = c * sqrt((n + m) / (n * m))
POINTS = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99_9", 99.9))


@dataclass(kw_only=True)
class Comparison:
    """The outcome: a verdict plus the evidence behind it."""

    baseline: str
    candidate: str
    verdict: str  # "regression" | "improvement" | "no significant change" | "not comparable"
    ks_distance: float
    ks_critical: float
    percentiles: dict[str, dict[str, float]]
    rate_change: float | None
    shift: float
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of `design perf compare --output json`."""
        return {
            "schema_version": 1,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "verdict": self.verdict,
            "ks_distance": round(self.ks_distance, 4),
            "ks_critical": round(self.ks_critical, 4),
            "percentiles_ms": self.percentiles,
            "rate_change": self.rate_change,
            "shift": self.shift,
            "reasons": self.reasons,
            "warnings": self.warnings,
        }


def ks_distance(a: Histogram, b: Histogram) -> float:
    """The largest gap between the two empirical CDFs (0 = identical, 1 = disjoint)."""
    if a.count == 0 or b.count == 0:
        return 0.0
    dist_a, dist_b = dict(a.distribution()), dict(b.distribution())
    cdf_a = cdf_b = 0.0
    best = 0.0
    for value in sorted(set(dist_a) | set(dist_b)):
        cdf_a += dist_a.get(value, 0) / a.count
        cdf_b += dist_b.get(value, 0) / b.count
        best = max(best, abs(cdf_a - cdf_b))
    return best


def decile_shift(a: Histogram, b: Histogram) -> float:
    """Median over p10 … p90 of the relative change from ``a`` to ``b`` (a robust location shift)."""
    changes = sorted(
        _change(a.percentile_us(pct) / 1000, b.percentile_us(pct) / 1000) for pct in range(10, 100, 10)
    )
    return changes[len(changes) // 2]


def compare(
    baseline: Record,
    candidate: Record,
    *,
    min_effect: float = 0.10,
    min_distance: float = 0.10,
    ignore_key: tuple[str, ...] = (),
) -> Comparison:
    """Compare ``candidate`` against ``baseline``; ``ignore_key`` lists key fields that may differ."""
    a = Histogram.decode(baseline["histograms"]["corrected"])
    b = Histogram.decode(candidate["histograms"]["corrected"])
    distance = ks_distance(a, b)
    critical = (
        KS_ALPHA_COEFFICIENT * math.sqrt((a.count + b.count) / (a.count * b.count))
        if a.count and b.count
        else 1.0
    )
    table: dict[str, dict[str, float]] = {}
    for name, pct in POINTS:
        before, after = a.percentile_us(pct) / 1000, b.percentile_us(pct) / 1000
        table[name] = {"baseline": before, "candidate": after, "change": _change(before, after)}
    rate_change = _change(baseline["achieved_rate"], candidate["achieved_rate"])
    shift = decile_shift(a, b) if a.count and b.count else 0.0
    result = Comparison(
        baseline=baseline["id"],
        candidate=candidate["id"],
        verdict="no significant change",
        ks_distance=distance,
        ks_critical=critical,
        percentiles=table,
        rate_change=rate_change if baseline["mode"] == "closed" else None,
        shift=shift,
    )
    result.warnings.extend(_key_differences(baseline, candidate, ignore_key))
    saturated = [r["id"] for r in (baseline, candidate) if r.get("saturated")]
    if saturated or a.count == 0 or b.count == 0:
        result.verdict = "not comparable"
        result.reasons.append(
            f"saturated run(s) {', '.join(saturated)} did not hold their target rate"
            if saturated
            else "a run has no latency samples"
        )
        return result
    shifted = distance > critical and distance >= min_distance
    needs = f"needs KS D>{max(critical, min_distance):.3f} and a {min_effect:.0%} decile shift"
    if shifted and shift >= min_effect:
        result.verdict = "regression"
        result.reasons.append(
            f"latency distribution shifted up {shift:+.0%} (KS D={distance:.3f}; {needs}); "
            f"p50 {table['p50']['change']:+.0%}, p99 {table['p99']['change']:+.0%}"
        )
    elif shifted and shift <= -min_effect:
        result.verdict = "improvement"
        result.reasons.append(
            f"latency distribution shifted down {shift:+.0%} (KS D={distance:.3f}; {needs})"
        )
    else:
        result.reasons.append(f"difference within noise (shift {shift:+.0%}, KS D={distance:.3f}; {needs})")
    if (
        result.rate_change is not None
        and result.rate_change <= -min_effect
        and result.verdict != "regression"
    ):
        result.verdict = "regression"
        result.reasons.append(f"closed-loop throughput fell {result.rate_change:+.0%}")
    return result


def _change(before: float, after: float) -> float:
    if before <= 0:
        return 0.0
    return round((after - before) / before, 4)


def _key_differences(a: Record, b: Record, ignore: tuple[str, ...]) -> list[str]:
    key_a, key_b = a.get("key") or {}, b.get("key") or {}
    out = []
    for name in sorted(set(key_a) | set(key_b)):
        if name in ignore or key_a.get(name) == key_b.get(name):
            continue
        out.append(f"not apples to apples: {name} differs ({key_a.get(name)!r} vs {key_b.get(name)!r})")
    return out
