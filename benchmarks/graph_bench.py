"""Load + graph + order of generated designs with 1,000 / 10,000 / 100,000 components.

The peer in the same run is the floor any YAML tool pays: parsing the same file with PyYAML's
libyaml-backed safe_load (no positions, no checks, no graph). The ratio designer / safe_load shows
what line tracking, schema validation, inference and ordering cost on top, and the per-component
figures show whether cost grows linearly.

Goals (issue 2): 10,000 components under 2 s, 100,000 under 20 s, growth about linear.

    python benchmarks/graph_bench.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from designer.gcpause import short_lived_process
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
                "settings": {"spec": {"replicas": 2, "template": {"spec": {"containers": [
                    {"name": "app", "image": "nginx:1.27",
                     "envFrom": [{"configMapRef": {"name": f"cfg-{i}"}}]}]}}}},
            }
        )  # fmt: skip
        i += 1
    return {"apiVersion": "designer/v1", "kind": "Design", "metadata": {"name": f"gen-{n}"},
            "components": components[:n]}  # fmt: skip


def measure(n: int, folder: Path) -> tuple[float, float, int]:
    path = folder / f"design-{n}.yaml"
    path.write_text(
        yaml.dump(generate(n), Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
    )
    start = time.perf_counter()
    with path.open() as fh:
        yaml.load(fh, Loader=_Loader)
    peer = time.perf_counter() - start
    start = time.perf_counter()
    (design,) = load_file(path)
    graph = build_graph(design)
    order = graph.order()
    graph.waves()
    ours = time.perf_counter() - start
    assert len(order) == n
    return ours, peer, len(graph.edges)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    short_lived_process()  # a one-shot script, as the `design` command declares itself
    print(
        f"{'components':>10} {'edges':>8} {'designer s':>11} {'µs/comp':>8} {'safe_load s':>12} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            ours, peer, edges = measure(n, Path(tmp))
            print(
                f"{n:>10,} {edges:>8,} {ours:>11.2f} {ours / n * 1e6:>8.1f} {peer:>12.2f} {ours / peer:>6.2f}"
            )


if __name__ == "__main__":
    main()
