"""Benchmark: `design validate` (all built-in checks) against checkov on the same Kubernetes manifests.

Generates realistic manifests (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Services, ConfigMaps,
Secrets, ServiceAccounts, Roles/RoleBindings, Ingresses, HPAs, PDBs, NetworkPolicies and Istio
VirtualServices/DestinationRules; with and without securityContext, probes, resources; several apps per
file) into a temporary folder, then runs each tool end to end as a child process and reports wall time and
peak RSS (GNU ``/usr/bin/time -v`` around that child alone), plus the peak PSS summed over each tool's
process tree (``design validate`` forks workers for large inputs). designer's modules are compiled to
bytecode first, as an installed copy is (see `compile_bytecode`). checkov is installed into its own venv under the
temporary folder (``python -m venv`` + ``pip install checkov``) unless ``--checkov PATH`` is given.

Goals (issue 3): 1,000 objects with all built-in checks under 1 s; >= 10x faster than checkov end to end;
peak memory under 100 MB.

    python benchmarks/policy_bench.py [--objects 1000] [--files 10] [--skip-checkov] [--checkov PATH]

``--phases`` adds where ``design validate``'s CPU time goes (one extra child: imports, loading and
rendering, Rego evaluation, finding-to-line mapping and waivers, JSON output), to direct optimisation.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml


def app_objects(i: int, ns: str) -> Iterator[dict[str, Any]]:
    """One application: about 10 objects, with deliberate variety (some hardened, some not)."""
    name = f"app-{i}"
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/version": f"1.{i % 7}.0",
        "team": f"t{i % 5}",
    }
    hardened = i % 3 == 0
    container: dict[str, Any] = {
        "name": name,
        "image": f"registry.example.com/{name}:{'1.2.' + str(i % 9) if i % 4 else 'latest'}",
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "DB_PASSWORD", "value": "hunter2"} if i % 6 == 1 else {"name": "MODE", "value": "prod"},
        ],
        "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
    }
    if hardened:
        container["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        container["resources"] = {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        }
        container["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
        container["livenessProbe"] = {"httpGet": {"path": "/live", "port": 8080}}
    elif i % 3 == 1:
        container["securityContext"] = {"privileged": i % 2 == 0}
        container["resources"] = {"requests": {"cpu": "50m"}}
    pod: dict[str, Any] = {
        "metadata": {"labels": labels},
        "spec": {"serviceAccountName": name, "containers": [container]},
    }
    if i % 10 == 7:
        pod["spec"]["hostNetwork"] = True
        pod["spec"]["volumes"] = [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]
    meta = {"name": name, "namespace": ns, "labels": labels}
    kind = ["Deployment", "Deployment", "StatefulSet", "Deployment", "DaemonSet"][i % 5]
    workload: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": meta,
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": pod},
    }
    if kind != "DaemonSet":
        workload["spec"]["replicas"] = 1 + i % 3
    if kind == "StatefulSet":
        workload["spec"]["serviceName"] = name
    yield {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
    yield {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**meta, "name": f"{name}-config"},
        "data": {"a": "b"},
    }
    yield workload
    yield {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {
            "type": "NodePort" if i % 8 == 3 else "ClusterIP",
            "selector": {"app.kubernetes.io/name": name if i % 9 else f"{name}-typo"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }
    yield {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta,
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}},
    }
    yield {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta,
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
    }
    yield {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {
            "rules": [
                {
                    "host": f"{name}.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    }
    yield {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": meta,
        "rules": [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"] if i % 7 else ["*"]}
        ],
    }
    yield {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": meta,
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
    }
    yield {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": meta,
        "spec": {
            "hosts": [name],
            "http": [{"route": [{"destination": {"host": name, "subset": "v1"}}], "timeout": "5s"}],
        },
    }
    yield {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": meta,
        "spec": {"host": name, "subsets": [{"name": "v1", "labels": {"app.kubernetes.io/version": "1.0.0"}}]},
    }


def generate(folder: Path, objects: int, files: int) -> int:
    """Write about ``objects`` objects into ``files`` multi-document files; returns the exact count."""
    docs: list[list[dict[str, Any]]] = [[] for _ in range(files)]
    count = 0
    i = 0
    while count < objects:
        ns = f"team-{i % files}"
        bucket = docs[i % files]
        if not any(d["kind"] == "Namespace" for d in bucket):
            bucket.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            count += 1
        for obj in app_objects(i, ns):
            bucket.append(obj)
            count += 1
        i += 1
    for n, bucket in enumerate(docs):
        (folder / f"manifests-{n:02d}.yaml").write_text(yaml.safe_dump_all(bucket, sort_keys=False))
    return count


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
# shared machine. The phases follow what `design validate` does, through the public APIs.
_PHASES = """
import json, sys, time
clock = time.process_time
t0 = clock()
from designer.adapters.capabilities import policies_of
from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.loading import load_paths
from designer.policy.builtin import design_input
from designer.policy.evaluator import PolicyOptions, PolicySet, merge
from designer.policy.reports import RenderContext, renderer
from designer.rendering import render
t1 = clock()
registry = AdapterRegistry.from_entry_points()
extra = tuple(p for a in registry.adapters for p in policies_of(a))
policies = PolicySet.load(PolicyOptions(adapter_policies=extra))
t2 = clock()
designs = []
for design in load_paths([sys.argv[1]]):
    graph = build_graph(design)
    designs.append((render(design, graph, registry), graph.edges))
t3 = clock()
engine = policies.builtin._engine
rego = 0.0
for objects, edges in designs:
    engine.set_input_json(json.dumps(design_input(objects, edges), separators=(",", ":")))
    started = clock()
    engine.eval_query("data.designer.checks")
    rego += clock() - started
t4 = clock()
report = merge([policies.evaluate(objects, edges) for objects, edges in designs])
t5 = clock()
text = renderer("json")(report, RenderContext())
t6 = clock()
print(json.dumps({
    "imports_s": t1 - t0,
    "policy_compile_s": t2 - t1,
    "load_graph_render_s": t3 - t2,
    "rego_eval_s": rego,
    "input_json_s": t4 - t3 - rego,
    "evaluate_total_s": t5 - t4,
    "findings_mapping_waivers_s": max(t5 - t4 - (t4 - t3), 0.0),
    "json_output_s": t6 - t5,
    "total_cpu_s": t6 - t0 - (t4 - t3),  # without the separate Rego timing loop above
}))
"""


def phases(manifests: Path) -> dict[str, float]:
    """CPU seconds of each phase of a validate run (imports, load+render, Rego, mapping, output)."""
    done = subprocess.run(
        [sys.executable, "-c", _PHASES, str(manifests)], capture_output=True, text=True, check=True
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--files", type=int, default=10)
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
        manifests = root / "manifests"
        manifests.mkdir()
        count = generate(manifests, args.objects, args.files)
        design = shutil.which("design") or str(Path(sys.executable).with_name("design"))
        cmd = [design, "validate", str(manifests), "--output", "json", "--fail-on", "never"]
        checkov_cmd: list[str] = []
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
        if not args.skip_checkov:
            checkov = args.checkov or install_checkov(root)
            checkov_cmd = [
                str(checkov),
                "-d",
                str(manifests),
                "--framework",
                "kubernetes",
                "--quiet",
                "--compact",
            ]
        compile_bytecode()
        load_at_start = os.getloadavg()
        # Runs alternate (design, checkov, design, checkov...) so both see the same machine load.
        runs: list[dict[str, Any]] = []
        ck_runs: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            runs.append(measure(cmd))
            if checkov_cmd:
                ck_runs.append(measure(checkov_cmd, env))
        best = min(runs, key=lambda r: r["wall_s"])
        report = subprocess.run(cmd, capture_output=True, check=False)
        summary = json.loads(report.stdout)["summary"]
        results: dict[str, Any] = {
            "load_average_at_start": [round(x, 2) for x in load_at_start],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "objects": count,
            "files": args.files,
            "design_validate": {
                **best,
                "first_run_s": runs[0]["wall_s"],
                "all_runs_s": [round(r["wall_s"], 3) for r in runs],
                "all_runs_cpu_s": [r["cpu_s"] for r in runs],
                "checks": summary.get("checks"),
                "findings": summary.get("findings"),
                # Workers included (see tree_memory_mb); peak_rss_mb is the largest single process.
                "peak_pss_all_processes_mb": tree_memory_mb(cmd),
                "peak_rss_serial_mb": measure([*cmd, "--jobs", "1"])["peak_rss_mb"],
            },
        }
        if args.phases:
            results["design_validate_phases_cpu"] = phases(manifests)
        if ck_runs:
            results["checkov"] = {
                **min(ck_runs, key=lambda r: r["wall_s"]),
                "first_run_s": ck_runs[0]["wall_s"],
                "all_runs_s": [r["wall_s"] for r in ck_runs],
                "all_runs_cpu_s": [r["cpu_s"] for r in ck_runs],
                "peak_pss_all_processes_mb": tree_memory_mb(checkov_cmd, env),
            }
            ratios = sorted(c["wall_s"] / d["wall_s"] for c, d in zip(ck_runs, runs, strict=True))
            results["speedup"] = round(results["checkov"]["wall_s"] / best["wall_s"], 1)
            results["speedup_paired_median"] = round(ratios[len(ratios) // 2], 1)
            results["speedup_first_runs"] = round(ck_runs[0]["wall_s"] / runs[0]["wall_s"], 1)
            results["cpu_ratio_best"] = round(
                min(c["cpu_s"] for c in ck_runs) / max(min(d["cpu_s"] for d in runs), 1e-3), 1
            )
        print(json.dumps(results, indent=2))
        print(
            f"\n{count} objects: design validate {best['wall_s']:.3f} s,"
            f" {results['design_validate']['peak_pss_all_processes_mb']:.0f} MB peak (all processes)"
            + (
                f"; checkov {results['checkov']['wall_s']:.2f} s, {results['checkov']['peak_rss_mb']:.0f} MB peak;"
                f" speed-up x{results['speedup']:.1f} (best runs), x{results['speedup_paired_median']:.1f} (median of"
                f" paired runs), x{results['speedup_first_runs']:.1f} (first runs)"
                if "checkov" in results
                else ""
            ),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
