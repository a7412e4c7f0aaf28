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

from designer.kubetypes.listsemantics import SET, item_key, key_json, list_kind
from designer.kubetypes.shapes import Shape

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


def field_set(
    obj: dict[str, Any], shape: Shape | None, part: str = "main", *, interior: bool = False
) -> FieldSet:
    """The paths set in ``obj``: its leaves (what an applier owns), or with ``interior`` its inner
    nodes too (an Update owns the maps, structs and lists it created: FieldsV1's ``.`` entries).

    ``part`` is "main" (skip status: it has its own subresource), "status" (only status) or "all".
    """
    out: FieldSet = set()
    for top, value in obj.items():
        if top in ("apiVersion", "kind"):
            continue
        if (part == "main" and top == "status") or (part == "status" and top != "status"):
            continue
        child = shape.child(top) if shape is not None else None
        if top == "metadata" and isinstance(value, dict):
            for k, v in value.items():
                if k not in _UNTRACKED_META:
                    inner = child.child(k) if child is not None else None
                    _walk(v, (("f", "metadata"), ("f", k)), inner, out, interior)
            continue
        _walk(value, (("f", top),), child, out, interior)
    return out


def _walk(value: Any, path: Path, shape: Shape | None, out: FieldSet, interior: bool) -> None:
    if isinstance(value, dict):
        if not value or (shape is not None and shape.atomic and shape.kind in ("struct", "map")):
            out.add(path)
            return
        if interior:
            out.add(path)
        declared = shape is not None and shape.kind == "struct"
        for k, v in value.items():
            if not (declared and shape is not None and shape.field(k) is not None) and v:
                out.add((*path, ("f", k)))  # a map's entry, or a field a schema does not declare: "."
            _walk(v, (*path, ("f", k)), shape.child(k) if shape is not None else None, out, interior)
        return
    if isinstance(value, list) and value:
        semantics = list_kind(shape)
        item = shape.item if shape is not None else None
        if semantics == SET and all(not isinstance(v, dict | list) for v in value):
            if interior:
                out.add(path)
            for v in value:
                out.add((*path, ("v", json.dumps(v, separators=(",", ":")))))
            return
        if isinstance(semantics, tuple):
            keys = [item_key(i, semantics) for i in value]
            encoded = [key_json(k) for k in keys if k is not None]
            if len(encoded) == len(value) and len(set(encoded)) == len(encoded):
                if interior:
                    out.add(path)
                for entry, key in zip(value, encoded, strict=True):
                    item_path = (*path, ("k", key))
                    out.add(item_path)
                    if item is not None and item.atomic:  # an atomic struct (ownerReferences) is one field
                        continue
                    for k, v in entry.items():
                        _walk(
                            v,
                            (*item_path, ("f", k)),
                            item.child(k) if item is not None else None,
                            out,
                            interior,
                        )
                return
    out.add(path)


def skeleton(shape: Shape | None, part: str = "main") -> dict[Path, Any]:
    """The nodes a freshly made object of ``shape`` already has, with their zero values: its
    non-pointer structs (``{}``) and required fields (null), which a create then fills in without
    owning them (no ``.`` in FieldsV1)."""
    out: dict[Path, Any] = {}
    if shape is None:
        return out

    def visit(node: Shape, path: Path, depth: int) -> None:
        if depth > 8 or node.kind != "struct":
            return
        for name in node.field_names:
            if not path and (
                name in ("apiVersion", "kind", "metadata")
                or (part == "main" and name == "status")
                or (part == "status" and name != "status")
            ):
                continue
            field = node.field(name)
            if field is None:
                continue
            if field.zero or name in node.required:
                here = (*path, ("f", name))
                out[here] = {} if field.zero else None
                if field.zero:
                    visit(field, here, depth + 1)

    visit(shape, (), 0)
    return out


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
