"""A Compose service's ports → a Kubernetes Service named after it, so other services reach it by
its Compose name, as on a Compose network.

``ports`` (published ports) and ``expose`` (ports for other services only) both become Service ports:
the published port is the Service's port, the container port its targetPort. Services are ClusterIP,
as kompose makes them, unless the ``kompose.service.type`` label says otherwise;
``deploy.endpoint_mode: dnsrr`` makes a headless Service. A host IP, a port range published to one
port and ``mode: host`` are noted. A service with neither is noted too: nothing can reach it by name.
Callers: designer.importing.compose.converting.
"""

from __future__ import annotations

from typing import Any

from designer.importing.compose import canonical
from designer.importing.compose.notes import Notes

_TYPES = {
    "nodeport": "NodePort",
    "loadbalancer": "LoadBalancer",
    "clusterip": "ClusterIP",
    "headless": "ClusterIP",
}


def service_body(
    name: str, service: dict[str, Any], selector: dict[str, str], notes: Notes, *, reached: bool
) -> dict[str, Any] | None:
    """The Service body (below metadata) for service ``name``, or None when it has no port; ``reached``
    says whether other services name it (then a missing Service is noted)."""
    path = f"services.{name}"
    ports: dict[tuple[int, str], dict[str, Any]] = {}
    for i, entry in enumerate(canonical.ports(service.get("ports"))):
        where = f"{path}.ports[{i}]"
        target = entry.get("target")
        if not isinstance(target, int):
            continue
        protocol = str(entry.get("protocol") or "tcp").upper()
        published = str(entry.get("published") or "")
        port = target
        if published.isdigit():
            port = int(published)
        elif published:
            first = published.partition("-")[0]
            port = int(first) if first.isdigit() else target
            notes.dropped(f"{where}", f"published range {published}: the Service listens on {port} only")
        if entry.get("host_ip"):
            notes.dropped(
                f"{where}",
                f"host IP {entry['host_ip']}: a Service listens on the cluster network, "
                "not on one address of a host",
            )
        if entry.get("mode") == "host":
            notes.dropped(
                f"{where}.mode", "host mode publishing has no Service counterpart (hostPort is discouraged)"
            )
        ports.setdefault(
            (port, protocol),
            {"name": f"{port}-{protocol.lower()}", "port": port, "targetPort": target, "protocol": protocol},
        )
    for port in canonical.expose(service.get("expose")):
        ports.setdefault(
            (port, "TCP"), {"name": f"{port}-tcp", "port": port, "targetPort": port, "protocol": "TCP"}
        )
    if not ports:
        if reached:
            notes.add(
                path,
                "declares no ports or expose: no Kubernetes Service is made, so other services cannot "
                f"reach it by the name {name!r} (add `expose: [PORT]`)",
            )
        return None
    labels = canonical.mapping(service.get("labels"))
    wanted = str(labels.get("kompose.service.type") or "clusterip").lower()
    spec: dict[str, Any] = {"selector": dict(selector), "ports": list(ports.values())}
    if wanted not in _TYPES:
        notes.dropped(f"{path}.labels", f"kompose.service.type {wanted!r} is not a Service type")
    elif _TYPES[wanted] != "ClusterIP":
        spec["type"] = _TYPES[wanted]
    if wanted == "headless" or (service.get("deploy") or {}).get("endpoint_mode") == "dnsrr":
        spec["clusterIP"] = "None"
    return {"spec": spec}
