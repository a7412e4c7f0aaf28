"""kubectl fidelity: the real /usr/bin/kubectl binary against the target (emulator by default).

Marked ``cluster``: the same commands run against DESIGNER_TEST_KUBECONFIG when it is set.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from designer.sandbox.testing import KubeTarget
from tests import requirements

pytestmark = pytest.mark.cluster


def kubectl(
    target: KubeTarget, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    binary = requirements.executable("kubectl", install="apt-get install kubernetes-client")
    return subprocess.run(
        [binary, "--kubeconfig", str(target.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def manifest(tmp_path: Path, namespace: str, image: str, replicas: int | None = None) -> Path:
    spec: dict[str, object] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    docs = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "web-config", "namespace": namespace},
                "data": {"mode": "fast"},
            },
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": namespace},
                "spec": spec,
            },
        ],
    }
    path = tmp_path / "app.json"
    path.write_text(json.dumps(docs), encoding="utf-8")
    return path


def test_api_resources_lists_builtin_kinds(kube_api: KubeTarget) -> None:
    out = ok(kubectl(kube_api, "api-resources", "-o", "name"))
    names = set(out.split())
    assert {
        "deployments.apps",
        "configmaps",
        "namespaces",
        "customresourcedefinitions.apiextensions.k8s.io",
    } <= names


def test_server_side_apply_then_get(kube_api: KubeTarget, namespace: str, tmp_path: Path) -> None:
    path = manifest(tmp_path, namespace, "nginx:1.25")
    out = ok(kubectl(kube_api, "apply", "--server-side", "-f", str(path)))
    assert "deployment.apps/web serverside-applied" in out
    body = json.loads(
        ok(
            kubectl(
                kube_api, "get", "deployment", "web", "-n", namespace, "-o", "json", "--show-managed-fields"
            )
        )
    )
    assert body["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert body["spec"]["replicas"] == 1
    managers = {e["manager"]: e["operation"] for e in body["metadata"]["managedFields"]}
    assert managers["kubectl"] == "Apply"
    listed = json.loads(ok(kubectl(kube_api, "get", "configmaps", "-n", namespace, "-o", "json")))
    assert "web-config" in [i["metadata"]["name"] for i in listed["items"]]


def test_diff_server_side_exit_codes(kube_api: KubeTarget, namespace: str, tmp_path: Path) -> None:
    path = manifest(tmp_path, namespace, "nginx:1.25")
    before = kubectl(kube_api, "diff", "--server-side", "-f", str(path))
    assert before.returncode == 1, before.stderr
    assert "+  name: web" in before.stdout
    ok(kubectl(kube_api, "apply", "--server-side", "-f", str(path)))
    after = kubectl(kube_api, "diff", "--server-side", "-f", str(path))
    assert after.returncode == 0, after.stdout + after.stderr
    changed = manifest(tmp_path, namespace, "nginx:1.26")
    drift = kubectl(kube_api, "diff", "--server-side", "-f", str(changed))
    assert drift.returncode == 1
    assert "-      - image: nginx:1.25" in drift.stdout and "+      - image: nginx:1.26" in drift.stdout
    removed = [
        line for line in drift.stdout.splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    assert len(removed) == 2, drift.stdout  # the image and the generation: nothing else differs


def test_scale_then_apply_conflicts_on_replicas(kube_api: KubeTarget, namespace: str, tmp_path: Path) -> None:
    path = manifest(tmp_path, namespace, "nginx:1.25", replicas=1)
    ok(kubectl(kube_api, "apply", "--server-side", "-f", str(path)))
    ok(kubectl(kube_api, "scale", "deployment/web", "-n", namespace, "--replicas=3"))
    conflict = kubectl(kube_api, "apply", "--server-side", "-f", str(path))
    assert conflict.returncode != 0
    assert ".spec.replicas" in conflict.stderr and "conflict" in conflict.stderr
    ok(kubectl(kube_api, "apply", "--server-side", "--force-conflicts", "-f", str(path)))
    body = json.loads(ok(kubectl(kube_api, "get", "deployment", "web", "-n", namespace, "-o", "json")))
    assert body["spec"]["replicas"] == 1


def test_label_patch_and_edit(kube_api: KubeTarget, namespace: str, tmp_path: Path) -> None:
    path = manifest(tmp_path, namespace, "nginx:1.25")
    ok(kubectl(kube_api, "apply", "--server-side", "-f", str(path)))
    ok(kubectl(kube_api, "label", "deployment/web", "-n", namespace, "team=blue"))
    ok(
        kubectl(
            kube_api,
            "patch",
            "deployment/web",
            "-n",
            namespace,
            "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}',
        )
    )
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/mode: fast/mode: slow/' \"$1\"\n", encoding="utf-8")
    editor.chmod(0o755)
    ok(kubectl(kube_api, "edit", "configmap/web-config", "-n", namespace, env={"KUBE_EDITOR": str(editor)}))
    dep = json.loads(
        ok(
            kubectl(
                kube_api, "get", "deployment", "web", "-n", namespace, "-o", "json", "--show-managed-fields"
            )
        )
    )
    assert dep["metadata"]["labels"]["team"] == "blue"
    assert [c["image"] for c in dep["spec"]["template"]["spec"]["containers"]] == ["nginx:1.27"]
    managers = {e["manager"] for e in dep["metadata"]["managedFields"]}
    assert {"kubectl", "kubectl-label", "kubectl-patch"} <= managers
    cm = json.loads(
        ok(
            kubectl(
                kube_api,
                "get",
                "configmap",
                "web-config",
                "-n",
                namespace,
                "-o",
                "json",
                "--show-managed-fields",
            )
        )
    )
    assert cm["data"] == {"mode": "slow"}
    assert "kubectl-edit" in {e["manager"] for e in cm["metadata"]["managedFields"]}


def test_delete_and_not_found(kube_api: KubeTarget, namespace: str, tmp_path: Path) -> None:
    path = manifest(tmp_path, namespace, "nginx:1.25")
    ok(kubectl(kube_api, "apply", "--server-side", "-f", str(path)))
    ok(kubectl(kube_api, "delete", "-f", str(path), "--wait=false"))
    missing = kubectl(kube_api, "get", "deployment", "web", "-n", namespace)
    assert missing.returncode == 1
    assert 'deployments.apps "web" not found' in missing.stderr


def test_imperative_create_and_table_columns(kube_api: KubeTarget, namespace: str) -> None:
    ok(
        kubectl(
            kube_api, "create", "configmap", "c1", "-n", namespace, "--from-literal=a=1", "--from-literal=b=2"
        )
    )
    ok(kubectl(kube_api, "create", "secret", "generic", "s1", "-n", namespace, "--from-literal=pw=hunter2"))
    ok(kubectl(kube_api, "create", "serviceaccount", "bot", "-n", namespace))
    data = json.loads(
        ok(kubectl(kube_api, "get", "configmap", "c1", "-n", namespace, "-o", "jsonpath={.data}"))
    )
    assert data == {"a": "1", "b": "2"}
    secret = json.loads(
        ok(kubectl(kube_api, "get", "secret", "s1", "-n", namespace, "-o", "jsonpath={.data}"))
    )
    assert secret == {"pw": "aHVudGVyMg=="}
    table = ok(kubectl(kube_api, "get", "configmap", "c1", "-n", namespace)).splitlines()
    assert table[0].split() == ["NAME", "DATA", "AGE"] and table[1].split()[:2] == ["c1", "2"]
    ns_table = ok(kubectl(kube_api, "get", "namespace", namespace)).splitlines()
    assert ns_table[0].split() == ["NAME", "STATUS", "AGE"] and ns_table[1].split()[:2] == [
        namespace,
        "Active",
    ]


def test_get_watch_prints_new_objects_as_table_rows(kube_api: KubeTarget, namespace: str) -> None:
    ok(kubectl(kube_api, "create", "configmap", "first", "-n", namespace))
    binary = requirements.executable("kubectl", install="apt-get install kubernetes-client")
    with subprocess.Popen(
        [
            binary,
            "--kubeconfig",
            str(kube_api.kubeconfig_path),
            "get",
            "configmaps",
            "-n",
            namespace,
            "-w",
            "--request-timeout=5s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as watcher:
        assert watcher.stdout is not None
        header = watcher.stdout.readline().split()
        lines = [watcher.stdout.readline()]
        while not lines[-1].startswith("first"):
            assert lines[-1], "the watch ended before listing the existing object"
            lines.append(watcher.stdout.readline())
        ok(kubectl(kube_api, "create", "configmap", "second", "-n", namespace, "--from-literal=k=v"))
        while not lines[-1].startswith("second"):
            lines.append(watcher.stdout.readline())
            assert lines[-1], "the watch ended before the new object was printed"
        watcher.kill()
    assert header == ["NAME", "DATA", "AGE"]
    assert lines[-1].split()[:2] == ["second", "1"]
