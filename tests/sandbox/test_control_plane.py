"""The real control plane (upstream etcd, kube-apiserver, kube-controller-manager) and designer's
simulated kubelet: the real controllers must converge workloads, RBAC must hold, and a failed start
must name the process that failed with the end of its log."""

from __future__ import annotations

import json
import ssl
import stat
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException

from designer.errors import ClusterError
from designer.sandbox.upstream.binaries import Binaries
from designer.sandbox.upstream.controlplane import NODE, ControlPlane

APPLY = "application/apply-patch+yaml"


@pytest.fixture
def admin(control_plane: ControlPlane) -> Iterator[ApiClient]:
    assert control_plane.kubeconfig_path is not None
    api = config.new_client_from_config(config_file=str(control_plane.kubeconfig_path))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def fresh_namespace(admin: ApiClient) -> str:
    name = f"cp-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(admin).create_namespace({"metadata": {"name": name}})
    return name


def _wait(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"not reached in {timeout} s: {value}"
        time.sleep(0.2)


def _conditions(obj: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        c["type"]: (c["status"], c.get("reason", ""))
        for c in (obj.get("status") or {}).get("conditions") or []
    }


def _apply(admin: ApiClient, body: dict[str, Any]) -> None:
    from kubernetes.dynamic import DynamicClient

    resource = DynamicClient(admin).resources.get(api_version=body["apiVersion"], kind=body["kind"])
    resource.server_side_apply(body=body, namespace=body["metadata"].get("namespace"), field_manager="test")


def _pod_template(app: str, image: str) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": app, "image": image}]}}


def test_real_controllers_converge_workloads(admin: ApiClient, fresh_namespace: str) -> None:
    ns = fresh_namespace
    _apply(admin, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": _pod_template("web", "nginx:1")},
    })  # fmt: skip
    _apply(admin, {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": ns},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": _pod_template("db", "postgres:16"),
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                     "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]},
    })  # fmt: skip
    _apply(admin, {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": ns},
        "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": _pod_template("agent", "agent:1")},
    })  # fmt: skip
    job_template = _pod_template("migrate", "tool:1")
    job_template["spec"]["restartPolicy"] = "Never"
    _apply(admin, {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": ns},
        "spec": {"template": job_template},
    })  # fmt: skip
    apps, batch, core = client.AppsV1Api(admin), client.BatchV1Api(admin), client.CoreV1Api(admin)

    def raw(read: Callable[..., Any], name: str) -> Callable[[], dict[str, Any]]:
        return lambda: admin.sanitize_for_serialization(read(name, ns))  # type: ignore[no-any-return]

    deployment = _wait(
        raw(apps.read_namespaced_deployment, "web"), lambda d: d["status"].get("availableReplicas") == 2
    )
    assert _conditions(deployment)["Available"] == ("True", "MinimumReplicasAvailable")
    assert deployment["status"]["observedGeneration"] == deployment["metadata"]["generation"]
    _wait(raw(apps.read_namespaced_stateful_set, "db"), lambda s: s["status"].get("readyReplicas") == 2)
    _wait(raw(apps.read_namespaced_daemon_set, "agent"), lambda d: d["status"].get("numberReady") == 1)
    job = _wait(raw(batch.read_namespaced_job, "migrate"), lambda j: "Complete" in _conditions(j))
    assert _conditions(job)["Complete"][0] == "True" and job["status"]["succeeded"] == 1
    claims = _wait(
        lambda: core.list_namespaced_persistent_volume_claim(ns).items,
        lambda items: len(items) == 2 and all(c.status.phase == "Bound" for c in items),
    )
    assert {c.metadata.name for c in claims} == {"data-db-0", "data-db-1"}
    pods = core.list_namespaced_pod(ns, label_selector="app=web").items
    assert {p.spec.node_name for p in pods} == {NODE}
    assert all(p.status.pod_ip and p.status.container_statuses[0].ready for p in pods)


def test_failing_image_runs_a_rollout_into_its_deadline(admin: ApiClient, fresh_namespace: str) -> None:
    ns = fresh_namespace
    _apply(admin, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad", "namespace": ns},
        "spec": {"progressDeadlineSeconds": 2, "selector": {"matchLabels": {"app": "bad"}},
                 "template": _pod_template("bad", "shop/api:fail")},
    })  # fmt: skip
    apps = client.AppsV1Api(admin)
    deployment = _wait(
        lambda: admin.sanitize_for_serialization(apps.read_namespaced_deployment("bad", ns)),
        lambda d: _conditions(d).get("Progressing", ("", ""))[1] == "ProgressDeadlineExceeded",
    )
    assert _conditions(deployment)["Available"][0] == "False"
    pod = client.CoreV1Api(admin).list_namespaced_pod(ns).items[0]
    assert pod.status.phase == "Pending"
    assert pod.status.container_statuses[0].state.waiting.reason == "ErrImagePull"


def test_restricted_user_and_anonymous_requests_are_refused(control_plane: ControlPlane) -> None:
    assert control_plane.kubeconfig_path is not None
    restricted = config.new_client_from_config(
        config_file=str(control_plane.kubeconfig_path), context=control_plane.restricted_context
    )
    try:
        with pytest.raises(ApiException) as denied:
            client.CoreV1Api(restricted).list_namespaced_config_map("default")
    finally:
        restricted.close()
    assert denied.value.status == 403
    assert (
        'User "designer-restricted" cannot list resource "configmaps"'
        in json.loads(denied.value.body)["message"]
    )
    # Without a client certificate or token: anonymous, which RBAC lets read nothing but health.
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{control_plane.url}/api/v1/namespaces", context=context, timeout=10)
    anonymous.value.close()
    assert anonymous.value.code in (401, 403)


def test_a_failed_start_names_the_process_and_its_log(tmp_path: Path) -> None:
    # A stand-in etcd that fails the way a real one does on a bad flag: this tests designer's error
    # path, which no working binary can reach on purpose.
    fake = tmp_path / "etcd"
    fake.write_text("#!/bin/sh\necho 'etcd: listen tcp: address already in use' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    plane = ControlPlane(Binaries(tmp_path, fake, fake, None), state_dir=tmp_path / "state")
    with pytest.raises(ClusterError) as caught:
        plane.start()
    message = str(caught.value)
    assert message.startswith("etcd exited at start (code 1)")
    assert "address already in use" in message
    assert str(tmp_path / "state" / "logs" / "etcd.log") in str(caught.value.hint)
    assert plane.processes[0].popen is not None and plane.processes[0].popen.poll() == 1
