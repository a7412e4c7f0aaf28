"""Server defaults for the common built-in kinds, as the real apiserver fills them in.

These are the fields a diff tool sees appear after an apply without anyone having written them
(replicas, strategy, dnsPolicy, imagePullPolicy, clusterIP, ...). Like on a real server they are not
owned by the applier in managedFields, because defaulting happens outside the applied configuration.
`apply_defaults` mutates its argument; operations.py calls it on every write's result.
"""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

KubeObject = dict[str, Any]


class IpAllocator:
    """Hands out service ClusterIPs from 10.96.0.0/12, in order, never twice."""

    def __init__(self) -> None:
        self._next = int(ipaddress.IPv4Address("10.96.0.10"))
        self._node_port = 30000

    def cluster_ip(self) -> str:
        self._next += 1
        return str(ipaddress.IPv4Address(self._next))

    def node_port(self) -> int:
        self._node_port += 1
        return self._node_port


def _image_pull_policy(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    if ":" not in name or name.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def _container(c: dict[str, Any]) -> None:
    if "image" in c:
        c.setdefault("imagePullPolicy", _image_pull_policy(str(c["image"])))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")


def pod_spec(spec: dict[str, Any]) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _container(c)


def pod_template(template: Any) -> None:
    if not isinstance(template, dict):
        return
    meta = template.setdefault("metadata", {})
    if isinstance(meta, dict):
        meta.setdefault("creationTimestamp", None)
    spec = template.get("spec")
    if isinstance(spec, dict):
        pod_spec(spec)


def _deployment(spec: dict[str, Any]) -> None:
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    pod_template(spec.get("template"))


def _statefulset(spec: dict[str, Any]) -> None:
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
    if strategy.get("type") == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {"partition": 0})
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
    pod_template(spec.get("template"))


def _daemonset(spec: dict[str, Any]) -> None:
    strategy = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
    if strategy.get("type") == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {"maxUnavailable": 1, "maxSurge": 0})
    spec.setdefault("revisionHistoryLimit", 10)
    pod_template(spec.get("template"))


def _job(obj: KubeObject, spec: dict[str, Any]) -> None:
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    uid = obj["metadata"].get("uid", "")
    name = obj["metadata"].get("name", "")
    if "selector" not in spec and uid:
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        template = spec.setdefault("template", {})
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        labels.setdefault("batch.kubernetes.io/controller-uid", uid)
        labels.setdefault("batch.kubernetes.io/job-name", name)
        labels.setdefault("controller-uid", uid)
        labels.setdefault("job-name", name)
    pod_template(spec.get("template"))


def _cronjob(spec: dict[str, Any]) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = spec.get("jobTemplate", {}).get("spec")
    if isinstance(job_spec, dict):
        pod_template(job_spec.get("template"))


def _service(spec: dict[str, Any], ips: IpAllocator) -> None:
    kind = spec.setdefault("type", "ClusterIP")
    if kind != "ExternalName":
        if not spec.get("clusterIP"):
            spec["clusterIP"] = ips.cluster_ip()
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
            if kind in ("NodePort", "LoadBalancer"):
                port.setdefault("nodePort", ips.node_port())
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def apply_defaults(kind: str, obj: KubeObject, ips: IpAllocator) -> None:
    """Fill the server defaults of built-in ``kind`` into ``obj`` (in place)."""
    spec = obj.get("spec")
    if kind == "Secret":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict):
            data = obj.setdefault("data", {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
        return
    if kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        obj.setdefault("status", {}).setdefault("phase", "Active")
        return
    if kind == "Service":
        _service(obj.setdefault("spec", {}), ips)
        obj.setdefault("status", {}).setdefault("loadBalancer", {})
        return
    if kind == "PersistentVolumeClaim":
        obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Pending")
        return
    if kind == "PersistentVolume":
        pv_spec = obj.setdefault("spec", {})
        pv_spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        pv_spec.setdefault("volumeMode", "Filesystem")
        obj.setdefault("status", {}).setdefault("phase", "Available")
        return
    if not isinstance(spec, dict):
        return
    if kind == "NetworkPolicy":
        types = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
        spec.setdefault("policyTypes", types)
    elif kind == "CustomResourceDefinition":
        spec.setdefault("conversion", {"strategy": "None"})
    elif kind == "Deployment":
        _deployment(spec)
    elif kind == "StatefulSet":
        _statefulset(spec)
    elif kind == "DaemonSet":
        _daemonset(spec)
    elif kind == "ReplicaSet":
        spec.setdefault("replicas", 1)
        pod_template(spec.get("template"))
    elif kind == "Job":
        _job(obj, spec)
    elif kind == "CronJob":
        _cronjob(spec)
    elif kind == "Pod":
        pod_spec(spec)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        spec.setdefault("priority", 0)
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
        obj.setdefault("status", {}).setdefault("phase", "Pending")
