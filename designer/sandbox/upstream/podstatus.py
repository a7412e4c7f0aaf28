"""What the simulated kubelet reports: a Node's status and a Pod's status (running, succeeded, failing).

Pure functions from objects to status bodies, so the rules are testable without a server:
- a pod runs and is Ready at once (all containers started, init containers completed);
- a pod a Job owns succeeds (exit code 0), so the real job controller completes the Job;
- a pod meant to fail (failing.py: an image tagged ``fail``, or the annotation, which pods inherit from
  their template) never starts: a Job's pod exits 1, any other pod waits in ErrImagePull, so a
  Deployment runs into ProgressDeadlineExceeded as on a cluster whose image cannot be pulled.
Caller: designer.sandbox.upstream.kubelet.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from designer.sandbox.failing import fails

NODE_IP = "127.0.0.1"
KubeObject = dict[str, Any]


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_status(version: str) -> KubeObject:
    """A Ready node with room for any test workload."""
    stamp = now()
    resources = {"cpu": "64", "memory": "256Gi", "pods": "1000", "ephemeral-storage": "1Ti"}

    def condition(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
        }

    return {
        "capacity": resources,
        "allocatable": resources,
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "simulated"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "simulated"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "simulated"),
            condition(
                "Ready", "True", "KubeletReady", "designer's simulated kubelet is posting ready status"
            ),
        ],
        "addresses": [
            {"type": "InternalIP", "address": NODE_IP},
            {"type": "Hostname", "address": "localhost"},
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": "designer",
            "systemUUID": "designer",
            "bootID": "designer",
            "kernelVersion": "simulated",
            "osImage": "designer simulated kubelet",
            "containerRuntimeVersion": "simulated://1",
            "kubeletVersion": version,
            "kubeProxyVersion": "",
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


def owned_by_job(pod: KubeObject) -> bool:
    return any(
        ref.get("kind") == "Job" and ref.get("controller")
        for ref in pod["metadata"].get("ownerReferences") or []
    )


def _ids(image: str, uid: str, name: str) -> tuple[str, str]:
    digest = hashlib.sha256(image.encode()).hexdigest()
    container = hashlib.sha256(f"{uid}/{name}".encode()).hexdigest()
    return f"{image.partition('@')[0]}@sha256:{digest}", f"containerd://{container}"


def _container(c: KubeObject, uid: str, state: KubeObject, ready: bool) -> KubeObject:
    image_id, container_id = _ids(str(c.get("image", "")), uid, str(c["name"]))
    waiting = "waiting" in state
    return {
        "name": c["name"],
        "image": c.get("image", ""),
        "imageID": "" if waiting else image_id,
        **({} if waiting else {"containerID": container_id}),
        "ready": ready,
        "started": "running" in state,
        "restartCount": 0,
        "state": state,
    }


def pod_status(pod: KubeObject, pod_ip: str) -> KubeObject:
    """The status a kubelet would report once the pod's containers ran as far as they will."""
    stamp = now()
    uid = str(pod["metadata"].get("uid", ""))
    spec = pod.get("spec", {})
    failing, job = fails(pod), owned_by_job(pod)
    if failing and not job:
        phase, ready = "Pending", False
        state: KubeObject = {
            "waiting": {"reason": "ErrImagePull", "message": "simulated: the image cannot be pulled"}
        }
    elif job:
        phase, ready = ("Failed" if failing else "Succeeded"), False
        code = 1 if failing else 0
        state = {
            "terminated": {
                "exitCode": code,
                "reason": "Error" if failing else "Completed",
                "startedAt": stamp,
                "finishedAt": stamp,
                "containerID": "",
            }
        }
    else:
        phase, ready, state = "Running", True, {"running": {"startedAt": stamp}}
    containers = []
    for c in spec.get("containers") or []:
        one = _container(c, uid, state, ready)
        if "terminated" in state:
            one["state"] = {"terminated": {**state["terminated"], "containerID": one.get("containerID", "")}}
        containers.append(one)
    done = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": stamp, "finishedAt": stamp}}
    inits = [
        _container(
            c, uid, {"running": {"startedAt": stamp}} if c.get("restartPolicy") == "Always" else done, True
        )
        for c in spec.get("initContainers") or []
    ]

    def condition(kind: str, status: bool, reason: str | None = None) -> KubeObject:
        body: KubeObject = {
            "type": kind,
            "status": "True" if status else "False",
            "lastTransitionTime": stamp,
        }
        if reason:
            body["reason"] = reason
        return body

    not_ready = "PodCompleted" if job else "ContainersNotReady"
    status: KubeObject = {
        "phase": phase,
        "conditions": [
            condition("PodReadyToStartContainers", phase != "Pending"),
            condition("Initialized", True),
            condition("Ready", ready, None if ready else not_ready),
            condition("ContainersReady", ready, None if ready else not_ready),
            condition("PodScheduled", True),
        ],
        "hostIP": NODE_IP,
        "hostIPs": [{"ip": NODE_IP}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": stamp,
        "qosClass": (pod.get("status") or {}).get("qosClass", "BestEffort"),
        "containerStatuses": containers,
    }
    if inits:
        status["initContainerStatuses"] = inits
    return status


def reported(pod: KubeObject) -> bool:
    """Whether a kubelet already wrote this pod's status (so a restart does not write it again)."""
    return bool((pod.get("status") or {}).get("containerStatuses"))
