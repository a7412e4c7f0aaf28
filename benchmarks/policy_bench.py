"""Benchmark: `design validate` (all built-in checks) against checkov on the same Kubernetes manifests.

Two corpora (benchmarks/policy_corpora.py), each written into a temporary folder:

* ``generated``: about ``--objects`` realistic objects in ``--files`` large files (issue 3's goals:
  1,000 objects under 1 s, >= 10x faster than checkov, peak memory under 100 MB);
* ``repo``: a repository layout, ``--repo-files`` files of 1-5 objects built from ../shared/testdata
  (Gatekeeper library samples, objects rendered from the Meshery patterns) and generated applications
  (issue 14's goals: cold >= 10x faster than checkov with peak memory under 100 MB, warm >= 30x).

Each tool runs end to end as a child process; runs alternate (design, checkov, design…) so both see the
same machine load. Reported: wall time and peak RSS (GNU ``/usr/bin/time -v`` around that child alone),
CPU time, and the peak PSS summed over each tool's process tree (``design validate`` forks workers).
``design validate`` keeps its result cache in a private folder: a *cold* run starts without cached
results (and writes them, as a first CI run does), a *warm* run finds every file's result and the
report cached (a rerun on unchanged files: the report is replayed), and a *results only* run finds
every file's result but no report (the stored reports are deleted first: the cost of reading and
rendering every result, as a rerun after a change elsewhere pays for the unchanged files). designer's modules are compiled to bytecode first, as an installed copy is (`compile_bytecode`).
checkov is installed into its own venv under the temporary folder (``python -m venv`` + ``pip install
checkov``) unless ``--checkov PATH`` is given.

    python benchmarks/policy_bench.py [--corpus generated|repo|both] [--objects 1000] [--files 10]
        [--repo-files 400] [--repeat 5] [--skip-checkov] [--checkov PATH] [--phases]

A row per Rego engine: when ``opa`` is on PATH (scripts/build-opa.sh), cold runs with ``--engine opa``
alternate with the others, and their ratio to the default regorus engine is reported.

``--phases`` adds where a cold ``design validate``'s CPU time goes (one extra child per corpus: imports,
policy compilation, loading, graph and rendering, Rego evaluation, finding-to-line mapping and waivers,
JSON output, the result cache's keys and writes), to direct optimisation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from policy_corpora import build_repository, generate


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall time and peak RSS of one child, run under /usr/bin/time -v (GNU time)."""
    timer = "/usr/bin/time"
    if not Path(timer).exists():
        raise SystemExit("GNU time (/usr/bin/time) is needed to measure peak memory: apt-get install time")
    started = time.perf_counter()
    done = subprocess.run([timer, "-v", *cmd], capture_output=True, env=env, check=False)
    wall = time.perf_counter() - started
    rss_kb = 0
    cpu = 0.0
    for line in done.stderr.decode(errors="replace").splitlines():
        if "Maximum resident set size" in line:
            rss_kb = int(line.rsplit(":", 1)[1])
        elif "User time (seconds)" in line or "System time (seconds)" in line:
            cpu += float(line.rsplit(":", 1)[1])
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),  # user + system: less sensitive than wall time to other load
        "peak_rss_mb": round(rss_kb / 1024, 1),
        "exit": done.returncode,
    }


# Run in a child so imports are measured cold; CPU time (process_time) is steadier than wall time on a
# shared machine. The phases follow what a serial `design validate` does, through the public APIs: the
# designs of all files are evaluated in batches of BATCH_OBJECTS objects, as validation does.
_PHASES = """
import json, sys, time
clock = time.process_time
t0 = clock()
from designer.adapters.capabilities import policies_of
from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.loading import expand_paths, load_file
from designer.policy.builtin import designs_input
from designer.policy.evaluator import PolicyOptions, PolicySet, merge
from designer.policy.reports import RenderContext, renderer
from designer.rendering import render
from designer.validation import BATCH_OBJECTS
t1 = clock()
registry = AdapterRegistry.from_entry_points()
extra = tuple(p for a in registry.adapters for p in policies_of(a))
policies = PolicySet.load(PolicyOptions(adapter_policies=extra))
t2 = clock()
loaded = [design for file in expand_paths([sys.argv[1]]) for design in load_file(file)]
t3 = clock()
designs = []
for design in loaded:
    graph = build_graph(design)
    designs.append((render(design, graph, registry), graph.edges))
t4 = clock()
batches, batch, held = [], [], 0
for design in designs:
    batch.append(design)
    held += len(design[0])
    if held >= BATCH_OBJECTS:
        batches.append(batch)
        batch, held = [], 0
batches.append(batch)
engine = policies.builtin._engine
rego = 0.0
for batch in batches:
    engine.set_input_json(json.dumps(designs_input(batch), separators=(",", ":")))
    started = clock()
    engine.eval_query("data.designer.checks")
    rego += clock() - started
t5 = clock()
report = merge([r for batch in batches for r in policies.evaluate_many(batch)])
t6 = clock()
text = renderer("json")(report, RenderContext())
t7 = clock()
# The result cache of a cold run: its keys (every file read and hashed), then every file's result
# encoded and written (the results themselves are made again, outside the timing).
from pathlib import Path
from designer.policy.library import library_files
from designer.resources import policies_dir
from designer.validation import validate_each
from designer.validation_cache import ResultCache, run_key
files = expand_paths([sys.argv[1]])
results = validate_each(files, {}, policies, registry, jobs=1)
t8 = clock()
cache = ResultCache(Path(sys.argv[2]) / "phases.sqlite3", run_key({}, [p for p, _ in library_files([policies_dir()])]))
cache.report_key(files, {"output": "json", "fail_on": "never"})
t9 = clock()
cache.validate(files, lambda todo, keep: (keep(results), results)[1])
t10 = clock()
print(json.dumps({
    "imports_s": t1 - t0,
    "policy_compile_s": t2 - t1,
    "load_s": t3 - t2,
    "graph_render_s": t4 - t3,
    "rego_eval_s": rego,
    "input_json_s": t5 - t4 - rego,
    "evaluate_total_s": t6 - t5,
    "findings_mapping_waivers_s": max(t6 - t5 - (t5 - t4), 0.0),
    "json_output_s": t7 - t6,
    "cache_keys_s": t9 - t8,
    "cache_write_s": t10 - t9,
    "total_cpu_s": t7 - t0 - (t5 - t4) + t10 - t8,  # without the Rego timing loop and the remade results
}))
"""


def phases(manifests: Path, scratch: Path) -> dict[str, float]:
    """CPU seconds of each phase of a validate run (imports, load+render, Rego, mapping, output, the
    result cache's keys and writes; its database goes to ``scratch``)."""
    scratch.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _PHASES, str(manifests), str(scratch)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {k: round(v, 3) for k, v in json.loads(done.stdout).items()}


def tree_memory_mb(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Peak of the summed proportional set size (PSS) of a command and its children, sampled every 2 ms.

    ``design validate`` forks workers for large inputs: the peak RSS GNU time reports is the largest
    single process, and summed RSS would count the pages parent and workers share twice. PSS splits
    each shared page between the processes that map it, so the sum is the memory the run really holds.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        total = 0
        for pid in _process_tree(proc.pid):
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                pass  # exited between listing and reading
        peak = max(peak, total)
        time.sleep(0.002)
    return round(peak / 1024, 1)


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(_process_tree(int(child)))
    return found


def compile_bytecode() -> None:
    """Compile designer's modules to bytecode, as pip does when it installs a wheel.

    An editable install run with PYTHONDONTWRITEBYTECODE=1 (set on some CI machines) never writes
    ``__pycache__`` and recompiles every module of the package on every run: about 100 ms that no
    installed copy pays. checkov's venv was compiled by pip, so this keeps the comparison fair.
    """
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import compileall, pathlib, designer;"
            "compileall.compile_dir(pathlib.Path(designer.__file__).parent, quiet=1)",
        ],
        check=True,
    )


def install_checkov(root: Path) -> Path:
    """checkov in its own venv under ``root``; returns the checkov executable."""
    venv = root / "checkov-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    print("installing checkov into its own venv (this takes a minute)...", file=sys.stderr)
    subprocess.run([str(pip), "install", "--quiet", "checkov"], check=True)
    return venv / "bin" / "checkov"


def _runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Best run (by wall time) with the first run and every run's wall and CPU time."""
    return {
        **min(runs, key=lambda r: r["wall_s"]),
        "first_run_s": runs[0]["wall_s"],
        "all_runs_s": [r["wall_s"] for r in runs],
        "all_runs_cpu_s": [r["cpu_s"] for r in runs],
    }


def _ratios(slow: list[dict[str, Any]], fast: list[dict[str, Any]]) -> dict[str, float]:
    """How many times faster ``fast`` is: best against best, median of paired runs, first runs, CPU."""
    paired = sorted(s["wall_s"] / f["wall_s"] for s, f in zip(slow, fast, strict=True))
    return {
        "best": round(min(r["wall_s"] for r in slow) / min(r["wall_s"] for r in fast), 1),
        "paired_median": round(paired[len(paired) // 2], 1),
        "first_runs": round(slow[0]["wall_s"] / fast[0]["wall_s"], 1),
        "cpu_best": round(min(r["cpu_s"] for r in slow) / max(min(r["cpu_s"] for r in fast), 1e-3), 1),
    }


def bench(manifests: Path, cache: Path, checkov_cmd: list[str], repeat: int, *, warm: bool) -> dict[str, Any]:
    """Cold (and ``warm``) runs of ``design validate`` on ``manifests``, paired with checkov's."""
    design = shutil.which("design") or str(Path(sys.executable).with_name("design"))
    cmd = [design, "validate", str(manifests), "--output", "json", "--fail-on", "never"]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}  # never the user's cache
    checkov_env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    results = cache / "designer" / "validate.sqlite3"

    def cold(*extra: str) -> dict[str, Any]:
        results.unlink(missing_ok=True)  # no cached result (the adapter list stays cached, as on a rerun)
        return measure([*cmd, *extra], env)

    def warm_results() -> dict[str, Any]:
        """A rerun that reads every file's result but no stored report (as after a change elsewhere)."""
        with (
            contextlib.closing(sqlite3.connect(results)) as db,
            db,
            contextlib.suppress(sqlite3.OperationalError),
        ):
            db.execute("DELETE FROM reports")  # no table: the run had errors, and no report was kept
        return measure(cmd, env)

    opa_runs: list[dict[str, Any]] = []
    with_opa = shutil.which("opa") is not None

    report = subprocess.run(cmd, capture_output=True, env=env, check=False)  # also fills the caches
    summary = json.loads(report.stdout)["summary"]
    cold_runs, warm_runs, warm_result_runs, checkov_runs = [], [], [], []
    for _ in range(repeat):
        cold_runs.append(cold())
        if warm:
            warm_runs.append(measure(cmd, env))  # the cold run just before wrote every result and its report
            warm_result_runs.append(warm_results())
        if checkov_cmd:
            checkov_runs.append(measure(checkov_cmd, checkov_env))
        if with_opa:
            opa_runs.append(cold("--engine", "opa"))
    results.unlink(missing_ok=True)
    found: dict[str, Any] = {
        "objects": summary.get("objects"),
        "designs": summary.get("designs"),
        "checks": summary.get("checks"),
        "findings": summary.get("findings"),
        "errors": summary.get("errors"),
        "design_validate_cold": {
            **_runs(cold_runs),
            # Workers included (see tree_memory_mb); peak_rss_mb is the largest single process.
            "peak_pss_all_processes_mb": tree_memory_mb(cmd, env),
            "peak_rss_serial_mb": measure([*cmd, "--jobs", "1", "--no-cache"], env)["peak_rss_mb"],
        },
    }
    if warm:
        found["design_validate_warm"] = _runs(warm_runs)
        found["design_validate_warm_results_only"] = _runs(warm_result_runs)
    if opa_runs:
        found["design_validate_cold_opa_engine"] = _runs(opa_runs)
        found["opa_engine_slowdown_cold"] = _ratios(opa_runs, cold_runs)  # how much faster regorus is
    if checkov_runs:
        found["checkov"] = {
            **_runs(checkov_runs),
            "peak_pss_all_processes_mb": tree_memory_mb(checkov_cmd, checkov_env),
        }
        found["speedup_cold"] = _ratios(checkov_runs, cold_runs)
        if warm:
            found["speedup_warm"] = _ratios(checkov_runs, warm_runs)
            found["speedup_warm_results_only"] = _ratios(checkov_runs, warm_result_runs)
    return found


def _line(name: str, found: dict[str, Any]) -> str:
    cold = found["design_validate_cold"]
    text = (
        f"{name}: {found['objects']} objects in {found['designs']} designs: design validate cold "
        f"{cold['wall_s']:.3f} s, {cold['peak_pss_all_processes_mb']:.0f} MB peak (all processes)"
    )
    if "design_validate_warm" in found:
        text += (
            f", warm {found['design_validate_warm']['wall_s']:.3f} s (report replayed),"
            f" {found['design_validate_warm_results_only']['wall_s']:.3f} s (results read, report rendered)"
        )
    if "design_validate_cold_opa_engine" in found:
        opa, up = found["design_validate_cold_opa_engine"], found["opa_engine_slowdown_cold"]
        text += f"; --engine opa cold {opa['wall_s']:.3f} s (regorus x{up['best']} faster, best runs)"
    if "checkov" in found:
        up = found["speedup_cold"]
        text += (
            f"; checkov {found['checkov']['wall_s']:.2f} s, {found['checkov']['peak_rss_mb']:.0f} MB peak;"
            f" cold x{up['best']} (best runs), x{up['paired_median']} (median of paired runs)"
        )
        if "speedup_warm" in found:
            up, only = found["speedup_warm"], found["speedup_warm_results_only"]
            text += (
                f"; warm x{up['best']} (best runs), x{up['paired_median']} (median of paired runs);"
                f" results only x{only['best']}, x{only['paired_median']}"
            )
    return text


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("generated", "repo", "both"), default="both")
    parser.add_argument("--objects", type=int, default=1000, help="objects of the generated corpus")
    parser.add_argument("--files", type=int, default=10, help="files of the generated corpus")
    parser.add_argument("--repo-files", type=int, default=400, help="files of the repository corpus")
    parser.add_argument("--skip-checkov", action="store_true")
    parser.add_argument("--checkov", type=Path, help="an installed checkov executable to use")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each tool (first, best and median are reported)"
    )
    parser.add_argument(
        "--phases", action="store_true", help="also report the CPU time of each validate phase"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        root = Path(tmp)
        corpora: dict[str, Path] = {}
        if args.corpus in ("generated", "both"):
            corpora["generated"] = root / "generated"
            corpora["generated"].mkdir()
            generate(corpora["generated"], args.objects, args.files)
        if args.corpus in ("repo", "both"):
            corpora["repo"] = root / "repo"
            corpora["repo"].mkdir()
            build_repository(corpora["repo"], args.repo_files)
        checkov = None if args.skip_checkov else args.checkov or install_checkov(root)
        compile_bytecode()
        results: dict[str, Any] = {
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
        for name, folder in corpora.items():
            checkov_cmd = (
                [str(checkov), "-d", str(folder), "--framework", "kubernetes", "--quiet", "--compact"]
                if checkov
                else []
            )
            results[name] = bench(
                folder, root / f"cache-{name}", checkov_cmd, args.repeat, warm=name == "repo"
            )
            if args.phases:
                results[name]["phases_cpu"] = phases(folder, root / f"phases-{name}")
        results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(results, indent=2))
        for name in corpora:
            print(_line(name, results[name]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
