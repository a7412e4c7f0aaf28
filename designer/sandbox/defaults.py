"""Server defaults for the common built-in kinds, as the real apiserver fills them in.

These are the fields a diff tool sees appear after an apply without anyone having written them
(replicas, strategy, dnsPolicy, imagePullPolicy, clusterIP, ...). Like on a real server they are not
owned by the applier in managedFields, because defaulting happens outside the applied configuration.
`apply_defaults` mutates its argument; operations.py calls it on every write's result, and `prepare`
after ownership is recorded (what the registry's strategy sets is nobody's field).
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
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
    strategy.setdefault("type", "RollingUpdate")
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("partition", 0)
        rolling.setdefault("maxUnavailable", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
    pod_template(spec.get("template"))


def _daemonset(spec: dict[str, Any]) -> None:
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    pod_template(spec.get("template"))


def _job(obj: KubeObject, spec: dict[str, Any]) -> None:
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    if "selector" not in spec and not spec.get("manualSelector"):
        spec.setdefault("manualSelector", False)
    pod_template(spec.get("template"))


def _job_selector(obj: KubeObject, spec: dict[str, Any]) -> None:
    """The Job strategy's generated selector and pod labels (the Job takes them too when unlabelled)."""
    uid = obj["metadata"].get("uid", "")
    name = obj["metadata"].get("name", "")
    if "selector" not in spec and uid and not spec.get("manualSelector"):
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        template = spec.setdefault("template", {})
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        labels.setdefault("batch.kubernetes.io/controller-uid", uid)
        labels.setdefault("batch.kubernetes.io/job-name", name)
        labels.setdefault("controller-uid", uid)
        labels.setdefault("job-name", name)
        if not obj["metadata"].get("labels"):  # a Job without labels takes its pods' labels
            obj["metadata"]["labels"] = dict(labels)


def _cronjob(spec: dict[str, Any]) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = spec.get("jobTemplate", {}).get("spec")
    if isinstance(job_spec, dict):
        pod_template(job_spec.get("template"))


def _service_addresses(spec: dict[str, Any], ips: IpAllocator) -> None:
    """What the Service registry allocates (not defaulting: the creator does not own these)."""
    if spec.get("type", "ClusterIP") == "ExternalName":
        return
    if not spec.get("clusterIP"):
        spec["clusterIP"] = ips.cluster_ip()
    spec.setdefault("clusterIPs", [spec["clusterIP"]])
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("nodePort", ips.node_port())


def _service(spec: dict[str, Any]) -> None:
    kind = spec.setdefault("type", "ClusterIP")
    if kind != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
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
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        obj.setdefault("status", {}).setdefault("phase", "Active")
        return
    if kind == "Service":
        _service(obj.setdefault("spec", {}))
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
        obj.setdefault("status", {}).setdefault("phase", "Pending")


CRD_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def prepare(kind: str, obj: KubeObject, ips: IpAllocator, *, creating: bool) -> None:
    """What the registry's strategy and the admission plugins fill in after defaulting, outside
    anyone's managedFields: a Service's cluster IPs, a Job's generated selector and labels, a
    Namespace's finalizer, a CRD's clean-up finalizer (its custom resources are deleted before it
    goes), a new Pod's service account, token volume, priority and tolerations."""
    spec = obj.get("spec")
    if kind == "CustomResourceDefinition" and creating:
        finalizers = obj["metadata"].setdefault("finalizers", [])
        if CRD_FINALIZER not in finalizers:
            finalizers.append(CRD_FINALIZER)
    if kind == "Service" and isinstance(spec, dict):
        _service_addresses(spec, ips)
    elif kind == "Job" and isinstance(spec, dict):
        _job_selector(obj, spec)
    elif kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    elif kind == "Pod" and creating and isinstance(spec, dict):
        _admit_pod(spec)


_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
_NODE_PROBLEMS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def _admit_pod(spec: dict[str, Any]) -> None:
    """The default admission plugins' changes to a new Pod: its service account and the projected
    volume with that account's token (mounted into every container), its priority, and tolerations
    of unready or unreachable nodes for 300 s (ServiceAccount, Priority, DefaultTolerationSeconds)."""
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    if isinstance(tolerations, list):
        present = {t.get("key") for t in tolerations if isinstance(t, dict)}
        for key in _NODE_PROBLEMS:
            if key not in present:
                tolerations.append(
                    {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                )
    if spec.get("automountServiceAccountToken") is False:
        return
    containers = [
        c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)
    ]
    if any(m.get("mountPath") == _TOKEN_PATH for c in containers for m in c.get("volumeMounts") or []):
        return
    name = "kube-api-access-" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    spec.setdefault("volumes", []).append({"name": name, "projected": _token_volume()})
    for c in containers:
        c.setdefault("volumeMounts", []).append({"name": name, "readOnly": True, "mountPath": _TOKEN_PATH})


def _token_volume() -> dict[str, Any]:
    return {
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {
                "downwardAPI": {
                    "items": [
                        {
                            "path": "namespace",
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                        }
                    ]
                }
            },
        ],
        "defaultMode": 420,
    }
