"""Field rules of the built-in kinds that a real kube-apiserver enforces (422 Invalid), with its wording.

Found by sending the same objects to the emulator and to kube-apiserver 1.37 (the emulator stored
every one of them): containers (name, image, ports, env names, pull policy, probes, requests within
limits, restart policy), replica and retry counts, rollout strategy, Service ports, types, selectors
and addresses, typed Secrets' required keys, CronJob schedules and policies, PVC access modes and
size, RBAC verbs, NetworkPolicy types, Ingress hosts and path types, finalizer names and owner
references. Not every rule of every kind: the differential suite against kube-apiserver finds the
rest. `causes` returns (field, reason, message) triples for validation.py, which raises the 422.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from designer.quantities import parse_quantity

Cause = tuple[str, str, str]
KubeObject = dict[str, Any]

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_TEXT = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_SUBDOMAIN_TEXT = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
_CRON_MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every"}
)


def _required(field: str, detail: str = "") -> Cause:
    return (field, "FieldValueRequired", "Required value" + (f": {detail}" if detail else ""))


def _invalid(field: str, value: Any, detail: str) -> Cause:
    shown = f'"{value}"' if isinstance(value, str) else value
    return (field, "FieldValueInvalid", f"Invalid value: {shown}: {detail}")


def _unsupported(field: str, value: Any, supported: tuple[str, ...]) -> Cause:
    listed = ", ".join(f'"{s}"' for s in sorted(supported))
    return (field, "FieldValueNotSupported", f'Unsupported value: "{value}": supported values: {listed}')


def _duplicate(field: str, value: Any) -> Cause:
    return (field, "FieldValueDuplicate", f'Duplicate value: "{value}"')


def _at_least_zero(field: str, value: Any) -> Iterator[Cause]:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        yield _invalid(field, value, "must be greater than or equal to 0")


def _port(field: str, value: Any, *, zero: Cause | None = None) -> Iterator[Cause]:
    if not isinstance(value, int) or isinstance(value, bool):
        return
    if value == 0 and zero is not None:
        yield zero
    elif not 1 <= value <= 65535:
        yield _invalid(field, value, "must be between 1 and 65535, inclusive")


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> KubeObject:
    return value if isinstance(value, dict) else {}


# -- pods ------------------------------------------------------------------------------------------


def _container(field: str, c: KubeObject) -> Iterator[Cause]:
    name = c.get("name")
    if not name:
        yield _required(f"{field}.name")
    elif isinstance(name, str) and (len(name) > 63 or not _DNS_LABEL.match(name)):
        yield _invalid(f"{field}.name", name, _LABEL_TEXT)
    if not c.get("image"):
        yield _required(f"{field}.image")
    policy = c.get("imagePullPolicy")
    if policy is not None and policy not in ("Always", "IfNotPresent", "Never"):
        yield _unsupported(f"{field}.imagePullPolicy", policy, ("Always", "IfNotPresent", "Never"))
    for i, port in enumerate(_items(c.get("ports"))):
        where = f"{field}.ports[{i}].containerPort"
        yield from _port(where, _dict(port).get("containerPort"), zero=_required(where))
        if "containerPort" not in _dict(port):
            yield _required(where)
    for i, env in enumerate(_items(c.get("env"))):
        if not _dict(env).get("name"):
            yield _required(f"{field}.env[{i}].name")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        body = c.get(probe)
        if isinstance(body, dict) and not any(h in body for h in ("exec", "httpGet", "tcpSocket", "grpc")):
            yield _required(f"{field}.{probe}", "must specify a handler type")
    yield from _resources(f"{field}.resources", _dict(c.get("resources")))


def _resources(field: str, resources: KubeObject) -> Iterator[Cause]:
    limits, requests = _dict(resources.get("limits")), _dict(resources.get("requests"))
    for name, request in requests.items():
        wanted, allowed = parse_quantity(request), parse_quantity(limits.get(name))
        if wanted is not None and allowed is not None and wanted > allowed:
            yield _invalid(
                f"{field}.requests",
                str(request),
                f"must be less than or equal to {name} limit of {limits[name]}",
            )


def _pod_spec(field: str, spec: KubeObject, *, restart: tuple[str, ...] | None) -> Iterator[Cause]:
    seen: set[str] = set()
    for kind in ("initContainers", "containers"):
        for i, c in enumerate(_items(spec.get(kind))):
            c = _dict(c)
            yield from _container(f"{field}.{kind}[{i}]", c)
            name = c.get("name")
            if isinstance(name, str) and name:
                if name in seen:
                    yield _duplicate(f"{field}.{kind}[{i}].name", name)
                seen.add(name)
    policy = spec.get("restartPolicy")
    if restart == ("Always",) and policy is not None and policy != "Always":
        yield _unsupported(f"{field}.restartPolicy", policy, restart)
    elif restart is not None and restart != ("Always",) and policy not in restart:
        listed = ", ".join(f'"{r}"' for r in restart)
        yield (f"{field}.restartPolicy", "FieldValueRequired", f"Required value: valid values: {listed}")


def _template(obj: KubeObject, restart: tuple[str, ...] = ("Always",)) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    yield from _pod_spec(
        "spec.template.spec", _dict(_dict(spec.get("template")).get("spec")), restart=restart
    )


def _workload(obj: KubeObject) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    for count in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        yield from _at_least_zero(f"spec.{count}", spec.get(count))
    strategy = spec.get("strategy")
    if obj.get("kind") == "Deployment" and isinstance(strategy, dict):
        kind = strategy.get("type")
        if kind is not None and kind not in ("Recreate", "RollingUpdate"):
            shown = {"Type": kind, "RollingUpdate": strategy.get("rollingUpdate")}
            yield (
                "spec.strategy",
                "FieldValueNotSupported",
                f'Unsupported value: {_go_json(shown)}: supported values: "Recreate", "RollingUpdate"',
            )
    yield from _template(obj)


def _go_json(value: KubeObject) -> str:
    return json.dumps(value, separators=(",", ":"))


def _job(obj: KubeObject) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    for count in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds"):
        yield from _at_least_zero(f"spec.{count}", spec.get(count))
    yield from _template(obj, restart=("OnFailure", "Never"))


def _cronjob(obj: KubeObject) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    schedule = spec.get("schedule")
    if not schedule:
        yield _required("spec.schedule")
    elif isinstance(schedule, str) and not _valid_schedule(schedule):
        fields = schedule.split()
        yield _invalid(
            "spec.schedule", schedule, f"expected exactly 5 fields, found {len(fields)}: [{schedule}]"
        )
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        yield _unsupported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
    template = _dict(_dict(_dict(spec.get("jobTemplate")).get("spec")).get("template"))
    yield from _pod_spec(
        "spec.jobTemplate.spec.template.spec", _dict(template.get("spec")), restart=("OnFailure", "Never")
    )


def _valid_schedule(schedule: str) -> bool:
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        text = text.partition(" ")[2]
    fields = text.split()
    return bool(fields) and (fields[0] in _CRON_MACROS or len(fields) == 5)


def _pod(obj: KubeObject) -> Iterator[Cause]:
    yield from _pod_spec("spec", _dict(obj.get("spec")), restart=None)


# -- services and other kinds ------------------------------------------------------------------------


def _service(obj: KubeObject) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    kind = spec.get("type", "ClusterIP")
    supported = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
    if kind not in supported:
        yield _unsupported("spec.type", kind, supported)
    ports = _items(spec.get("ports"))
    if not ports and kind != "ExternalName" and spec.get("clusterIP") != "None":
        yield _required("spec.ports")
    seen: set[tuple[Any, Any]] = set()
    for i, raw in enumerate(ports):
        port = _dict(raw)
        yield from _port(f"spec.ports[{i}].port", port.get("port"))
        if port.get("port") == 0:
            yield _invalid(f"spec.ports[{i}].port", 0, "must be between 1 and 65535, inclusive")
        target = port.get("targetPort")
        if isinstance(target, int) and not isinstance(target, bool) and target != 0:
            yield from _port(f"spec.ports[{i}].targetPort", target)
        protocol = port.get("protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            yield _unsupported(f"spec.ports[{i}].protocol", protocol, ("SCTP", "TCP", "UDP"))
        if len(ports) > 1 and not port.get("name"):
            yield _required(f"spec.ports[{i}].name")
        key = (port.get("port"), protocol)
        if key in seen:
            yield (f"spec.ports[{i}]", "FieldValueDuplicate", f"Duplicate value: port {key[0]}/{key[1]}")
        seen.add(key)
    for value in _dict(spec.get("selector")).values():
        if isinstance(value, str) and (len(value) > 63 or not _LABEL_VALUE.match(value)):
            yield _invalid(
                "spec.selector",
                value,
                "a valid label must be an empty string or consist of "
                "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            )
    address = spec.get("clusterIP")
    if isinstance(address, str) and address not in ("", "None"):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            yield _invalid(
                "spec.clusterIPs[0]", address, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            )
    external = spec.get("externalName")
    if (
        kind == "ExternalName"
        and isinstance(external, str)
        and not _DNS_SUBDOMAIN.match(external.rstrip("."))
    ):
        yield _invalid("spec.externalName", external, _SUBDOMAIN_TEXT)


_SECRET_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/basic-auth": (),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def _secret(obj: KubeObject) -> Iterator[Cause]:
    data = _dict(obj.get("data"))
    for key in _SECRET_KEYS.get(str(obj.get("type") or "Opaque"), ()):
        if key not in data:
            yield _required(f"data[{key}]")


def _pvc(obj: KubeObject) -> Iterator[Cause]:
    spec = _dict(obj.get("spec"))
    modes = _items(spec.get("accessModes"))
    supported = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
    if not modes and not spec.get("dataSource"):
        yield _required("spec.accessModes", "at least 1 access mode is required")
    for mode in modes:
        if mode not in supported:
            yield _unsupported("spec.accessModes", mode, supported)
    if "storage" not in _dict(_dict(spec.get("resources")).get("requests")):
        yield _required("spec.resources[storage]")


def _rbac_rules(obj: KubeObject) -> Iterator[Cause]:
    for i, rule in enumerate(_items(obj.get("rules"))):
        if not _dict(rule).get("verbs"):
            yield _required(f"rules[{i}].verbs")


def _network_policy(obj: KubeObject) -> Iterator[Cause]:
    for i, kind in enumerate(_items(_dict(obj.get("spec")).get("policyTypes"))):
        if kind not in ("Ingress", "Egress"):
            yield (
                f"spec.policyTypes[{i}]",
                "FieldValueNotSupported",
                f'Unsupported value: "{kind}": supported values: "Ingress", "Egress"',
            )


def _ingress(obj: KubeObject) -> Iterator[Cause]:
    for i, rule in enumerate(_items(_dict(obj.get("spec")).get("rules"))):
        rule = _dict(rule)
        host = rule.get("host")
        if isinstance(host, str) and host and not _DNS_SUBDOMAIN.match(host.removeprefix("*.")):
            yield _invalid(f"spec.rules[{i}].host", host, _SUBDOMAIN_TEXT)
        for j, path in enumerate(_items(_dict(rule.get("http")).get("paths"))):
            kind = _dict(path).get("pathType")
            supported = ("Exact", "ImplementationSpecific", "Prefix")
            if kind not in supported:
                yield _unsupported(f"spec.rules[{i}].http.paths[{j}].pathType", kind, supported)


_RULES: dict[str, Callable[[KubeObject], Iterator[Cause]]] = {
    "Pod": _pod,
    "Deployment": _workload,
    "ReplicaSet": _workload,
    "StatefulSet": _workload,
    "DaemonSet": _workload,
    "Job": _job,
    "CronJob": _cronjob,
    "Service": _service,
    "Secret": _secret,
    "PersistentVolumeClaim": _pvc,
    "Role": _rbac_rules,
    "ClusterRole": _rbac_rules,
    "NetworkPolicy": _network_policy,
    "Ingress": _ingress,
}


def metadata_causes(
    meta: KubeObject, qualified: Callable[[str], str | None], *, core: bool = True
) -> Iterator[Cause]:
    """Finalizer names (``qualified``: why a name is not a qualified name) and owner references.
    Only the core API's kinds (``core``) require a finalizer to be standard or to hold a ``/``: CRDs
    (``customresourcecleanup.apiextensions.k8s.io``) and custom resources are checked generically."""
    for i, name in enumerate(_items(meta.get("finalizers"))):
        if not isinstance(name, str) or name in _STANDARD_FINALIZERS:
            continue
        problem = qualified(name)
        if problem is not None:
            yield ("metadata.finalizers", "FieldValueInvalid", f'Invalid value: "{name}": {problem}')
        elif "/" not in name and core:
            yield (
                f"metadata.finalizers[{i}]",
                "FieldValueInvalid",
                f'Invalid value: "{name}": name is neither a standard finalizer name nor is it fully qualified',
            )
    for i, ref in enumerate(_items(meta.get("ownerReferences"))):
        ref = _dict(ref)
        for key in ("apiVersion", "kind", "name", "uid"):
            if not ref.get(key):
                yield _required(f"metadata.ownerReferences[{i}].{key}", "must not be empty")


def causes(kind: str, obj: KubeObject) -> list[Cause]:
    """The 422 causes of built-in ``kind``'s fields in ``obj`` (metadata: `metadata_causes`)."""
    rules = _RULES.get(kind)
    return list(rules(obj)) if rules is not None else []
