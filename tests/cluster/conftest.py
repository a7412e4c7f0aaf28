"""Fixtures of the cluster-layer tests: a `KubeCluster` bound to a fresh sandbox API emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import sandbox

__all__ = ["sandbox"]


@pytest.fixture
def cluster(sandbox: Sandbox) -> Iterator[KubeCluster]:
    """A KubeCluster on the sandbox with fast retries (tests inject 5xx and timeouts)."""
    settings = load_client(sandbox.kubeconfig_path)
    kube = KubeCluster(
        settings.api_client,
        context_name=settings.context_name,
        default_namespace=settings.namespace,
        retries=3,
        backoff=0.01,
        request_timeout=2.0,
    )
    try:
        yield kube
    finally:
        kube.close()
