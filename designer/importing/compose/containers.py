"""One Compose service → the container and pod settings Kubernetes has for it.

image, command/entrypoint, environment, ports, healthcheck (a readiness probe: Compose's "healthy"
gates ``depends_on: service_healthy``, and Docker never restarts an unhealthy container, so it
means "ready", not "alive"), resources (``deploy.resources`` and the older ``mem_limit``/``cpus``),
the security settings, hostname, extra hosts, grace period. Every service key this module or
designer.importing.compose.workloads handles is listed in `HANDLED`; the others are noted by
workloads, each with its reason when one is known (`UNCONVERTIBLE`). Callers: .workloads.
"""

from __future__ import annotations

from typing import Any

from designer.importing.compose import canonical
from designer.importing.compose.notes import Notes
from designer.importing.compose.units import cpu_quantity, memory_quantity, whole_seconds
from designer.importing.converting import dns_name

HANDLED = frozenset(
    {
        "image",
        "command",
        "entrypoint",
        "environment",
        "env_file",
        "ports",
        "expose",
        "volumes",
        "tmpfs",
        "depends_on",
        "healthcheck",
        "restart",
        "deploy",
        "scale",
        "labels",
        "annotations",
        "container_name",
        "hostname",
        "user",
        "group_add",
        "working_dir",
        "privileged",
        "cap_add",
        "cap_drop",
        "read_only",
        "security_opt",
        "sysctls",
        "stop_grace_period",
        "tty",
        "stdin_open",
        "extra_hosts",
        "mem_limit",
        "mem_reservation",
        "cpus",
        "network_mode",
        "networks",
        "pid",
        "ipc",
        "pull_policy",
        "secrets",
        "configs",
        "shm_size",
    }
)

UNCONVERTIBLE = {
    "build": "designer does not build images",
    "links": "Services make every service reachable by its name; link aliases have no counterpart",
    "external_links": "containers outside the design have no counterpart",
    "volumes_from": "pods cannot share another pod's volumes",
    "stop_signal": "Kubernetes always stops containers with SIGTERM (set STOPSIGNAL in the image)",
    "ulimits": "Kubernetes has no per-container ulimits",
    "dns": "pods use the cluster's DNS (dnsConfig would bypass it)",
    "dns_search": "pods use the cluster's DNS search domains",
    "dns_opt": "pods use the cluster's DNS options",
    "domainname": "pods take their domain from the cluster",
    "mac_address": "pods get their addresses from the cluster network",
    "platform": "the node's platform is chosen by the scheduler (add a nodeSelector on kubernetes.io/arch)",
    "runtime": "Docker runtime names are not RuntimeClass names (set spec.runtimeClassName yourself)",
    "init": "Kubernetes runs no init process (use shareProcessNamespace or an init in the image)",
    "logging": "logs go to the cluster's logging",
    "profiles": "every service is imported, whatever its profiles",
    "extends": "run `docker compose config > flat.yaml` and import that: it merges extended services",
    "devices": "device access needs a device plugin",
    "gpus": "GPUs are requested through a device plugin's resources",
    "post_start": "lifecycle hooks run in the container (use lifecycle.postStart)",
    "pre_stop": "lifecycle hooks run in the container (use lifecycle.preStop)",
    "develop": "Compose Watch is a development feature",
    "attach": "logs are read with kubectl logs",
}


def container(name: str, service: dict[str, Any], notes: Notes, path: str) -> dict[str, Any]:
    """The container of service ``name`` (ports, env, probes, resources, security)."""
    item: dict[str, Any] = {"name": dns_name(str(service.get("container_name") or name))}
    item["image"] = str(service.get("image") or "")
    entrypoint = canonical.command(service.get("entrypoint"))
    args = canonical.command(service.get("command"))
    if entrypoint:
        item["command"] = entrypoint
    elif entrypoint == []:
        notes.dropped(
            f"{path}.entrypoint", "an empty entrypoint cannot be written in Kubernetes (the image's stays)"
        )
    if args:
        item["args"] = args
    if service.get("working_dir"):
        item["workingDir"] = str(service["working_dir"])
    ports = [
        {"containerPort": p["target"], "protocol": str(p.get("protocol", "tcp")).upper()}
        for p in canonical.ports(service.get("ports"))
        if isinstance(p.get("target"), int)
    ]
    ports += [{"containerPort": p, "protocol": "TCP"} for p in canonical.expose(service.get("expose"))]
    unique = list({(p["containerPort"], p["protocol"]): p for p in ports}.values())
    if unique:
        item["ports"] = unique
    resources = _resources(service, notes, path)
    if resources:
        item["resources"] = resources
    probe = _probe(service.get("healthcheck"), notes, f"{path}.healthcheck")
    if probe:
        item["readinessProbe"] = probe
    security = _security(service, notes, path)
    if security:
        item["securityContext"] = security
    for key, field in (("tty", "tty"), ("stdin_open", "stdin")):
        if service.get(key) is True:
            item[field] = True
    policy = {
        "always": "Always",
        "never": "Never",
        "missing": "IfNotPresent",
        "if_not_present": "IfNotPresent",
    }
    pull = service.get("pull_policy")
    if pull in policy:
        item["imagePullPolicy"] = policy[str(pull)]
    elif pull is not None:
        notes.dropped(f"{path}.pull_policy", f"{pull!r} has no Kubernetes counterpart")
    return item


def environment(
    service: dict[str, Any], lookup: dict[str, str], notes: Notes, path: str
) -> list[dict[str, str]]:
    """``environment`` as env entries; a name without a value takes the variable's value, as Compose does."""
    env: list[dict[str, str]] = []
    for key, value in canonical.mapping(service.get("environment")).items():
        if value is None:
            value = lookup.get(key)
            if value is None:
                notes.dropped(
                    f"{path}.environment",
                    f"{key} has no value here or in the environment, so Compose would leave it unset",
                )
                continue
        env.append({"name": key, "value": value})
    return env


def _resources(service: dict[str, Any], notes: Notes, path: str) -> dict[str, Any]:
    deploy = service.get("deploy") or {}
    wanted = (deploy.get("resources") or {}) if isinstance(deploy, dict) else {}
    out: dict[str, dict[str, str]] = {}
    for section, field in (("limits", "limits"), ("reservations", "requests")):
        spec = wanted.get(section) or {}
        for key, value in spec.items():
            where = f"{path}.deploy.resources.{section}.{key}"
            quantity = (
                cpu_quantity(value) if key == "cpus" else memory_quantity(value) if key == "memory" else None
            )
            if key not in ("cpus", "memory"):
                notes.dropped(where, "only cpus and memory have Kubernetes counterparts")
            elif quantity is None:
                notes.dropped(where, f"{value!r} is not a size designer can read")
            else:
                out.setdefault(field, {})["cpu" if key == "cpus" else "memory"] = quantity
    for key, field, name, parse in (
        ("mem_limit", "limits", "memory", memory_quantity),
        ("mem_reservation", "requests", "memory", memory_quantity),
        ("cpus", "limits", "cpu", cpu_quantity),
    ):
        if service.get(key) is not None:
            quantity = parse(service[key])
            if quantity is None:
                notes.dropped(f"{path}.{key}", f"{service[key]!r} is not a size designer can read")
            else:
                out.setdefault(field, {}).setdefault(name, quantity)
    return out


def _probe(check: Any, notes: Notes, path: str) -> dict[str, Any] | None:
    if not isinstance(check, dict) or check.get("disable") is True:
        return None
    test = canonical.healthcheck_test(check.get("test"))
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        command = test[1:]
    elif test[0] == "CMD-SHELL":
        command = ["/bin/sh", "-c", " ".join(test[1:])]
    else:
        notes.dropped(f"{path}.test", f"a test must start with CMD, CMD-SHELL or NONE, not {test[0]!r}")
        return None
    probe: dict[str, Any] = {"exec": {"command": command}}
    for key, field, minimum in (
        ("interval", "periodSeconds", 1),
        ("timeout", "timeoutSeconds", 1),
        ("start_period", "initialDelaySeconds", 0),
    ):
        if check.get(key) is not None:
            seconds = whole_seconds(check[key], minimum)
            if seconds is not None:
                probe[field] = seconds
    if isinstance(check.get("retries"), int) and check["retries"] > 0:
        probe["failureThreshold"] = check["retries"]
    if check.get("start_interval") is not None:
        notes.dropped(
            f"{path}.start_interval", "probes have one period (start_period becomes the initial delay)"
        )
    return probe


def _security(service: dict[str, Any], notes: Notes, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if service.get("privileged") is True:
        out["privileged"] = True
        notes.add(
            f"{path}.privileged",
            "converted to securityContext.privileged: most clusters' Pod Security "
            "admission refuses it, and the built-in checks flag it",
        )
    caps = {
        k: [str(c).upper().removeprefix("CAP_") for c in service.get(f"cap_{k}") or []]
        for k in ("add", "drop")
    }
    caps = {k: v for k, v in caps.items() if v}
    if caps:
        out["capabilities"] = caps
    if service.get("read_only") is True:
        out["readOnlyRootFilesystem"] = True
    user = str(service.get("user") or "")
    if user:
        uid, _, gid = user.partition(":")
        if uid.isdigit() and (not gid or gid.isdigit()):
            out["runAsUser"] = int(uid)
            if gid:
                out["runAsGroup"] = int(gid)
        else:
            notes.dropped(
                f"{path}.user",
                f"Kubernetes runs containers as a numeric user id, not {user!r} "
                "(set runAsUser to the id the image gives that name)",
            )
    for i, option in enumerate(service.get("security_opt") or []):
        text = str(option).replace("=", ":")
        if text in ("no-new-privileges", "no-new-privileges:true"):
            out["allowPrivilegeEscalation"] = False
        else:
            notes.dropped(
                f"{path}.security_opt[{i}]", f"{option!r} has no securityContext counterpart designer knows"
            )
    return out
