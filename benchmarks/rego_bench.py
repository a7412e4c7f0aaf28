"""Benchmark: one evaluation of the built-in check library (``data.designer.checks``), the query that
`design validate` spends most of its Rego time in, against the same library at an earlier git revision.

Inputs are the documents validate builds (designer.policy.builtin.designs_input): generated designs of
``--sizes`` components (benchmarks/graph_bench.py's generator: about one object per component), and a
repository layout (benchmarks/policy_corpora.py's ``repo`` corpus, ``--repo-files`` files of 1-5 objects)
evaluated in batches of designer.validation.BATCH_OBJECTS objects, as validate does.

Peers in the same run, each evaluating the same inputs, runs alternating:

* ``baseline``: the library of ``--baseline REV`` (read with ``git archive``; by default the commit before
  the library's evaluation-cost work), on regorus;
* ``opa`` (with ``--opa``; needs ``opa`` on PATH, scripts/build-opa.sh): the current library through
  designer's opa engine (an ``opa run --server``; its wall time includes the JSON round trip). Only for
  inputs of up to ``--opa-max-objects`` objects: OPA takes about 50 s for the 10,000-component design.

Reported per input: CPU (regorus engines, in-process) and wall seconds, best/median/worst of
``--repeat`` runs, and the ratio current / peer of the best and of the median figures. Each peer's
findings and check metadata are compared with the current library's: the work is only comparable, and
the library only correct, when they are identical (``same findings``).

    python benchmarks/rego_bench.py [--sizes 1000,10000] [--repo-files 400] [--repeat 5]
        [--baseline REV] [--opa] [--opa-max-objects 2000]

The CPU time includes reading the engine's answer into Python (as validate does).

Goal (issue 13): the full query at 10,000 generated components at least 30% cheaper than the
baseline, and cheaper on the repository corpus.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.jsontext import compact
from designer.loading import read_file
from designer.policy.builtin import CHECKS_ROOT, designs_input
from designer.policy.engine import PolicyEngine, RegoModule, new_engine
from designer.policy.library import library_files
from designer.rendering import render
from designer.resources import policies_dir
from designer.validation import BATCH_OBJECTS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from graph_bench import generate
from policy_corpora import build_repository

# The last commit before the library's evaluation-cost work (policies/ as it was then).
DEFAULT_BASELINE = "7e2429a"


@dataclass
class Runs:
    """CPU and wall seconds of each run of one engine over one input (a list of batch documents)."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


def engine_for(root: Path, kind: str) -> PolicyEngine:
    engine = new_engine(engine=kind)  # type: ignore[arg-type]
    for path, display in library_files([root]):
        engine.add_module(RegoModule.from_file(path, display=display))
    engine.prepare()
    return engine


def baseline_library(rev: str, folder: Path) -> Path:
    """policies/ at git revision ``rev``, extracted under ``folder``."""
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "policies"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"cannot read policies/ at {rev}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "policies"


def generated_input(n: int, folder: Path, registry: AdapterRegistry) -> list[str]:
    """The input document of one generated design of ``n`` components (one batch)."""
    path = folder / f"generated-{n}.yaml"
    with path.open("w", encoding="utf-8") as out:
        yaml.safe_dump(generate(n), out, sort_keys=False)
    return batches([path], registry)


def repository_input(files: int, folder: Path, registry: AdapterRegistry) -> list[str]:
    """The input documents of the repository corpus, in validate's batches."""
    root = folder / "repo"
    build_repository(root, files)
    return batches(sorted(root.rglob("*.yaml")), registry)


def batches(paths: Sequence[Path], registry: AdapterRegistry) -> list[str]:
    """Every design of ``paths`` rendered, grouped as validate groups them (up to BATCH_OBJECTS objects)."""
    docs: list[str] = []
    batch: list[Any] = []
    held = 0
    for path in paths:
        for design in read_file(path, {}).designs:
            graph = build_graph(design)
            objects = render(design, graph, registry)
            batch.append((objects, list(graph.edges)))
            held += len(objects)
            if held >= BATCH_OBJECTS:
                docs.append(compact(designs_input(batch)))
                batch, held = [], 0
    if batch:
        docs.append(compact(designs_input(batch)))
    return docs


def evaluate(engine: PolicyEngine, docs: Sequence[str], runs: Runs) -> list[dict[str, Any]]:
    """One run over every batch; returns each batch's checks as {package: {metadata, findings}}."""
    results = []
    cpu = wall = 0.0
    for doc in docs:
        engine.set_input_json(doc)
        c0, w0 = time.process_time(), time.perf_counter()
        values = engine.eval_query(CHECKS_ROOT)
        cpu += time.process_time() - c0
        wall += time.perf_counter() - w0
        packages = values[0] if values else {}
        results.append(
            {
                name: {"metadata": body.get("metadata"), "findings": _sorted(body.get("findings"))}
                for name, body in packages.items()
            }
        )
    runs.cpu.append(cpu)
    runs.wall.append(wall)
    return results


def _sorted(findings: Any) -> list[str]:
    """Findings as sorted JSON texts (a set's order is the engine's)."""
    return sorted(json.dumps(f, sort_keys=True) for f in findings or [])


def _range(values: list[float]) -> str:
    return f"{min(values):7.3f} / {statistics.median(values):7.3f} / {max(values):7.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000", help="generated design sizes (components)")
    parser.add_argument(
        "--repo-files", type=int, default=400, help="files of the repository corpus (0: none)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of the peer library")
    parser.add_argument("--opa", action="store_true", help="add the opa engine as a peer (small inputs)")
    parser.add_argument("--opa-max-objects", type=int, default=2000, help="largest input given to opa")
    args = parser.parse_args()

    registry = AdapterRegistry.from_entry_points()
    with tempfile.TemporaryDirectory(prefix="rego-bench-") as tmp:
        folder = Path(tmp)
        inputs: list[tuple[str, list[str]]] = [
            (f"generated {n:,}", generated_input(n, folder, registry))
            for n in (int(s) for s in args.sizes.split(",") if s)
        ]
        if args.repo_files:
            inputs.append(
                (f"repository {args.repo_files} files", repository_input(args.repo_files, folder, registry))
            )

        engines: dict[str, PolicyEngine] = {
            "current": engine_for(policies_dir(), "regorus"),
            "baseline": engine_for(baseline_library(args.baseline, folder), "regorus"),
        }
        if args.opa and shutil.which("opa"):
            engines["opa"] = engine_for(policies_dir(), "opa")
        elif args.opa:
            raise SystemExit(
                "--opa: opa is not on PATH (run scripts/build-opa.sh and put the folder it prints on PATH)"
            )
        try:
            return report(inputs, engines, args)
        finally:
            if "opa" in engines:
                from designer.policy.opa_server import stop_all

                stop_all()


def report(
    inputs: list[tuple[str, list[str]]], engines: dict[str, PolicyEngine], args: argparse.Namespace
) -> int:
    print(
        f"{CHECKS_ROOT}, best / median / worst of {args.repeat} runs (seconds); baseline = policies/ at {args.baseline}"
    )
    differ = False
    for name, docs in inputs:
        objects = sum(len(json.loads(doc)["objects"]) for doc in docs)
        peers = [e for e in engines if e != "opa" or objects <= args.opa_max_objects]
        runs = {engine: Runs() for engine in peers}
        answers: dict[str, list[dict[str, Any]]] = {}
        for _ in range(args.repeat):
            for engine in peers:
                answers[engine] = evaluate(engines[engine], docs, runs[engine])
        findings = sum(len(body["findings"]) for batch in answers["current"] for body in batch.values())
        print(f"\n{name}: {objects:,} objects in {len(docs)} batch(es), {findings:,} findings")
        current = runs["current"]
        for engine, measured in runs.items():
            same = answers[engine] == answers["current"]
            differ |= not same
            line = f"  {engine:9s} cpu {_range(measured.cpu)}   wall {_range(measured.wall)}"
            if engine != "current":
                best = min(current.wall) / min(measured.wall)
                median = statistics.median(current.wall) / statistics.median(measured.wall)
                line += f"   current/{engine} wall: best {best:.2f}, median {median:.2f}"
                if engine == "baseline":
                    cpu_best = min(current.cpu) / min(measured.cpu)
                    cpu_median = statistics.median(current.cpu) / statistics.median(measured.cpu)
                    line += f"; cpu: best {cpu_best:.2f}, median {cpu_median:.2f}"
                line += "   same findings" if same else "   FINDINGS DIFFER"
            print(line)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
