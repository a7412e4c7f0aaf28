"""Toy controllers that write the status a real cluster would converge to (off unless enabled).

Nothing runs: Deployments/StatefulSets/DaemonSets simply report all replicas available, Jobs
complete, PVCs bind, Pods run and LoadBalancer Services get an ingress IP, a moment (``delay``) after
each change, so an engine's wait logic sees the same fields and conditions as on a cluster. The
annotation ``sandbox.designer.dev/fail: "true"``, or an image tagged ``fail`` (failing.py), makes a
Deployment report ProgressDeadlineExceeded and a Job fail, for testing failure paths.
Status writes go through Api.commit as ``kube-controller-manager`` on the status subresource.
Wired by runner.py; switch with `Controllers.enabled`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from designer.sandbox.failing import FAIL_ANNOTATION, fails
from designer.sandbox.operations import Api, now
from designer.sandbox.resources import ResourceType
from designer.sandbox.store import KubeObject, clone

MANAGER = "kube-controller-manager"
__all__ = ["FAIL_ANNOTATION", "MANAGER", "Controllers"]


def _cond(kind: str, status: bool, reason: str, message: str) -> dict[str, Any]:
    return {"type": kind, "status": "True" if status else "False", "reason": reason, "message": message}


def _keep_times(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stamp conditions, keeping the old timestamps of conditions that did not change."""
    previous = {c.get("type"): c for c in old}
    stamp = now()
    out = []
    for c in new:
        before = previous.get(c["type"])
        if before and all(before.get(k) == c[k] for k in ("status", "reason", "message")):
            out.append(before)
        else:
            out.append({**c, "lastTransitionTime": stamp, "lastUpdateTime": stamp})
    return out


def _deployment(obj: KubeObject, failing: bool) -> dict[str, Any]:
    replicas = obj["spec"].get("replicas", 1)
    ready = 0 if failing else replicas
    conditions = [
        _cond(
            "Available",
            not failing,
            "MinimumReplicasAvailable" if not failing else "MinimumReplicasUnavailable",
            "Deployment has minimum availability."
            if not failing
            else "Deployment does not have minimum availability.",
        ),
        _cond(
            "Progressing",
            not failing,
            "NewReplicaSetAvailable" if not failing else "ProgressDeadlineExceeded",
            f'ReplicaSet "{obj["metadata"]["name"]}" has successfully progressed.'
            if not failing
            else f'ReplicaSet "{obj["metadata"]["name"]}" has timed out progressing.',
        ),
    ]
    status: dict[str, Any] = {
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": conditions,
    }
    if failing:
        status["unavailableReplicas"] = replicas
    return status


def _statefulset(obj: KubeObject, failing: bool) -> dict[str, Any]:
    replicas = obj["spec"].get("replicas", 1)
    ready = 0 if failing else replicas
    revision = f"{obj['metadata']['name']}-{obj['metadata'].get('generation', 1)}"
    return {
        "replicas": replicas,
        "readyReplicas": ready,
        "currentReplicas": replicas,
        "updatedReplicas": replicas,
        "availableReplicas": ready,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    }


def _daemonset(obj: KubeObject, failing: bool) -> dict[str, Any]:
    ready = 0 if failing else 1
    return {
        "desiredNumberScheduled": 1,
        "currentNumberScheduled": 1,
        "updatedNumberScheduled": 1,
        "numberReady": ready,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
    }


def _job(obj: KubeObject, failing: bool) -> dict[str, Any]:
    old = obj.get("status") or {}
    start = old.get("startTime") or now()
    if failing:
        return {
            "startTime": start,
            "failed": 1,
            "active": 0,
            "ready": 0,
            "conditions": [
                _cond(
                    "FailureTarget",
                    True,
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                ),
                _cond("Failed", True, "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            ],
        }
    return {
        "startTime": start,
        "completionTime": old.get("completionTime") or now(),
        "succeeded": obj["spec"].get("completions", 1),
        "active": 0,
        "ready": 0,
        "conditions": [
            _cond(
                "SuccessCriteriaMet", True, "CompletionsReached", "Reached expected number of succeeded pods"
            ),
            _cond("Complete", True, "CompletionsReached", "Reached expected number of succeeded pods"),
        ],
    }


def _pvc(obj: KubeObject, failing: bool) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    return {
        "phase": "Pending" if failing else "Bound",
        "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
        "capacity": {"storage": storage},
    }


def _pod(obj: KubeObject, failing: bool) -> dict[str, Any]:
    containers = (obj.get("spec") or {}).get("containers") or []
    return {
        "phase": "Pending" if failing else "Running",
        "conditions": [_cond("PodScheduled", True, "Scheduled", ""), _cond("Ready", not failing, "", "")],
        "containerStatuses": [
            {
                "name": c.get("name", ""),
                "image": c.get("image", ""),
                "ready": not failing,
                "restartCount": 0,
                "started": not failing,
            }
            for c in containers
        ],
    }


def _service(obj: KubeObject, failing: bool) -> dict[str, Any]:
    """LoadBalancer Services get an ingress IP (derived from the clusterIP), like a cloud LB would give."""
    spec = obj.get("spec") or {}
    if spec.get("type") != "LoadBalancer" or failing:
        return {"loadBalancer": {}}
    last = str(spec.get("clusterIP", "0.0.0.1")).rsplit(".", 1)[-1]
    return {"loadBalancer": {"ingress": [{"ip": f"172.18.255.{last}", "ipMode": "VIP"}]}}


_STATUS: dict[tuple[str, str], Callable[[KubeObject, bool], dict[str, Any]]] = {
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("", "PersistentVolumeClaim"): _pvc,
    ("", "Pod"): _pod,
    ("", "Service"): _service,
}


class Controllers:
    """Reconciles the kinds above after each change, when enabled."""

    def __init__(self, api: Api, *, delay: float = 0.05, enabled: bool = False) -> None:
        self.api = api
        self.delay = delay
        self.enabled = enabled
        api.listeners.append(self._on_change)

    def _on_change(self, rt: ResourceType, event: str, obj: KubeObject) -> None:
        if not self.enabled or event == "DELETED" or (rt.group, rt.kind) not in _STATUS:
            return
        meta = obj["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        self.api.schedule(self.delay, lambda: self.reconcile(rt, namespace, name))

    def reconcile(self, rt: ResourceType, namespace: str, name: str) -> None:
        with self.api.store.lock:
            obj = self.api.store.get(rt.key, namespace, name)
            if obj is None or obj["metadata"].get("deletionTimestamp"):
                return
            failing = fails(obj)
            status = _STATUS[(rt.group, rt.kind)](obj, failing)
            if "conditions" in status:
                status["conditions"] = _keep_times(
                    (obj.get("status") or {}).get("conditions") or [], status["conditions"]
                )
            if "generation" in obj["metadata"]:
                status["observedGeneration"] = obj["metadata"]["generation"]
            new = clone(obj)
            new["status"] = status
            self.api.commit(rt, obj, new, manager=MANAGER, subresource="status")
