"""Normalization: put a live and a desired object in one comparable shape (kube-api.md section 3).

`normalize` drops what the server owns (uid, resourceVersion, generation, managedFields, …,
status, bookkeeping annotations such as last-applied-configuration, and designer's ownership
labels, so objects another tool applied from the same design compare equal), folds Secret ``stringData``
into base64 ``data``, and turns associative lists (containers, env, ports, volumes, …) into maps
keyed by their merge key (`ListKey`), so a controller reordering a list is not a change and a
change inside a list item has a stable path (``containers[name=web].image``).
`align_quantities` makes ``1000m`` and ``1`` equal, `project` limits a live object to the fields a
design sets (the local, less precise comparison), `unkey` turns the keyed shape back into lists.
Used by `designer.diffing.comparing` and `designer.diffing.planner`; pure functions, no I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from designer.quantities import same_quantity

SERVER_METADATA = frozenset(
    {
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "selfLink",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    }
)
BOOKKEEPING_ANNOTATIONS = frozenset(
    {"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"}
)
_DESIGNER_PREFIX = "designer.dev/"  # designer's ownership labels: bookkeeping (kubectl-applied = noop)
_MANAGED_BY = ("app.kubernetes.io/managed-by", "designer")

# Merge keys of the associative lists that matter (the API's x-kubernetes-list-map-keys).
_LIST_KEYS: dict[str, tuple[str, ...]] = {
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "conditions": ("type",),
    "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
}
_QUANTITY_PARENTS = frozenset({"limits", "requests", "hard", "capacity", "allocatable", "overhead"})
_LIMITRANGE_PARENTS = frozenset({"default", "defaultRequest", "max", "min", "maxLimitRequestRatio"})
_QUANTITY_KEYS = frozenset({"sizeLimit"})


class ListKey(str):
    """A key standing for one item of an associative list, e.g. ``name=web``.

    A str subclass, so it sorts, hashes and prints like text but paths can tell a list item from
    a map key (``containers[name=web]`` rather than ``containers.name=web``).
    """

    __slots__ = ()

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> ListKey:
        """The key for an item whose merge-key fields are ``fields`` (order independent)."""
        return cls(",".join(f"{k}={fields[k]}" for k in sorted(fields)))


def normalize(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A keyed, comparable copy of ``obj`` without server-owned fields (``obj`` is not changed)."""
    body: dict[str, Any] = {k: v for k, v in obj.items() if k != "status"}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_METADATA}
    # designer's own annotations (e.g. designer.dev/prune) are intent, not bookkeeping: kept, so a
    # changed trait shows as a change and apply sends it.
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if k not in BOOKKEEPING_ANNOTATIONS
    }
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if not _is_designer_label(k, v)}
    for key, value in (("annotations", annotations), ("labels", labels)):
        if value:
            meta[key] = value
        else:
            meta.pop(key, None)
    body["metadata"] = meta
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1":
        _fold_string_data(body)
    keyed = _key(body, "")
    assert isinstance(keyed, dict)
    return keyed


def unkey(value: Any) -> Any:
    """The keyed shape back to plain JSON (keyed maps become lists again, in order)."""
    if isinstance(value, dict):
        if value and all(isinstance(k, ListKey) for k in value):
            return [unkey(v) for v in value.values()]
        return {k: unkey(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unkey(v) for v in value]
    return value


def align_quantities(before: Any, after: Any, *, kind: str = "") -> Any:
    """``before`` with each quantity that equals its ``after`` counterpart in value spelled as there.

    Only values in quantity maps (``resources.limits``, ``requests``, ResourceQuota ``hard``,
    LimitRange ``default``/``max``/…) and ``sizeLimit`` are compared by value; elsewhere ``"1"``
    and ``1`` stay different (the API distinguishes them, e.g. intOrString ports). Containers are
    updated in place; the (possibly new) ``before`` is returned.
    """
    _align(before, after, kind, quantity_map=False)
    return before


def _align(before: Any, after: Any, kind: str, *, quantity_map: bool) -> None:
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return
    for key, value in before.items():
        if key not in after:
            continue
        other = after[key]
        if isinstance(value, dict):
            child_map = key in _QUANTITY_PARENTS or (kind == "LimitRange" and key in _LIMITRANGE_PARENTS)
            _align(value, other, kind, quantity_map=child_map)
        elif (quantity_map or key in _QUANTITY_KEYS) and value != other and same_quantity(value, other):
            before[key] = other


def project(live: Any, desired: Any) -> Any:
    """``live`` limited to the fields ``desired`` sets (both keyed); atomic lists are kept whole.

    This is the local comparison's view: defaults the server filled in (and fields other managers
    set) do not show, at the price of missing fields the design stopped setting.
    """
    if isinstance(live, dict) and isinstance(desired, dict):
        return {k: project(live[k], v) for k, v in desired.items() if k in live}
    return live


def _is_designer_label(key: str, value: object) -> bool:
    return key.startswith(_DESIGNER_PREFIX) or (key, value) == _MANAGED_BY


def _fold_string_data(body: dict[str, Any]) -> None:
    string_data = body.pop("stringData", None)
    if not string_data:
        return
    data = dict(body.get("data") or {})
    for key, value in string_data.items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    body["data"] = data


def _key(value: Any, field: str) -> Any:
    # dict/list checks first: isinstance against the Mapping ABC is several times slower.
    if isinstance(value, dict):
        return {k: _key(v, k) for k, v in value.items()}
    if isinstance(value, list):
        keyed = _key_list(value, field)
        if keyed is not None:
            return keyed
        return [_key(v, "") for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {k: _key(v, k) for k, v in value.items()}
    return value


def _key_list(items: list[Any], field: str) -> dict[ListKey, Any] | None:
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    result: dict[ListKey, Any] = {}
    for item in items:
        key = _item_key(item, field)
        if key is None or key in result:
            return None  # not associative (or duplicate keys): compare as an atomic list
        result[key] = _key(item, "")
    return result


def _item_key(item: Mapping[str, Any], field: str) -> ListKey | None:
    if field == "ports":
        port_field = "containerPort" if "containerPort" in item else "port"
        if port_field not in item:
            return None
        return ListKey.of({port_field: item[port_field], "protocol": item.get("protocol", "TCP")})
    names = _LIST_KEYS.get(field, ("name",))
    if not all(name in item for name in names):
        return None
    return ListKey.of({name: item[name] for name in names})
