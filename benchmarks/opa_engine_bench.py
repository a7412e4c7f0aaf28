"""Benchmark: how the opa engine should drive OPA, a long-lived ``opa run --server`` or ``opa eval``.

The same work three ways, plus regorus for scale: the built-in library (policies/) evaluated over the
design input of every pattern in patterns/, ``--rounds`` times over (as ``design validate`` of a
repository evaluates one batch after another):

* ``server``: designer's opa engine (designer.policy.opa): one ``opa run --server`` on a Unix socket,
  started once (its start-up is included), one ``POST /v1/data/designer/checks`` per input;
* ``eval per input``: one ``opa eval --data DIR --input FILE data.designer.checks`` process per input;
* ``eval batched``: one ``opa eval`` for all inputs (given as data), the query iterating over them
  with ``with input as`` (what a batching eval engine would do; one error would fail the whole batch);
* ``regorus``: designer's default engine, in-process.

Each way runs ``--repeat`` times, alternating; reported: best and median wall time, and each way's
ratio to the server. Needs ``opa`` on PATH (``export PATH="$(scripts/build-opa.sh):$PATH"``).

    python benchmarks/opa_engine_bench.py [--rounds 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.jsontext import compact
from designer.loading import load_file
from designer.policy.builtin import design_input, library_files
from designer.policy.engine import RegoModule, new_engine
from designer.policy.opa_server import stop_all
from designer.rendering import render
from designer.resources import patterns_dir, policies_dir

QUERY = "data.designer.checks"


def pattern_inputs() -> list[str]:
    """The built-in checks' input document of every pattern, as JSON text."""
    registry = AdapterRegistry.from_entry_points()
    inputs = []
    for file in sorted(patterns_dir().glob("*.yaml")):
        for design in load_file(file):
            graph = build_graph(design)
            inputs.append(compact(design_input(render(design, graph, registry), graph.edges)))
    return inputs


def library() -> list[RegoModule]:
    return [RegoModule.from_file(path, display=shown) for path, shown in library_files([policies_dir()])]


def by_engine(kind: str, modules: list[RegoModule], inputs: list[str], rounds: int) -> int:
    engine = new_engine(engine="opa" if kind == "opa" else "regorus")
    for module in modules:
        engine.add_module(module)
    evaluations = 0
    for _ in range(rounds):
        for text in inputs:
            engine.set_input_json(text)
            evaluations += len(engine.eval_query(QUERY))
    stop_all()  # the next repeat starts its server again: start-up is part of the cost
    return evaluations


def eval_each(bundle: Path, inputs: list[Path], rounds: int) -> int:
    opa = shutil.which("opa") or "opa"
    for _ in range(rounds):
        for file in inputs:
            subprocess.run(
                [opa, "eval", "--data", str(bundle), "--input", str(file), "--format", "json", QUERY],
                check=True,
                capture_output=True,
            )
    return rounds * len(inputs)


def eval_batched(bundle: Path, batch: Path, rounds: int) -> int:
    opa = shutil.which("opa") or "opa"
    query = f"[r | some i; doc := data.designer_batch[i]; r := {QUERY} with input as doc]"
    for _ in range(rounds):
        subprocess.run(
            [opa, "eval", "--data", str(bundle), "--data", str(batch), "--format", "json", query],
            check=True,
            capture_output=True,
        )
    return rounds


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="passes over the patterns' inputs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way (best and median shown)")
    args = parser.parse_args()
    if shutil.which("opa") is None:
        raise SystemExit('opa is not on PATH: export PATH="$(scripts/build-opa.sh):$PATH"')
    modules, inputs = library(), pattern_inputs()
    with tempfile.TemporaryDirectory(prefix="opa-bench-") as tmp:
        bundle = Path(tmp, "bundle")
        bundle.mkdir()
        for index, module in enumerate(modules):
            (bundle / f"m{index:04d}.rego").write_text(module.text, encoding="utf-8")
        files = []
        for index, text in enumerate(inputs):
            files.append(Path(tmp, f"input{index}.json"))
            files[-1].write_text(text, encoding="utf-8")
        batch = Path(tmp, "batch.json")
        batch.write_text('{"designer_batch":[' + ",".join(inputs) + "]}", encoding="utf-8")
        ways: dict[str, Callable[[], Any]] = {
            "server": lambda: by_engine("opa", modules, inputs, args.rounds),
            "eval per input": lambda: eval_each(bundle, files, args.rounds),
            "eval batched": lambda: eval_batched(bundle, batch, args.rounds),
            "regorus": lambda: by_engine("regorus", modules, inputs, args.rounds),
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.repeat):
            for name, run in ways.items():
                times[name].append(timed(run))
    evaluations = args.rounds * len(inputs)
    server = min(times["server"])
    report = {
        "inputs": len(inputs),
        "evaluations": evaluations,
        "modules": len(modules),
        "ways": {
            name: {
                "best_s": round(min(runs), 3),
                "median_s": round(statistics.median(runs), 3),
                "per_evaluation_ms": round(min(runs) / evaluations * 1000, 2),
                "vs_server": round(min(runs) / server, 2),
            }
            for name, runs in times.items()
        },
    }
    print(json.dumps(report, indent=2))
    for name, row in report["ways"].items():
        print(
            f"{name:15} best {row['best_s']:7.3f} s  {row['per_evaluation_ms']:7.2f} ms/evaluation  "
            f"x{row['vs_server']} of the server",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
