"""Fixtures of the cluster-layer tests: a `KubeCluster` bound to a fresh sandbox API emulator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import KubeTarget, kube_api, sandbox

__all__ = ["kube_api", "sandbox"]


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


@pytest.fixture
def target(kube_api: KubeTarget) -> Iterator[KubeCluster]:
    """A KubeCluster on DESIGNER_TEST_KUBECONFIG's cluster when set, else on a fresh sandbox."""
    settings = load_client(kube_api.kubeconfig_path)
    kube = KubeCluster(
        settings.api_client, context_name=settings.context_name, default_namespace=settings.namespace
    )
    try:
        yield kube
    finally:
        kube.close()


@pytest.fixture
def namespace(target: KubeCluster) -> Iterator[str]:
    """A fresh namespace (random name, so runs on a shared real cluster do not collide)."""
    name = f"designer-t-{uuid.uuid4().hex[:8]}"
    target.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    try:
        yield name
    finally:
        target.delete(ObjectRef("v1", "Namespace", None, name))
