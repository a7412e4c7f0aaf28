"""Fixtures of the sandbox tests: API clients bound to the emulator or to DESIGNER_TEST_KUBECONFIG."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config
from kubernetes.client import ApiClient

from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import KubeTarget, kube_api, sandbox, sandbox_factory

__all__ = ["kube_api", "sandbox", "sandbox_factory"]


@pytest.fixture
def api_client(kube_api: KubeTarget) -> Iterator[ApiClient]:
    """The official client, configured from the target's kubeconfig like any user would."""
    api = config.new_client_from_config(config_file=str(kube_api.kubeconfig_path))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def sandbox_client(sandbox: Sandbox) -> Iterator[ApiClient]:
    """The official client bound to the emulator (for emulator-only tests)."""
    api = config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def namespace(api_client: ApiClient) -> Iterator[str]:
    """A fresh namespace, so cluster-marked tests do not collide on a shared real cluster."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    core = client.CoreV1Api(api_client)
    core.create_namespace({"metadata": {"name": name}})
    try:
        yield name
    finally:
        core.delete_namespace(name)
