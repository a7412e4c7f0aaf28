"""A long mutation-fuzzing campaign over every reading command: runs, exit-code counts, failures.

The same campaign as tests/fuzz/test_fuzz_commands.py (which CI runs for a minute), for as long as
you like: real files from ../shared/testdata and patterns/, mutated in bytes, YAML tokens and
structure, each mutant run through `design validate`, `render`, `graph` and `import` in a forked
child with a deadline and a memory bound. Bad input may exit 0, 1 or 3; exit 4, 2, a signal or a
timeout is a bug. Each distinct failure is printed once with its count; --save keeps the inputs.

    python benchmarks/fuzz_bench.py [--seconds 600] [--seed N] [--jobs N] [--timeout 20] [--save DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the harness lives with the tests

from tests.fuzz import campaign  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=None, help="children at once (default: the CPUs)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one command may take")
    parser.add_argument("--save", type=Path, default=None, help="folder for the inputs that failed")
    args = parser.parse_args()
    started = time.monotonic()
    results = campaign.run(args.seconds, seed=args.seed, jobs=args.jobs, timeout=args.timeout)
    elapsed = time.monotonic() - started
    print(campaign.summary(results))
    print(f"{results.total_runs / elapsed:.1f} runs/s over {elapsed:.0f} s")
    if args.save is not None and results.failures:
        args.save.mkdir(parents=True, exist_ok=True)
        for i, failures in enumerate(results.failures.values()):
            first = failures[0]
            (args.save / f"{i}-{first.case.seed_name}").write_bytes(first.data)
            (args.save / f"{i}.txt").write_text(first.signature + "\n\n" + first.outcome.stderr)
        print(f"failing inputs saved in {args.save}")
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
