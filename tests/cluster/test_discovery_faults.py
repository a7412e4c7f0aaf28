"""Discovery under a failing API group (issue 13.5): a group's trouble never changes another's answer.

Faults are injected in the sandbox's HTTP layer on a group's discovery document (exact path), so the
real client sees real 404s, 503s and dropped connections.
"""

from __future__ import annotations

import time

import pytest

from designer.cluster import errors
from designer.cluster.kube import KubeCluster
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from tests.crds import crd_body

WIDGETS = "/apis/example.com/v1"


def _install_widgets(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(crd_body("example.com", "Widget", "widgets"))
    deadline = time.monotonic() + 5
    while sandbox.table.for_kind("example.com/v1", "Widget") is None:
        assert time.monotonic() < deadline, "the CRD was not established"
        time.sleep(0.02)
    cluster.invalidate_discovery()


def _discovery_paths(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.requests if r.method == "GET" and r.path.count("/") <= 3]


@pytest.mark.parametrize("status", [404, 503])
def test_a_failing_custom_group_does_not_hide_core_kinds(
    cluster: KubeCluster, sandbox: Sandbox, status: int
) -> None:
    _install_widgets(cluster, sandbox)
    sandbox.recorder.clear()
    sandbox.inject_fault("GET", WIDGETS, status, exact=True, times=1000)
    info = cluster.resource_info("v1", "Namespace")
    assert info.plural == "namespaces" and not info.namespaced
    assert cluster.get(ObjectRef("v1", "Namespace", None, "default")) is not None
    assert cluster.resource_info("apps/v1", "Deployment").plural == "deployments"
    # a core kind is read from /api/v1 only, a group's kind from its own document only
    assert _discovery_paths(sandbox) == ["/api/v1", "/apis/apps/v1"]


def test_a_404_for_a_moment_is_retried_not_taken_as_missing(cluster: KubeCluster, sandbox: Sandbox) -> None:
    _install_widgets(cluster, sandbox)
    sandbox.inject_fault("GET", WIDGETS, 404, exact=True, times=2)
    assert cluster.resource_info("example.com/v1", "Widget").plural == "widgets"
    statuses = [r.status for r in sandbox.requests if r.path == WIDGETS]
    assert statuses == [404, 404, 200]


def test_a_lasting_404_of_a_listed_group_is_unreachable_not_missing(
    cluster: KubeCluster, sandbox: Sandbox
) -> None:
    _install_widgets(cluster, sandbox)
    sandbox.inject_fault("GET", WIDGETS, 404, exact=True, times=1000)
    with pytest.raises(errors.UnreachableError) as caught:
        cluster.resource_info("example.com/v1", "Widget")
    assert not isinstance(caught.value, errors.NotFoundError)
    assert "lists example.com/v1" in caught.value.message
    # not remembered as missing: once the group answers, the kind is there
    sandbox.recorder.clear()
    assert cluster.resource_info("example.com/v1", "Widget").plural == "widgets"


def test_a_group_the_server_does_not_list_is_surely_missing_and_remembered(
    cluster: KubeCluster, sandbox: Sandbox
) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        cluster.resource_info("example.com/v1", "Widget")
    assert caught.value.missing == "kind"
    asked = len(sandbox.requests)
    with pytest.raises(errors.NotFoundError):
        cluster.resource_info("example.com/v1", "Widget")
    assert len(sandbox.requests) == asked  # a sure miss is cached until invalidate_discovery
    _install_widgets(cluster, sandbox)
    assert cluster.resource_info("example.com/v1", "Widget").namespaced


def test_dropped_discovery_answers_are_retried(cluster: KubeCluster, sandbox: Sandbox) -> None:
    sandbox.inject_fault("GET", "/api/v1", exact=True, drop="before", status=None, times=2)
    assert cluster.resource_info("v1", "ConfigMap").plural == "configmaps"
    dropped = [r for r in sandbox.requests if r.path == "/api/v1"]
    assert [r.dropped for r in dropped] == [True, True, False]
