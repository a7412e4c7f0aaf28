"""Performance profiles: load generation, latency statistics, SLO gates, history and comparison.

Layout (callers: designer/cli/perf.py, and the apply engine through `designer.perf.running`):

- `profile`: the `PerformanceProfile` settings as a typed `Profile` (and duration parsing).
- `engine/`: load generators that each return a `measurement.Measurement`: the built-in asyncio
  engine (`connection`, `builtin`, `workers`), external tools (`wrk`, `hey`, `fortio`, run through
  `tools`), and `select.run_engine` to pick one by name.
- `histograms`: the only importer of hdrh; HDR histograms in microseconds, encode/decode/merge.
- `results`: the native result record; `exporting`: SMP and Fortio-shaped JSON.
- `slo`: k6-style SLO expressions, evaluated against a stored record.
- `history`: SQLite result store; `comparing`: noise-aware comparison; `charts`: SVG reports (pygal).
- `running`: runs a profile, or all profiles of a design, end to end (`run_design_profiles`).
"""
