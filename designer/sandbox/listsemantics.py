"""How lists merge: associative (keyed), set, or atomic, for server-side apply and strategic merge.

Real servers read ``x-kubernetes-list-type`` / ``patchMergeKey`` from the OpenAPI schema. The sandbox has no
schema, so this table names the associative lists of the built-in kinds by their field name (and, for
``ports``, by where they sit). Custom resources get atomic lists except in ``metadata``, like CRDs
without list annotations. Used by fieldsets.py, apply.py and patching.py.
"""

from __future__ import annotations

import json
from typing import Any

ATOMIC = "atomic"
SET = "set"
ListType = str | tuple[str, ...]

_MAP_LISTS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "conditions": ("type",),
    "hostAliases": ("ip",),
    "webhooks": ("name",),
    "ownerReferences": ("uid",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
    "resourceClaims": ("name",),
}
_SET_LISTS = frozenset({"finalizers"})
_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}


def list_type(path: tuple[str, ...], builtin: bool) -> ListType:
    """The merge semantics of the list at ``path`` (field names only, no indexes)."""
    if not path:
        return ATOMIC
    name = path[-1]
    if not builtin and path[0] != "metadata":
        return ATOMIC
    if name in _SET_LISTS and path[0] == "metadata":
        return SET
    if name == "ports":
        parent = path[-2] if len(path) >= 2 else ""
        if parent in ("containers", "initContainers", "ephemeralContainers"):
            return ("containerPort", "protocol")
        if path[:2] == ("spec", "ports"):
            return ("port", "protocol")
        return ATOMIC
    return _MAP_LISTS.get(name, ATOMIC)


def atomic_struct(path: tuple[str, ...], value: Any, builtin: bool) -> bool:
    """Whether the map at ``path`` is owned and replaced as a whole: a built-in kind's LabelSelector
    (``+structType=atomic``: Deployment ``spec.selector``, ``podSelector``, ``namespaceSelector``, ...),
    recognised by its name and fields; a Service's ``spec.selector`` is a plain map and stays granular."""
    return (
        builtin
        and bool(path)
        and path[-1].lower().endswith("selector")
        and isinstance(value, dict)
        and bool(value)
        and set(value) <= _SELECTOR_FIELDS
    )


def item_key(item: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The key fields of a list item, with schema defaults (``protocol: TCP``); None if unkeyable."""
    if not isinstance(item, dict):
        return None
    key: dict[str, Any] = {}
    for name in keys:
        if name in item:
            key[name] = item[name]
        elif name in _KEY_DEFAULTS:
            key[name] = _KEY_DEFAULTS[name]
        else:
            return None
    return key


def key_json(key: dict[str, Any]) -> str:
    """The compact, sorted JSON used in FieldsV1 ``k:`` elements."""
    return json.dumps(key, sort_keys=True, separators=(",", ":"))
