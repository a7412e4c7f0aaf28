"""The native result record: one JSON document per run, a superset of SMP's PerformanceTestResult.

`build_record` turns an engine's `Measurement` plus the profile and run context into the record
that `design perf run --output json` prints, `history` stores and `comparing`/`charts`/`exporting`
read. It is plain JSON (schemas/perf-result.schema.json) so stored history can be re-judged later.
A run that did not hold its target rate is marked ``saturated`` with the reasons.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.perf import slo
from designer.perf.measurement import Measurement
from designer.perf.profile import Profile

SCHEMA_VERSION = 1
SATURATION_RATE_RATIO = 0.95  # achieved below 95 % of target: the generator or server fell behind
SATURATION_DROPPED_RATIO = 0.01
SEND_LAG_WARN_MS = 50.0

Record = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RunContext:
    """Where a run belongs: the design and version under test and the mesh it ran on."""

    design: str | None = None
    version: str | None = None
    mesh: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def new_run_id(now: float | None = None) -> str:
    """A sortable, readable id: UTC timestamp plus 4 random hex digits."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now if now is not None else time.time()))
    return f"{stamp}-{secrets.token_hex(2)}"


def build_record(measurement: Measurement, profile: Profile, context: RunContext) -> Record:
    """The stored record of one run, with SLO verdicts evaluated."""
    m = measurement
    urls = list(profile.urls)
    saturated, reasons = _saturation(m)
    warnings = list(m.warnings)
    lag_ms = m.send_lag.summary_ms() if m.send_lag is not None else None
    if lag_ms is not None and m.mode == "open" and lag_ms["p99"] > SEND_LAG_WARN_MS:
        warnings.append(
            f"sending fell behind schedule (send lag p99 {lag_ms['p99']:.1f} ms): all connections were "
            "busy at times; latency is still measured from the intended send time"
        )
    body_sha = hashlib.sha256(profile.body).hexdigest()
    record: Record = {
        "schema_version": SCHEMA_VERSION,
        "id": new_run_id(m.start_time),
        "profile": profile.name,
        "design": context.design,
        "version": context.version,
        "mesh": context.mesh,
        "labels": {**profile.labels, **context.labels},
        "start_time": _iso(m.start_time),
        "end_time": _iso(m.start_time + m.elapsed_s),
        "engine": m.engine,
        "engine_version": m.engine_version,
        "mode": m.mode,
        "co_corrected": m.co_corrected,
        "target": {
            "urls": urls,
            "method": profile.method,
            "headers": dict(profile.headers),
            "body_bytes": len(profile.body),
            "body_sha256": body_sha,
            "connections": m.connections,
            "duration_s": profile.duration_s,
            "warmup_s": profile.warmup_s,
            "processes": profile.processes,
            "precise": profile.precise,
        },
        "target_rate": m.target_rate,
        "achieved_rate": round(m.achieved_rate, 2),
        "elapsed_s": round(m.elapsed_s, 4),
        "requests": m.completed,
        "sent": m.sent,
        "errors": m.error_count,
        "error_kinds": {kind: m.errors.get(kind, 0) for kind in ("connect", "timeout", "read", "status")},
        "dropped": m.dropped,
        "status_codes": {str(code): n for code, n in sorted(m.status_codes.items())},
        "bytes_received": m.bytes_received,
        "saturated": saturated,
        "saturation_reasons": reasons,
        "latency_ms": m.corrected.summary_ms(),
        "raw_latency_ms": m.raw.summary_ms(),
        "send_lag_ms": lag_ms,
        "histograms": {
            "unit": "us",
            "source": m.histogram_source,
            "corrected": m.corrected.encode(),
            "raw": m.raw.encode(),
            "send_lag": m.send_lag.encode() if m.send_lag is not None else None,
        },
        "generator_cpu_s": round(m.cpu_s, 4) if m.cpu_s is not None else None,
        "environment": environment(),
        "warnings": warnings,
    }
    record["key"] = comparability_key(record)
    record["key_id"] = key_id(record["key"])
    judge(record, profile.slos)
    return record


def judge(record: Record, expressions: tuple[str, ...] | list[str]) -> None:
    """(Re-)evaluate SLOs into ``record["slos"]`` and ``record["slo_passed"]``.

    A saturated run fails its gate whatever its numbers: it did not measure what was asked.
    """
    verdicts = [v.as_json() for v in slo.evaluate(expressions, record)]
    if expressions and record.get("saturated"):
        verdicts.append(
            {
                "expr": "run held its target rate",
                "observed": record.get("achieved_rate"),
                "threshold": record.get("target_rate"),
                "passed": False,
            }
        )
    record["slos"] = verdicts
    record["slo_passed"] = all(v["passed"] for v in verdicts) if verdicts else None


def comparability_key(record: Record) -> dict[str, Any]:
    """What must be equal for two runs to be compared apples to apples."""
    target = record["target"]
    return {
        "design": record.get("design"),
        "version": record.get("version"),
        "mesh": record.get("mesh"),
        "profile": record.get("profile"),
        "engine": record["engine"],
        "mode": record["mode"],
        "rate": record.get("target_rate"),
        "connections": target["connections"],
        "payload": f"{target['method']} {target['body_bytes']}B {target['body_sha256'][:12]}",
        "host": record["environment"]["host"],
    }


def key_id(key: Mapping[str, Any], *, ignore: tuple[str, ...] = ()) -> str:
    """A short hash of a comparability key (optionally ignoring fields such as version or mesh)."""
    data = {k: v for k, v in key.items() if k not in ignore}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def environment() -> dict[str, Any]:
    """The generator's host fingerprint: results are only comparable on the same layout."""
    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def _saturation(m: Measurement) -> tuple[bool, list[str]]:
    if m.mode != "open" or not m.target_rate:
        return False, []
    reasons = []
    if m.achieved_rate < SATURATION_RATE_RATIO * m.target_rate:
        reasons.append(f"achieved {m.achieved_rate:.1f} req/s, below 95% of the target {m.target_rate:g}")
    scheduled = m.sent + m.dropped
    if scheduled and m.dropped / scheduled > SATURATION_DROPPED_RATIO:
        reasons.append(f"{m.dropped} of {scheduled} scheduled requests were never sent")
    return bool(reasons), reasons


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"
