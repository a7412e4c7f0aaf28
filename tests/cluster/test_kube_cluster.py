"""KubeCluster against the sandbox over real HTTP: discovery, reads, server-side apply, delete, watch,
and the translation of API errors (real ones, and injected faults for 5xx/429/403/timeouts)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from designer.cluster import errors
from designer.cluster.inventory import read_inventory, write_inventory
from designer.cluster.kube import KubeCluster
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from tests.crds import crd_body

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


def _deployment(replicas: int = 2, app: str = "web", image: str = "nginx:1.25") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"tier": "front"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


WEB = ObjectRef("apps/v1", "Deployment", "shop", "web")

CRD = crd_body("example.com", "Widget", "widgets", list_kind=True)


def _wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _writes(sandbox: Sandbox) -> list[tuple[str, str, bool]]:
    return [(r.method, r.path, r.dry_run) for r in sandbox.requests if r.is_write]


def test_dry_run_apply_persists_nothing(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    predicted = cluster.apply(_deployment(), dry_run=True)
    assert predicted["spec"]["replicas"] == 2
    assert cluster.get(WEB) is None
    stored = cluster.apply(_deployment())
    again = cluster.apply(_deployment(replicas=5), dry_run=True)
    assert again["spec"]["replicas"] == 5
    live = cluster.get(WEB)
    assert live is not None and live["spec"]["replicas"] == 2
    assert live["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
    patches = [(m, dry) for m, p, dry in _writes(sandbox) if p.endswith("/deployments/web")]
    assert patches == [("PATCH", True), ("PATCH", False), ("PATCH", True)]
    query = [r.query for r in sandbox.requests if r.method == "PATCH" and r.path.endswith("/deployments/web")]
    assert all(q.get("fieldManager") == "designer" for q in query)


def test_server_errors_are_retried_then_succeed(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    sandbox.inject_fault("GET", "/namespaces/shop/deployments/web", 503, times=2)
    sandbox.inject_fault("PATCH", "/namespaces/shop/deployments/web", 429, times=1)
    cluster.apply(_deployment())
    assert cluster.get(WEB) is not None
    statuses = [r.status for r in sandbox.requests if r.path.endswith("/deployments/web")]
    assert statuses == [429, 201, 503, 503, 200]


def test_persistent_server_errors_give_up(cluster: KubeCluster, sandbox: Sandbox) -> None:
    sandbox.inject_fault("GET", "/namespaces/shop", 500, times=10, message="etcd is down")
    with pytest.raises(errors.UnreachableError) as caught:
        cluster.get(ObjectRef("v1", "Namespace", None, "shop"))
    assert caught.value.status == 500
    assert "etcd is down" in caught.value.message
    assert len([r for r in sandbox.requests if r.path.endswith("/namespaces/shop")]) == 4  # 1 + 3 retries


def test_timeouts_are_retried(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    sandbox.inject_fault("GET", "/api/v1/namespaces/shop", None, delay=3.0, times=1)
    assert cluster.get(ObjectRef("v1", "Namespace", None, "shop")) is not None


def test_forbidden_and_stale_conflicts(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    sandbox.inject_fault("PATCH", "/deployments/web", 403, message='deployments.apps "web" is forbidden')
    with pytest.raises(errors.ForbiddenError) as forbidden:
        cluster.apply(_deployment())
    assert forbidden.value.status == 403 and "auth can-i" in (forbidden.value.hint or "")
    sandbox.inject_fault(
        "PATCH", "/deployments/web", 409, message="the object has been modified; please apply your changes"
    )
    with pytest.raises(errors.ConflictError) as stale:
        cluster.apply(_deployment())
    assert stale.value.stale and stale.value.conflicts == ()


def test_dry_run_refused_by_a_webhook(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    sandbox.inject_fault(
        "PATCH",
        "/deployments/web",
        400,
        message='admission webhook "policy.example.com" does not support dry run',
    )
    with pytest.raises(errors.DryRunUnsupportedError):
        cluster.apply(_deployment(), dry_run=True)


def test_inventory_round_trip_on_the_server(cluster: KubeCluster) -> None:
    refs = [ObjectRef("v1", "Namespace", None, "shop"), WEB]
    assert not read_inventory(cluster, "shop").exists
    write_inventory(cluster, "shop", refs)
    inventory = read_inventory(cluster, "shop")
    assert inventory.exists and inventory.refs == tuple(refs)
    stored = cluster.get(inventory.ref)
    assert stored is not None
    assert stored["metadata"]["labels"]["designer.dev/inventory"] == "true"
    assert inventory.left_design([refs[0]]) == (WEB,)
