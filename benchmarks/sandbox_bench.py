"""Sandbox throughput: what one API request costs the emulator, with and without HTTP.

1. In-process: the write pipeline alone (`Api.patch` with an apply body): create, no-op re-apply,
   changed apply, dry-run apply, for N Deployments with two containers, env and ports.
2. Over HTTP with the official Python client (one request after the other, client in this process):
   the same four steps plus GET, as the diff/apply engines see them.

Figures are milliseconds per request (mean). The apply and diff benchmarks add latency on top
of these with ``Sandbox(latency=...)``.

    python benchmarks/sandbox_bench.py [--objects 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kubernetes import client  # noqa: E402

from designer.sandbox import writes  # noqa: E402
from designer.sandbox.operations import APPLY, Api  # noqa: E402
from designer.sandbox.resources import ResourceTable  # noqa: E402
from designer.sandbox.runner import Sandbox  # noqa: E402
from designer.sandbox.store import Store  # noqa: E402


def deployment(i: int, image: str = "nginx:1.25") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"d{i}", "namespace": "default", "labels": {"app": f"d{i}", "tier": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": f"d{i}"}},
            "template": {
                "metadata": {"labels": {"app": f"d{i}"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": image,
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        },
                        {"name": "sidecar", "image": "envoy:1.30", "ports": [{"containerPort": 15001}]},
                    ]
                },
            },
        },
    }


def in_process(n: int) -> dict[str, float]:
    api = Api(Store(), ResourceTable.builtin())
    rt = api.table.lookup("apps", "v1", "deployments")
    assert rt is not None
    figures = {}
    for step, image, dry in (
        ("create", "nginx:1.25", False),
        ("no-op", "nginx:1.25", False),
        ("changed", "nginx:1.26", False),
        ("dry-run", "nginx:1.27", True),
    ):
        bodies = [json.dumps(deployment(i, image)).encode() for i in range(n)]
        started = time.perf_counter()
        for i, body in enumerate(bodies):
            writes.patch(api, rt, "default", f"d{i}", APPLY, body, manager="bench", force=False, dry_run=dry)
        figures[step] = (time.perf_counter() - started) / n * 1000
    return figures


def over_http(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Sandbox(keep_requests=False).start(Path(tmp) / "kubeconfig")
        try:
            api_client = client.ApiClient(client.Configuration(host=server.url))
            apps = client.AppsV1Api(api_client)
            figures = {}
            for step, image, dry in (
                ("create", "nginx:1.25", None),
                ("no-op", "nginx:1.25", None),
                ("changed", "nginx:1.26", None),
                ("dry-run", "nginx:1.27", "All"),
            ):
                started = time.perf_counter()
                for i in range(n):
                    apps.patch_namespaced_deployment(
                        f"d{i}",
                        "default",
                        deployment(i, image),
                        field_manager="bench",
                        dry_run=dry,
                        _content_type=APPLY,
                    )
                figures[step] = (time.perf_counter() - started) / n * 1000
            started = time.perf_counter()
            for i in range(n):
                apps.read_namespaced_deployment(f"d{i}", "default")
            figures["get"] = (time.perf_counter() - started) / n * 1000
            api_client.close()
            return figures
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=2000)
    args = parser.parse_args()
    for title, figures in (
        ("in-process pipeline", in_process(args.objects)),
        ("HTTP + official client", over_http(args.objects)),
    ):
        print(f"{title} ({args.objects} Deployments), ms per request:")
        for step, ms in figures.items():
            print(f"  {step:8} {ms:6.2f}")


if __name__ == "__main__":
    main()
