"""Run the built-in engine in one process or split across several, merging HDR histograms.

Each worker process takes ``rate / n`` and ``connections / n`` with its slots offset by ``i / rate``
so the merged schedule stays evenly spaced; all workers start at one shared wall-clock instant
after connecting. Workers return their `Measurement` encoded (`to_wire`), and the parent merges
them. One process is the default: on a box shared with the server under test, a second process
only steals CPU from it (see the perf reference notes). Caller: `designer.perf.engine.select`.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import multiprocessing
import time
from dataclasses import replace
from typing import Any

from designer.errors import ProfileError
from designer.perf.engine.builtin import LoadPlan, Progress, ProgressFn, run_plan
from designer.perf.measurement import Measurement
from designer.perf.profile import Profile

_START_DELAY_S = 1.5  # spawned interpreters import and connect before the shared start


def plan_for(profile: Profile) -> LoadPlan:
    """The single-process plan of a profile."""
    return LoadPlan(
        urls=profile.urls,
        method=profile.method,
        headers=dict(profile.headers),
        body=profile.body,
        rate=profile.rate,
        connections=profile.connections,
        duration_s=profile.duration_s,
        warmup_s=profile.warmup_s,
        timeout_s=profile.timeout_s,
        precise=profile.precise,
    )


def split(plan: LoadPlan, processes: int, start_at: float) -> list[LoadPlan]:
    """Divide a plan into ``processes`` interleaved shares."""
    if processes > plan.connections:
        raise ProfileError(
            f"{processes} processes need at least as many connections (got {plan.connections})",
            hint="raise connections or lower processes",
        )
    shares = []
    for index in range(processes):
        connections = plan.connections // processes + (1 if index < plan.connections % processes else 0)
        rate = plan.rate / processes if plan.rate is not None else None
        offset = index / plan.rate if plan.rate is not None else 0.0
        shares.append(replace(plan, rate=rate, connections=connections, offset_s=offset, start_at=start_at))
    return shares


def run_builtin(profile: Profile, progress: ProgressFn | None = None) -> Measurement:
    """Run a profile on the built-in engine with ``profile.processes`` processes."""
    plan = plan_for(profile)
    if profile.processes <= 1:
        return run_plan(plan, progress)
    shares = split(plan, profile.processes, time.time() + _START_DELAY_S)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(len(shares), mp_context=context) as pool:
        futures = [pool.submit(_worker, share) for share in shares]
        began = time.time()
        total = _START_DELAY_S + plan.warmup_s + plan.duration_s
        while not all(f.done() for f in futures):
            concurrent.futures.wait(futures, timeout=0.25)
            if progress is not None:
                progress(Progress(time.time() - began, total, 0, 0, 0))
        try:
            parts = [Measurement.from_wire(f.result()) for f in futures]
        except concurrent.futures.process.BrokenProcessPool as exc:
            raise ProfileError(
                "a load-generator worker process died",
                hint="run with processes: 1 to see the error in this process",
            ) from exc
    merged = parts[0]
    merged.connections = shares[0].connections
    for part in parts[1:]:
        merged.merge(part)
    merged.warnings.append(f"merged from {len(parts)} worker processes")
    return merged


def _worker(plan: LoadPlan) -> dict[str, Any]:
    return run_plan(plan).to_wire()
