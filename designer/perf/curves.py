"""Latency-by-percentile curves of a result: the points `design perf report` charts and `design ui` draws.

Apart from designer.perf.charts (the only importer of pygal) so that a caller that only needs the
numbers (designer.ui.api_perf) does not load a charting library.
"""

from __future__ import annotations

from designer.perf.histograms import Histogram
from designer.perf.results import Record

CURVE_POINTS: tuple[tuple[str, float], ...] = (
    ("p50", 50.0),
    ("p75", 75.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99.9", 99.9),
    ("p99.99", 99.99),
    ("max", 100.0),
)


def curve(hist: Histogram) -> list[float | None]:
    """Latency in ms at each of CURVE_POINTS (None for an empty histogram), at least 1 µs so a log
    scale never meets a zero."""
    if hist.count == 0:
        return [None for _ in CURVE_POINTS]
    return [max(hist.percentile_us(pct) / 1000.0, 0.001) for _, pct in CURVE_POINTS]


def record_curves(record: Record) -> dict[str, list[float | None]]:
    """The corrected curve of a stored record, and the raw one when latency was CO-corrected."""
    hists = record["histograms"]
    curves = {"corrected": curve(Histogram.decode(hists["corrected"]))}
    if record.get("co_corrected") and hists.get("raw"):
        curves["raw"] = curve(Histogram.decode(hists["raw"]))
    return curves
