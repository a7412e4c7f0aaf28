"""Server-side printing: ``meta.k8s.io/v1`` Tables, so `kubectl get` shows the usual columns.

kubectl asks for ``Accept: application/json;as=Table;...`` and prints whatever columns the server
returns. These are the familiar columns of the common kinds (READY, STATUS, CLUSTER-IP, ...); other kinds
get NAME and AGE. Used by server.py for GET (single object or list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from designer.sandbox.store import KubeObject

Column = tuple[str, Callable[[KubeObject], Any]]


def age(obj: KubeObject) -> str:
    stamp = obj.get("metadata", {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    created = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seconds = max(0, int((datetime.now(UTC) - created).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"


def _status(obj: KubeObject) -> dict[str, Any]:
    return obj.get("status") or {}


def _spec(obj: KubeObject) -> dict[str, Any]:
    return obj.get("spec") or {}


def _ports(obj: KubeObject) -> str:
    ports = [f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in _spec(obj).get("ports") or []]
    return ",".join(ports) or "<none>"


def _pod_ready(obj: KubeObject) -> str:
    statuses = _status(obj).get("containerStatuses") or []
    total = len(_spec(obj).get("containers") or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _job_status(obj: KubeObject) -> str:
    types = {c.get("type") for c in _status(obj).get("conditions") or [] if c.get("status") == "True"}
    return "Complete" if "Complete" in types else ("Failed" if "Failed" in types else "Running")


_COLUMNS: dict[str, list[Column]] = {
    "Namespace": [("Status", lambda o: _status(o).get("phase", ""))],
    "Deployment": [
        ("Ready", lambda o: f"{_status(o).get('readyReplicas', 0)}/{_spec(o).get('replicas', 0)}"),
        ("Up-to-date", lambda o: _status(o).get("updatedReplicas", 0)),
        ("Available", lambda o: _status(o).get("availableReplicas", 0)),
    ],
    "StatefulSet": [
        ("Ready", lambda o: f"{_status(o).get('readyReplicas', 0)}/{_spec(o).get('replicas', 0)}")
    ],
    "DaemonSet": [
        ("Desired", lambda o: _status(o).get("desiredNumberScheduled", 0)),
        ("Ready", lambda o: _status(o).get("numberReady", 0)),
    ],
    "Pod": [
        ("Ready", _pod_ready),
        ("Status", lambda o: _status(o).get("phase", "Pending")),
        ("Restarts", lambda o: 0),
    ],
    "Service": [
        ("Type", lambda o: _spec(o).get("type", "")),
        ("Cluster-IP", lambda o: _spec(o).get("clusterIP", "")),
        ("External-IP", lambda o: "<none>"),
        ("Port(s)", _ports),
    ],
    "Job": [
        ("Status", _job_status),
        ("Completions", lambda o: f"{_status(o).get('succeeded', 0)}/{_spec(o).get('completions', 1)}"),
    ],
    "PersistentVolumeClaim": [
        ("Status", lambda o: _status(o).get("phase", "")),
        ("Capacity", lambda o: (_status(o).get("capacity") or {}).get("storage", "")),
    ],
    "ConfigMap": [("Data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "Secret": [("Type", lambda o: o.get("type", "")), ("Data", lambda o: len(o.get("data") or {}))],
}


def table(kind: str, objects: list[KubeObject], resource_version: str) -> dict[str, Any]:
    """A Table of ``objects`` with NAME, the kind's columns and AGE; rows carry the full objects."""
    columns: list[Column] = [("Name", lambda o: o["metadata"]["name"]), *_COLUMNS.get(kind, []), ("Age", age)]
    definitions = [
        {
            "name": name,
            "type": "string",
            "format": "name" if name == "Name" else "",
            "description": name,
            "priority": 0,
        }
        for name, _ in columns
    ]
    rows = [{"cells": [fn(obj) for _, fn in columns], "object": obj} for obj in objects]
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": definitions,
        "rows": rows,
    }
