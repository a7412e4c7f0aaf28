"""The three non-apply patch formats: JSON merge patch, JSON patch and strategic merge patch.

Strategic merge follows the patch strategy and merge key of each list's shape (shapes.py: containers
by name, ports by containerPort, other lists replaced), orders merged lists as apimachinery does, and
understands the directives kubectl sends (``$patch: delete|replace|merge``,
``$setElementOrder/<list>``, ``$deleteFromPrimitiveList/<list>``, ``$retainKeys``). Called by
operations.py; every function returns a new value and leaves its inputs alone.
"""

from __future__ import annotations

import json
from typing import Any

from designer.kubetypes.shapes import Shape
from designer.kubetypes.values import json_type
from designer.sandbox.status import ApiError, bad_request
from designer.sandbox.store import clone


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _rejected() -> ApiError:
    """What a JSON patch that cannot be applied gets (the apiserver keeps the reason to itself)."""
    return ApiError(
        422, "Invalid", "the server rejected our request due to an error in our request", details={}
    )


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _resolve(doc: Any, parts: list[str]) -> Any:
    node = doc
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _rejected()
    return node


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test on a deep copy of ``doc``."""
    if not isinstance(operations, list):
        raise bad_request(
            f"error decoding patch: json: cannot unmarshal {json_type(operations)} into Go value of type "
            "[]handlers.jsonPatchOp"
        )
    doc = clone(doc)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise bad_request(f"invalid JSON patch operation: {op!r}")
        kind, parts = op["op"], _pointer(op["path"])
        if kind == "test":
            if _resolve(doc, parts) != op.get("value"):
                raise _rejected()
            continue
        if kind in ("move", "copy"):
            source = _pointer(op.get("from", ""))
            value = clone(_resolve(doc, source))
            if kind == "move":
                doc = _remove(doc, source)
            doc = _add(doc, parts, value)
        elif kind == "add":
            doc = _add(doc, parts, clone(op.get("value")))
        elif kind == "remove":
            doc = _remove(doc, parts)
        elif kind == "replace":
            _resolve(doc, parts)
            doc = _remove(doc, parts)
            doc = _add(doc, parts, clone(op.get("value")))
        else:
            raise bad_request(f"unknown JSON patch operation {kind!r}")
    return doc


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _resolve(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise bad_request(f"invalid list index {last!r}")
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise bad_request(f"cannot add to /{'/'.join(parts[:-1])}")
    return doc


def _remove(doc: Any, parts: list[str]) -> Any:
    _resolve(doc, parts)
    parent = _resolve(doc, parts[:-1])
    if isinstance(parent, list):
        del parent[int(parts[-1])]
    else:
        del parent[parts[-1]]
    return doc


def strategic_merge(target: Any, patch: Any, shape: Shape | None = None) -> Any:
    """Strategic merge patch of a built-in object: lists whose schema says ``patchStrategy: merge``
    merge by their ``patchMergeKey`` (containers by name, ports by containerPort), other lists are
    replaced, maps merge recursively."""
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    orders = {k.partition("/")[2]: v for k, v in patch.items() if k.startswith("$setElementOrder/")}
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.partition("/")[2]
            if isinstance(out.get(field), list) and isinstance(v, list):
                out[field] = [x for x in out[field] if x not in v]
            continue
        if k.startswith("$"):
            continue
        child = shape.child(k) if shape is not None else None
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, child, orders.get(k))
        else:
            merged = strategic_merge(out.get(k), v, child)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
    if "$retainKeys" in patch and isinstance(patch["$retainKeys"], list):
        keep = set(patch["$retainKeys"])
        out = {k: v for k, v in out.items() if k in keep}
    return out


def _merge_list(current: Any, patch: list[Any], shape: Shape | None, order: Any) -> Any:
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [clone(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    strategy = shape.patch_strategy if shape is not None else ""
    if "merge" not in strategy.split(",") or not isinstance(current, list):
        return [clone(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    merge_key = shape.merge_key if shape is not None else ""

    def key(item: Any) -> Any:
        return json.dumps(
            item.get(merge_key) if merge_key and isinstance(item, dict) else item, sort_keys=True
        )

    merged = list(current)
    wanted: list[Any] = []
    for item in patch:
        at = next((n for n, cur in enumerate(merged) if key(cur) == key(item)), None)
        if isinstance(item, dict) and item.get("$patch") == "delete":
            if at is not None:
                del merged[at]
            continue
        wanted.append(key(item))
        if at is None:
            merged.append(
                strategic_merge({}, item, shape.item if shape is not None else None)
                if merge_key
                else clone(item)
            )
        elif merge_key:
            merged[at] = strategic_merge(merged[at], item, shape.item if shape is not None else None)
    if isinstance(order, list):
        wanted = [key(i) for i in order]
    server = [key(i) for i in current]
    patched = sorted((i for i in merged if key(i) in wanted), key=lambda i: wanted.index(key(i)))
    server_only = [i for i in merged if key(i) not in wanted]
    return _merge_sorted(server_only, patched, server, key)


def _merge_sorted(left: list[Any], right: list[Any], server: list[str], key: Any) -> list[Any]:
    """apimachinery's mergeSortedSlice: the live-only items and the patched items, each in their own
    order, interleaved; an item both lists know goes where the live list had it."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = key(left[i]), key(right[j])
            if li in server and ri in server and server.index(li) < server.index(ri):
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out
