"""Emulator-only features: request log, fault injection, latency, CRD timing, watch expiry, controllers.

These use the ``sandbox`` fixture (never a real cluster): a real cluster cannot be told to fail the next
request or to forget its watch history, which is why they are not marked ``cluster``. Real HTTP, no mocks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kubernetes import client, watch
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from designer.sandbox.controllers import FAIL_ANNOTATION
from designer.sandbox.runner import Sandbox

APPLY = "application/apply-patch+yaml"


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def deployment(name: str, annotations: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "x:1"}]},
            },
        },
    }


def test_request_log_records_dry_run_and_status(sandbox: Sandbox, sandbox_client: ApiClient) -> None:
    core = client.CoreV1Api(sandbox_client)
    sandbox.recorder.clear()
    core.create_namespaced_config_map("default", {"metadata": {"name": "a"}}, dry_run="All")
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("a", "default")
    first, second = sandbox.requests[-2:]
    assert (first.method, first.path, first.dry_run, first.status) == (
        "POST",
        "/api/v1/namespaces/default/configmaps",
        True,
        201,
    )
    assert (second.method, second.status, second.dry_run) == ("GET", 404, False)
    assert sandbox.recorder.writes(dry_run=False) == []


def test_injected_fault_fails_once(sandbox: Sandbox, sandbox_client: ApiClient) -> None:
    core = client.CoreV1Api(sandbox_client)
    sandbox.inject_fault("POST", "/configmaps", 500, message="boom")
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("default", {"metadata": {"name": "f"}})
    assert exc.value.status == 500 and json.loads(exc.value.body)["reason"] == "InternalError"
    assert core.create_namespaced_config_map("default", {"metadata": {"name": "f"}}).metadata.name == "f"
    sandbox.inject_fault(None, "/configmaps/f", 422, message="spec: field is immutable")
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("f", "default")
    body = json.loads(exc.value.body)
    assert exc.value.status == 422 and "field is immutable" in body["message"]
    sandbox.inject_fault("GET", "/configmaps/f", 429)
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("f", "default")
    assert exc.value.status == 429


def test_delay_fault_and_latency(sandbox: Sandbox, sandbox_client: ApiClient) -> None:
    core = client.CoreV1Api(sandbox_client)
    sandbox.inject_fault("GET", "/namespaces/default", None, delay=0.3)
    started = time.monotonic()
    core.read_namespace("default")
    assert time.monotonic() - started >= 0.3
    sandbox.latency = 0.1
    started = time.monotonic()
    core.read_namespace("default")
    assert time.monotonic() - started >= 0.1


def test_custom_resource_is_404_until_established(tmp_path: Path) -> None:
    server = Sandbox(crd_delay=0.5).start(tmp_path / "kubeconfig")
    try:
        api = client.ApiClient(client.Configuration(host=server.url))
        ext = client.ApiextensionsV1Api(api)
        custom = client.CustomObjectsApi(api)
        ext.create_custom_resource_definition(
            {
                "metadata": {"name": "gadgets.example.com"},
                "spec": {
                    "group": "example.com",
                    "scope": "Namespaced",
                    "names": {"plural": "gadgets", "kind": "Gadget", "singular": "gadget"},
                    "versions": [
                        {
                            "name": "v1",
                            "served": True,
                            "storage": True,
                            "schema": {"openAPIV3Schema": {"type": "object"}},
                        }
                    ],
                },
            }
        )
        body = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
        with pytest.raises(ApiException) as exc:
            custom.create_namespaced_custom_object("example.com", "v1", "default", "gadgets", body)
        assert exc.value.status == 404

        def established() -> bool:
            try:
                custom.create_namespaced_custom_object("example.com", "v1", "default", "gadgets", body)
            except ApiException:
                return False
            return True

        wait_for(established)
        groups = [g.name for g in client.ApisApi(api).get_api_versions().groups]
        assert "example.com" in groups
        ext.delete_custom_resource_definition("gadgets.example.com")
        # Its clean-up finalizer holds the CRD until its custom resources are gone (a moment later).
        wait_for(lambda: server.get("example.com/v1", "Gadget", "g", "default") is None)
        wait_for(lambda: "example.com" not in [g.name for g in client.ApisApi(api).get_api_versions().groups])
        api.close()
    finally:
        server.stop()


def test_watch_from_expired_version_gets_410(tmp_path: Path) -> None:
    server = Sandbox(history=3).start(tmp_path / "kubeconfig")
    try:
        api = client.ApiClient(client.Configuration(host=server.url))
        core = client.CoreV1Api(api)
        start = core.list_namespaced_config_map("default").metadata.resource_version
        for i in range(6):
            core.create_namespaced_config_map("default", {"metadata": {"name": f"c{i}"}})
        with pytest.raises(ApiException) as exc:
            list(
                watch.Watch().stream(
                    core.list_namespaced_config_map, "default", resource_version=start, timeout_seconds=1
                )
            )
        assert exc.value.status == 410
        api.close()
    finally:
        server.stop()


def test_controllers_make_workloads_ready(sandbox: Sandbox, sandbox_client: ApiClient) -> None:
    sandbox.controllers.enabled = True
    apps, batch, core = (
        client.AppsV1Api(sandbox_client),
        client.BatchV1Api(sandbox_client),
        client.CoreV1Api(sandbox_client),
    )
    apps.patch_namespaced_deployment(
        "ok", "default", deployment("ok"), field_manager="t", _content_type=APPLY
    )
    apps.patch_namespaced_deployment(
        "bad", "default", deployment("bad", {FAIL_ANNOTATION: "true"}), field_manager="t", _content_type=APPLY
    )
    batch.create_namespaced_job(
        "default",
        {
            "metadata": {"name": "j"},
            "spec": {
                "template": {
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}
                }
            },
        },
    )
    core.create_namespaced_persistent_volume_claim(
        "default",
        {
            "metadata": {"name": "p"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        },
    )

    def available(name: str) -> int:
        status = apps.read_namespaced_deployment(name, "default").status
        return (status.available_replicas if status else None) or 0

    wait_for(lambda: available("ok") == 2)
    ok = apps.read_namespaced_deployment("ok", "default").status
    assert ok.observed_generation == 1 and ok.ready_replicas == 2 and ok.updated_replicas == 2
    assert {c.type: c.status for c in ok.conditions} == {"Available": "True", "Progressing": "True"}
    wait_for(
        lambda: bool(
            (
                apps.read_namespaced_deployment("bad", "default").status or client.V1DeploymentStatus()
            ).conditions
        )
    )
    bad = {c.type: c.reason for c in apps.read_namespaced_deployment("bad", "default").status.conditions}
    assert bad["Progressing"] == "ProgressDeadlineExceeded"
    wait_for(
        lambda: (
            ((batch.read_namespaced_job("j", "default").status or client.V1JobStatus()).succeeded or 0) == 1
        )
    )
    assert "Complete" in {c.type for c in batch.read_namespaced_job("j", "default").status.conditions}
    wait_for(
        lambda: (
            (
                core.read_namespaced_persistent_volume_claim("p", "default").status
                or client.V1PersistentVolumeClaimStatus()
            ).phase
            == "Bound"
        )
    )
    core.create_namespaced_service(
        "default",
        {
            "metadata": {"name": "lb"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "ok"}, "ports": [{"port": 80}]},
        },
    )

    def lb_ip() -> bool:
        status = core.read_namespaced_service("lb", "default").status
        return bool(status and status.load_balancer and status.load_balancer.ingress)

    wait_for(lb_ip)
    managers = {
        e.manager: e.subresource
        for e in apps.read_namespaced_deployment("ok", "default").metadata.managed_fields
    }
    assert managers["kube-controller-manager"] == "status"


def test_set_status_helper_and_store_access(sandbox: Sandbox, sandbox_client: ApiClient) -> None:
    apps = client.AppsV1Api(sandbox_client)
    apps.create_namespaced_deployment("default", deployment("s"))
    sandbox.set_status(
        "apps/v1", "Deployment", "s", "default", {"availableReplicas": 2, "observedGeneration": 1}
    )
    assert apps.read_namespaced_deployment("s", "default").status.available_replicas == 2
    stored = sandbox.get("apps/v1", "Deployment", "s", "default")
    assert stored is not None and stored["status"]["availableReplicas"] == 2


def test_protobuf_create_of_complex_kind_is_refused_clearly(sandbox: Sandbox) -> None:
    """kubectl's typed `create deployment` sends protobuf, which the emulator only decodes for simple kinds."""
    import subprocess

    result = subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(sandbox.kubeconfig_path),
            "create",
            "deployment",
            "d",
            "--image=nginx",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "kubectl apply -f" in result.stderr
    assert sandbox.requests[-1].status == 415


def test_kubectl_wait_and_rollout_status_with_controllers(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    import subprocess

    server = sandbox_factory(controllers=True)
    manifest = tmp_path / "d.json"
    manifest.write_text(
        json.dumps({**deployment("roll"), "metadata": {"name": "roll", "namespace": "default"}})
    )

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["kubectl", "--kubeconfig", str(server.kubeconfig_path), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert kubectl("apply", "-f", str(manifest)).returncode == 0  # client-side apply
    waited = kubectl("wait", "--for=condition=Available", "deployment/roll", "--timeout=20s")
    assert waited.returncode == 0, waited.stderr
    rolled = kubectl("rollout", "status", "deployment/roll", "--timeout=20s")
    assert rolled.returncode == 0 and "successfully rolled out" in rolled.stdout
    table = kubectl("get", "deployment", "roll").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert table[1].split()[:4] == ["roll", "2/2", "2", "2"]
    last_applied = server.get("apps/v1", "Deployment", "roll", "default")
    assert last_applied is not None
    assert "kubectl.kubernetes.io/last-applied-configuration" in last_applied["metadata"]["annotations"]


def test_watch_bookmarks_carry_resume_versions(sandbox: Sandbox) -> None:
    import urllib.request

    url = f"{sandbox.url}/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=1"
    with urllib.request.urlopen(url, timeout=10) as response:
        lines = [json.loads(line) for line in response.read().splitlines()]
    assert [e["type"] for e in lines] == ["BOOKMARK", "BOOKMARK"]
    assert int(lines[-1]["object"]["metadata"]["resourceVersion"]) >= 1000
