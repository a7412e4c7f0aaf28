"""kube-api.md 5e behaviours through the official client (typed APIs), over real HTTP.

Marked ``cluster``: each test also runs against a real cluster when DESIGNER_TEST_KUBECONFIG is set, so
the emulator's answers can be compared with Kubernetes itself. Nothing here is mocked.
"""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from designer.sandbox.testing import KubeTarget

pytestmark = pytest.mark.cluster

APPLY = "application/apply-patch+yaml"


def deployment(name: str, image: str = "nginx:1.25", replicas: int | None = None) -> dict[str, object]:
    spec: dict[str, object] = {
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def cm_body(name: str, **data: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def status_of(excinfo: pytest.ExceptionInfo[ApiException]) -> tuple[int, dict[str, object]]:
    import json

    return excinfo.value.status, json.loads(excinfo.value.body)


def test_discovery_lists_core_and_groups(api_client: ApiClient) -> None:
    core = client.CoreApi(api_client).get_api_versions()
    assert core.versions == ["v1"]
    groups = {g.name: g for g in client.ApisApi(api_client).get_api_versions().groups}
    assert groups["apps"].preferred_version.group_version == "apps/v1"
    resources = {r.name: r for r in client.AppsV1Api(api_client).get_api_resources().resources}
    assert resources["deployments"].namespaced is True
    assert resources["deployments"].kind == "Deployment"
    assert "deployments/status" in resources
    assert "patch" in resources["deployments"].verbs
    namespaces = {r.name: r for r in client.CoreV1Api(api_client).get_api_resources().resources}
    assert namespaces["namespaces"].namespaced is False


def test_create_get_and_server_metadata(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    created = core.create_namespaced_config_map(namespace, cm_body("one", a="1"), field_manager="t")
    meta = created.metadata
    assert meta.uid and meta.resource_version and meta.creation_timestamp
    assert meta.namespace == namespace
    assert meta.managed_fields[0].manager == "t" and meta.managed_fields[0].operation == "Update"
    fetched = core.read_namespaced_config_map("one", namespace)
    assert fetched.metadata.uid == meta.uid and fetched.data == {"a": "1"}


def test_already_exists_not_found_and_missing_namespace(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, cm_body("dup"))
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map(namespace, cm_body("dup"))
    code, body = status_of(exc)
    assert (code, body["reason"]) == (409, "AlreadyExists")
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("nope", namespace)
    code, body = status_of(exc)
    assert (code, body["reason"]) == (404, "NotFound")
    assert body["message"] == 'configmaps "nope" not found'
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("no-such-namespace-x", cm_body("x"))
    code, body = status_of(exc)
    assert code == 404 and body["message"] == 'namespaces "no-such-namespace-x" not found'


def test_invalid_name_is_422_with_causes(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map(namespace, cm_body("Bad_Name"))
    code, body = status_of(exc)
    assert code == 422 and body["reason"] == "Invalid"
    assert body["details"]["causes"][0]["field"] == "metadata.name"


def test_resource_version_changes_only_on_real_writes(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    first = core.create_namespaced_config_map(namespace, cm_body("rv", a="1"))
    same = core.replace_namespaced_config_map("rv", namespace, cm_body("rv", a="1"))
    assert same.metadata.resource_version == first.metadata.resource_version
    changed = core.replace_namespaced_config_map("rv", namespace, cm_body("rv", a="2"))
    assert int(changed.metadata.resource_version) > int(first.metadata.resource_version)


def test_stale_resource_version_conflicts(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    first = core.create_namespaced_config_map(namespace, cm_body("stale", a="1"))
    core.replace_namespaced_config_map("stale", namespace, cm_body("stale", a="2"))
    body = cm_body("stale", a="3")
    body["metadata"] = {"name": "stale", "resourceVersion": first.metadata.resource_version}
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("stale", namespace, body)
    code, status = status_of(exc)
    assert (code, status["reason"]) == (409, "Conflict")
    assert "the object has been modified" in str(status["message"])


def test_generation_bumps_only_on_spec_change(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    created = apps.create_namespaced_deployment(namespace, deployment("gen"))
    assert created.metadata.generation == 1
    labelled = apps.patch_namespaced_deployment("gen", namespace, {"metadata": {"labels": {"x": "y"}}})
    assert labelled.metadata.generation == 1
    scaled = apps.patch_namespaced_deployment("gen", namespace, {"spec": {"replicas": 2}})
    assert scaled.metadata.generation == 2


def test_label_and_field_selectors(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        body = cm_body(name)
        body["metadata"] = {"name": name, "labels": {"tier": tier}}
        core.create_namespaced_config_map(namespace, body)

    def names(**kw: str) -> list[str]:
        # A real cluster also publishes kube-root-ca.crt (no labels) in every namespace.
        listed = core.list_namespaced_config_map(namespace, **kw).items
        return sorted(i.metadata.name for i in listed if i.metadata.name != "kube-root-ca.crt")

    assert names(label_selector="tier=web") == ["a", "c"]
    assert names(label_selector="tier!=web") == ["b"]
    assert names(label_selector="tier in (db)") == ["b"]
    assert names(label_selector="tier notin (db),tier") == ["a", "c"]
    assert names(field_selector="metadata.name=b") == ["b"]
    assert names(label_selector="!tier") == [n for n in names() if n not in ("a", "b", "c")]


def test_delete_collection_by_label(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    for name, keep in (("x", "no"), ("y", "no"), ("z", "yes")):
        body = cm_body(name)
        body["metadata"] = {"name": name, "labels": {"keep": keep}}
        core.create_namespaced_config_map(namespace, body)
    core.delete_collection_namespaced_config_map(namespace, label_selector="keep=no")
    left = [i.metadata.name for i in core.list_namespaced_config_map(namespace, label_selector="keep").items]
    assert left == ["z"]


def test_deployment_and_service_defaults(api_client: ApiClient, namespace: str) -> None:
    apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    dep = apps.create_namespaced_deployment(namespace, deployment("d", image="nginx"))
    assert dep.spec.replicas == 1
    assert dep.spec.strategy.type == "RollingUpdate"
    assert dep.spec.strategy.rolling_update.max_surge == "25%"
    assert dep.spec.revision_history_limit == 10 and dep.spec.progress_deadline_seconds == 600
    pod = dep.spec.template.spec
    assert (pod.restart_policy, pod.dns_policy, pod.scheduler_name) == (
        "Always",
        "ClusterFirst",
        "default-scheduler",
    )
    assert pod.termination_grace_period_seconds == 30
    container = pod.containers[0]
    assert container.image_pull_policy == "Always"  # no tag means :latest
    assert container.termination_message_path == "/dev/termination-log"
    assert container.ports[0].protocol == "TCP"
    svc = core.create_namespaced_service(
        namespace, {"metadata": {"name": "s"}, "spec": {"selector": {"app": "d"}, "ports": [{"port": 80}]}}
    )
    assert (
        svc.spec.type == "ClusterIP" and svc.spec.cluster_ip and svc.spec.cluster_ips == [svc.spec.cluster_ip]
    )
    assert svc.spec.ports[0].protocol == "TCP" and svc.spec.ports[0].target_port == 80
    assert svc.spec.session_affinity == "None" and svc.spec.ip_families == ["IPv4"]
    assert svc.spec.internal_traffic_policy == "Cluster"


def test_immutable_fields_are_422(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment(namespace, deployment("imm"))
    changed = deployment("imm")
    changed["spec"]["selector"] = {"matchLabels": {"app": "imm", "v": "2"}}  # type: ignore[index]
    changed["spec"]["template"]["metadata"]["labels"] = {"app": "imm", "v": "2"}  # type: ignore[index]
    with pytest.raises(ApiException) as exc:  # forced: the selector is the creator's (a conflict first)
        apps.patch_namespaced_deployment(
            "imm", namespace, changed, field_manager="t", force=True, _content_type=APPLY
        )
    code, body = status_of(exc)
    assert (code, body["reason"]) == (422, "Invalid")
    assert "field is immutable" in str(body["message"])
    assert body["details"]["causes"][0]["field"] == "spec.selector"


def test_server_side_apply_upsert_and_noop(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    first = apps.patch_namespaced_deployment(
        "ssa", namespace, deployment("ssa"), field_manager="designer", _content_type=APPLY
    )
    entry = next(e for e in first.metadata.managed_fields if e.manager == "designer")
    assert entry.operation == "Apply" and entry.fields_type == "FieldsV1"
    fields = entry.fields_v1
    assert 'k:{"name":"web"}' in fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert "f:replicas" not in fields["f:spec"]  # server defaults are not the applier's fields
    again = apps.patch_namespaced_deployment(
        "ssa", namespace, deployment("ssa"), field_manager="designer", _content_type=APPLY
    )
    # A no-op: same generation and Apply entry (the deployment controller may write status meanwhile).
    assert again.metadata.generation == first.metadata.generation == 1
    assert next(e for e in again.metadata.managed_fields if e.manager == "designer").time == entry.time


def test_server_side_apply_conflict_and_force(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    apps.patch_namespaced_deployment(
        "c", namespace, deployment("c", replicas=1), field_manager="designer", _content_type=APPLY
    )
    apps.patch_namespaced_deployment("c", namespace, {"spec": {"replicas": 3}}, field_manager="scaler")
    with pytest.raises(ApiException) as exc:
        apps.patch_namespaced_deployment(
            "c", namespace, deployment("c", replicas=1), field_manager="designer", _content_type=APPLY
        )
    code, body = status_of(exc)
    assert (code, body["reason"]) == (409, "Conflict")
    assert (
        body["message"]
        == 'Apply failed with 1 conflict: conflict with "scaler" using apps/v1: .spec.replicas'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "scaler" using apps/v1',
            "field": ".spec.replicas",
        }
    ]
    forced = apps.patch_namespaced_deployment(
        "c", namespace, deployment("c", replicas=1), field_manager="designer", force=True, _content_type=APPLY
    )
    assert forced.spec.replicas == 1
    scaler = [e for e in forced.metadata.managed_fields if e.manager == "scaler"]
    assert not scaler or "f:replicas" not in scaler[0].fields_v1.get("f:spec", {})


def test_shared_ownership_and_removal_of_dropped_fields(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    core.patch_namespaced_config_map(
        "s", namespace, cm_body("s", a="1", b="2"), field_manager="one", _content_type=APPLY
    )
    core.patch_namespaced_config_map(
        "s", namespace, cm_body("s", a="1"), field_manager="two", _content_type=APPLY
    )
    # "one" stops applying a (still owned by "two": kept) and b (owned by nobody else: removed).
    result = core.patch_namespaced_config_map(
        "s", namespace, cm_body("s", c="3"), field_manager="one", _content_type=APPLY
    )
    assert result.data == {"a": "1", "c": "3"}
    owners = {e.manager: e.fields_v1 for e in result.metadata.managed_fields}
    assert owners["two"] == {"f:data": {"f:a": {}}}
    assert owners["one"] == {"f:data": {"f:c": {}}}


def test_apply_requires_field_manager(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as exc:
        core.patch_namespaced_config_map("fm", namespace, cm_body("fm"), _content_type=APPLY)
    code, body = status_of(exc)
    assert code == 422 and "fieldManager" in str(body["message"])


def test_dry_run_never_persists(api_client: ApiClient, namespace: str) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    predicted = core.create_namespaced_config_map(namespace, cm_body("dry", a="1"), dry_run="All")
    assert predicted.metadata.resource_version in (None, "")
    assert predicted.data == {"a": "1"}
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("dry", namespace)
    live = apps.create_namespaced_deployment(namespace, deployment("dd"))
    applied = apps.patch_namespaced_deployment(
        "dd",
        namespace,
        deployment("dd", image="nginx:1.26"),
        field_manager="designer",
        force=True,
        dry_run="All",
        _content_type=APPLY,
    )
    assert applied.spec.template.spec.containers[0].image == "nginx:1.26"
    assert applied.metadata.generation == 2
    after = apps.read_namespaced_deployment("dd", namespace)
    # (Not the resourceVersion: on a real cluster the deployment controller writes status meanwhile.)
    assert (after.metadata.generation, live.metadata.generation) == (1, 1)
    assert after.spec.template.spec.containers[0].image == "nginx:1.25"
    core.create_namespaced_config_map(namespace, cm_body("keep"))
    core.delete_namespaced_config_map("keep", namespace, dry_run="All")
    assert core.read_namespaced_config_map("keep", namespace).metadata.name == "keep"


def test_status_subresource(api_client: ApiClient, namespace: str) -> None:
    # A LoadBalancer Service: no controller writes its status here (no cloud), unlike a Deployment's.
    core = client.CoreV1Api(api_client)
    service = {
        "metadata": {"name": "lb"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "x"}, "ports": [{"port": 80}]},
    }
    core.create_namespaced_service(namespace, service)
    status = {"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}}
    result = core.patch_namespaced_service_status("lb", namespace, status)
    assert result.status.load_balancer.ingress[0].ip == "192.0.2.10"
    # A status write through the main resource is ignored.
    core.patch_namespaced_service(
        "lb", namespace, {"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.99"}]}}}
    )
    assert core.read_namespaced_service("lb", namespace).status.load_balancer.ingress[0].ip == "192.0.2.10"


def test_finalizers_hold_deletion(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    body = cm_body("fin")
    body["metadata"] = {"name": "fin", "finalizers": ["example.com/hold"]}
    core.create_namespaced_config_map(namespace, body)
    core.delete_namespaced_config_map("fin", namespace)
    held = core.read_namespaced_config_map("fin", namespace)
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("fin", namespace, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("fin", namespace)
    assert exc.value.status == 404


def test_strategic_merge_patch_merges_containers_by_name(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    dep = deployment("smp")
    dep["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox:1"})  # type: ignore[index]
    apps.create_namespaced_deployment(namespace, dep)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox:2"}]}}}}
    result = apps.patch_namespaced_deployment("smp", namespace, patch)
    images = {c.name: c.image for c in result.spec.template.spec.containers}
    assert images == {"web": "nginx:1.25", "side": "busybox:2"}


def test_watch_from_resource_version_with_timeout(api_client: ApiClient, namespace: str) -> None:
    from kubernetes import watch

    core = client.CoreV1Api(api_client)
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, cm_body("w", a="1"))
    core.patch_namespaced_config_map("w", namespace, {"data": {"a": "2"}})
    core.delete_namespaced_config_map("w", namespace)
    events = [
        (e["type"], e["object"].metadata.name)
        for e in watch.Watch().stream(
            core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=1
        )
    ]
    assert [e for e in events if e[1] == "w"] == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]


def test_json_patch_and_merge_patch(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, cm_body("jp", a="1", b="2"))
    ops = [{"op": "replace", "path": "/data/a", "value": "10"}, {"op": "remove", "path": "/data/b"}]
    result = core.patch_namespaced_config_map("jp", namespace, ops)
    assert result.data == {"a": "10"}
    merged = core.patch_namespaced_config_map(
        "jp", namespace, {"data": {"c": "3", "a": None}}, _content_type="application/merge-patch+json"
    )
    assert merged.data == {"c": "3"}


def test_scale_subresource(api_client: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment(namespace, deployment("sc"))
    scale = apps.read_namespaced_deployment_scale("sc", namespace)
    assert scale.spec.replicas == 1 and scale.status.selector == "app=sc"
    apps.patch_namespaced_deployment_scale("sc", namespace, {"spec": {"replicas": 4}}, field_manager="hpa")
    dep = apps.read_namespaced_deployment("sc", namespace)
    assert dep.spec.replicas == 4
    entry = next(e for e in dep.metadata.managed_fields if e.manager == "hpa")
    assert entry.subresource == "scale" and entry.fields_v1 == {"f:spec": {"f:replicas": {}}}


def test_namespace_deletion_removes_contents(api_client: ApiClient) -> None:
    import time
    import uuid

    core = client.CoreV1Api(api_client)
    name = f"t-{uuid.uuid4().hex[:8]}"
    core.create_namespace({"metadata": {"name": name}})
    core.create_namespaced_config_map(name, cm_body("inside"))
    deleted = core.delete_namespace(name)
    phase = deleted["status"]["phase"] if isinstance(deleted, dict) else deleted.status.phase
    assert phase == "Terminating"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            core.read_namespace(name)
        except ApiException as exc:
            assert exc.status == 404
            break
        time.sleep(0.05)
    else:
        raise AssertionError("namespace was not removed")
    assert core.list_namespaced_config_map(name).items == []


def test_job_reapply_is_noop_and_template_change_is_immutable(api_client: ApiClient, namespace: str) -> None:
    batch = client.BatchV1Api(api_client)

    def job(image: str) -> dict[str, object]:
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate"},
            "spec": {
                "template": {
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": image}]}
                }
            },
        }

    first = batch.patch_namespaced_job(
        "migrate", namespace, job("tool:1"), field_manager="designer", _content_type=APPLY
    )
    assert first.spec.backoff_limit == 6 and first.spec.selector.match_labels  # server-generated selector
    again = batch.patch_namespaced_job(
        "migrate", namespace, job("tool:1"), field_manager="designer", _content_type=APPLY
    )

    # No write: same generation and the same Apply entry (its time unchanged). The resourceVersion may
    # move on a real cluster, where the job controller writes status meanwhile.
    def applied(job: object) -> list[object]:
        return [e.to_dict() for e in job.metadata.managed_fields if e.manager == "designer"]  # type: ignore[attr-defined]

    assert again.metadata.generation == first.metadata.generation == 1
    assert applied(again) == applied(first)
    with pytest.raises(ApiException) as exc:
        batch.patch_namespaced_job(
            "migrate", namespace, job("tool:2"), field_manager="designer", _content_type=APPLY
        )
    code, body = status_of(exc)
    assert code == 422 and "field is immutable" in str(body["message"])
    assert "spec.template" in [c["field"] for c in body["details"]["causes"]]


def test_service_cluster_ip_is_kept_and_immutable(api_client: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"selector": {"app": "s"}, "ports": [{"port": 80, "targetPort": 8080}]},
    }
    first = core.patch_namespaced_service("s", namespace, svc, field_manager="designer", _content_type=APPLY)
    again = core.patch_namespaced_service("s", namespace, svc, field_manager="designer", _content_type=APPLY)
    assert again.spec.cluster_ip == first.spec.cluster_ip
    assert again.metadata.resource_version == first.metadata.resource_version
    svc["spec"]["clusterIP"] = "10.96.250.250"  # type: ignore[index]
    with pytest.raises(ApiException) as exc:
        core.patch_namespaced_service(
            "s", namespace, svc, field_manager="designer", force=True, _content_type=APPLY
        )
    code, body = status_of(exc)
    # Real servers name spec.clusterIP or spec.clusterIPs[0] ("may not change once set").
    assert code == 422 and body["details"]["causes"][0]["field"].startswith("spec.clusterIP")


def test_owner_deletion_collects_dependents_unless_orphaned(api_client: ApiClient, namespace: str) -> None:
    import time

    core = client.CoreV1Api(api_client)

    def owned_by(name: str, owner: object) -> dict[str, object]:
        ref = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": owner.metadata.name,  # type: ignore[attr-defined]
            "uid": owner.metadata.uid,
        }  # type: ignore[attr-defined]
        return {"metadata": {"name": name, "ownerReferences": [ref]}}

    parent = core.create_namespaced_config_map(namespace, cm_body("parent"))
    core.create_namespaced_config_map(namespace, owned_by("child", parent))
    keeper = core.create_namespaced_config_map(namespace, cm_body("keeper"))
    core.create_namespaced_config_map(namespace, owned_by("orphan", keeper))
    core.delete_namespaced_config_map("parent", namespace)
    core.delete_namespaced_config_map("keeper", namespace, propagation_policy="Orphan")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        names = {i.metadata.name for i in core.list_namespaced_config_map(namespace).items}
        if "child" not in names:
            break
        time.sleep(0.05)
    assert "child" not in names
    assert "orphan" in names


def test_dependents_of_custom_resources_go_with_their_crd(
    api_client: ApiClient, namespace: str, kube_api: KubeTarget
) -> None:
    """Deleting a CRD removes its custom resources without an API call per object; the garbage
    collector must still see them go and collect what they own. On the real control plane that
    depends on timing: kube-controller-manager's collector starts watching a new kind at its next
    discovery sync (every 30 s); a CRD deleted before that leaves the dependents (seen on v1.37: still
    there 150 s later), one deleted after it does not. So there only the custom resource's end is checked."""
    import time
    import uuid

    from tests.crds import crd_body

    group = f"gc{uuid.uuid4().hex[:6]}.example.com"
    ext = client.ApiextensionsV1Api(api_client)
    custom = client.CustomObjectsApi(api_client)
    core = client.CoreV1Api(api_client)
    body = crd_body(group, "Widget", "widgets")
    ext.create_custom_resource_definition(body)
    deadline = time.monotonic() + 30
    widget = None
    while widget is None and time.monotonic() < deadline:
        try:
            widget = custom.create_namespaced_custom_object(
                group,
                "v1",
                namespace,
                "widgets",
                {"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": "w"}},
            )
        except ApiException:
            time.sleep(0.05)  # not Established yet
    assert widget is not None
    owner = {"apiVersion": f"{group}/v1", "kind": "Widget", "name": "w", "uid": widget["metadata"]["uid"]}
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "owned", "ownerReferences": [owner]}})
    ext.delete_custom_resource_definition(body["metadata"]["name"])
    while time.monotonic() < deadline:
        try:
            custom.get_namespaced_custom_object(group, "v1", namespace, "widgets", "w")
        except ApiException as gone:
            assert gone.status == 404
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the custom resource outlived its CRD")
    if not kube_api.is_emulator:
        return
    while time.monotonic() < deadline:
        names = {i.metadata.name for i in core.list_namespaced_config_map(namespace).items}
        if "owned" not in names:
            break
        time.sleep(0.05)
    assert "owned" not in names


def test_a_label_selector_is_owned_as_a_whole(api_client: ApiClient, namespace: str) -> None:
    """LabelSelector is an atomic struct: its owner owns ``f:selector`` itself, and another manager
    changing any part of it conflicts on ``.spec.selector`` (found against kube-apiserver v1.37)."""
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment(namespace, deployment("sel"))
    created = apps.read_namespaced_deployment("sel", namespace)
    # kube-controller-manager may already have written its revision annotation (a second Update entry)
    (creator,) = [
        e
        for e in created.metadata.managed_fields
        if e.operation == "Update" and e.manager != "kube-controller-manager"
    ]
    assert creator.fields_v1["f:spec"]["f:selector"] == {}
    changed = deployment("sel")
    changed["spec"]["selector"] = {"matchLabels": {"app": "sel", "v": "2"}}  # type: ignore[index]
    with pytest.raises(ApiException) as exc:
        apps.patch_namespaced_deployment("sel", namespace, changed, field_manager="t", _content_type=APPLY)
    code, body = status_of(exc)
    assert (code, body["reason"]) == (409, "Conflict")
    assert [c["field"] for c in body["details"]["causes"]] == [".spec.selector"]
