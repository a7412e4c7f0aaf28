"""KubeCluster against the sandbox over real HTTP: discovery, reads, server-side apply, delete, watch,
and the translation of API errors (real ones, and injected faults for 5xx/429/403/timeouts)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kubernetes import client, config

from designer.cluster import errors
from designer.cluster.inventory import read_inventory, write_inventory
from designer.cluster.kube import KubeCluster
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox

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

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
            }
        ],
    },
}


def _wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _writes(sandbox: Sandbox) -> list[tuple[str, str, bool]]:
    return [(r.method, r.path, r.dry_run) for r in sandbox.requests if r.is_write]


def test_discovery_scope_and_unknown_kinds(cluster: KubeCluster) -> None:
    info = cluster.resource_info("apps/v1", "Deployment")
    assert (info.plural, info.namespaced, "scale" in info.subresources) == ("deployments", True, True)
    assert not cluster.is_namespaced("v1", "Namespace")
    with pytest.raises(errors.NotFoundError) as caught:
        cluster.resource_info("example.com/v1", "Widget")
    assert caught.value.missing == "kind"
    assert caught.value.hint and "CRD" in caught.value.hint


def test_crd_kind_appears_after_established_and_invalidate(cluster: KubeCluster) -> None:
    with pytest.raises(errors.NotFoundError):
        cluster.resource_info("example.com/v1", "Widget")
    cluster.apply(CRD)

    def established() -> bool:
        crd = cluster.get(
            ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "widgets.example.com")
        )
        conditions = ((crd or {}).get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)

    _wait_for(established)
    cluster.invalidate_discovery()
    assert cluster.resource_info("example.com/v1", "Widget").plural == "widgets"
    cluster.apply(NS)
    cr = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "shop"},
        "spec": {"size": 3},
    }
    assert cluster.apply(cr)["spec"] == {"size": 3}


def test_get_list_and_label_selectors(cluster: KubeCluster) -> None:
    assert cluster.get(WEB) is None  # namespace missing too: still just "absent"
    cluster.apply(NS)
    cluster.apply(_deployment())
    other = _deployment()
    other["metadata"] = {"name": "api", "namespace": "shop", "labels": {"tier": "back"}}
    cluster.apply(other)
    live = cluster.get(WEB)
    assert live is not None and live["spec"]["replicas"] == 2
    names = [o["metadata"]["name"] for o in cluster.list("apps/v1", "Deployment", namespace="shop")]
    assert names == ["api", "web"]
    front = cluster.list("apps/v1", "Deployment", label_selector="tier=front")
    assert [(o["kind"], o["metadata"]["name"]) for o in front] == [("Deployment", "web")]
    assert cluster.list("apps/v1", "Deployment", namespace="nowhere") == []
    assert cluster.list_resource_version("apps/v1", "Deployment")


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


def test_ownership_conflict_names_field_and_manager(cluster: KubeCluster, sandbox: Sandbox) -> None:
    cluster.apply(NS)
    cluster.apply(_deployment())
    api = config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))
    try:
        client.AppsV1Api(api).patch_namespaced_deployment(
            "web", "shop", {"spec": {"replicas": 7}}, field_manager="kubectl-edit"
        )
    finally:
        api.close()
    with pytest.raises(errors.ConflictError) as caught:
        cluster.apply(_deployment())
    conflict = caught.value
    assert conflict.status == 409 and conflict.reason == "Conflict" and not conflict.stale
    assert [(c.field, c.manager) for c in conflict.conflicts] == [(".spec.replicas", "kubectl-edit")]
    assert "--force-conflicts" in (conflict.hint or "")
    forced = cluster.apply(_deployment(), force=True)
    assert forced["spec"]["replicas"] == 2


def test_immutable_field_is_recognised(cluster: KubeCluster) -> None:
    cluster.apply(NS)
    cluster.apply(_deployment())
    with pytest.raises(errors.InvalidError) as caught:
        cluster.apply(_deployment(app="other"), dry_run=True)
    assert caught.value.immutable
    assert caught.value.reason == "Invalid" and caught.value.status == 422
    assert any("selector" in f for f in caught.value.fields)


def test_invalid_without_immutable(cluster: KubeCluster) -> None:
    cluster.apply(NS)
    bad = _deployment()
    bad["spec"]["selector"] = {"matchLabels": {"app": "nope"}}
    with pytest.raises(errors.InvalidError) as caught:
        cluster.apply(bad)
    assert not caught.value.immutable


def test_missing_namespace_is_reported_as_such(cluster: KubeCluster) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        cluster.apply(_deployment())
    assert caught.value.missing == "namespace"
    assert "namespace" in (caught.value.hint or "")


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


def test_delete_reports_whether_something_was_deleted(cluster: KubeCluster) -> None:
    cluster.apply(NS)
    cluster.apply(_deployment())
    assert cluster.delete(WEB) is True
    _wait_for(lambda: cluster.get(WEB) is None)
    assert cluster.delete(WEB) is False


def test_watch_from_a_resource_version(cluster: KubeCluster) -> None:
    cluster.apply(NS)
    cluster.apply(_deployment())
    start = cluster.list_resource_version("apps/v1", "Deployment", namespace="shop")
    cluster.apply(_deployment(replicas=3))
    cluster.delete(WEB)
    events = [
        (e.type, e.object["metadata"]["name"])
        for e in cluster.watch(
            "apps/v1", "Deployment", namespace="shop", resource_version=start, timeout_seconds=1
        )
    ]
    assert events[0] == ("MODIFIED", "web")
    assert events[-1] == ("DELETED", "web")


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


def test_watch_from_a_too_old_version_gives_one_410_event(cluster: KubeCluster) -> None:
    cluster.apply(NS)
    events = list(cluster.watch("v1", "Namespace", resource_version="5", timeout_seconds=1))
    assert len(events) == 1
    assert events[0].type == "ERROR" and events[0].object["code"] == 410
