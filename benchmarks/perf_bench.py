"""Benchmark the built-in load generator against wrk and hey on one private nginx (127.0.0.1 only).

Measures, in one run against the same nginx (1 worker, keep-alive, 600-byte file):

1. max throughput at 50 connections, closed loop: wrk -t2, the built-in engine, hey; each repeated
   (interleaved) because a shared VM is noisy; best and median req/s, and generator CPU µs/request;
2. rate accuracy at 1,000 and 20,000 req/s (50 connections): built-in engine (open loop) and hey
   (``-q`` per worker = rate / 50). wrk has no rate option.

Goals from issue 6: built-in >= 80 % of wrk's req/s with CPU per request within 2x of wrk; achieved
rate within 1 % of target. Usage: ``python benchmarks/perf_bench.py [--duration 5] [--repeat 3]``.
Needs nginx, wrk and hey on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.perf.perfservers import Nginx  # noqa: E402  (the perf tests' nginx, same config)

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def timed(argv: list[str]) -> tuple[str, float]:
    """Run a child; return its stdout and the CPU seconds it used (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done.stdout, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wrk_max(url: str, duration: int, script: Path, threads: int = 2) -> dict[str, float]:
    out, cpu = timed(["wrk", f"-t{threads}", "-c50", f"-d{duration}s", "-s", str(script), url])
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    requests, duration_us, _errors = (int(v) for v in line.split()[1:])
    return {"rps": requests / (duration_us / 1e6), "cpu_us": cpu / requests * 1e6, "requests": requests}


def builtin(url: str, duration: int, rate: float | None, processes: int = 1) -> dict[str, Any]:
    argv = [sys.executable, "-c", "from designer.cli.main import main; main()", "perf", "run", "--url", url,
            "-c", "50", "-d", f"{duration}s", "--no-save", "-o", "json"]  # fmt: skip
    argv += ["--rate", f"{rate:g}"] if rate else ["--closed"]
    argv += ["--processes", str(processes)]
    out, cpu = timed(argv)
    record = json.loads(out)
    requests = record["requests"]
    return {
        "rps": record["achieved_rate"],
        "cpu_us": record["generator_cpu_s"] / requests * 1e6,
        "process_cpu_us": cpu / requests * 1e6,
        "requests": requests,
        "p50": record["latency_ms"]["p50"],
        "p99": record["latency_ms"]["p99"],
        "raw_p99": record["raw_latency_ms"]["p99"],
        "dropped": record["dropped"],
        "saturated": record["saturated"],
    }


def hey_run(url: str, duration: int, rate: float | None) -> dict[str, Any]:
    argv = ["hey", "-z", f"{duration}s", "-c", "50", "-o", "csv"]
    if rate:
        argv += ["-q", f"{rate / 50:g}"]  # hey's -q is per worker
    out, cpu = timed([*argv, url])
    rows = out.splitlines()[1:]
    latencies = sorted(float(r.split(",")[0]) for r in rows)
    last = max(float(r.split(",")[7]) + float(r.split(",")[0]) for r in rows)
    n = len(latencies)
    return {
        "rps": n / max(last, duration),
        "cpu_us": cpu / n * 1e6,
        "requests": n,
        "p50": latencies[n // 2] * 1000,
        "p99": latencies[int(n * 0.99)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for tool in ("nginx", "wrk", "hey"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"{tool} is not installed (apt-get install nginx-light wrk hey)")
    with tempfile.TemporaryDirectory(prefix="designer-bench-") as tmp:
        nginx = Nginx(Path(tmp) / "nginx").start()
        url = nginx.url
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_REPORT)
        try:
            runs: dict[str, list[dict[str, Any]]] = {
                name: [] for name in ("wrk", "wrk1", "builtin", "builtin2", "hey")
            }
            for _ in range(args.repeat):  # interleaved, so a noisy window hits every tool
                runs["wrk"].append(wrk_max(url, args.duration, script))
                runs["wrk1"].append(wrk_max(url, args.duration, script, threads=1))
                runs["builtin"].append(builtin(url, args.duration, None))
                runs["builtin2"].append(builtin(url, args.duration, None, processes=2))
                runs["hey"].append(hey_run(url, args.duration, None))
            rates = {
                (name, rate): fn(url, args.duration, rate)
                for rate in (1000.0, 20000.0)
                for name, fn in (("builtin", builtin), ("hey", hey_run))
            }
        finally:
            nginx.stop()
    report(runs, rates, args)


def report(
    runs: dict[str, list[dict[str, Any]]], rates: dict[tuple[str, float], dict[str, Any]], args: Any
) -> None:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nhost: {os.cpu_count()} CPUs; load average at the end {load} (1/5/15 min; other work shares the CPUs)"
    )
    print(
        f"\n## Max throughput, closed loop, 50 connections, {args.duration}s x {args.repeat} (interleaved)\n"
    )
    print(
        "| generator | req/s best | req/s median | CPU µs/req (median) | vs wrk req/s (median) | vs wrk CPU |"
    )
    print("|---|---|---|---|---|---|")
    wrk_median = statistics.median(r["rps"] for r in runs["wrk"])
    wrk_cpu = statistics.median(r["cpu_us"] for r in runs["wrk"])
    for name, label in (
        ("wrk", "wrk -t2 -c50"),
        ("wrk1", "wrk -t1 -c50"),
        ("builtin", "designer builtin --closed -c50"),
        ("builtin2", "designer builtin --closed -c50 --processes 2"),
        ("hey", "hey -c50"),
    ):
        rps = [r["rps"] for r in runs[name]]
        cpu = statistics.median(r["cpu_us"] for r in runs[name])
        extra = ""
        if name.startswith("builtin"):
            proc = statistics.median(r["process_cpu_us"] for r in runs[name])
            extra = f" (process incl. start-up: {proc:.1f})"
        print(
            f"| {label} | {max(rps):,.0f} | {statistics.median(rps):,.0f} | {cpu:.1f}{extra} | "
            f"{statistics.median(rps) / wrk_median:.0%} | {cpu / wrk_cpu:.2f}x |"
        )
    print(f"\n## Rate accuracy, open loop, 50 connections, {args.duration}s\n")
    print("| generator | target req/s | achieved req/s | error | p50 ms | p99 ms | notes |")
    print("|---|---|---|---|---|---|---|")
    for (name, rate), r in rates.items():
        error = (r["rps"] - rate) / rate
        if name == "builtin":
            notes = f"CO-corrected; raw p99 {r['raw_p99']:.2f} ms; dropped {r['dropped']}"
            notes += "; SATURATED" if r["saturated"] else ""
        else:
            notes = f"-q {rate / 50:g} per worker; not CO-corrected"
        print(
            f"| {name} | {rate:,.0f} | {r['rps']:,.1f} | {error:+.2%} | {r['p50']:.2f} | {r['p99']:.2f} | {notes} |"
        )
    print("| wrk | any | n/a | | | | wrk has no rate option |")


if __name__ == "__main__":
    main()
