"""KubeCluster behaviours that must hold on any Kubernetes API: run against the sandbox by default,
and against a real cluster when DESIGNER_TEST_KUBECONFIG is set (marker ``cluster``). Each test works
in a fresh namespace and names cluster-scoped objects uniquely, so a shared cluster stays clean."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client, config

from designer.cluster import errors
from designer.cluster.inventory import read_inventory, write_inventory
from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from designer.sandbox.testing import KubeTarget
from tests.crds import crd_body

pytestmark = pytest.mark.cluster


def _deployment(namespace: str, replicas: int = 2, app: str = "web", name: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"tier": "front" if name == "web" else "back"},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
            },
        },
    }


def _web(namespace: str) -> ObjectRef:
    return ObjectRef("apps/v1", "Deployment", namespace, "web")


def _wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_discovery_scope_and_unknown_kinds(target: KubeCluster) -> None:
    info = target.resource_info("apps/v1", "Deployment")
    assert (info.plural, info.namespaced, "scale" in info.subresources) == ("deployments", True, True)
    assert not target.is_namespaced("v1", "Namespace")
    with pytest.raises(errors.NotFoundError) as caught:
        target.resource_info("nothing.designer.dev/v1", "Widget")
    assert caught.value.missing == "kind"
    assert caught.value.hint and "CRD" in caught.value.hint


def test_crd_kind_appears_after_established_and_invalidate(target: KubeCluster, namespace: str) -> None:
    group = f"{namespace}.designer.dev"
    crd_ref = ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, f"widgets.{group}")
    with pytest.raises(errors.NotFoundError):
        target.resource_info(f"{group}/v1", "Widget")
    target.apply(crd_body(group, "Widget", "widgets", list_kind=True))
    try:

        def established() -> bool:
            conditions = ((target.get(crd_ref) or {}).get("status") or {}).get("conditions") or []
            return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)

        _wait_for(established)
        target.invalidate_discovery()
        assert target.resource_info(f"{group}/v1", "Widget").plural == "widgets"
        cr = {
            "apiVersion": f"{group}/v1",
            "kind": "Widget",
            "metadata": {"name": "w1", "namespace": namespace},
        }
        assert target.apply({**cr, "spec": {"size": 3}})["spec"] == {"size": 3}
    finally:
        target.delete(crd_ref)


def test_get_list_and_label_selectors(target: KubeCluster, namespace: str) -> None:
    assert target.get(_web(namespace)) is None
    assert target.get(ObjectRef("apps/v1", "Deployment", "designer-no-such-namespace", "web")) is None
    target.apply(_deployment(namespace))
    target.apply(_deployment(namespace, name="api", app="api"))
    live = target.get(_web(namespace))
    assert live is not None and live["spec"]["replicas"] == 2
    names = [o["metadata"]["name"] for o in target.list("apps/v1", "Deployment", namespace=namespace)]
    assert names == ["api", "web"]
    front = target.list("apps/v1", "Deployment", namespace=namespace, label_selector="tier=front")
    assert [(o["kind"], o["metadata"]["name"]) for o in front] == [("Deployment", "web")]
    assert target.list("apps/v1", "Deployment", namespace="designer-no-such-namespace") == []
    assert target.list_resource_version("apps/v1", "Deployment", namespace=namespace)


def test_dry_run_apply_persists_nothing(target: KubeCluster, namespace: str) -> None:
    predicted = target.apply(_deployment(namespace), dry_run=True)
    assert predicted["spec"]["replicas"] == 2
    assert target.get(_web(namespace)) is None
    stored = target.apply(_deployment(namespace))
    assert target.apply(_deployment(namespace, replicas=5), dry_run=True)["spec"]["replicas"] == 5
    live = target.get(_web(namespace))
    assert live is not None and live["spec"]["replicas"] == 2
    # (Not the resourceVersion: on a real cluster the deployment controller writes status meanwhile.)
    assert live["metadata"]["generation"] == stored["metadata"]["generation"] == 1


def test_ownership_conflict_names_field_and_manager(
    target: KubeCluster, namespace: str, kube_api: KubeTarget
) -> None:
    target.apply(_deployment(namespace))
    api = config.new_client_from_config(config_file=str(kube_api.kubeconfig_path))
    try:
        client.AppsV1Api(api).patch_namespaced_deployment(
            "web", namespace, {"spec": {"replicas": 7}}, field_manager="kubectl-edit"
        )
    finally:
        api.close()
    with pytest.raises(errors.ConflictError) as caught:
        target.apply(_deployment(namespace))
    conflict = caught.value
    assert conflict.status == 409 and conflict.reason == "Conflict" and not conflict.stale
    assert [(c.field, c.manager) for c in conflict.conflicts] == [(".spec.replicas", "kubectl-edit")]
    assert "--force-conflicts" in (conflict.hint or "")
    assert target.apply(_deployment(namespace), force=True)["spec"]["replicas"] == 2


def test_immutable_field_is_recognised(target: KubeCluster, namespace: str) -> None:
    target.apply(_deployment(namespace))
    with pytest.raises(errors.InvalidError) as caught:
        target.apply(_deployment(namespace, app="other"), dry_run=True)
    assert caught.value.immutable
    assert caught.value.reason == "Invalid" and caught.value.status == 422
    assert any("selector" in f for f in caught.value.fields)


def test_invalid_without_immutable(target: KubeCluster, namespace: str) -> None:
    bad = _deployment(namespace)
    bad["spec"]["selector"] = {"matchLabels": {"app": "nope"}}
    with pytest.raises(errors.InvalidError) as caught:
        target.apply(bad)
    assert not caught.value.immutable


def test_missing_namespace_is_reported_as_such(target: KubeCluster) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        target.apply(_deployment("designer-no-such-namespace"))
    assert caught.value.missing == "namespace"
    assert "namespace" in (caught.value.hint or "")


def test_delete_reports_whether_something_was_deleted(target: KubeCluster, namespace: str) -> None:
    target.apply(_deployment(namespace))
    assert target.delete(_web(namespace)) is True
    _wait_for(lambda: target.get(_web(namespace)) is None)
    assert target.delete(_web(namespace)) is False


def test_watch_from_a_resource_version(target: KubeCluster, namespace: str) -> None:
    target.apply(_deployment(namespace))
    start = target.list_resource_version("apps/v1", "Deployment", namespace=namespace)
    target.apply(_deployment(namespace, replicas=3))
    target.delete(_web(namespace), propagation="Orphan")
    events = [
        (e.type, e.object["metadata"]["name"])
        for e in target.watch(
            "apps/v1", "Deployment", namespace=namespace, resource_version=start, timeout_seconds=1
        )
    ]
    assert events[0] == ("MODIFIED", "web")
    assert events[-1] == ("DELETED", "web")


def test_watch_from_a_too_old_version_gives_one_410_event(
    cluster: KubeCluster, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """The emulator only (the real server's answer depends on its age, see designer/sandbox/FIDELITY.md):
    while its history is whole, a watch from an old version replays it, as a young kube-apiserver
    does; once events were dropped, it is one ERROR event with 410."""
    cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "w"}})
    cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "w"}})
    replayed = list(cluster.watch("v1", "ConfigMap", namespace="w", resource_version="5", timeout_seconds=1))
    assert [(e.type, e.object["metadata"]["name"]) for e in replayed] == [("ADDED", "c")]

    small = sandbox_factory(history=3)
    assert small.kubeconfig_path is not None
    settings = load_client(small.kubeconfig_path)
    forgetful = KubeCluster(settings.api_client, context_name=settings.context_name, retries=1, backoff=0.01)
    try:
        forgetful.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "w"}})
        for n in range(5):
            forgetful.apply(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{n}", "namespace": "w"}}
            )
        events = list(
            forgetful.watch("v1", "ConfigMap", namespace="w", resource_version="5", timeout_seconds=1)
        )
    finally:
        forgetful.close()
    assert len(events) == 1
    assert events[0].type == "ERROR" and events[0].object["code"] == 410


def test_inventory_round_trip_on_the_server(target: KubeCluster, namespace: str) -> None:
    refs = [ObjectRef("v1", "Namespace", None, namespace), _web(namespace)]
    assert not read_inventory(target, "shop", namespace=namespace).exists
    write_inventory(target, "shop", refs, namespace=namespace)
    inventory = read_inventory(target, "shop", namespace=namespace)
    assert inventory.exists and inventory.refs == tuple(refs)
    stored = target.get(inventory.ref)
    assert stored is not None and stored["metadata"]["labels"]["designer.dev/inventory"] == "true"
    assert inventory.left_design([refs[0]]) == (_web(namespace),)
