"""pytest fixtures for the sandbox: a fresh API emulator per test, or a real cluster when asked.

Enable with ``pytest_plugins = ["designer.sandbox.testing"]`` in the root conftest.

- ``sandbox``: always the emulator (fault injection, request log, store access, latency, controllers).
  Started on a free port of 127.0.0.1 with a kubeconfig (context ``sandbox``) in the test's tmp dir.
- ``sandbox_factory``: ``sandbox_factory(controllers=True, latency=0.02, crd_delay=0.2, ...)`` starts
  emulators with options (any `Sandbox` keyword); all are stopped after the test.
- ``kube_api``: a `KubeTarget` for tests that must also hold on a real cluster (mark them ``cluster``):
  the cluster of ``DESIGNER_TEST_KUBECONFIG`` when that variable is set, else a fresh emulator. Its
  ``sandbox`` attribute is None on a real cluster, so emulator-only features stay in ``sandbox`` tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designer.sandbox.runner import Sandbox

ENV_KUBECONFIG = "DESIGNER_TEST_KUBECONFIG"


@dataclass(frozen=True, slots=True)
class KubeTarget:
    """Where a cluster-capable test sends its requests."""

    kubeconfig_path: Path
    sandbox: Sandbox | None

    @property
    def is_emulator(self) -> bool:
        return self.sandbox is not None


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A running emulator with its kubeconfig at ``sandbox.kubeconfig_path``; stopped after the test."""
    server = Sandbox().start(tmp_path / "sandbox-kubeconfig")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start emulators with options, e.g. ``sandbox_factory(controllers=True)``; stops them afterwards."""
    started: list[Sandbox] = []

    def start(**options: Any) -> Sandbox:
        server = Sandbox(**options).start(tmp_path / f"sandbox-kubeconfig-{len(started)}")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def kube_api(tmp_path: Path) -> Iterator[KubeTarget]:
    """A real cluster (``DESIGNER_TEST_KUBECONFIG``) or, by default, a fresh emulator."""
    configured = os.environ.get(ENV_KUBECONFIG)
    if configured:
        yield KubeTarget(Path(configured), None)
        return
    server = Sandbox().start(tmp_path / "sandbox-kubeconfig")
    try:
        assert server.kubeconfig_path is not None
        yield KubeTarget(server.kubeconfig_path, server)
    finally:
        server.stop()
