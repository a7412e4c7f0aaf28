"""wrk (wg/wrk) as a load generator: closed loop only, results from a Lua ``done()`` reporter.

wrk has no rate option and prints no machine-readable output; its maintainer's answer is the Lua
``done(summary, latency, requests)`` hook. We write a reporter script to a temp file that prints
one JSON line with counts and a percentile spectrum (µs), and rebuild an approximate histogram
from the spectrum. Caller: `designer.perf.engine.select`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from designer.errors import ProfileError
from designer.perf.engine import tools
from designer.perf.histograms import Histogram
from designer.perf.measurement import Measurement
from designer.perf.profile import Profile

MARKER = "DESIGNER_JSON "

_REPORTER = """
done = function(summary, latency, requests)
  local points = {}
  for i = 1, 99 do
    points[#points + 1] = string.format("[%d,%d]", i, latency:percentile(i))
  end
  for _, q in ipairs({99.5, 99.9, 99.99, 100}) do
    points[#points + 1] = string.format("[%g,%d]", q, latency:percentile(q))
  end
  local e = summary.errors
  io.write(string.format(
    "DESIGNER_JSON {\\"duration_us\\":%d,\\"requests\\":%d,\\"bytes\\":%d," ..
    "\\"errors\\":{\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}," ..
    "\\"latency\\":{\\"min\\":%d,\\"max\\":%d,\\"mean\\":%f,\\"stdev\\":%f,\\"percentiles\\":[%s]}}\\n",
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(points, ",")))
end
"""


def reporter_script(profile: Profile) -> str:
    """The Lua script: request shape (method, headers, body) plus the JSON reporter."""
    lines = [f"wrk.method = {_lua(profile.method)}"]
    if profile.body:
        lines.append(f"wrk.body = {_lua(profile.body.decode('latin-1'))}")
    lines.extend(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in profile.headers.items())
    return "\n".join(lines) + "\n" + _REPORTER


def command(binary: str, profile: Profile, script: Path) -> list[str]:
    """The wrk command line for a profile (closed loop)."""
    threads = max(1, min(os.cpu_count() or 1, profile.connections))
    return [
        binary,
        f"-t{threads}",
        f"-c{profile.connections}",
        f"-d{max(1, math.ceil(profile.duration_s))}s",
        f"--timeout={max(1, math.ceil(profile.timeout_s))}s",
        "-s",
        str(script),
        profile.urls[0],
    ]


def run(profile: Profile) -> Measurement:
    """Run wrk for a closed-loop profile."""
    if profile.rate is not None:
        raise ProfileError(
            "wrk has no rate option: it only runs closed loop",
            hint="add --closed (or concurrency: in the profile), or use --engine builtin or hey for a rate",
        )
    binary = tools.find("wrk")
    warnings = []
    if len(profile.urls) > 1:
        warnings.append(f"wrk takes one URL; only {profile.urls[0]} was loaded")
    if profile.warmup_s:
        warnings.append("wrk has no warm-up; the warm-up period was not excluded")
    with tempfile.TemporaryDirectory(prefix="designer-wrk-") as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(reporter_script(profile))
        started = time.time()
        done = tools.run(
            command(binary, profile, script), timeout_s=profile.duration_s + profile.timeout_s + 30
        )
    measurement = parse(done.stdout, connections=profile.connections, start_time=started)
    measurement.engine_version = tools.version(binary, "-v")
    measurement.cpu_s = done.cpu_s
    measurement.warnings.extend(warnings)
    return measurement


def parse(stdout: str, *, connections: int, start_time: float) -> Measurement:
    """Turn wrk's output (with our reporter's JSON line) into a Measurement."""
    data = _report(stdout)
    latency = data["latency"]
    errors = data["errors"]
    requests = int(data["requests"])
    points = spectrum(latency)
    hist = Histogram.from_percentiles(points, requests)
    failed = Counter(
        {
            "connect": int(errors["connect"]),
            "read": int(errors["read"]) + int(errors["write"]),
            "timeout": int(errors["timeout"]),
            "status": int(errors["status"]),
        }
    )
    return Measurement(
        engine="wrk",
        engine_version="",
        mode="closed",
        co_corrected=False,
        target_rate=None,
        connections=connections,
        start_time=start_time,
        elapsed_s=int(data["duration_us"]) / 1e6,
        sent=requests + failed["read"] + failed["timeout"],
        completed=requests,
        errors=+failed,
        bytes_received=int(data["bytes"]),
        corrected=hist,
        raw=Histogram.from_percentiles(points, requests),
        histogram_source="percentiles",
    )


def spectrum(latency: dict[str, Any]) -> list[tuple[float, float]]:
    """wrk's percentile points, made consistent with its own min and max.

    wrk's ``latency:percentile(100)`` answers 0 (its HDR lookup runs past the last bucket), which
    would put a share of the requests at zero latency and make min 0.001 ms and skew comparisons.
    Every value is kept within [min, max] and non-decreasing, and the 100th percentile is the max.
    The lowest point is the min, so the histogram's min is wrk's.
    """
    low, high = float(latency["min"]), float(latency["max"])
    points = [(0.0, low)]
    floor = low
    for pct, value in sorted((float(p), float(v)) for p, v in latency["percentiles"]):
        value = high if pct >= 100.0 else min(max(float(value), floor), high)
        points.append((pct, value))
        floor = value
    return points


def _report(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            try:
                data: dict[str, Any] = json.loads(line[len(MARKER) :])
            except json.JSONDecodeError as exc:
                raise ProfileError(
                    "wrk's reporter printed invalid JSON", hint="report this as a bug"
                ) from exc
            return data
    raise ProfileError(
        "wrk printed no result line", hint="wrk may be too old for Lua done() hooks; try --engine builtin"
    )


def _lua(text: str) -> str:
    """A Lua string literal; every non-printable or quote character escaped as \\ddd."""
    out = []
    for char in text:
        code = ord(char)
        if 32 <= code < 127 and char not in '"\\':
            out.append(char)
        else:
            out.extend(f"\\{b:03d}" for b in char.encode("utf-8"))
    return '"' + "".join(out) + '"'
