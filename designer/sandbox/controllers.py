"""Toy controllers that write the status a real cluster would converge to (off unless enabled).

Nothing runs: Deployments/StatefulSets/DaemonSets simply report all replicas available, Jobs
complete, PVCs bind, Pods are bound to the one Node and report what designer's simulated kubelet
reports on the real control plane, and LoadBalancer Services get an ingress IP, a moment
(``delay``) after each change, so an engine's wait logic sees the same fields and conditions as on a
cluster. Deployments get their revision annotation; each namespace gets its ``default``
ServiceAccount and ``kube-root-ca.crt``. No ReplicaSets or Pods are made for workloads (see
FIDELITY.md). As with the simulated kubelet (failing.py), an image tagged ``fail`` (``shop/api:fail``) or
the annotation ``sandbox.designer.dev/fail: "true"`` (on the object or its pod template) makes a
Deployment report ProgressDeadlineExceeded and a Job fail, for testing failure paths.
Status writes go through Api.commit as ``kube-controller-manager`` on the status subresource.
Wired by runner.py; switch with `Controllers.enabled`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from designer.sandbox.discovery import VERSION_INFO
from designer.sandbox.failing import FAIL_ANNOTATION, fails
from designer.sandbox.operations import Api, now
from designer.sandbox.resources import ResourceType
from designer.sandbox.store import KubeObject, clone
from designer.sandbox.upstream import podstatus

MANAGER = "kube-controller-manager"
__all__ = ["FAIL_ANNOTATION", "MANAGER", "Controllers"]
NODE = "designer-sandbox-node"
"""The one node, named as the real control plane's simulated kubelet names its node."""
REVISION = "deployment.kubernetes.io/revision"


def _cond(kind: str, status: bool, reason: str, message: str) -> dict[str, Any]:
    return {"type": kind, "status": "True" if status else "False", "reason": reason, "message": message}


def _keep_times(
    old: list[dict[str, Any]], new: list[dict[str, Any]], stamps: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Stamp conditions (``stamps``: the time fields the kind's conditions have), keeping the old
    timestamps of conditions that did not change; conditions that carry their own are kept as made."""
    previous = {c.get("type"): c for c in old}
    stamp = now()
    out = []
    for c in new:
        before = previous.get(c["type"])
        if before and all(before.get(k) == c.get(k) for k in ("status", "reason", "message")):
            out.append(before)
        elif "lastTransitionTime" in c:
            out.append(c)
        else:
            out.append({**c, **dict.fromkeys(stamps, stamp)})
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
    counts = {
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": replicas - ready,
    }
    # The counts are omitempty: a zero is left out, as the deployment controller's status shows.
    status: dict[str, Any] = {k: v for k, v in counts.items() if v}
    status["conditions"] = conditions
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
    if failing:
        return {"phase": "Pending"}
    unused = {
        "type": "Unused",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": now(),
        "reason": "NoPodsUsingPVC",
        "message": "No pods are currently referencing this PVC",
    }
    return {
        "phase": "Bound",
        "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
        "capacity": {"storage": storage},
        "conditions": [unused],
    }


def _pod(obj: KubeObject, failing: bool) -> dict[str, Any]:
    """What designer's simulated kubelet reports for the pod on the real control plane."""
    uid = str(obj["metadata"].get("uid", ""))
    number = int(uid.replace("-", "")[:6] or "0", 16) % 60000
    return podstatus.pod_status(obj, f"10.244.{number // 250}.{number % 250 + 2}")


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


ROOT_CA = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)


class Controllers:
    """Reconciles the kinds above after each change, when enabled; gives each new namespace its
    ``default`` ServiceAccount and ``kube-root-ca.crt`` ConfigMap (the CA that signs the server's
    certificate), as the service-account and root-CA publisher controllers do."""

    def __init__(self, api: Api, *, delay: float = 0.05, enabled: bool = False, ca_bundle: str = "") -> None:
        self.api = api
        self.delay = delay
        self.enabled = enabled
        self.ca_bundle = ca_bundle
        self._templates: dict[str, tuple[str, int]] = {}
        api.listeners.append(self._on_change)
        if enabled:
            api.schedule(0.0, self._node)
            for namespace in api.store.objects(("", "namespaces")):
                name = namespace["metadata"]["name"]
                api.schedule(delay, lambda name=name: self._populate(name))  # type: ignore[misc]

    def _on_change(self, rt: ResourceType, event: str, obj: KubeObject) -> None:
        if self.enabled and event == "ADDED" and rt.key == ("", "namespaces"):
            name = obj["metadata"]["name"]
            self.api.schedule(self.delay, lambda: self._populate(name))
        if not self.enabled or event == "DELETED" or (rt.group, rt.kind) not in _STATUS:
            return
        meta = obj["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        self.api.schedule(self.delay, lambda: self.reconcile(rt, namespace, name))

    def _bind(self, rt: ResourceType, pod: KubeObject) -> None:
        """Schedule the pod onto the node (its status follows from the change this write makes)."""
        new = clone(pod)
        new.setdefault("spec", {})["nodeName"] = NODE
        self.api.commit(rt, pod, new, manager="kube-scheduler")

    def _revision(self, rt: ResourceType, deployment: KubeObject) -> bool:
        """Stamp the revision annotation the deployment controller keeps (a new one per pod template);
        True when it wrote (its status follows from the change this write makes)."""
        annotations = deployment["metadata"].get("annotations") or {}
        template = json.dumps((deployment.get("spec") or {}).get("template"), sort_keys=True)
        uid = deployment["metadata"].get("uid", "")
        seen_template, seen_revision = self._templates.get(uid, ("", 0))
        revision = seen_revision if template == seen_template else seen_revision + 1
        self._templates[uid] = (template, revision)
        if annotations.get(REVISION) == str(revision):
            return False
        new = clone(deployment)
        new["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
        self.api.commit(rt, deployment, new, manager=MANAGER)
        return True

    def _node(self) -> None:
        """Register the Ready node pods are bound to."""
        rt = self.api.table.lookup("", "v1", "nodes")
        if rt is None or self.api.store.get(rt.key, "", NODE) is not None:
            return
        labels = {"kubernetes.io/hostname": NODE, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE, "labels": labels}}
        with self.api.store.lock:
            created = self.api.commit(rt, None, node, manager="kubelet")
            ready = clone(created)
            ready["status"] = podstatus.node_status(VERSION_INFO["gitVersion"])
            self.api.commit(rt, created, ready, manager="kubelet", subresource="status")

    def _populate(self, namespace: str) -> None:
        api = self.api
        wanted: tuple[tuple[str, dict[str, Any]], ...] = (
            (
                "serviceaccounts",
                {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}},
            ),
            (
                "configmaps",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "name": ROOT_CA,
                        "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION},
                    },
                    "data": {"ca.crt": self.ca_bundle},
                },
            ),
        )
        with api.store.lock:
            ns = api.store.get(("", "namespaces"), "", namespace)
            if ns is None or ns["metadata"].get("deletionTimestamp"):
                return
            for plural, body in wanted:
                rt = api.table.lookup("", "v1", plural)
                if rt is None or api.store.get(rt.key, namespace, body["metadata"]["name"]) is not None:
                    continue
                body["metadata"]["namespace"] = namespace
                api.commit(rt, None, body, manager=MANAGER)

    def reconcile(self, rt: ResourceType, namespace: str, name: str) -> None:
        with self.api.store.lock:
            obj = self.api.store.get(rt.key, namespace, name)
            if obj is None or obj["metadata"].get("deletionTimestamp"):
                return
            failing = fails(obj)
            if rt.kind == "Pod" and not (obj.get("spec") or {}).get("nodeName"):
                self._bind(rt, obj)
                return
            if rt.kind == "Pod" and podstatus.reported(obj):
                return
            if rt.kind == "Deployment" and self._revision(rt, obj):
                return
            status = _STATUS[(rt.group, rt.kind)](obj, failing)
            if "conditions" in status:
                stamps = (
                    ("lastProbeTime", "lastTransitionTime")
                    if rt.kind == "Job"
                    else ("lastTransitionTime", "lastUpdateTime")
                )
                status["conditions"] = _keep_times(
                    (obj.get("status") or {}).get("conditions") or [], status["conditions"], stamps
                )
            if "generation" in obj["metadata"]:
                status["observedGeneration"] = obj["metadata"]["generation"]
            new = clone(obj)
            new["status"] = status
            self.api.commit(rt, obj, new, manager=MANAGER, subresource="status")
