"""One Compose service → a workload: Deployment (the default), DaemonSet (``deploy.mode: global``),
Job (``replicated-job``/``global-job``) or a bare Pod (``restart: "no"`` or ``on-failure``, as kompose
does: a Deployment restarts always); ``kompose.controller.type`` picks one as for kompose.

The pod gets the container (designer.importing.compose.containers), the volumes and mounts
(.storage), ``env_file`` ConfigMaps, and the pod-level settings (hostname, extra hosts, sysctls,
host namespaces, node placement, grace period). Every other key of the service is noted, with its
reason. Callers: designer.importing.compose.converting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.importing.compose import canonical
from designer.importing.compose.containers import HANDLED, UNCONVERTIBLE, container, environment
from designer.importing.compose.notes import Notes
from designer.importing.compose.storage import Objects, PodStorage, env_from, mount_files, mount_volumes
from designer.importing.compose.units import memory_quantity, whole_seconds

_CONSTRAINTS = {
    "node.hostname": "kubernetes.io/hostname",
    "node.platform.os": "kubernetes.io/os",
    "node.platform.arch": "kubernetes.io/arch",
}


@dataclass(frozen=True)
class Workload:
    """The workload a service becomes: its kind, apiVersion and object body below metadata."""

    kind: str
    api_version: str
    body: dict[str, Any]
    labels: dict[str, str]
    annotations: dict[str, str]


def workload(
    name: str,
    service: dict[str, Any],
    top: dict[str, Any],
    selector: dict[str, str],
    objects: Objects,
    notes: Notes,
    folder: Path | None,
    lookup: dict[str, str],
    built_image: str | None = None,
) -> Workload:
    """The workload of service ``name``; its pod carries ``selector`` as labels. ``built_image`` is the
    image name given to a service that only has ``build``."""
    path = f"services.{name}"
    _note_unconverted(service, notes, path, built_image)
    item = container(name, service, notes, path)
    storage = PodStorage()
    mount_volumes(
        name,
        canonical.volumes(service.get("volumes")),
        top,
        storage,
        objects,
        notes,
        folder,
        f"{path}.volumes",
    )
    for i, target in enumerate(canonical.string_list(service.get("tmpfs"))):
        mount = target.partition(":")[0]
        storage.mounts.append(
            {
                "name": storage.volume(f"tmpfs-path-{i}", {"emptyDir": {"medium": "Memory"}}),
                "mountPath": mount,
            }
        )
    if service.get("shm_size") is not None:
        size = memory_quantity(service["shm_size"])
        shm: dict[str, Any] = {"medium": "Memory", **({"sizeLimit": size} if size else {})}
        storage.mounts.append({"name": storage.volume("shm", {"emptyDir": shm}), "mountPath": "/dev/shm"})
    for section in ("secrets", "configs"):
        refs = canonical.file_refs(service.get(section))
        mount_files(section, refs, top, storage, objects, notes, folder, lookup, f"{path}.{section}")
    env = environment(service, lookup, notes, path)
    if env:
        item["env"] = env
    sources = env_from(
        canonical.env_files(service.get("env_file")), objects, notes, folder, f"{path}.env_file"
    )
    if sources:
        item["envFrom"] = sources
    if storage.mounts:
        item["volumeMounts"] = storage.mounts
    pod: dict[str, Any] = {"containers": [item]}
    if storage.volumes:
        pod["volumes"] = list(storage.volumes.values())
    pod.update(_pod_settings(service, notes, path))
    kind, restart = _controller(service, notes, path)
    annotations = {k: v for k, v in canonical.mapping(service.get("labels")).items() if v is not None}
    annotations.update(
        {k: v for k, v in canonical.mapping(service.get("annotations")).items() if v is not None}
    )
    template: dict[str, Any] = {"metadata": {"labels": dict(selector)}, "spec": pod}
    if annotations:
        template["metadata"]["annotations"] = annotations
    replicas = _replicas(service)
    deploy_labels = {
        k: v
        for k, v in canonical.mapping((service.get("deploy") or {}).get("labels")).items()
        if v is not None
    }
    if kind == "Pod":
        pod["restartPolicy"] = restart
        if replicas not in (None, 1):
            notes.dropped(
                f"{path}.deploy.replicas", "a bare Pod runs once; use restart: always for a Deployment"
            )
        return Workload("Pod", "v1", {"spec": pod}, {**selector, **deploy_labels}, annotations)
    if kind == "Job":
        pod["restartPolicy"] = "OnFailure" if restart == "OnFailure" else "Never"
        spec: dict[str, Any] = {"template": template, "backoffLimit": 6}
        if replicas is not None:
            spec["completions"] = spec["parallelism"] = replicas
        return Workload("Job", "batch/v1", {"spec": spec}, deploy_labels, {})
    spec = {"selector": {"matchLabels": dict(selector)}, "template": template}
    if kind == "Deployment":
        spec = {"replicas": 1 if replicas is None else replicas, **spec}
    return Workload(kind, "apps/v1", {"spec": spec}, deploy_labels, {})


def _controller(service: dict[str, Any], notes: Notes, path: str) -> tuple[str, str]:
    """(kind, restartPolicy) from deploy.mode, restart and kompose's controller label."""
    deploy = service.get("deploy") or {}
    restart = str(service.get("restart") or "")
    condition = (deploy.get("restart_policy") or {}).get("condition")
    if not restart and condition:
        restart = {"any": "always", "on-failure": "on-failure", "none": "no"}.get(str(condition), "always")
    labels = canonical.mapping(service.get("labels"))
    chosen = str(labels.get("kompose.controller.type") or "").lower()
    mode = str(deploy.get("mode") or "replicated")
    if chosen in ("daemonset", "deployment"):
        return ("DaemonSet" if chosen == "daemonset" else "Deployment"), "Always"
    if chosen:
        notes.dropped(
            f"{path}.labels",
            f"kompose.controller.type {chosen!r}: designer makes Deployments, DaemonSets, Jobs and Pods",
        )
    if mode == "global":
        return "DaemonSet", "Always"
    if mode in ("replicated-job", "global-job"):
        if mode == "global-job":
            notes.dropped(f"{path}.deploy.mode", "a job on every node has no counterpart: one Job is made")
        return "Job", "OnFailure" if restart.startswith("on-failure") else "Never"
    if restart == "no":
        return "Pod", "Never"
    if restart.startswith("on-failure"):
        if ":" in restart:
            notes.dropped(f"{path}.restart", "Kubernetes restarts a failing container without a retry limit")
        return "Pod", "OnFailure"
    return "Deployment", "Always"


def _replicas(service: dict[str, Any]) -> int | None:
    deploy = service.get("deploy") or {}
    for value in (deploy.get("replicas"), service.get("scale")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _pod_settings(service: dict[str, Any], notes: Notes, path: str) -> dict[str, Any]:
    pod: dict[str, Any] = {}
    if service.get("hostname"):
        pod["hostname"] = str(service["hostname"])
    hosts = canonical.extra_hosts(service.get("extra_hosts"))
    by_ip: dict[str, list[str]] = {}
    for host, ips in hosts.items():
        for ip in ips:
            by_ip.setdefault(ip, []).append(host)
    if by_ip:
        pod["hostAliases"] = [{"ip": ip, "hostnames": names} for ip, names in by_ip.items()]
    grace = whole_seconds(service.get("stop_grace_period")) if service.get("stop_grace_period") else None
    if grace is not None:
        pod["terminationGracePeriodSeconds"] = grace
    security: dict[str, Any] = {}
    sysctls = canonical.mapping(service.get("sysctls"))
    if sysctls:
        security["sysctls"] = [{"name": k, "value": v or ""} for k, v in sysctls.items()]
    groups = canonical.string_list(service.get("group_add"))
    if groups:
        numeric = [int(g) for g in groups if g.isdigit()]
        if numeric:
            security["supplementalGroups"] = numeric
        if len(numeric) < len(groups):
            notes.dropped(f"{path}.group_add", "groups by name need their numeric ids in Kubernetes")
    if security:
        pod["securityContext"] = security
    for key, field in (("network_mode", "hostNetwork"), ("pid", "hostPID"), ("ipc", "hostIPC")):
        value = service.get(key)
        if value == "host":
            pod[field] = True
            notes.add(f"{path}.{key}", f"host: converted to {field}, which the built-in checks flag")
        elif value is not None and not (key == "ipc" and value in ("private", "shareable")):
            notes.dropped(f"{path}.{key}", f"{value!r}: pods share only their own namespaces")
    selector = _node_selector(service, notes, path)
    if selector:
        pod["nodeSelector"] = selector
    return pod


def _node_selector(service: dict[str, Any], notes: Notes, path: str) -> dict[str, str]:
    placement = (service.get("deploy") or {}).get("placement") or {}
    out: dict[str, str] = {}
    for i, constraint in enumerate(placement.get("constraints") or []):
        left, sep, right = str(constraint).partition("==")
        key = left.strip()
        label = _CONSTRAINTS.get(key) or (
            key.removeprefix("node.labels.") if key.startswith("node.labels.") else None
        )
        if not sep or label is None:
            notes.dropped(
                f"{path}.deploy.placement.constraints[{i}]", f"{constraint!r} has no nodeSelector counterpart"
            )
            continue
        out[label] = right.strip()
    for key in ("preferences", "max_replicas_per_node"):
        if placement.get(key):
            notes.dropped(f"{path}.deploy.placement.{key}", "use pod affinity or topology spread constraints")
    return out


_DEPLOY_HANDLED = frozenset(
    {"mode", "replicas", "resources", "labels", "placement", "restart_policy", "endpoint_mode"}
)


def _note_unconverted(service: dict[str, Any], notes: Notes, path: str, built_image: str | None) -> None:
    for key in service:
        if key in HANDLED:
            continue
        if key.startswith("x-"):
            notes.dropped(f"{path}.{key}", "an extension field: Compose itself ignores it")
        elif key == "build":
            notes.dropped(
                f"{path}.build",
                UNCONVERTIBLE["build"]
                + (
                    f"; the image is named {built_image}, as `docker compose build` names it: push it to a "
                    "registry the cluster pulls from and set `image:`"
                    if built_image
                    else "; build and push the image yourself"
                ),
            )
        else:
            notes.dropped(f"{path}.{key}", UNCONVERTIBLE.get(key, "no Kubernetes counterpart designer knows"))
    deploy = service.get("deploy") or {}
    for key in deploy:
        if key not in _DEPLOY_HANDLED:
            notes.dropped(
                f"{path}.deploy.{key}",
                "Swarm's rollout settings have no direct counterpart (set the workload's strategy yourself)",
            )
    policy = deploy.get("restart_policy") or {}
    for key in policy:
        if key != "condition":
            notes.dropped(f"{path}.deploy.restart_policy.{key}", "Kubernetes restarts with its own back-off")
    networks = service.get("networks")
    if isinstance(networks, dict):
        for net, spec in networks.items():
            for key in spec or {}:
                notes.dropped(
                    f"{path}.networks.{net}.{key}", "pods get their addresses and names from the cluster"
                )
