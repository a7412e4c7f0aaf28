"""Mutation fuzzing of every reading command, for a bounded time: no exit 4, no crash, no hang.

Real files (../shared/testdata and patterns/) are mutated in bytes, YAML tokens and structure
(tests/fuzz/mutation.py) and each mutant goes through `design validate`, `render`, `graph` and
`import` (the real CLI entry, in a forked child with a deadline and a memory bound). Bad input may
exit 0, 1 or 3; anything else is a bug, reported with the mutant's case number and traceback.

The campaign seed is random per run (so CI keeps exploring) and printed on failure; set
DESIGNER_FUZZ_SEED to replay one, DESIGNER_FUZZ_SECONDS to change the budget (default 60 s).
benchmarks/fuzz_bench.py runs the same campaign for longer.
"""

from __future__ import annotations

import os

import pytest

from tests import requirements
from tests.fuzz import campaign, runner

SECONDS = float(os.environ.get("DESIGNER_FUZZ_SECONDS", "60"))
SEED = int(os.environ["DESIGNER_FUZZ_SEED"]) if os.environ.get("DESIGNER_FUZZ_SEED") else None


@pytest.mark.slow
@pytest.mark.timeout(SECONDS + 240)
def test_mutated_real_files_never_crash_a_reading_command() -> None:
    requirements.shared("testdata")  # the real files are most of the seeds
    results = campaign.run(SECONDS, seed=SEED, timeout=20.0)
    report = campaign.summary(results)
    print(report)
    assert not results.failures, report
    assert results.total_runs >= 100, report  # the campaign really ran
    for command in runner.COMMANDS:  # mutants both pass and fail every command: they reach deep
        statuses = {s for (c, s) in results.runs if c == command}
        assert {"exit 0", "exit 3"} <= statuses, report
