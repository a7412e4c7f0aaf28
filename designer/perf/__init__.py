"""Performance profiles: load generation, latency statistics, SLO gates, history and comparison.

Layout (callers: designer/cli/perf.py, and the apply engine through `designer.perf.running`):

- `profile`: the `PerformanceProfile` settings as a typed `Profile` (and duration/rate parsing).
- `engine/`: load generators behind one `run(plan) -> Measurement` shape: the built-in asyncio
  engine (`builtin`, `connection`, `scheduling`, `workers`) and external tools (`wrk`, `hey`, `fortio`).
- `histograms`: the only importer of hdrh; HDR histograms in microseconds, encode/decode/merge.
- `results`: the native result record; `exporting`: SMP and Fortio-shaped JSON.
- `slo`: k6-style SLO expressions, evaluated against a stored record.
- `history`: SQLite result store; `comparing`: noise-aware comparison; `charts`: SVG reports (pygal).
- `running`: runs a profile or all profiles of a design end to end.
"""
