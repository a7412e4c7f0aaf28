"""The three non-apply patch formats: JSON merge patch, JSON patch and strategic merge patch.

Strategic merge follows the list keys of listsemantics.py (containers by name, ports by containerPort,
...) and understands the directives kubectl sends (``$patch: delete|replace|merge``,
``$setElementOrder/<list>``, ``$deleteFromPrimitiveList/<list>``, ``$retainKeys``). Called by
operations.py; every function returns a new value and leaves its inputs alone.
"""

from __future__ import annotations

from typing import Any

from designer.sandbox.listsemantics import item_key, list_type
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
            raise ApiError(
                422,
                "Invalid",
                f"the server rejected our request due to an error in our request: "
                f"path /{'/'.join(parts)} does not exist",
            )
    return node


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test on a deep copy of ``doc``."""
    if not isinstance(operations, list):
        raise bad_request("a JSON patch must be a list of operations")
    doc = clone(doc)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise bad_request(f"invalid JSON patch operation: {op!r}")
        kind, parts = op["op"], _pointer(op["path"])
        if kind == "test":
            if _resolve(doc, parts) != op.get("value"):
                raise ApiError(
                    422,
                    "Invalid",
                    f"the server rejected our request due to an error in our "
                    f"request: testing value {op['path']} failed",
                )
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


def strategic_merge(target: Any, patch: Any, names: tuple[str, ...] = (), builtin: bool = True) -> Any:
    """Strategic merge patch of built-in objects (lists merge by their keys)."""
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.partition("/")[2]
            if isinstance(out.get(field), list) and isinstance(v, list):
                out[field] = [x for x in out[field] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, (*names, k), builtin)
        else:
            merged = strategic_merge(out.get(k), v, (*names, k), builtin)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
    if "$retainKeys" in patch and isinstance(patch["$retainKeys"], list):
        keep = set(patch["$retainKeys"])
        out = {k: v for k, v in out.items() if k in keep}
    return out


def _merge_list(current: Any, patch: list[Any], names: tuple[str, ...], builtin: bool) -> Any:
    semantics = list_type(names, builtin)
    if not isinstance(current, list):
        current = []
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [clone(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    if semantics == "set" or names[-1:] == ("finalizers",):
        return list(current) + [clone(v) for v in patch if v not in current]
    if not isinstance(semantics, tuple):
        return [clone(i) for i in patch]
    keys = semantics
    result = list(current)
    for item in patch:
        key = item_key(item, keys) or item_key(item, keys[:1])
        if key is None:
            return [clone(i) for i in patch]
        at = next(
            (n for n, cur in enumerate(result) if (item_key(cur, tuple(key)) == key)),
            None,
        )
        if isinstance(item, dict) and item.get("$patch") == "delete":
            if at is not None:
                del result[at]
            continue
        if at is None:
            result.append(strategic_merge({}, item, names, builtin))
        else:
            result[at] = strategic_merge(result[at], item, names, builtin)
    return result
