"""Export a native result record as SMP or as Fortio-shaped JSON (what Meshery stores).

SMP (service-mesh-performance ``PerformanceTestConfig`` + ``PerformanceTestResult``) has no
histogram, error counts, p99.9 or load-generator mode, so the export is lossy; the native record
stays the source of truth. The Fortio shape mirrors ``HTTPRunnerResults`` (durations in seconds,
fixed fortio bucket edges) so Meshery-style tooling can read our runs. Callers: designer/cli/perf.py.
"""

from __future__ import annotations

from typing import Any

from designer.perf.histograms import Histogram
from designer.perf.results import Record

SMP_VERSION = "v0.0.1"

# fortio's default bucket edges in milliseconds (stats/stats.go, resolution 1 ms)
_FORTIO_EDGES_MS = [
    *range(12),
    *range(12, 21, 2),
    *range(25, 51, 5),
    *range(60, 101, 10),
    *range(120, 201, 20),
    *range(250, 501, 50),
    *range(600, 1001, 100),
    2000,
    3000,
    4000,
    5000,
    7500,
    10000,
    *range(20000, 100001, 10000),
]


def to_smp(record: Record) -> dict[str, Any]:
    """The SMP config and result of a run."""
    latency = record["latency_ms"]
    target = record["target"]
    labels = {k: str(v) for k, v in (record.get("labels") or {}).items()}
    for name in ("design", "version", "mesh", "profile"):
        if record.get(name):
            labels[name] = str(record[name])
    headers = target.get("headers") or {}
    config = {
        "smp_version": SMP_VERSION,
        "id": record["id"],
        "name": record.get("profile") or "",
        "labels": labels,
        "clients": [
            {
                "internal": record["engine"] == "builtin",
                "load_generator": record["engine"],
                "protocol": "http",
                "connections": target["connections"],
                "rps": round(record.get("target_rate") or 0),  # int64 in the SMP proto
                "headers": headers,
                "cookies": {},
                "body": "",
                "content_type": headers.get("Content-Type", headers.get("content-type", "")),
                "endpoint_url": list(target["urls"]),
            }
        ],
        "duration": f"{target['duration_s']:g}s",
    }
    result = {
        "smp_version": SMP_VERSION,
        "id": record["id"],
        "labels": labels,
        "start_time": record["start_time"],
        "end_time": record["end_time"],
        "latencies_ms": {
            "min": latency["min"],
            "average": latency["mean"],
            "p50": latency["p50"],
            "p90": latency["p90"],
            "p99": latency["p99"],
            "max": latency["max"],
        },
        "actual_QPS": record["achieved_rate"],
        "details_uri": f"designer-perf://{record['id']}",
        "testId": record["id"],
        "meshConfigId": record.get("mesh") or "",
        "envId": (record.get("environment") or {}).get("host", ""),
    }
    return {"config": config, "result": result}


def to_fortio(record: Record) -> dict[str, Any]:
    """A Fortio ``HTTPRunnerResults``-shaped document of a run (corrected latencies)."""
    hist = Histogram.decode(record["histograms"]["corrected"])
    target = record["target"]
    duration_ns = round(record["elapsed_s"] * 1e9)
    return {
        "RunType": "HTTP",
        "Labels": " ".join(f"{k}={v}" for k, v in sorted((record.get("labels") or {}).items())),
        "StartTime": record["start_time"],
        "RequestedQPS": f"{record['target_rate']:g}" if record.get("target_rate") else "max",
        "RequestedDuration": f"{target['duration_s']:g}s",
        "ActualQPS": record["achieved_rate"],
        "ActualDuration": duration_ns,
        "NumThreads": target["connections"],
        "Version": f"designer/{record['engine']} {record.get('engine_version', '')}".strip(),
        "DurationHistogram": fortio_histogram(hist),
        "Exactly": 0,
        "Jitter": False,
        "Uniform": False,
        "NoCatchUp": False,
        "RunID": 0,
        "ID": record["id"],
        "URL": target["urls"][0] if target["urls"] else "",
        "RetCodes": dict(record.get("status_codes") or {}),
        "Sockets": [1] * int(target["connections"]),
        "SocketCount": int(target["connections"]),
    }


def fortio_histogram(hist: Histogram) -> dict[str, Any]:
    """Fortio's DurationHistogram (seconds) from an HDR histogram (µs)."""
    summary = hist.summary_ms()
    count = hist.count
    edges = [e / 1000.0 for e in _FORTIO_EDGES_MS]
    buckets: list[dict[str, Any]] = []
    cumulative = 0
    for value_us, n in hist.distribution():
        value = value_us / 1e6
        index = next((i for i, edge in enumerate(edges) if value < edge), len(edges))
        start = edges[index - 1] if index > 0 else 0.0
        end = edges[index] if index < len(edges) else value
        if buckets and buckets[-1]["Start"] == start:
            buckets[-1]["Count"] += n
            buckets[-1]["End"] = max(buckets[-1]["End"], end)
        else:
            buckets.append({"Start": start, "End": end, "Count": n})
        cumulative += n
        buckets[-1]["Percent"] = round(100.0 * cumulative / count, 4) if count else 0.0
    return {
        "Count": count,
        "Min": summary["min"] / 1000,
        "Max": summary["max"] / 1000,
        "Sum": summary["mean"] / 1000 * count,
        "Avg": summary["mean"] / 1000,
        "StdDev": summary["stddev"] / 1000,
        "Data": buckets,
        "Percentiles": [
            {"Percentile": pct, "Value": hist.percentile_us(pct) / 1e6} for pct in (50, 75, 90, 99, 99.9)
        ],
    }
