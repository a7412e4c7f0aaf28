"""Label selectors (``=``, ``==``, ``!=``, ``in``, ``notin``, exists, ``!``) and field selectors.

Parsed once per request into a predicate over objects. Used by operations.py (list, deletecollection)
and watch.py (event filtering).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from designer.sandbox.status import bad_request

Predicate = Callable[[dict[str, Any]], bool]

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")


def _split(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _requirement(text: str) -> Callable[[dict[str, str]], bool]:
    for op in ("!=", "==", "="):
        if op in text and "(" not in text:
            key, _, value = text.partition(op)
            key, value = key.strip(), value.strip()
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    match = _SET_RE.match(text)
    if not match:
        raise bad_request(f"unable to parse requirement: {text!r}")
    negate, key, op, values = match.groups()
    if op:
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in allowed
        return lambda labels: labels.get(key) not in allowed
    if negate:
        return lambda labels: key not in labels
    return lambda labels: key in labels


def label_selector(text: str | None) -> Predicate | None:
    if not text:
        return None
    requirements = [_requirement(p) for p in _split(text)]

    def matches(obj: dict[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(r(labels) for r in requirements)

    return matches


def _field(obj: dict[str, Any], dotted: str) -> str:
    node: Any = obj
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        return ""
    return str(node).lower() if isinstance(node, bool) else str(node)


def field_selector(text: str | None) -> Predicate | None:
    if not text:
        return None
    checks: list[tuple[str, str, bool]] = []
    for part in _split(text):
        negate = "!=" in part
        key, _, value = part.partition("!=" if negate else ("==" if "==" in part else "="))
        checks.append((key.strip(), value.strip(), negate))

    def matches(obj: dict[str, Any]) -> bool:
        return all((_field(obj, k) == v) != neg for k, v, neg in checks)

    return matches


def combine(*predicates: Predicate | None) -> Predicate | None:
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    return lambda obj: all(p(obj) for p in active)
