"""Catalog performance: search over a 10,000-entry index, and pack + push + pull through a real registry.

1. Search: a generated index of 10,000 entries (names, descriptions, tags, types, meshes drawn from
   the real patterns' vocabulary) is parsed and schema-validated once, then each query shape runs
   many times; the figure is the median and worst time per search. Goal (issue 7): under 50 ms.
2. Registry: 100 distinct patterns (the catalog's patterns renamed -0 … -99) are packed, pushed to
   a local docker-registry (started here on 127.0.0.1 with a temporary storage folder) and pulled
   back with full verification; the figures are milliseconds per pattern for each step.

    python benchmarks/catalog_bench.py [--entries 10000] [--patterns 100]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from designer.catalog import indexfile, metadata, packaging  # noqa: E402
from designer.catalog.sources import base, oci  # noqa: E402
from tests.catalog.registry import running_registry  # noqa: E402

WORDS = [
    "istio",
    "linkerd",
    "canary",
    "mtls",
    "gateway",
    "ingress",
    "tls",
    "retries",
    "timeouts",
    "circuit",
    "breaker",
    "outlier",
    "fault",
    "injection",
    "wasm",
    "envoy",
    "authorization",
    "zero-trust",
    "prometheus",
    "metrics",
    "autoscaling",
    "hpa",
    "pdb",
    "networkpolicy",
    "podinfo",
    "httpbin",
    "bookinfo",
    "emojivoto",
    "mirroring",
    "rate-limit",
    "observability",
    "tracing",
    "jaeger",
    "grafana",
    "kafka",
    "redis",
    "postgres",
]
QUERIES = [
    ("one word", "canary", {}),
    ("two words", "istio retries", {}),
    ("tag filter", "tag:wasm", {}),
    ("type + mesh", "type:security mesh:linkerd", {}),
    ("word + filters", "gateway", {"mesh": "istio", "type": "Traffic-management"}),
    ("no match", "zzzz-not-there", {}),
    ("everything", "", {}),
    ("all versions", "istio", {"all_versions": True}),
]


def generate_index(n: int, seed: int = 7) -> str:
    """index.json text with ``n`` entries (about n/4 names with 4 versions each)."""
    rnd = random.Random(seed)
    items = []
    for i in range(n):
        group = random.Random(i // 4)  # four versions per name
        name = f"{group.choice(WORDS)}-{group.choice(WORDS)}-{i // 4}"
        items.append(
            {
                "name": name,
                "version": f"1.{i % 4}.0",
                "description": " ".join(rnd.choice(WORDS) for _ in range(18)),
                "type": rnd.choice(metadata.TYPES),
                "tags": sorted({rnd.choice(WORDS) for _ in range(4)}),
                "meshes": [rnd.choice(["istio", "linkerd", "none"])],
                "digest": "sha256:" + f"{rnd.getrandbits(256):064x}",
                "size": rnd.randint(1000, 9000),
                "archive": f"archives/{name}-1.{i % 4}.0.tar.gz",
                "file": f"{name}.yaml",
            }
        )
    return json.dumps({"schema_version": 1, "kind": "CatalogIndex", "entries": items})


def bench_search(n: int) -> None:
    text = generate_index(n)
    started = time.perf_counter()
    index = indexfile.parse_index(text, origin="generated")
    load_ms = (time.perf_counter() - started) * 1000
    print(
        f"index: {len(index.entries)} entries, {len(text) / 1e6:.1f} MB, parse + schema check {load_ms:.0f} ms"
    )
    print(f"{'query':<16} {'hits':>6} {'median ms':>10} {'max ms':>8}")
    worst = 0.0
    for label, query, filters in QUERIES:
        times = []
        hits = 0
        for _ in range(30):
            t0 = time.perf_counter()
            hits = len(index.search(query, **filters))
            times.append((time.perf_counter() - t0) * 1000)
        worst = max(worst, max(times))
        print(f"{label:<16} {hits:>6} {statistics.median(times):>10.2f} {max(times):>8.2f}")
    print(f"search goal < 50 ms: {'met' if worst < 50 else 'MISSED'} (worst {worst:.1f} ms)")


def bench_registry(count: int) -> None:
    patterns = sorted((ROOT / "patterns").glob("*.yaml"))
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        work = Path(tmp)
        files = []
        for i in range(count):
            src = patterns[i % len(patterns)]
            text = src.read_text()
            name = text.split("\n  name: ", 1)[1].split("\n", 1)[0]
            path = work / "in" / f"{name}-{i}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text.replace(f"\n  name: {name}\n", f"\n  name: {name}-{i}\n", 1))
            files.append(path)
        with running_registry(work) as registry:
            source = oci.OciSource("bench", f"oci://{registry.host}/bench")
            pack_s = push_s = pull_s = 0.0
            identical = 0
            for path in files:
                t0 = time.perf_counter()
                package = packaging.pack(path)
                t1 = time.perf_counter()
                source.push(package)
                t2 = time.perf_counter()
                _, pulled = base.pull(source, f"{package.info.name}@{package.info.version}")
                t3 = time.perf_counter()
                identical += pulled.data == package.data and pulled.info.content == path.read_bytes()
                pack_s, push_s, pull_s = pack_s + t1 - t0, push_s + t2 - t1, pull_s + t3 - t2
        per = 1000 / count
        print(f"registry: {count} patterns, {identical} pulled byte-identical")
        print(
            f"per pattern: pack {pack_s * per:.1f} ms, push {push_s * per:.1f} ms, pull+verify {pull_s * per:.1f} ms, "
            f"total {(pack_s + push_s + pull_s) * per:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--patterns", type=int, default=100)
    args = parser.parse_args()
    bench_search(args.entries)
    bench_registry(args.patterns)


if __name__ == "__main__":
    main()
