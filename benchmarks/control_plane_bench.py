"""Start-up of `design sandbox up --engine kube-apiserver`'s control plane, against the emulator's.

Starts the real control plane (etcd, kube-apiserver, kube-controller-manager, the simulated kubelet)
``--runs`` times and reports, per run, the seconds until each part was ready (cumulative from the
start), then the time until a 2-replica Deployment is Available through the real deployment
controller; the peer in the same run is the emulator (start, and the same Deployment with its toy
controllers). Goal: the control plane ready in under 15 s on two cores once the binaries exist.

    python benchmarks/control_plane_bench.py [--runs 3] [--binaries DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kubernetes import client, config  # noqa: E402

from designer.sandbox.runner import Sandbox  # noqa: E402
from designer.sandbox.upstream.binaries import find  # noqa: E402
from designer.sandbox.upstream.controlplane import ControlPlane  # noqa: E402


def deployment_available(kubeconfig: Path, timeout: float = 60.0) -> float:
    """Seconds from creating a 2-replica Deployment until it reports 2 available replicas."""
    api = config.new_client_from_config(config_file=str(kubeconfig))
    apps = client.AppsV1Api(api)
    body: dict[str, Any] = {
        "metadata": {"name": "bench"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "bench"}},
            "template": {
                "metadata": {"labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1"}]},
            },
        },
    }
    started = time.monotonic()
    apps.create_namespaced_deployment("default", body)
    while time.monotonic() - started < timeout:
        status = apps.read_namespaced_deployment("bench", "default").status
        if status is not None and status.available_replicas == 2:
            api.close()
            return time.monotonic() - started
        time.sleep(0.02)
    api.close()
    raise TimeoutError("the Deployment did not become available")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--binaries", type=Path, default=None)
    args = parser.parse_args()
    binaries = find(args.binaries)
    real: list[dict[str, float]] = []
    emulated: list[dict[str, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            began = time.monotonic()
            plane = ControlPlane(binaries).start(Path(folder) / "kubeconfig")
            try:
                assert plane.kubeconfig_path is not None
                ready = time.monotonic() - began
                real.append(
                    {
                        **plane.timings,
                        "ready": ready,
                        "deployment": deployment_available(plane.kubeconfig_path),
                    }
                )
            finally:
                plane.stop()
            began = time.monotonic()
            server = Sandbox(controllers=True).start(Path(folder) / "emulator")
            try:
                assert server.kubeconfig_path is not None
                ready = time.monotonic() - began
                emulated.append({"ready": ready, "deployment": deployment_available(server.kubeconfig_path)})
            finally:
                server.stop()

    def summary(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
        return {
            key: {
                "min": round(min(r[key] for r in runs), 2),
                "median": round(statistics.median(r[key] for r in runs), 2),
                "max": round(max(r[key] for r in runs), 2),
            }
            for key in runs[0]
        }

    print(
        json.dumps(
            {"runs": args.runs, "control_plane": summary(real), "emulator": summary(emulated)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
