"""hey (rakyll/hey) as a load generator, read from its per-request CSV (``-o csv``).

hey's ``-q`` is queries per second *per worker*, so a total rate R over C workers is
``-q R/C`` (users trip on this: rakyll/hey#72, #140). Each worker is a ticker-paced closed loop that
drops missed ticks and measures from the actual send: no coordinated-omission correction, and the
requests it never sent are reported here as ``dropped``. The CSV lists successful exchanges only;
connection errors do not appear in it. Caller: `designer.perf.engine.select`.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter

from designer.errors import ProfileError
from designer.perf.engine import tools
from designer.perf.histograms import Histogram
from designer.perf.measurement import Measurement
from designer.perf.profile import Profile


def per_worker_rate(total_rate: float, workers: int) -> float:
    """hey's ``-q`` value for a total rate: hey multiplies it by the number of workers."""
    return total_rate / workers


def command(binary: str, profile: Profile) -> list[str]:
    """The hey command line for a profile."""
    argv = [
        binary,
        "-z",
        f"{profile.duration_s:g}s",
        "-c",
        str(profile.connections),
        "-m",
        profile.method,
        "-t",
        f"{max(1, round(profile.timeout_s))}",
        "-o",
        "csv",
    ]
    if profile.rate is not None:
        argv += ["-q", f"{per_worker_rate(profile.rate, profile.connections):.6g}"]
    for name, value in profile.headers.items():
        argv += ["-H", f"{name}: {value}"]
    if profile.body:
        argv += ["-d", profile.body.decode("latin-1")]
    return [*argv, profile.urls[0]]


def run(profile: Profile) -> Measurement:
    """Run hey for a profile (open loop with a rate, closed loop without)."""
    binary = tools.find("hey")
    started = time.time()
    done = tools.run(command(binary, profile), timeout_s=profile.duration_s + profile.timeout_s + 30)
    measurement = parse(
        done.stdout,
        target_rate=profile.rate,
        duration_s=profile.duration_s,
        connections=profile.connections,
        start_time=started,
    )
    measurement.cpu_s = done.cpu_s
    if len(profile.urls) > 1:
        measurement.warnings.append(f"hey takes one URL; only {profile.urls[0]} was loaded")
    if profile.warmup_s:
        measurement.warnings.append("hey has no warm-up; the warm-up period was not excluded")
    return measurement


def parse(
    stdout: str, *, target_rate: float | None, duration_s: float, connections: int, start_time: float
) -> Measurement:
    """Turn hey's CSV into a Measurement (raw latency only; corrected is the same data)."""
    latencies: list[int] = []
    statuses: Counter[int] = Counter()
    last = 0.0
    try:
        for row in csv.DictReader(io.StringIO(stdout)):
            response_s = float(row["response-time"])
            latencies.append(round(response_s * 1e6))
            statuses[int(row["status-code"])] += 1
            last = max(last, float(row["offset"]) + response_s)
    except (KeyError, ValueError) as exc:
        raise ProfileError(
            "hey printed CSV this version of designer cannot read", hint="use --engine builtin"
        ) from exc
    raw = Histogram()
    raw.record_many(latencies)
    corrected = Histogram()
    corrected.merge(raw)
    completed = len(latencies)
    scheduled = round(target_rate * duration_s) if target_rate is not None else completed
    warnings = ["hey measures from the actual send: latencies are not corrected for coordinated omission"]
    return Measurement(
        engine="hey",
        engine_version="hey (version not reported)",
        mode="open" if target_rate is not None else "closed",
        co_corrected=False,
        target_rate=target_rate,
        connections=connections,
        start_time=start_time,
        elapsed_s=max(last, duration_s if completed else 0.0),
        sent=completed,
        completed=completed,
        dropped=max(0, scheduled - completed),
        errors=+Counter({"status": sum(n for code, n in statuses.items() if code >= 400)}),
        status_codes=statuses,
        corrected=corrected,
        raw=raw,
        histogram_source="samples",
        warnings=warnings,
    )
