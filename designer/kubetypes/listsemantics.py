"""How a list merges: associative (keyed), set, or atomic, for server-side apply and field sets.

The list's shape says it (``x-kubernetes-list-type`` and ``x-kubernetes-list-map-keys`` of the built-in
kinds' OpenAPI, or of a CRD's schema; shapes.py); a list of unknown shape is atomic, as in a CRD
schema without list annotations. Key fields that the schema defaults (a port's ``protocol: TCP``) are
part of the key even when the item leaves them out, as in structured-merge-diff. Used by fieldsets.py
and apply.py; strategic merge reads the patch merge key from the shape itself (patching.py).
"""

from __future__ import annotations

import json
from typing import Any

from designer.kubetypes.shapes import Shape

ATOMIC = "atomic"
SET = "set"
ListType = str | tuple[str, ...]
_KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}


def list_kind(shape: Shape | None) -> ListType:
    """SET, ATOMIC, or the key fields of an associative list."""
    if shape is None or shape.kind != "list":
        return ATOMIC
    if shape.list_type == "set":
        return SET
    if shape.list_type == "map" and shape.keys:
        return shape.keys
    return ATOMIC


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
