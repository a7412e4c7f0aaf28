"""A fuzzing campaign: mutate seeds, run every reading command on each mutant, tally the outcomes.

Cases are reproducible: case ``i`` of a campaign with seed ``s`` mutates seed file ``i % len(corpus)``
with ``random.Random(f"{s}:{i}")``. Up to ``jobs`` children run at once. A bad outcome (exit 4 or 2,
a signal, a timeout) keeps its input and stderr for the report, grouped by signature (the last
traceback frame and the exception, or the status), so one cause found a hundred times is one entry.
"""

from __future__ import annotations

import collections
import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz import runner
from tests.fuzz.mutation import mutate
from tests.fuzz.seeds import Seed, corpus


@dataclass(frozen=True, slots=True)
class Case:
    """One mutant: where it came from and the file the commands read."""

    number: int
    seed_name: str
    file: Path


@dataclass
class Failure:
    """A bad outcome, with what reproduces it."""

    case: Case
    outcome: runner.Outcome
    data: bytes

    @property
    def signature(self) -> str:
        """What tells one cause from another: the deepest traceback frame and the exception line."""
        frames = _FRAME.findall(self.outcome.stderr)
        lines = [line for line in self.outcome.stderr.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        where = f"{frames[-1][0].rsplit('/', 1)[-1]}:{frames[-1][1]}" if frames else ""
        return f"{self.outcome.command} {self.outcome.status} {where} {last[:160]}"


_FRAME = re.compile(r'File "([^"]+)", line (\d+)')


@dataclass
class Results:
    """Counts per (command, status), the slowest run, and the bad outcomes by signature."""

    seed: int
    cases: int = 0
    runs: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    slowest: tuple[float, str] = (0.0, "")

    @property
    def total_runs(self) -> int:
        """Command runs completed."""
        return sum(self.runs.values())

    def record(self, case: Case, outcome: runner.Outcome) -> None:
        """Count one outcome; keep it when it is bad."""
        self.runs[outcome.command, outcome.status] += 1
        if outcome.seconds > self.slowest[0]:
            self.slowest = (outcome.seconds, f"{outcome.command} {case.seed_name} (case {case.number})")
        if outcome.bad:
            failure = Failure(case, outcome, case.file.read_bytes() if case.file.exists() else b"")
            self.failures.setdefault(failure.signature, []).append(failure)


def run(
    seconds: float,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    timeout: float = 20.0,
    seeds: list[Seed] | None = None,
) -> Results:
    """Fuzz for about ``seconds`` (runs in flight are finished, so it may end up to ``timeout`` later)."""
    seeds = seeds or corpus()
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    jobs = jobs or len(os.sched_getaffinity(0))
    results = Results(seed)
    work = Path(tempfile.mkdtemp(prefix="designer-fuzz-"))
    try:
        sample = work / "warm-up.yaml"
        sample.write_bytes(seeds[-1].data)
        runner.warm_up(sample)
        _loop(seconds, seeds, results, work, jobs, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def _loop(seconds: float, seeds: list[Seed], results: Results, work: Path, jobs: int, timeout: float) -> None:
    end = time.monotonic() + seconds
    pending: list[tuple[Case, str]] = []
    running: dict[int, tuple[runner.Running, Case]] = {}
    left: collections.Counter[int] = collections.Counter()
    while running or time.monotonic() < end:
        while len(running) < jobs and time.monotonic() < end:
            if not pending:
                case = _new_case(results.cases, seeds, results.seed, work)
                results.cases += 1
                pending = [(case, command) for command in runner.COMMANDS]
                left[case.number] = len(pending)
            case, command = pending.pop()
            child = runner.start(command, case.file, work / f"{case.number}-{command}.err", timeout)
            running[child.pid] = (child, case)
        _reap(running, results, left)
        time.sleep(0.002)


def _reap(
    running: dict[int, tuple[runner.Running, Case]], results: Results, left: collections.Counter[int]
) -> None:
    now = time.monotonic()
    for pid, (child, case) in list(running.items()):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0 and now < child.deadline:
            continue
        if done == 0:
            runner.kill(child)
            outcome = runner.finish(child, None)
        else:
            outcome = runner.finish(child, status)
        del running[pid]
        results.record(case, outcome)
        left[case.number] -= 1
        if left[case.number] == 0:
            shutil.rmtree(case.file.parent, ignore_errors=True)
            del left[case.number]


def _new_case(number: int, seeds: list[Seed], campaign_seed: int, work: Path) -> Case:
    source = seeds[number % len(seeds)]
    rng = random.Random(f"{campaign_seed}:{number}")
    folder = work / str(number)
    folder.mkdir()
    file = folder / source.name
    file.write_bytes(mutate(source.data, rng, seeds))
    return Case(number, source.name, file)


def summary(results: Results) -> str:
    """A plain-text report: runs and exit-code counts per command, then each distinct failure."""
    lines = [f"seed {results.seed}: {results.cases} cases, {results.total_runs} runs"]
    for command in runner.COMMANDS:
        counts = {s: n for (c, s), n in sorted(results.runs.items()) if c == command}
        lines.append(f"  {command:<9} " + ", ".join(f"{s}: {n}" for s, n in counts.items()))
    lines.append(f"  slowest run: {results.slowest[0]:.2f} s ({results.slowest[1]})")
    for signature, failures in results.failures.items():
        first = failures[0]
        lines.append(f"FAILURE x{len(failures)}: {signature}")
        lines.append(f"  case {first.case.number} from {first.case.seed_name}")
        lines.extend("    " + line for line in first.outcome.stderr.strip().splitlines()[-12:])
    return "\n".join(lines)
