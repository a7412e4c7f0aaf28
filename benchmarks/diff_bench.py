"""Benchmark: `design diff` of a 2,000-object design against the sandbox, and the in-process part alone.

Part 1 (round trips): a generated design (namespaces, ConfigMaps, Secrets, Deployments, Services) is
applied to a fresh sandbox API emulator, or to a real control plane with ``--engine kube-apiserver``
(``both`` gives a row each; bench_engines.py), a tenth of the Deployments is scaled by "another
tool", then the design is diffed end to end through the real client over HTTP (load + graph + render
+ plan). Reported: requests per object (by verb, counted in the client: the planner LISTs each
(apiVersion, kind, namespace) group of 3+ objects once instead of a GET per object, and dry-run
applies every object), mean time per request, and how the total splits between the API round trips
and designer's own work (load/render, normalization and comparison).

Part 2 (in-process): normalization + comparison of 5,000 (live, predicted) pairs shaped like what the
server returns (managedFields, status, defaults; 10 % with a changed field). Goal: under 2 s.

    python benchmarks/diff_bench.py [--objects 2000] [--pairs 5000] [--latency 0] [--concurrency 8]
        [--engine emulator|kube-apiserver|both] [--kubeconfig FILE (the real side)]
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bench_engines
import yaml

from designer.adapters.registry import AdapterRegistry
from designer.cluster.connecting import connect
from designer.diffing import comparing
from designer.diffing.planner import plan_design
from designer.graph import build_graph
from designer.loading import load_file
from designer.rendering import render
from designer.sandbox.runner import Sandbox


def generate(n: int, prefix: str = "ns") -> dict[str, Any]:
    """A native design of ``n`` components: 1 namespace per 100 objects, then a mix of kinds."""
    namespaces = max(1, n // 100)
    components: list[dict[str, Any]] = [
        {"name": f"{prefix}-{i}", "kind": "Namespace", "apiVersion": "v1"} for i in range(namespaces)
    ]
    i = 0
    while len(components) < n:
        ns = f"{prefix}-{i % namespaces}"
        kind = ("ConfigMap", "Secret", "Deployment", "Service", "ConfigMap")[i % 5]
        name = f"app-{i}"
        comp: dict[str, Any] = {
            "name": f"{kind.lower()}-{i}",
            "kind": kind,
            "namespace": ns,
            "objectName": name,
        }
        if kind == "ConfigMap":
            comp |= {"apiVersion": "v1", "settings": {"data": {"mode": "fast", "index": str(i)}}}
        elif kind == "Secret":
            comp |= {"apiVersion": "v1", "settings": {"stringData": {"password": f"pw-{i}"}}}
        elif kind == "Deployment":
            comp |= {"apiVersion": "apps/v1", "settings": {"spec": _deployment_spec(name)}}
        else:
            comp |= {
                "apiVersion": "v1",
                "settings": {
                    "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}
                },
            }
        components.append(comp)
        i += 1
    return {
        "apiVersion": "designer/v1",
        "kind": "Design",
        "metadata": {"name": "bench"},
        "components": components,
    }


def _deployment_spec(name: str) -> dict[str, Any]:
    return {
        "replicas": 2,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:1.25",
                        "ports": [{"containerPort": 8080}],
                        "env": [{"name": "MODE", "value": "fast"}, {"name": "LEVEL", "value": "3"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                    }
                ]
            },
        },
    }


@contextmanager
def _target(engine: str, folder: Path, kubeconfig: Path | None) -> Iterator[tuple[Path, Sandbox | None]]:
    """The kubeconfig of the API to diff against, and the emulator when it is one."""
    if engine == bench_engines.REAL:
        with bench_engines.real_cluster(folder, kubeconfig) as real:
            yield real, None
        return
    sandbox = Sandbox().start(folder / "kubeconfig")
    try:
        assert sandbox.kubeconfig_path is not None
        yield sandbox.kubeconfig_path, sandbox
    finally:
        sandbox.stop()


def round_trips(
    n: int,
    latency: float,
    concurrency: int,
    engine: str = bench_engines.EMULATOR,
    kubeconfig: Path | None = None,
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    prefix = "ns" if engine == bench_engines.EMULATOR else f"diff-bench-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(yaml.safe_dump(generate(n, prefix), sort_keys=False), encoding="utf-8")
        with _target(engine, Path(tmp), kubeconfig) as (config, sandbox), bench_engines.RequestLog() as log:
            t0 = time.perf_counter()
            (design,) = load_file(path)
            objects = render(design, build_graph(design), AdapterRegistry.from_entry_points())
            t_load = time.perf_counter() - t0
            cluster = connect(config)
            try:
                for obj in objects:  # steady state: everything applied once
                    cluster.apply(obj.body)
                drifted = 0
                for obj in objects:
                    if obj.body["kind"] == "Deployment" and drifted < n // 50:
                        body = {**obj.body, "spec": {**obj.body["spec"], "replicas": 5}}
                        cluster.apply(body, field_manager="other-tool", force=True)
                        drifted += 1
                if sandbox is not None:
                    sandbox.latency = latency
                log.clear()
                t1 = time.perf_counter()
                plan = plan_design(cluster, design.name, objects, concurrency=concurrency)
                t_plan = time.perf_counter() - t1
                sent = list(log.requests)
                if engine == bench_engines.REAL:  # the namespaces go (not waited for)
                    for obj in objects:
                        if obj.body["kind"] == "Namespace":
                            cluster.delete(obj.ref)
            finally:
                cluster.close()
    requests = len(sent)
    writes = sum(1 for r in sent if r.method != "GET" and not r.dry_run)
    by_verb = Counter(bench_engines.verb(r.method, r.path, r.dry_run) for r in sent)
    compare_time = _compare_time(plan)
    counts = plan.counts()
    rows += [
        ("engine", engine),
        ("objects", f"{len(objects)}"),
        ("load + graph + render", f"{t_load:.2f} s"),
        ("plan (read + dry-run apply + compare)", f"{t_plan:.2f} s"),
        ("requests", f"{requests} ({requests / len(objects):.2f} per object, {writes} non-dry-run writes)"),
        ("  by verb", ", ".join(f"{n} {verb}" for verb, n in sorted(by_verb.items()))),
        (
            "  by answer",
            ", ".join(f"{n} x {code}" for code, n in sorted(Counter(r.status for r in sent).items())),
        ),
        ("time per request (plan time / requests)", f"{1000 * t_plan / requests:.2f} ms"),
        ("mean request round trip (in flight)", f"{1000 * sum(r.seconds for r in sent) / requests:.2f} ms"),
        ("of which normalize + compare", f"{compare_time:.2f} s"),
        ("plan result", ", ".join(f"{v} {k}" for k, v in counts.items() if v)),
        (
            "API latency added per request",
            f"{latency * 1000:.0f} ms" if sandbox is not None else "none (real server)",
        ),
        ("concurrency", f"{concurrency}"),
    ]
    return rows


def _compare_time(plan: Any) -> float:
    started = time.perf_counter()
    for step in plan.steps:
        if step.live is not None and step.predicted is not None:
            comparing.compare(step.live, step.predicted)
    return time.perf_counter() - started


def _live_pair(i: int, changed: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    name = f"app-{i}"
    predicted: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "bench",
            "uid": f"uid-{i}",
            "resourceVersion": str(1000 + i),
            "generation": 2,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {
                "app": name,
                "app.kubernetes.io/managed-by": "designer",
                "designer.dev/design": "bench",
            },
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "managedFields": [
                {
                    "manager": "designer",
                    "operation": "Apply",
                    "apiVersion": "apps/v1",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:spec": {
                            "f:replicas": {},
                            "f:template": {
                                "f:spec": {"f:containers": {'k:{"name":"app"}': {".": {}, "f:image": {}}}}
                            },
                        }
                    },
                }
            ],
        },
        "spec": {
            **_deployment_spec(name),
            "progressDeadlineSeconds": 600,
            "revisionHistoryLimit": 10,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
        },
        "status": {"replicas": 2, "readyReplicas": 2, "observedGeneration": 2},
    }
    container = predicted["spec"]["template"]["spec"]["containers"][0]
    container |= {"terminationMessagePath": "/dev/termination-log", "imagePullPolicy": "IfNotPresent"}
    live = copy.deepcopy(predicted)
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "0.5"
    if changed:
        live["spec"]["replicas"] = 5
    return live, predicted


def in_process(pairs: int) -> list[tuple[str, str]]:
    data = [_live_pair(i, changed=i % 10 == 0) for i in range(pairs)]
    started = time.perf_counter()
    changed = sum(1 for live, predicted in data if comparing.compare(live, predicted).changes)
    elapsed = time.perf_counter() - started
    return [
        ("pairs (Deployments with managedFields, status, defaults)", f"{pairs}"),
        ("pairs with changes", f"{changed}"),
        ("normalize + compare, total", f"{elapsed:.2f} s (goal < 2 s)"),
        ("per pair", f"{1e6 * elapsed / pairs:.0f} µs"),
    ]


def _table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 30))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.0, help="simulated seconds per request")
    parser.add_argument("--concurrency", type=int, default=8, help="objects diffed in parallel")
    parser.add_argument("--engine", choices=["emulator", "kube-apiserver", "both"], default="emulator")
    parser.add_argument(
        "--kubeconfig", type=Path, help="the real side (default: a control plane started now)"
    )
    args = parser.parse_args()
    _table(f"in-process normalization + comparison ({args.pairs} pairs)", in_process(args.pairs))
    for engine in bench_engines.engines(args.engine):
        _table(
            f"design diff of {args.objects} objects against {engine}",
            round_trips(args.objects, args.latency, args.concurrency, engine, args.kubeconfig),
        )


if __name__ == "__main__":
    main()
