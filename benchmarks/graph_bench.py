"""Generated designs of 1,000 / 10,000 / 100,000 components: load + graph in-process, and
`design render` and `design validate` end to end (a fresh process each, as a user runs them).

The peer in the same run is the floor any YAML tool pays: parsing the same file with PyYAML's
libyaml-backed safe_load (no positions, no checks, no graph). The ratios designer / safe_load show
what line tracking, schema validation, inference, ordering, rendering and the policies cost on top;
the growth per tenfold size shows whether cost grows linearly (10x is linear). The machine is
shared and noisy: each figure is the best of --repeat runs, with the range beside it, and CPU
seconds (user + system, the children's for the commands) are given beside wall seconds.

Goals (issue 2, issue 13): load + graph of 10,000 components under 2 s; `design render` and
`design validate` of 100,000 components each under 20 s end to end; growth about linear.

    python benchmarks/graph_bench.py [--sizes 1000,10000,100000] [--repeat 3] [--no-commands]

PYTHONPATH selects the designer to measure (e.g. another checkout, for a before/after).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from designer.gcpause import paused_gc, short_lived_process
from designer.graph import build_graph
from designer.loading import load_file

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def generate(n: int) -> dict[str, Any]:
    """A design of ``n`` components: namespaces, config maps, services and deployments that use them."""
    components: list[dict[str, Any]] = []
    per_ns = 50
    namespaces = max(1, n // per_ns)
    for i in range(namespaces):
        components.append({"name": f"ns-{i}", "kind": "Namespace", "apiVersion": "v1"})
    i = 0
    while len(components) < n:
        ns = f"ns-{i % namespaces}"
        components.append(
            {"name": f"cfg-{i}", "kind": "ConfigMap", "apiVersion": "v1", "namespace": ns,
             "settings": {"data": {"key": f"value-{i}"}}}
        )  # fmt: skip
        components.append(
            {"name": f"svc-{i}", "kind": "Service", "apiVersion": "v1", "namespace": ns,
             "settings": {"spec": {"selector": {"app": f"app-{i}"}, "ports": [{"port": 80}]}}}
        )  # fmt: skip
        deps = [f"web-{i - 1}"] if i % 10 and i else []
        components.append(
            {
                "name": f"web-{i}", "kind": "Deployment", "apiVersion": "apps/v1", "namespace": ns,
                "dependsOn": deps,
                "settings": {"spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"app-{i}"}},
                    "template": {"metadata": {"labels": {"app": f"app-{i}"}}, "spec": {"containers": [
                    {"name": "app", "image": "nginx:1.27",
                     "envFrom": [{"configMapRef": {"name": f"cfg-{i}"}}]}]}}}},
            }
        )  # fmt: skip
        i += 1
    return {"apiVersion": "designer/v1", "kind": "Design", "metadata": {"name": f"gen-{n}"},
            "components": components[:n]}  # fmt: skip


@dataclass(frozen=True)
class Timing:
    """Best and worst of the repeats: wall and CPU seconds."""

    wall: float
    worst: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:7.2f} ({self.worst:6.2f}) {self.cpu:6.2f}"


def timed(action: Callable[[], None], repeat: int, children: bool = False) -> Timing:
    """Run ``action`` ``repeat`` times; CPU from this process, or its children when it runs commands."""
    walls: list[float] = []
    cpus: list[float] = []
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    for _ in range(repeat):
        before = resource.getrusage(who)
        start = time.perf_counter()
        action()
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(who)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    best = min(range(repeat), key=walls.__getitem__)
    return Timing(walls[best], max(walls), cpus[best])


def command(*args: str) -> Callable[[], None]:
    """A `design` command in a fresh process (exit 0 or 1: 1 is findings, which generated designs have)."""
    argv = [sys.executable, "-c", "from designer.cli.main import main; main()", *args]

    def run() -> None:
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"design {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]!r}")

    return run


def write(n: int, folder: Path) -> Path:
    path = folder / f"design-{n}.yaml"
    with paused_gc():  # the generated tree holds no cycles; collecting through it is most of dump's time
        text = yaml.dump(generate(n), Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
    path.write_text(text)
    return path


def measure(path: Path, n: int, repeat: int, commands: bool) -> dict[str, Timing]:
    def peer() -> None:
        with path.open() as fh:
            yaml.load(fh, Loader=_Loader)

    def ours() -> None:
        (design,) = load_file(path)
        graph = build_graph(design)
        assert len(graph.order()) == n
        graph.waves()

    found = {"safe_load": timed(peer, repeat), "load+graph": timed(ours, repeat)}
    if commands:
        found["render"] = timed(command("render", str(path)), repeat, children=True)
        found["validate"] = timed(command("validate", "--no-cache", str(path)), repeat, children=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-commands", action="store_true", help="only load + graph, in-process")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    short_lived_process()  # a one-shot script, as the `design` command declares itself
    print(
        f"designer from {Path(sys.modules['designer'].__file__ or '').parent}; load average {os.getloadavg()[0]:.1f}"
    )
    print("each cell: best wall s (worst wall s) CPU s; ratio = best wall / safe_load's")
    results: dict[int, dict[str, Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            results[n] = found = measure(write(n, Path(tmp)), n, args.repeat, not args.no_commands)
            peer = found["safe_load"].wall
            cells = "  ".join(f"{name} {timing} x{timing.wall / peer:.2f}" for name, timing in found.items())
            print(f"{n:>7,} components  {cells}", flush=True)
    for small, large in itertools.pairwise(sizes):
        factor = large / small
        growth = "  ".join(
            f"{name} x{results[large][name].wall / results[small][name].wall:.1f} (CPU x{results[large][name].cpu / max(results[small][name].cpu, 1e-9):.1f})"
            for name in results[small]
        )
        print(f"growth {small:,} -> {large:,} (x{factor:g} components; x{factor:g} is linear): {growth}")


if __name__ == "__main__":
    main()
