"""Helpers for the apply tests against a cluster: start it, run the CLI, read objects, events, the log.

`Live` is either designer's API emulator (its toy controllers make Deployments available, Jobs complete
and CRDs Established shortly after writes; its request log shows every write) or the session's real
control plane (the real controllers and the simulated kubelet do the same; no request log there).
The ``live`` fixture (``live_cluster``) runs a test on both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designer.adapters.istio import IstioAdapter
from designer.adapters.kubernetes import KubernetesAdapter
from designer.adapters.linkerd import LinkerdAdapter
from designer.adapters.performance import PerformanceAdapter
from designer.adapters.registry import AdapterRegistry
from designer.cli.main import run
from designer.cluster.connecting import connect
from designer.cluster.errors import NotFoundError
from designer.model import ObjectRef
from designer.sandbox.faults import RequestRecord
from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import EMULATOR
from tests import meshcrds

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meshes"


def registry() -> AdapterRegistry:
    """The built-in adapters, built directly (independent of installed entry points)."""
    return AdapterRegistry.from_adapters(
        [KubernetesAdapter(), IstioAdapter(), LinkerdAdapter(), PerformanceAdapter()]
    )


@dataclass
class Live:
    """A running cluster (the emulator, or the real control plane: ``sandbox`` is None), its
    kubeconfig, and a CLI runner bound to them."""

    sandbox: Sandbox | None
    kubeconfig: Path

    @property
    def emulator(self) -> Sandbox:
        """The emulator, for what only it has (request log, faults); the test must be emulator-only."""
        assert self.sandbox is not None, "this check needs the emulator's request log"
        return self.sandbox

    def get(self, api_version: str, kind: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        """The live object, read through the API (both engines), or None (also when its kind is gone)."""
        cluster = connect(self.kubeconfig)
        try:
            return cluster.get(ObjectRef(api_version, kind, namespace or None, name))
        except NotFoundError:
            return None
        finally:
            cluster.close()

    def design(
        self, capsys: pytest.CaptureFixture[str], *args: str, obj: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        """Run `design ARGS --kubeconfig K`; returns (exit code, stdout, stderr)."""
        capsys.readouterr()
        code = run([*args, "--kubeconfig", str(self.kubeconfig)], obj={"registry": registry(), **(obj or {})})
        out, err = capsys.readouterr()
        return code, out, err

    def real_writes(self) -> list[RequestRecord]:
        return self.emulator.recorder.writes(dry_run=False)

    def ref_of(self, record: RequestRecord) -> ObjectRef | None:
        """The object a request addressed (None for collection URLs)."""
        parts = record.path.strip("/").split("/")
        if parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        else:
            group, version, rest = parts[1], parts[2], parts[3:]
        namespace = None
        if rest[:1] == ["namespaces"] and len(rest) >= 4:
            namespace, rest = rest[1], rest[2:]
        if len(rest) < 2:
            return None
        rt = self.emulator.table.lookup(group, version, rest[0])
        kind = rt.kind if rt is not None else rest[0]
        return ObjectRef(f"{group}/{version}" if group else version, kind, namespace, rest[1])


@contextmanager
def live_sandbox(directory: Path, **kwargs: Any) -> Iterator[Live]:
    """A sandbox with controllers on, stopped on exit."""
    sandbox = Sandbox(controllers=True, **kwargs)
    sandbox.start(directory / "kubeconfig")
    try:
        assert sandbox.kubeconfig_path is not None
        yield Live(sandbox, sandbox.kubeconfig_path)
    finally:
        sandbox.stop()


@contextmanager
def live_cluster(engine: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[Live]:
    """The emulator (controllers on) or the session's real control plane, per ``engine``."""
    if engine == EMULATOR:
        with live_sandbox(directory) as live:
            yield live
        return
    plane = request.getfixturevalue("control_plane")
    assert plane.kubeconfig_path is not None
    yield Live(None, plane.kubeconfig_path)


def events(stdout: str) -> list[dict[str, Any]]:
    """The JSON event lines of `--output json`."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def mesh_design(directory: Path) -> Path:
    """A design installing the test Istio and Linkerd control planes (CRDs + a Deployment each): Istio's
    real CRDs when scripts/fetch-mesh-crds.sh fetched them (tests.meshcrds), Linkerd's stand-ins."""
    path = directory / "meshes.yaml"
    path.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: meshes}\ncomponents:\n"
        f"  - {{name: istio, kind: IstioMesh, apiVersion: designer/v1, "
        f"settings: {{installer: {{manifest: {meshcrds.istio_control_plane(directory)}}}}}}}\n"
        f"  - {{name: linkerd, kind: LinkerdMesh, apiVersion: designer/v1, "
        f"settings: {{installer: {{manifest: {FIXTURES / 'linkerd'}}}}}}}\n"
    )
    return path
