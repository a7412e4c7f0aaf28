"""SVG charts of perf results (the only importer of pygal): percentile curves and history.

`write_report` writes ``latency-percentiles.svg`` (one corrected curve per run, raw dashed, on a log
scale so the tail is visible) and ``history.svg`` (p50/p90/p99/p99.9 per run over time, each run
labelled with its version and achieved rate). Charts embed no scripts, so they open offline in any browser.
Caller: designer/cli/perf.py (`design perf report`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pygal
from pygal.style import DefaultStyle, Style

from designer.errors import ProfileError
from designer.perf.curves import CURVE_POINTS, curve
from designer.perf.histograms import Histogram
from designer.perf.results import Record

# pygal appends a legacy finder (no find_spec) to sys.meta_path for its map plugins, which we do not
# use; after that every new import in the process emits an ImportWarning. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def _config(title: str, colors: Sequence[str] | None = None) -> pygal.Config:
    config = pygal.Config()
    config.title = title
    config.js = []  # no CDN fetch: the SVG must work offline
    config.width = 1000
    config.height = 520
    config.style = Style(colors=tuple(colors)) if colors else DefaultStyle
    config.formatter = lambda value: f"{value:,.4g}"
    config.legend_at_bottom = True
    config.legend_at_bottom_columns = 2
    config.truncate_legend = 60
    config.truncate_label = 40
    config.x_label_rotation = 0
    return config


def label(record: Record) -> str:
    """A short legend name: id plus version/mesh when known."""
    extra = " ".join(str(record[k]) for k in ("version", "mesh") if record.get(k))
    return f"{record['id']} {extra}".strip()


def percentile_chart(records: Sequence[Record]) -> str:
    """Latency by percentile for each run (corrected solid, raw dashed), log-scaled."""
    # one colour per run: its corrected (solid) and raw (dashed) curves share it
    colors = [
        c
        for i, r in enumerate(records)
        for c in [_PALETTE[i % len(_PALETTE)]] * (2 if r.get("co_corrected") else 1)
    ]
    chart = pygal.Line(_config("Latency by percentile (ms, log scale)", colors), logarithmic=True)
    chart.x_labels = [name for name, _ in CURVE_POINTS]
    chart.y_title = "latency (ms)"
    for record in records:
        hists = record["histograms"]
        corrected = Histogram.decode(hists["corrected"])
        chart.add(f"{label(record)} corrected", curve(corrected))
        if record.get("co_corrected"):
            raw = Histogram.decode(hists["raw"])
            chart.add(f"{label(record)} raw", curve(raw), stroke_style={"dasharray": "6, 4"})
    return str(chart.render(is_unicode=True))


def history_chart(records: Sequence[Record]) -> str:
    """Corrected percentiles of each run over time, oldest first; labels carry version and rate."""
    ordered = sorted(records, key=lambda r: r["start_time"])
    title = "Latency history (ms, corrected); labels: time, version, achieved req/s"
    chart = pygal.Line(_config(title), logarithmic=False)
    chart.x_labels = [_history_label(r) for r in ordered]
    chart.x_label_rotation = 30
    chart.y_title = "latency (ms)"
    for key, name in (("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p99_9", "p99.9")):
        chart.add(name, [r["latency_ms"][key] for r in ordered])
    return str(chart.render(is_unicode=True))


def _history_label(record: Record) -> str:
    start = record["start_time"]
    parts = [f"{start[5:10]} {start[11:19]}", str(record.get("version") or "")]
    parts.append(f"{record['achieved_rate']:,.0f}/s" + (" SAT" if record.get("saturated") else ""))
    return " ".join(p for p in parts if p)


def write_report(records: Sequence[Record], out_dir: Path) -> list[Path]:
    """Write both charts into ``out_dir``; returns the files written."""
    if not records:
        raise ProfileError("no perf results to chart", hint="run design perf run first, or widen the filter")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        curves = out_dir / "latency-percentiles.svg"
        curves.write_text(percentile_chart(records[:8]), encoding="utf-8")
        history = out_dir / "history.svg"
        history.write_text(history_chart(records), encoding="utf-8")
    except OSError as exc:
        raise ProfileError(
            f"cannot write the report to {out_dir}: {exc}", hint="choose another --out"
        ) from exc
    return [curves, history]
