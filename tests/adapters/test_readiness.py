"""kstatus readiness rules on literal object bodies (pure functions, no cluster needed)."""

from __future__ import annotations

from typing import Any

import pytest

from designer.adapters.readiness import Status, condition_rule, status_of
from designer.model import KubeObject


def _deploy(status: dict[str, Any], replicas: int = 2, generation: int = 3) -> KubeObject:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "generation": generation},
        "spec": {"replicas": replicas},
        "status": status,
    }


ROLLED = {
    "observedGeneration": 3,
    "replicas": 2,
    "updatedReplicas": 2,
    "availableReplicas": 2,
    "readyReplicas": 2,
}


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        (ROLLED, Status.CURRENT, ""),
        ({**ROLLED, "observedGeneration": 2}, Status.IN_PROGRESS, "observedGeneration 2 < generation 3"),
        ({**ROLLED, "updatedReplicas": 1}, Status.IN_PROGRESS, "1/2 replicas updated"),
        ({**ROLLED, "replicas": 3}, Status.IN_PROGRESS, "old replicas"),
        ({**ROLLED, "availableReplicas": 1}, Status.IN_PROGRESS, "1/2 replicas available"),
        (
            {
                **ROLLED,
                "updatedReplicas": 1,
                "conditions": [
                    {
                        "type": "Progressing",
                        "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": "ReplicaSet web-1 has timed out progressing.",
                    }
                ],
            },
            Status.FAILED,
            "ProgressDeadlineExceeded",
        ),
    ],
)
def test_deployment(status: dict[str, Any], expected: Status, words: str) -> None:
    result = status_of(_deploy(status))
    assert result.status is expected
    assert words in result.message


def test_deployment_without_status_is_in_progress() -> None:
    body = _deploy({})
    body.pop("status")
    assert status_of(body).status is Status.IN_PROGRESS


def test_job_complete_failed_running() -> None:
    job: KubeObject = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": {}}
    assert status_of(job).status is Status.IN_PROGRESS
    job["status"] = {"conditions": [{"type": "Complete", "status": "True"}]}
    assert status_of(job).ready
    job["status"] = {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}
    failed = status_of(job)
    assert failed.failed and "BackoffLimitExceeded" in failed.message


def test_crd_established_and_name_conflict() -> None:
    crd: KubeObject = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "a.b"},
        "status": {"conditions": []},
    }
    assert status_of(crd).status is Status.IN_PROGRESS
    crd["status"]["conditions"] = [{"type": "Established", "status": "True"}]
    assert status_of(crd).ready
    crd["status"]["conditions"] = [{"type": "NamesAccepted", "status": "False", "message": "taken"}]
    assert status_of(crd).failed


def test_pvc_service_pod_namespace() -> None:
    pvc: KubeObject = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "d"},
        "status": {"phase": "Pending"},
    }
    assert not status_of(pvc).ready
    pvc["status"]["phase"] = "Bound"
    assert status_of(pvc).ready
    svc: KubeObject = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"type": "ClusterIP"},
    }
    assert status_of(svc).ready
    svc["spec"]["type"] = "LoadBalancer"
    assert not status_of(svc).ready
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}
    assert status_of(svc).ready
    pod: KubeObject = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}],
        },
    }
    assert status_of(pod).failed
    pod["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert status_of(pod).ready
    ns: KubeObject = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "n"},
        "status": {"phase": "Terminating"},
    }
    assert status_of(ns).status is Status.TERMINATING


def test_statefulset_and_daemonset_need_observed_generation() -> None:
    sts: KubeObject = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "s", "generation": 1},
        "spec": {"replicas": 2},
        "status": {"readyReplicas": 2},
    }
    assert status_of(sts).status is Status.IN_PROGRESS
    sts["status"] = {
        "observedGeneration": 1,
        "readyReplicas": 2,
        "currentRevision": "a",
        "updateRevision": "a",
    }
    assert status_of(sts).ready
    ds: KubeObject = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "d", "generation": 1},
        "status": {
            "observedGeneration": 1,
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
            "numberReady": 3,
        },
    }
    assert "numberAvailable 2/3" in status_of(ds).message
    ds["status"]["numberAvailable"] = 3
    assert status_of(ds).ready


def test_generic_custom_resource_conditions() -> None:
    cr: KubeObject = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "generation": 2},
    }
    assert status_of(cr).ready  # no status at all: nothing to wait for
    cr["status"] = {"observedGeneration": 1}
    assert not status_of(cr).ready
    cr["status"] = {
        "observedGeneration": 2,
        "conditions": [{"type": "Ready", "status": "False", "message": "x"}],
    }
    assert status_of(cr).status is Status.IN_PROGRESS
    cr["status"]["conditions"] = [{"type": "Ready", "status": "True", "observedGeneration": 1}]
    assert "stale" in status_of(cr).message
    cr["status"]["conditions"] = [{"type": "Ready", "status": "True", "observedGeneration": 2}]
    assert status_of(cr).ready
    cr["status"]["conditions"] = [{"type": "Stalled", "status": "True", "message": "bad spec"}]
    assert status_of(cr).failed


def test_deleting_and_missing_objects() -> None:
    assert status_of(None).status is Status.NOT_FOUND
    body: KubeObject = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "deletionTimestamp": "x"},
    }
    assert status_of(body).status is Status.TERMINATING


def test_adapter_rules_override_builtins_and_condition_rule() -> None:
    body = _deploy(ROLLED)
    assert status_of(body, {"apps/Deployment": lambda b: status_of(None)}).status is Status.NOT_FOUND
    check = condition_rule("Available")
    assert "now absent" in check(body).message
    body["status"]["conditions"] = [{"type": "Available", "status": "True"}]
    assert check(body).ready
