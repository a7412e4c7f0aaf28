"""Apply a 500-object design to the sandbox with 20 ms of API latency per request, or to a real
control plane (``--engine kube-apiserver``; ``both`` runs each; bench_engines.py).

Figures, same objects, same latency (the sandbox runs in a child process, as an API server would,
so its CPU does not share our GIL; on the real control plane the latency is its own, the peer
applies a copy of the design into other namespaces of the same server, and the controller delay of
the lower bound is measured: one Deployment's time from its apply to Available):

- plan: what `design apply` does first (`design diff`'s planner): one LIST per (apiVersion, kind,
  namespace) group of 3+ objects (a GET for smaller groups) and one dry-run apply per object;
- designer apply: the engine executing that plan: components start as soon as their dependencies
  are ready, ``--concurrency`` requests at once, each waited for (Deployments become available
  through the sandbox's controllers);
- one by one: every object server-side applied in apply order, one request after the other and no
  readiness waits at all (what ``kubectl apply --server-side -f`` does: generous to the peer); then
  also the time until all its Deployments are Available (``kubectl wait``), so both runs end with
  everything ready (on the real control plane that pace is the controllers' and the kubelet's);
- lower bounds, with RTT the measured median round trip of one GET alone:
  apply  = max(critical path, throughput floor), where the critical path is the longest chain of
           the dependency graph, each component costing (its objects x RTT) plus, for kinds with a
           controller, (controller delay + RTT) for one readiness read; and the throughput floor is
           (one write per object + one readiness read per controlled object) x RTT / concurrency;
  plan   = (one dry run per object + one read per group + 1 inventory read) x RTT / concurrency.
  The RTT of a request sent alone is optimistic once ``concurrency`` requests share the machine's CPU
  (client and emulator), so the bench also measures a request's cost with that many GETs in flight
  and shows the throughput floors at that cost, for reference.

Goals (issue 5): designer apply within 1.3x of its lower bound, at least 5x faster than one by one.

    python benchmarks/apply_bench.py [--latency 0.02] [--concurrency 8] [--namespaces 10] [--apps 16]
        [--engine emulator|kube-apiserver|both] [--kubeconfig FILE (the real side)]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bench_engines
import yaml

from designer.adapters.kubernetes import KubernetesAdapter
from designer.adapters.registry import AdapterRegistry
from designer.applying import session
from designer.applying.engine import ApplyOptions
from designer.cluster.base import Cluster
from designer.cluster.connecting import connect
from designer.cluster.inventory import with_ownership
from designer.loading import load_file
from designer.model import ObjectRef

CONTROLLED = {
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
}


def generate(namespaces: int, apps: int, prefix: str = "bench") -> dict[str, Any]:
    """``namespaces`` × (ServiceAccount + ``apps`` × (ConfigMap → Deployment → Service)) + the namespaces."""
    components: list[dict[str, Any]] = []
    for n in range(namespaces):
        ns = f"{prefix}-{n}"
        components.append({"name": ns, "kind": "Namespace", "apiVersion": "v1"})
        components.append({"name": f"{ns}-sa", "kind": "ServiceAccount", "apiVersion": "v1", "namespace": ns})
        for a in range(apps):
            app = f"app-{a}"
            components.append(
                {
                    "name": f"{ns}-{app}-cfg",
                    "kind": "ConfigMap",
                    "apiVersion": "v1",
                    "namespace": ns,
                    "settings": {"data": {"LEVEL": "info", "APP": app}},
                }
            )
            components.append(
                {
                    "name": f"{ns}-{app}",
                    "kind": "Deployment",
                    "apiVersion": "apps/v1",
                    "namespace": ns,
                    "settings": {
                        "spec": {
                            "replicas": 2,
                            "selector": {"matchLabels": {"app": app}},
                            "template": {
                                "metadata": {"labels": {"app": app}},
                                "spec": {
                                    "serviceAccountName": f"{ns}-sa",
                                    "containers": [
                                        {
                                            "name": app,
                                            "image": f"registry.example/{app}:1.0",
                                            "envFrom": [{"configMapRef": {"name": f"{ns}-{app}-cfg"}}],
                                        }
                                    ],
                                },
                            },
                        }
                    },
                }
            )
            components.append(
                {
                    "name": f"{ns}-{app}-svc",
                    "kind": "Service",
                    "apiVersion": "v1",
                    "namespace": ns,
                    "dependsOn": [f"{ns}-{app}"],
                    "settings": {"spec": {"selector": {"app": app}, "ports": [{"port": 80}]}},
                }
            )
    return {
        "apiVersion": "designer/v1",
        "kind": "Design",
        "metadata": {"name": prefix},
        "components": components,
    }


def round_trip(cluster: Cluster, samples: int = 15) -> float:
    """Median seconds of one GET (latency + client + server)."""
    ref = ObjectRef("v1", "Namespace", None, "default")
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        cluster.get(ref)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def loaded_round_trip(cluster: Cluster, concurrency: int, requests: int = 240) -> float:
    """Seconds per request when ``concurrency`` GETs are always in flight: what one request really
    costs under the run's load (client and emulator CPU included), to tell designer's overhead from
    the machine's."""
    ref = ObjectRef("v1", "Namespace", None, "default")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: cluster.get(ref), range(requests)))
    return (time.perf_counter() - start) * concurrency / requests


def lower_bound(
    prepared: session.Prepared, rtt: float, controller_delay: float, concurrency: int
) -> tuple[float, float]:
    """(critical path, throughput floor) in seconds."""
    count: dict[str, int] = {}
    controlled: dict[str, bool] = {}
    for obj in prepared.objects:
        name = obj.component.name
        count[name] = count.get(name, 0) + 1
        controlled[name] = controlled.get(name, False) or obj.ref.kind in CONTROLLED
    cost = {
        n: count.get(n, 0) * rtt + ((controller_delay + rtt) if controlled.get(n) else 0.0)
        for n in prepared.dependencies
    }
    finish: dict[str, float] = {}
    for comp in prepared.components:  # graph order: dependencies first
        deps = prepared.dependencies[comp.name]
        finish[comp.name] = cost[comp.name] + max((finish[d] for d in deps), default=0.0)
    requests = len(prepared.objects) + sum(1 for o in prepared.objects if o.ref.kind in CONTROLLED)
    return max(finish.values()), requests * rtt / concurrency


def plan_lower_bound(prepared: session.Prepared, rtt: float, concurrency: int) -> tuple[int, float]:
    """(minimal requests, seconds) of a plan: a dry run per object, a read per group, the inventory."""
    groups = {(o.ref.api_version, o.ref.kind, o.ref.namespace) for o in prepared.objects}
    requests = len(prepared.objects) + len(groups) + 1
    return requests, requests * rtt / concurrency


class Counting:
    """Counts the requests a run sends (get/list/apply/delete) and the time they are in flight,
    delegating everything else."""

    def __init__(self, inner: Cluster) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.busy = 0.0  # request-seconds: busy / wall time = mean requests in flight
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in ("get", "apply", "delete", "list"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                with self._lock:
                    self.calls[name] += 1
                    self.busy += time.perf_counter() - started

        return counted


@contextmanager
def sandbox_process(kubeconfig: Path, args: argparse.Namespace) -> Iterator[None]:
    """The sandbox in a child process, as a real API server would be (not sharing our GIL)."""
    code = (
        "import sys, time; from pathlib import Path; from designer.sandbox.runner import Sandbox; "
        f"Sandbox(controllers=True, latency={args.latency!r}, controller_delay={args.controller_delay!r}, "
        f"keep_requests=False).start(Path({str(kubeconfig)!r})); sys.stdout.write('ready\\n'); "
        "sys.stdout.flush(); time.sleep(3600)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("the sandbox did not start")
        yield
    finally:
        child.terminate()
        child.wait(10)


def readiness_delay(cluster: Cluster, namespace: str, timeout: float = 120.0) -> float:
    """Seconds a real control plane takes to make one small Deployment Available (deployment and
    replica-set controllers, pod binding, the kubelet's status), after its apply returned: the
    ``controller delay`` of the lower bound on the real engine."""
    probe = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "readiness-probe", "namespace": namespace},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "probe"}},
            "template": {
                "metadata": {"labels": {"app": "probe"}},
                "spec": {"containers": [{"name": "probe", "image": "registry.example/probe:1.0"}]},
            },
        },
    }
    ref = ObjectRef("apps/v1", "Deployment", namespace, "readiness-probe")
    cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    cluster.apply(probe)
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        live = cluster.get(ref)
        conditions = {
            c.get("type"): c.get("status") for c in ((live or {}).get("status") or {}).get("conditions", [])
        }
        if (
            conditions.get("Available") == "True"
            and ((live or {}).get("status") or {}).get("readyReplicas") == 2
        ):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise RuntimeError(f"the probe Deployment was not Available after {timeout:.0f} s")


def all_available(cluster: Cluster, prepared: session.Prepared, timeout: float = 600.0) -> float:
    """Seconds until every Deployment of ``prepared`` is Available with all replicas ready, polled with
    one LIST per namespace (what ``kubectl wait --for=condition=Available`` amounts to)."""
    wanted: dict[str, set[str]] = {}
    for obj in prepared.objects:
        if obj.ref.kind == "Deployment" and obj.ref.namespace:
            wanted.setdefault(obj.ref.namespace, set()).add(obj.ref.name)
    start = time.perf_counter()
    while wanted and time.perf_counter() - start < timeout:
        for namespace in list(wanted):
            for live in cluster.list("apps/v1", "Deployment", namespace=namespace):
                status = live.get("status") or {}
                conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
                if conditions.get("Available") == "True" and status.get("readyReplicas") == live["spec"].get(
                    "replicas"
                ):
                    wanted[namespace].discard(live["metadata"]["name"])
            if not wanted[namespace]:
                del wanted[namespace]
        if wanted:
            time.sleep(0.1)
    if wanted:
        raise RuntimeError(f"not Available after {timeout:.0f} s: {sorted(wanted)}")
    return time.perf_counter() - start


@contextmanager
def targets(engine: str, tmp: Path, args: argparse.Namespace) -> Iterator[tuple[Path, Path]]:
    """(the engine's kubeconfig, the peer's): two emulators in child processes, or one real control
    plane for both (the peer applies its own copy of the design into other namespaces)."""
    if engine == bench_engines.REAL:
        with bench_engines.real_cluster(tmp, args.kubeconfig) as real:
            yield real, real
        return
    with (
        sandbox_process(tmp / "engine.kubeconfig", args),
        sandbox_process(tmp / "peer.kubeconfig", args),
    ):
        yield tmp / "engine.kubeconfig", tmp / "peer.kubeconfig"


def run(engine: str, args: argparse.Namespace, tmp: Path) -> None:
    prefix = "bench" if engine == bench_engines.EMULATOR else f"apply-bench-{uuid.uuid4().hex[:6]}"
    path = tmp / f"design-{engine}.yaml"
    path.write_text(yaml.safe_dump(generate(args.namespaces, args.apps, prefix), sort_keys=False))
    (design,) = load_file(path)
    prepared = session.prepare(design, AdapterRegistry.from_adapters([KubernetesAdapter()]))
    peer_path = tmp / f"peer-{engine}.yaml"
    peer_path.write_text(
        yaml.safe_dump(generate(args.namespaces, args.apps, f"{prefix}-peer"), sort_keys=False)
    )
    (peer_design,) = load_file(peer_path)
    peer_prepared = session.prepare(peer_design, AdapterRegistry.from_adapters([KubernetesAdapter()]))
    print(
        f"\n== {engine}: {len(prepared.objects)} objects, {len(prepared.components)} components, "
        + (f"latency {args.latency * 1000:.0f} ms added, " if engine == bench_engines.EMULATOR else "")
        + f"concurrency {args.concurrency}"
    )

    with targets(engine, tmp, args) as (engine_config, peer_config):
        cluster = connect(engine_config)
        controller_delay = args.controller_delay
        if engine == bench_engines.REAL:
            controller_delay = readiness_delay(cluster, f"{prefix}-probe")
        rtt = round_trip(cluster)
        loaded = loaded_round_trip(cluster, args.concurrency)
        planning = Counting(cluster)
        start = time.perf_counter()
        plan = session.plan(planning, prepared, inventory_namespace="default", concurrency=args.concurrency)
        plan_s = time.perf_counter() - start
        planned = dict(planning.calls)
        plan_busy = planning.busy
        counting = Counting(cluster)
        start = time.perf_counter()
        result = session.run(
            counting, prepared, plan, ApplyOptions(concurrency=args.concurrency), lambda e: None
        )
        apply_s = time.perf_counter() - start
        assert result.ok and len(result.applied) == len(prepared.objects), result.summary()
        sent = dict(counting.calls)
        apply_busy = counting.busy
        peer = connect(peer_config)
        start = time.perf_counter()
        for obj in peer_prepared.objects:
            peer.apply(with_ownership(obj.body, peer_design.name), field_manager="kubectl")
        peer_s = time.perf_counter() - start
        peer_ready_s = peer_s + all_available(peer, peer_prepared)
        if engine == bench_engines.REAL:  # leave the shared control plane as it was (not waited for)
            for obj in [*prepared.objects, *peer_prepared.objects]:
                if obj.ref.kind == "Namespace":
                    cluster.delete(obj.ref)
            cluster.delete(ObjectRef("v1", "Namespace", None, f"{prefix}-probe"))
        peer.close()
        cluster.close()

    n = len(prepared.objects)
    critical, floor = lower_bound(prepared, rtt, controller_delay, args.concurrency)
    bound = max(critical, floor)
    plan_min, plan_bound = plan_lower_bound(prepared, rtt, args.concurrency)
    plan_sent, apply_sent = sum(planned.values()), sum(sent.values())
    print(f"round trip RTT (GET, median):        {rtt * 1000:7.1f} ms")
    print(
        f"controller delay (readiness):        {controller_delay:7.2f} s   "
        + (
            "(measured: one Deployment, apply to Available)"
            if engine == bench_engines.REAL
            else "(the emulator's setting)"
        )
    )
    print(
        f"plan:                                {plan_s:7.2f} s   requests: {planned} = "
        f"{plan_sent / n:.2f}/object, {1000 * plan_s * args.concurrency / plan_sent:.1f} ms each "
        f"(x concurrency), {plan_busy / plan_s:.1f} in flight on average"
    )
    print(
        f"designer apply (waits included):     {apply_s:7.2f} s   requests: {sent} = "
        f"{apply_sent / n:.2f}/object, {1000 * apply_s * args.concurrency / apply_sent:.1f} ms each "
        f"(x concurrency), {apply_busy / apply_s:.1f} in flight on average, "
        f"{1000 * apply_busy / apply_sent:.1f} ms each"
    )
    print(f"one by one, no waits (kubectl-like): {peer_s:7.2f} s   ({1000 * peer_s / n:.1f} ms per object)")
    print(
        f"  then until all Available (+ wait):  {peer_ready_s:7.2f} s   (kubectl apply, then kubectl wait: "
        "the controllers' own pace, one LIST per namespace every 0.1 s)"
    )
    print("lower bounds (see the module docstring for how they are computed):")
    print(
        f"  apply: critical path {critical:.2f} s, throughput floor {floor:.2f} s "
        f"({n} writes + {round(floor * args.concurrency / rtt) - n} readiness reads) x {rtt * 1000:.1f} ms"
        f" / {args.concurrency} -> {bound:.2f} s"
    )
    print(
        f"  plan:  {plan_min} requests x {rtt * 1000:.1f} ms / {args.concurrency} -> {plan_bound:.2f} s;"
        f" plan + apply -> {plan_bound + bound:.2f} s"
    )
    print(
        f"  with {args.concurrency} GETs always in flight one takes {loaded * 1000:.1f} ms (not {rtt * 1000:.1f}):"
        f" the same floors at that cost are apply {floor * loaded / rtt:.2f} s, plan {plan_bound * loaded / rtt:.2f} s"
    )
    print(f"designer apply / lower bound:        {apply_s / bound:7.2f}x   (goal <= 1.3x)")
    print(f"one by one / designer apply:         {peer_s / apply_s:7.2f}x   (goal >= 5x)")
    print(
        f"designer apply / (one by one + wait): {apply_s / peer_ready_s:7.2f}x   (both end with everything ready)"
    )
    print(f"(plan + apply) / its lower bound:    {(plan_s + apply_s) / (plan_bound + bound):7.2f}x")
    print(f"one by one / (plan + apply):         {peer_s / (plan_s + apply_s):7.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--apps", type=int, default=16)
    parser.add_argument("--controller-delay", type=float, default=0.05)
    parser.add_argument("--engine", choices=["emulator", "kube-apiserver", "both"], default="emulator")
    parser.add_argument(
        "--kubeconfig", type=Path, help="the real side (default: a control plane started now)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apply-bench-") as tmp:
        for engine in bench_engines.engines(args.engine):
            run(engine, args, Path(tmp))


if __name__ == "__main__":
    main()
