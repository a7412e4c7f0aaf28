"""The harness of the fault-injection tests: a design in two versions, a sandbox, the CLI, invariants.

The sandbox is designer's API emulator over real HTTP, driven by the real kubernetes client; faults
are injected in its HTTP layer (designer.sandbox.faults), so the client sees real 5xx, 429, dropped
connections and lost answers. The CLI runs in-process with a cluster factory whose retries are few
and fast (the retry policy is what is under test, not its delays).

What "honest" means here, checked by `check_run`:
- the exit code is 0, 1 or 3 (never 4), stderr has no traceback;
- exit 0 means the cluster holds exactly the design (`expected`), recorded in the inventory;
- whatever the exit code, every object labelled for the design is in the design or recorded in
  the inventory (nothing orphaned), and after a failed run without rollback a clean re-run
  converges (nothing lost);
- with ``--rollback-on-failure``, a failed run leaves the cluster as it was before, unless the
  summary says that a rollback failed or an object is possibly changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import run
from designer.cluster.base import Cluster
from designer.cluster.inventory import DESIGN_LABEL, MANAGED_BY_LABEL, inventory_ref, parse_inventory
from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from tests.applying.livetools import registry

DESIGN = "shop"
REQUEST_TIMEOUT = 1.0  # the client's per-request timeout: a longer stall is a timeout
ATTEMPTS = 3  # fast_cluster's retries + 1: a fault this many times outlasts the client's retries

TEMPLATE = """\
apiVersion: designer/v1
kind: Design
metadata: {name: shop}
components:
  - {name: shop, kind: Namespace, apiVersion: v1}
  - name: config
    kind: ConfigMap
    apiVersion: v1
    namespace: shop
    settings: {data: {mode: "%(mode)s"}}
  - name: creds
    kind: Secret
    apiVersion: v1
    namespace: shop
    settings: {stringData: {token: "%(mode)s-secret"}}
  - name: api
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    dependsOn: [config, creds]
    settings:
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec: {containers: [{name: api, image: "shop/api:%(tag)s"}]}
  - name: api-svc
    kind: Service
    apiVersion: v1
    namespace: shop
    dependsOn: [api]
    settings: {spec: {selector: {app: api}, ports: [{port: 80}]}}
%(extra)s"""

LEGACY = """\
  - name: legacy
    kind: ConfigMap
    apiVersion: v1
    namespace: shop
    settings: {data: {old: "yes"}}
"""

FLAGS = """\
  - name: flags
    kind: ConfigMap
    apiVersion: v1
    namespace: shop
    settings: {data: {beta: "on"}}
"""

VERSIONS = {
    "v1": {"mode": "a", "tag": "1", "extra": LEGACY},
    "v2": {"mode": "b", "tag": "2", "extra": FLAGS},
}


def write_design(directory: Path, version: str, extra: str = "") -> Path:
    """The design file of ``version`` (``extra`` components appended)."""
    values = dict(VERSIONS[version])
    values["extra"] += extra
    path = directory / f"shop-{version}.yaml"
    path.write_text(TEMPLATE % values)
    return path


def fast_cluster(kubeconfig: str | None, context: str | None) -> Cluster:
    """A KubeCluster with few, quick retries and a short request timeout (the CLI's factory hook)."""
    settings = load_client(kubeconfig, context)
    return KubeCluster(
        settings.api_client,
        context_name=settings.context_name,
        default_namespace=settings.namespace,
        retries=ATTEMPTS - 1,
        backoff=0.01,
        request_timeout=REQUEST_TIMEOUT,
    )


Content = dict[ObjectRef, Any]


@dataclass
class Bench:
    """A running sandbox with controllers, its kubeconfig, and the CLI bound to them."""

    sandbox: Sandbox
    kubeconfig: Path
    directory: Path

    def design(
        self, capsys: pytest.CaptureFixture[str], *args: str, obj: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        """Run `design ARGS --kubeconfig K` in-process; returns (exit code, stdout, stderr).

        ``obj`` adds to the CLI's context object (e.g. ``after_ready``: inject faults mid-run).
        """
        capsys.readouterr()
        # a bounded wait: a run that would wait out the default 300 s is a failure here, not a hang
        bounded = ["--timeout", "30s"] if args and args[0] in ("apply", "delete") else []
        code = run(
            [*args, *bounded, "--kubeconfig", str(self.kubeconfig)],
            obj={"registry": registry(), "cluster_factory": fast_cluster, **(obj or {})},
        )
        out, err = capsys.readouterr()
        return code, out, err

    def state(self) -> Content:
        """What matters of every object labelled for the design: its spec, data or labels."""
        found: Content = {}
        store = self.sandbox.store
        with store.lock:
            kinds = store.keys()  # a Store is not a mapping: keys() lists its resource keys
            for key in kinds:
                for obj in store.objects(key):
                    labels = obj["metadata"].get("labels") or {}
                    if labels.get(MANAGED_BY_LABEL) != "designer" or labels.get(DESIGN_LABEL) != DESIGN:
                        continue
                    if labels.get("designer.dev/inventory") == "true":
                        continue
                    found[ObjectRef.of(obj)] = _content(obj)
        return found

    def inventory(self) -> tuple[ObjectRef, ...] | None:
        ref = inventory_ref(DESIGN)
        body = self.sandbox.get("v1", "ConfigMap", ref.name, ref.namespace or "")
        if body is None:
            return None
        return parse_inventory(body, design=DESIGN, namespace=ref.namespace or "").refs

    def settle(self) -> None:
        """Wait until no stalled request is still being handled (their writes land first)."""
        self.sandbox.call(lambda: None)


def _content(obj: dict[str, Any]) -> Any:
    kept = {k: v for k, v in obj.items() if k in ("spec", "data", "stringData")}
    if obj.get("kind") == "Service":
        kept["spec"] = {
            k: v for k, v in (obj.get("spec") or {}).items() if k not in ("clusterIP", "clusterIPs")
        }
    if obj.get("kind") == "Namespace":
        kept = {"name": obj["metadata"]["name"]}
    return kept


@contextmanager
def bench(directory: Path) -> Iterator[Bench]:
    """A fresh sandbox (controllers on: Deployments become available) for one test or example."""
    directory.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox(controllers=True, controller_delay=0.01, crd_delay=0.01)
    sandbox.start(directory / "kubeconfig")
    try:
        assert sandbox.kubeconfig_path is not None
        yield Bench(sandbox, sandbox.kubeconfig_path, directory)
    finally:
        sandbox.stop()


def events(stdout: str) -> list[dict[str, Any]]:
    """The JSON event lines of `--output json`."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def summary(stdout: str) -> dict[str, Any]:
    """The last summary event of a JSON run."""
    found = [e for e in events(stdout) if e.get("event") == "summary"]
    assert found, f"no summary event in: {stdout[-2000:]}"
    return found[-1]


def check_honest(code: int, err: str) -> None:
    """Exit codes a user can act on, and no traceback."""
    assert code in (0, 1, 3), f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err, err[-3000:]


def check_nothing_orphaned(b: Bench) -> None:
    """Every object labelled for the design is in the design's inventory (a later prune finds it)."""
    recorded = set(b.inventory() or ())
    stray = [ref for ref in b.state() if ref not in recorded]
    assert not stray, f"labelled for the design but not recorded in its inventory: {stray}"
