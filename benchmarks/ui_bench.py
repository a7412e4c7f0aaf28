"""`design ui`: how fast a large graph becomes interactive in headless Chromium, and how fast the API
answers graph and findings.

1. Browser: a generated 1,000-component design (and 100 for scale) opened in Debian's Chromium driven
   by Playwright, a fresh page per repeat: milliseconds from the navigation's start to the graph being
   laid out and painted (the page's `graph-ready` mark, set on cytoscape's first render after the
   layout), and the share of that spent laying out and drawing (`graph-start` → `graph-ready`).
   Goal (issue 15): under 2 s for 1,000 components.
2. API: GET graph and GET findings of a generated 100-component design over HTTP on 127.0.0.1: cold
   (the file changed since the last request, so it is read, graphed, rendered and evaluated again) and
   warm. Peer in the same run: the same engine work called in-process (load, graph, render, policies),
   so the ratio shows what HTTP, JSON and the server add. Goal: under 200 ms.

    python benchmarks/ui_bench.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph_bench import generate

from designer.ui.background import BackgroundServer
from designer.ui.state import Settings
from tests.ui.browser import browser_context

TOKEN = "bench-token-" + "x" * 32


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f} ms  (min {min(values):.1f}, max {max(values):.1f})"


def _server(folder: Path) -> BackgroundServer:
    server = BackgroundServer(Settings(paths=(str(folder),), token=TOKEN, port=0)).start()
    server.state.engine.submit(server.state.analyst.warm_up).result()  # as `design ui` does on start
    return server


def _id(http: requests.Session, url: str) -> str:
    return str(http.get(f"{url}/api/v1/designs", timeout=60).json()["designs"][0]["id"])


def browser(sizes: list[int], repeats: int) -> None:
    print("browser: navigation start → graph laid out and painted (headless Chromium)")
    with tempfile.TemporaryDirectory() as tmp, browser_context() as context:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            (folder / "design.yaml").write_text(yaml.safe_dump(generate(n), sort_keys=False))
            server = _server(folder)
            try:
                http = requests.Session()
                http.headers["X-Designer-Token"] = TOKEN
                design = _id(http, server.url)
                http.get(f"{server.url}/api/v1/designs/{design}/findings", timeout=120)  # analysed once
                ready, drawing, wall = [], [], []
                for _ in range(repeats):
                    page = context.new_page()
                    page.goto(server.login_url)
                    started = time.perf_counter()
                    page.goto(f"{server.url}/#/design/{design}")
                    page.wait_for_selector("#graph[data-ready=true]", timeout=60_000)
                    wall.append((time.perf_counter() - started) * 1000)
                    marks = page.evaluate(
                        "() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))"
                    )
                    ready.append(marks["graph-ready"])
                    drawing.append(marks["graph-ready"] - marks["graph-start"])
                    nodes = page.evaluate("designerGraph.nodes().length")
                    assert nodes == n, (nodes, n)
                    page.close()
                print(f"  {n:>5} components: ready   {_spread(ready)}")
                print(f"  {n:>5} components: layout + first paint {_spread(drawing)}")
                print(f"  {n:>5} components: wall (goto → ready, Python side) {_spread(wall)}")
            finally:
                server.close()


def api(n: int, repeats: int) -> None:
    from designer.adapters.registry import AdapterRegistry
    from designer.graph import build_graph
    from designer.loading import load_file
    from designer.policy.evaluator import PolicyOptions, PolicySet
    from designer.rendering import render

    print(f"API: GET graph and findings of a {n}-component design (HTTP on 127.0.0.1)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        file = folder / "design.yaml"
        text = yaml.safe_dump(generate(n), sort_keys=False)
        file.write_text(text)
        server = _server(folder)
        try:
            http = requests.Session()
            http.headers["X-Designer-Token"] = TOKEN
            design = _id(http, server.url)
            cold_graph, cold_findings, warm_graph, warm_findings = [], [], [], []
            for i in range(repeats):
                file.write_text(text + f"# change {i}\n")  # a changed file is analysed again
                for bucket, path in ((cold_graph, "graph"), (cold_findings, "findings")):
                    t = time.perf_counter()
                    assert http.get(f"{server.url}/api/v1/designs/{design}/{path}", timeout=60).ok
                    bucket.append((time.perf_counter() - t) * 1000)
                for bucket, path in ((warm_graph, "graph"), (warm_findings, "findings")):
                    t = time.perf_counter()
                    assert http.get(f"{server.url}/api/v1/designs/{design}/{path}", timeout=60).ok
                    bucket.append((time.perf_counter() - t) * 1000)
        finally:
            server.close()
        registry = AdapterRegistry.from_entry_points()
        policies = PolicySet.load(PolicyOptions())
        engine = []
        for _ in range(repeats):
            t = time.perf_counter()
            loaded = load_file(file)[0]
            graph = build_graph(loaded)
            policies.evaluate(render(loaded, graph, registry), graph.edges)
            engine.append((time.perf_counter() - t) * 1000)
    cold = [g + f for g, f in zip(cold_graph, cold_findings, strict=True)]
    print(f"  cold graph            {_spread(cold_graph)}")
    print(f"  cold findings         {_spread(cold_findings)}")
    print(f"  cold graph + findings {_spread(cold)}")
    print(f"  warm graph            {_spread(warm_graph)}")
    print(f"  warm findings         {_spread(warm_findings)}")
    print(f"  peer: the same engine work in-process {_spread(engine)}")
    print(
        f"  ratio cold (graph + findings) / in-process engine: {statistics.median(cold) / statistics.median(engine):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    api(100, args.repeats)
    browser([100, 1000], args.repeats)


if __name__ == "__main__":
    main()
