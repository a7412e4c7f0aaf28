"""Ownership labels and the inventory: which objects designer applied for a design.

The convention (ApplySet-like, kube-api.md section 1): every object designer applies carries the
labels ``app.kubernetes.io/managed-by: designer`` and ``designer.dev/design: <design>``, and after
an apply the list of applied refs is stored in a ConfigMap ``designer-inventory-<design>`` (by
default in namespace ``default``). `design diff` reads it to report deletes, and the apply engine
reads and writes it to prune: an object is only ever deleted if designer recorded it, never because
a label matched (kubernetes/kubernetes#108161).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "designer"
DESIGN_LABEL = "designer.dev/design"
INVENTORY_LABEL = "designer.dev/inventory"
DEFAULT_NAMESPACE = "default"
_OBJECTS_KEY = "objects.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Inventory:
    """The refs recorded for ``design`` (in apply order); ``exists`` is False before any apply."""

    design: str
    namespace: str
    refs: tuple[ObjectRef, ...] = ()
    exists: bool = False

    @property
    def ref(self) -> ObjectRef:
        """The inventory ConfigMap itself."""
        return inventory_ref(self.design, namespace=self.namespace)

    def left_design(self, current: Iterable[ObjectRef]) -> tuple[ObjectRef, ...]:
        """Recorded refs absent from ``current``, in reverse apply order (the order to delete)."""
        keep = set(current)
        return tuple(ref for ref in reversed(self.refs) if ref not in keep)


def label_value(design: str) -> str:
    """``design`` as a valid label value (63 characters, alphanumerics, ``-_.``)."""
    value = re.sub(r"[^A-Za-z0-9_.-]", "-", design)[:63].strip("-_.")
    return value or "unnamed"


def ownership_labels(design: str) -> dict[str, str]:
    """The labels every object designer applies for ``design`` carries."""
    return {MANAGED_BY_LABEL: MANAGED_BY_VALUE, DESIGN_LABEL: label_value(design)}


def with_ownership(body: Mapping[str, Any], design: str) -> KubeObject:
    """A shallow copy of ``body`` with the ownership labels added (other labels kept)."""
    result = dict(body)
    meta = dict(result.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), **ownership_labels(design)}
    result["metadata"] = meta
    return result


def owned_selector(design: str) -> str:
    """A label selector for the objects designer applied for ``design``."""
    return f"{MANAGED_BY_LABEL}={MANAGED_BY_VALUE},{DESIGN_LABEL}={label_value(design)}"


def inventory_ref(design: str, *, namespace: str = DEFAULT_NAMESPACE) -> ObjectRef:
    """The ref of the inventory ConfigMap of ``design``."""
    name = f"designer-inventory-{label_value(design).lower().replace('_', '-').replace('.', '-')}"
    return ObjectRef("v1", "ConfigMap", namespace, name[:253])


def inventory_body(
    design: str, refs: Sequence[ObjectRef], *, namespace: str = DEFAULT_NAMESPACE
) -> KubeObject:
    """The inventory ConfigMap recording ``refs`` (duplicates dropped, order kept)."""
    unique = list(dict.fromkeys(refs))
    ref = inventory_ref(design, namespace=namespace)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": ref.name,
            "namespace": namespace,
            "labels": {**ownership_labels(design), INVENTORY_LABEL: "true"},
        },
        "data": {
            "design": design,
            _OBJECTS_KEY: json.dumps([r.as_json() for r in unique], separators=(",", ":")),
        },
    }


def parse_inventory(body: Mapping[str, Any], *, design: str, namespace: str) -> Inventory:
    """An `Inventory` from a live ConfigMap body (ClusterError if it is corrupt)."""
    raw = (body.get("data") or {}).get(_OBJECTS_KEY, "[]")
    try:
        items = json.loads(raw)
        refs = tuple(
            ObjectRef(
                str(item["apiVersion"]), str(item["kind"]), item.get("namespace") or None, str(item["name"])
            )
            for item in items
        )
    except (ValueError, TypeError, KeyError) as exc:
        ref = inventory_ref(design, namespace=namespace)
        raise ClusterError(
            f"the inventory {ref} is corrupt: {exc}",
            hint=f"inspect it with `kubectl get configmap -n {namespace} {ref.name} -o yaml`",
        ) from exc
    return Inventory(design=design, namespace=namespace, refs=refs, exists=True)


def read_inventory(cluster: Cluster, design: str, *, namespace: str = DEFAULT_NAMESPACE) -> Inventory:
    """The inventory of ``design`` (empty, ``exists=False``, when designer never applied it)."""
    body = cluster.get(inventory_ref(design, namespace=namespace))
    if body is None:
        return Inventory(design=design, namespace=namespace)
    return parse_inventory(body, design=design, namespace=namespace)


def write_inventory(
    cluster: Cluster,
    design: str,
    refs: Sequence[ObjectRef],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    dry_run: bool = False,
) -> Inventory:
    """Record ``refs`` as the objects applied for ``design`` (server-side apply of the ConfigMap)."""
    body = inventory_body(design, refs, namespace=namespace)
    stored = cluster.apply(body, field_manager=FIELD_MANAGER, dry_run=dry_run, force=True)
    return parse_inventory(stored, design=design, namespace=namespace)
