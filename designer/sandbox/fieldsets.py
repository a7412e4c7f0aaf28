"""Field sets for managedFields: which leaf fields an object sets, in structured-merge-diff terms.

A path is a tuple of elements ``("f", name)`` (map/struct field), ``("k", '{"name":"x"}')`` (item of an
associative list), ``("v", '"value"')`` (item of a set) or ``("i", "0")``. `encode`/`decode` convert a
set of paths to and from the FieldsV1 trie stored in ``metadata.managedFields[].fieldsV1``, and
`path_str` renders a path the way conflict messages do (``.spec.containers[name="web"].image``).
Used by apply.py (ownership, conflicts, removal of dropped fields) and operations.py (update tracking).
"""

from __future__ import annotations

import json
from typing import Any

from designer.sandbox.listsemantics import SET, atomic_struct, item_key, key_json, list_type

Element = tuple[str, str]
Path = tuple[Element, ...]
FieldSet = set[Path]

# Server-owned metadata, never tracked as anyone's field (apimachinery stripmeta.go).
_UNTRACKED_META = frozenset(
    {
        "name",
        "namespace",
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


def field_set(obj: dict[str, Any], builtin: bool, part: str = "main") -> FieldSet:
    """The leaf paths set in ``obj``.

    ``part`` is "main" (skip status: it has its own subresource), "status" (only status) or "all".
    """
    out: FieldSet = set()
    for top, value in obj.items():
        if top in ("apiVersion", "kind"):
            continue
        if (part == "main" and top == "status") or (part == "status" and top != "status"):
            continue
        if top == "metadata" and isinstance(value, dict):
            for k, v in value.items():
                if k not in _UNTRACKED_META:
                    _walk(v, (("f", "metadata"), ("f", k)), ("metadata", k), builtin, out)
            continue
        _walk(value, (("f", top),), (top,), builtin, out)
    return out


def _walk(value: Any, path: Path, names: tuple[str, ...], builtin: bool, out: FieldSet) -> None:
    if isinstance(value, dict):
        if not value or atomic_struct(names, value, builtin):
            out.add(path)  # a leaf: empty, or owned as a whole
            return
        for k, v in value.items():
            _walk(v, (*path, ("f", k)), (*names, k), builtin, out)
        return
    if isinstance(value, list) and value:
        semantics = list_type(names, builtin)
        if semantics == SET and all(not isinstance(v, dict | list) for v in value):
            for v in value:
                out.add((*path, ("v", json.dumps(v))))
            return
        if isinstance(semantics, tuple):
            keys = [item_key(item, semantics) for item in value]
            encoded = [key_json(k) for k in keys if k is not None]
            if len(encoded) == len(value) and len(set(encoded)) == len(encoded):
                for item, key in zip(value, encoded, strict=True):
                    item_path = (*path, ("k", key))
                    out.add(item_path)
                    for k, v in item.items():
                        _walk(v, (*item_path, ("f", k)), (*names, k), builtin, out)
                return
    out.add(path)


def encode(paths: FieldSet) -> dict[str, Any]:
    """A set of paths as a FieldsV1 trie (``{"f:spec": {"f:replicas": {}}}``)."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for kind, value in path:
            node = node.setdefault(f"{kind}:{value}", {})
        node["."] = {}
    return _finish(root)


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    children = {k: _finish(v) for k, v in node.items() if k != "."}
    if "." in node and children:
        return {".": {}, **children}
    return children


def decode(trie: dict[str, Any], prefix: Path = ()) -> FieldSet:
    """The inverse of `encode`."""
    out: FieldSet = set()
    for raw, child in trie.items():
        if raw == ".":
            out.add(prefix)
            continue
        kind, _, value = raw.partition(":")
        path = (*prefix, (kind, value))
        if child:
            out |= decode(child, path)
        else:
            out.add(path)
    return out


def path_str(path: Path) -> str:
    parts = []
    for kind, value in path:
        if kind == "f":
            parts.append(f".{value}")
        elif kind == "k":
            key = json.loads(value)
            parts.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(key.items())) + "]")
        elif kind == "v":
            parts.append(f"[={value}]")
        else:
            parts.append(f"[{value}]")
    return "".join(parts)


_MISSING = object()


def get(obj: Any, path: Path) -> Any:
    """The value at ``path``, or the module's missing sentinel (see `has`)."""
    node = obj
    for kind, value in path:
        if kind == "f":
            if not isinstance(node, dict) or value not in node:
                return _MISSING
            node = node[value]
        elif kind == "k":
            node = _find_item(node, value)
            if node is _MISSING:
                return _MISSING
        elif kind == "v":
            decoded = json.loads(value)
            if not isinstance(node, list) or decoded not in node:
                return _MISSING
            node = decoded
        else:
            index = int(value)
            if not isinstance(node, list) or index >= len(node):
                return _MISSING
            node = node[index]
    return node


def has(obj: Any, path: Path) -> bool:
    return get(obj, path) is not _MISSING


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _find_item(node: Any, encoded: str) -> Any:
    if not isinstance(node, list):
        return _MISSING
    key = json.loads(encoded)
    names = tuple(key)
    for item in node:
        if item_key(item, names) == key:
            return item
    return _MISSING


def remove(obj: Any, path: Path) -> None:
    """Delete the field or list item at ``path`` from ``obj`` in place (no-op when absent)."""
    if not path:
        return
    parent = get(obj, path[:-1])
    kind, value = path[-1]
    if kind == "f" and isinstance(parent, dict):
        parent.pop(value, None)
    elif kind == "k" and isinstance(parent, list):
        item = _find_item(parent, value)
        if item is not _MISSING:
            parent.remove(item)
    elif kind == "v" and isinstance(parent, list):
        decoded = json.loads(value)
        if decoded in parent:
            parent.remove(decoded)
    elif kind == "i" and isinstance(parent, list) and int(value) < len(parent):
        del parent[int(value)]


def is_prefix(prefix: Path, path: Path) -> bool:
    return len(prefix) <= len(path) and path[: len(prefix)] == prefix
