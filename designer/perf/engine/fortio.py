"""fortio (fortio/fortio) as a load generator, read from its ``-json`` result file.

``-qps`` is fortio's total rate (split over ``-c`` goroutines); ``-qps 0`` runs at max speed.
fortio measures from the actual start of each call, so its latencies are not corrected for
coordinated omission. Its histogram has fixed buckets; we rebuild an HDR histogram from the bucket
midpoints. Caller: `designer.perf.engine.select`.
"""

from __future__ import annotations

import json
import math
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


def command(binary: str, profile: Profile, out: Path) -> list[str]:
    """The fortio command line for a profile."""
    argv = [
        binary,
        "load",
        "-json",
        str(out),
        "-qps",
        f"{profile.rate:g}" if profile.rate is not None else "0",
        "-c",
        str(profile.connections),
        "-t",
        f"{profile.duration_s:g}s",
        "-timeout",
        f"{profile.timeout_s:g}s",
    ]
    if profile.method != "GET" or profile.body:
        argv += ["-X", profile.method]
    if profile.body:
        argv += ["-payload", profile.body.decode("latin-1")]
    for name, value in profile.headers.items():
        argv += ["-H", f"{name}: {value}"]
    return [*argv, profile.urls[0]]


def run(profile: Profile) -> Measurement:
    """Run fortio for a profile."""
    binary = tools.find("fortio")
    with tempfile.TemporaryDirectory(prefix="designer-fortio-") as tmp:
        out = Path(tmp) / "result.json"
        started = time.time()
        done = tools.run(command(binary, profile, out), timeout_s=profile.duration_s + profile.timeout_s + 30)
        try:
            data = json.loads(out.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ProfileError("fortio wrote no readable JSON result", hint="run fortio by hand") from exc
    measurement = parse(data, connections=profile.connections, start_time=started)
    measurement.cpu_s = done.cpu_s
    if len(profile.urls) > 1:
        measurement.warnings.append(f"fortio takes one URL; only {profile.urls[0]} was loaded")
    return measurement


def parse(data: dict[str, Any], *, connections: int, start_time: float) -> Measurement:
    """Turn fortio's HTTPRunnerResults JSON into a Measurement."""
    try:
        hist_data = data["DurationHistogram"]
        requested = str(data.get("RequestedQPS", "max"))
        ret_codes = {int(code): int(n) for code, n in (data.get("RetCodes") or {}).items()}
        duration_s = float(data["ActualDuration"]) / 1e9
        count = int(hist_data["Count"])
        buckets = hist_data.get("Data") or []
        hist = Histogram()
        for bucket in buckets:
            start, end = float(bucket["Start"]), float(bucket["End"])
            hist.record(round((start + end) / 2 * 1e6), int(bucket["Count"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(
            "fortio's JSON result has an unexpected shape", hint="use --engine builtin"
        ) from exc
    target: float | None
    try:
        target = float(requested)
    except ValueError:
        target = None
    if target is not None and (target <= 0 or math.isinf(target)):
        target = None
    status_errors = sum(n for code, n in ret_codes.items() if code >= 400 or code <= 0)
    raw = Histogram()
    raw.merge(hist)
    return Measurement(
        engine="fortio",
        engine_version=f"fortio {data.get('Version', '')}".strip(),
        mode="open" if target is not None else "closed",
        co_corrected=False,
        target_rate=target,
        connections=int(data.get("NumThreads") or connections),
        start_time=start_time,
        elapsed_s=duration_s,
        sent=count,
        completed=count,
        dropped=max(0, round(target * duration_s) - count) if target is not None else 0,
        errors=Counter({"status": status_errors}) if status_errors else Counter(),
        status_codes=Counter({code: n for code, n in ret_codes.items() if code > 0}),
        bytes_received=int((data.get("Sizes") or {}).get("Sum", 0)),
        corrected=hist,
        raw=raw,
        histogram_source="buckets",
        warnings=[
            "fortio measures from the actual send: latencies are not corrected for coordinated omission"
        ],
    )
