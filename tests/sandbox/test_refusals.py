"""What a real API server refuses, the emulator refuses too (issue 13.7), and what it accepts, it accepts.

Each case is sent by create (POST) and by server-side apply through the official DynamicClient.
Type errors are refused by decoding (400 BadRequest on create; kube-apiserver 1.37 answers the same
mistake in an apply with a 500, kubernetes/kubernetes#139253), rule violations by validation (422).
Marked ``cluster``: each case runs on the emulator and on the real control plane (kube_api's engines),
so the emulator's answers are checked against Kubernetes itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

pytestmark = pytest.mark.cluster

Body = dict[str, Any]


def _meta(name: str, **extra: Any) -> Body:
    return {"name": name, **extra}


def _config(name: str = "c", **fields: Any) -> Body:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name), **fields}


def _secret(**fields: Any) -> Body:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("s"), **fields}


def _deployment(replicas: Any = 1, env_value: Any = "x") -> Body:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta("d"),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "x:1", "env": [{"name": "PORT", "value": env_value}]}
                    ]
                },
            },
        },
    }


def _service(name: str = "web", port: Any = 80, target: Any = 8080) -> Body:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name),
        "spec": {"selector": {"app": "web"}, "ports": [{"port": port, "targetPort": target}]},
    }


def _labelled(labels: Any = None, annotations: Any = None) -> Body:
    meta = _meta("c")
    if labels is not None:
        meta["labels"] = labels
    if annotations is not None:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def _with(body: Body, dotted: str, value: Any) -> Body:
    """``body`` with the field at ``dotted`` set to ``value`` (a deep copy)."""
    copy = json.loads(json.dumps(body))
    node = copy
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return copy


def _pod(restart: str) -> Body:
    return {"restartPolicy": restart, "containers": [{"name": "c", "image": "x:1"}]}


def _job(restart: str) -> Body:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta("j"),
        "spec": {"template": {"spec": _pod(restart)}},
    }


def _cronjob(name: str, schedule: str) -> Body:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(name),
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": _pod("Never")}}}},
    }


def _pvc(modes: list[str]) -> Body:
    spec = {"accessModes": modes, "resources": {"requests": {"storage": "1Gi"}}}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta("p"), "spec": spec}


def _role(rules: list[Body]) -> Body:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta("r"),
        "rules": rules,
    }


REFUSED: dict[str, tuple[Body, int]] = {
    "secret data not base64": (_secret(data={"token": "not base64!"}), 400),
    "secret data bad padding": (_secret(data={"token": "abc"}), 400),
    "secret stringData number": (_secret(stringData={"port": 5}), 400),
    "secret stringData bool": (_secret(stringData={"debug": True}), 400),
    "configmap data number": (_config(data={"port": 8080}), 400),
    "configmap binaryData not base64": (_config(binaryData={"blob": "%%%"}), 400),
    "deployment replicas string": (_deployment(replicas="3"), 400),
    "env value number": (_deployment(env_value=8080), 400),
    "service port string": (_service(port="80"), 400),
    "label value bool": (_labelled(labels={"enabled": True}), 400),
    "annotation value number": (_labelled(annotations={"version": 1.5}), 400),
    "label key syntax": (_labelled(labels={"bad key!": "x"}), 422),
    "label value syntax": (_labelled(labels={"tier": "has space"}), 422),
    "label value too long": (_labelled(labels={"tier": "x" * 64}), 422),
    "annotation key syntax": (_labelled(annotations={"a/b/c": "x"}), 422),
    "config key syntax": (_config(data={"a/b": "x"}), 422),
    "config key in data and binaryData": (_config(data={"k": "x"}, binaryData={"k": "eA=="}), 422),
    "service name with a dot": (_service(name="web.v1"), 422),
    "configmap name uppercase": (_config(name="Upper"), 422),
    "replicas negative": (_deployment(replicas=-1), 422),
    "container without image": (_with(_deployment(), "spec.template.spec.containers", [{"name": "c"}]), 422),
    "container name uppercase": (
        _with(_deployment(), "spec.template.spec.containers", [{"name": "Web", "image": "x"}]),
        422,
    ),
    "containerPort out of range": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "ports": [{"containerPort": 70000}]}],
        ),
        422,
    ),
    "env without a name": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "env": [{"value": "v"}]}],
        ),
        422,
    ),
    "imagePullPolicy unknown": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "imagePullPolicy": "Sometimes"}],
        ),
        422,
    ),
    "probe without a handler": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "livenessProbe": {"periodSeconds": 5}}],
        ),
        422,
    ),
    "request above limit": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}}],
        ),
        422,
    ),
    "quantity malformed": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "lots"}}}],
        ),
        400,
    ),
    "deployment restartPolicy Never": (
        _with(_deployment(), "spec.template.spec.restartPolicy", "Never"),
        422,
    ),
    "strategy unknown": (_with(_deployment(), "spec.strategy", {"type": "Bogus"}), 422),
    "duplicate containers": (
        _with(
            _deployment(),
            "spec.template.spec.containers",
            [{"name": "c", "image": "x"}, {"name": "c", "image": "y"}],
        ),
        422,
    ),
    "service port out of range": (_service(port=70000), 422),
    "service type unknown": (_with(_service(), "spec.type", "Bogus"), 422),
    "service without ports": (_with(_service(), "spec.ports", []), 422),
    "service ports without names": (_with(_service(), "spec.ports", [{"port": 80}, {"port": 81}]), 422),
    "service duplicate ports": (
        _with(_service(), "spec.ports", [{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]),
        422,
    ),
    "service protocol unknown": (_with(_service(), "spec.ports", [{"port": 80, "protocol": "XYZ"}]), 422),
    "service selector value": (_with(_service(), "spec.selector", {"app": "has space"}), 422),
    "service clusterIP not an IP": (_with(_service(), "spec.clusterIP", "not-an-ip"), 422),
    "tls secret without keys": (_secret(type="kubernetes.io/tls", data={"a": "YQ=="}), 422),
    "job restartPolicy Always": (_job("Always"), 422),
    "cronjob schedule": (_cronjob("c", "every minute"), 422),
    "pvc without access modes": (_pvc([]), 422),
    "pvc access mode unknown": (_pvc(["ReadSometimes"]), 422),
    "role rule without verbs": (_role([{"apiGroups": [""], "resources": ["pods"], "verbs": []}]), 422),
    "finalizer not qualified": (_with(_config(), "metadata.finalizers", ["foo"]), 422),
    "finalizer syntax": (_with(_config(), "metadata.finalizers", ["not a valid/finalizer/x"]), 422),
    "owner reference without uid": (
        _with(
            _config(), "metadata.ownerReferences", [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x"}]
        ),
        422,
    ),
    "serviceaccount automount string": (
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta("sa"),
            "automountServiceAccountToken": "yes",
        },
        400,
    ),
    "cronjob name too long": (
        _cronjob("c" * 53, "* * * * *"),
        422,
    ),
}
# server-side apply meets these mistakes while typing the applied configuration: a 500 there
APPLY_CODES = {"duplicate containers": 500, "service duplicate ports": 500}

ACCEPTED: dict[str, Body] = {
    "secret data with line breaks": _secret(data={"token": "dmFs\ndWUtMQ=="}),
    "secret data that happens to be base64": _secret(data={"user": "manu"}),
    "secret stringData": _secret(stringData={"token": "plain text"}),
    "service targetPort by name": _service(target="http"),
    "service name starting with a digit": _service(name="1web"),
    "empty label value and prefixed key": _labelled(labels={"example.com/Name_1": ""}),
    "cronjob schedule macro": _cronjob("m", "@hourly"),
    "finalizer qualified": _with(_config(), "metadata.finalizers", ["example.com/cleanup"]),
    "request equal to limit": _with(
        _deployment(),
        "spec.template.spec.containers",
        [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1000m"}}}],
    ),
    "headless service without ports": _with(_with(_service(), "spec.ports", []), "spec.clusterIP", "None"),
    "role name with a colon": {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta("designer:reader"),
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    },
}


@pytest.fixture
def dynamic(api_client: ApiClient) -> Iterator[DynamicClient]:
    yield DynamicClient(api_client)


def _send(dynamic: DynamicClient, body: Body, namespace: str, how: str) -> Any:
    resource = dynamic.resources.get(api_version=body["apiVersion"], kind=body["kind"])
    if how == "create":
        return resource.create(body=body, namespace=namespace)
    return resource.server_side_apply(
        body=body, name=body["metadata"]["name"], namespace=namespace, field_manager="designer-test"
    )


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused(dynamic: DynamicClient, namespace: str, case: str) -> None:
    for how in ("create", "apply"):  # one test for both: a namespace per test costs on a real cluster
        body, code = REFUSED[case]
        if how == "apply" and (code == 400 or case in APPLY_CODES):
            code = 500  # what kube-apiserver 1.37 answers (kubernetes/kubernetes#139253)
        with pytest.raises(ApiException) as caught:
            _send(dynamic, json.loads(json.dumps(body)), namespace, how)
        assert caught.value.status == code, (how, caught.value.body)
        status = json.loads(caught.value.body)
        if code == 400:
            assert status["reason"] == "BadRequest"
            assert f"cannot be handled as a {body['kind']}" in status["message"]
        elif code == 500:
            assert status["message"].startswith(
                ("failed to create typed patch object", "failed to convert new object")
            )
        else:
            assert status["reason"] == "Invalid"
        resource = dynamic.resources.get(api_version=body["apiVersion"], kind=body["kind"])
        with pytest.raises(ApiException) as missing:
            resource.get(name=body["metadata"]["name"], namespace=namespace)
        assert missing.value.status == 404, f"the refused object was stored ({how})"


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted(dynamic: DynamicClient, namespace: str, case: str) -> None:
    for how in ("create", "apply"):
        body = json.loads(json.dumps(ACCEPTED[case]))
        body["metadata"]["name"] += f"-{how[0]}"
        stored = _send(dynamic, body, namespace, how)
        assert stored.metadata.name == body["metadata"]["name"]
        if body["metadata"].get("finalizers"):  # no controller removes it: a real namespace would never go
            resource = dynamic.resources.get(api_version=body["apiVersion"], kind=body["kind"])
            resource.patch(
                body={"metadata": {"finalizers": None}},
                name=body["metadata"]["name"],
                namespace=namespace,
                content_type="application/merge-patch+json",
            )


def test_string_data_is_folded_into_base64_data(dynamic: DynamicClient, namespace: str) -> None:
    stored = _send(dynamic, _secret(stringData={"token": "plain text"}), namespace, "create")
    assert stored.data.token == "cGxhaW4gdGV4dA=="
    assert not getattr(stored, "stringData", None)
