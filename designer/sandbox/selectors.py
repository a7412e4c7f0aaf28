"""Label selectors (``=``, ``==``, ``!=``, ``in``, ``notin``, exists, ``!``, ``<``, ``>``) and field
selectors, parsed as apimachinery's labels and fields parsers do, with their error messages.

Each selector becomes a predicate over objects once per request. A field selector may only name the
fields a kind supports (``metadata.name`` and ``metadata.namespace`` everywhere, a few more for pods,
events, namespaces, secrets, nodes, replica sets and jobs). Used by operations.py (list,
deletecollection), lifecycle.py and watch.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from designer.sandbox.status import bad_request
from designer.sandbox.validation import label_key_problem, label_value_problem

Predicate = Callable[[dict[str, Any]], bool]
Labels = dict[str, str]

_SYMBOLS = ("!=", "==", "!", "(", ")", ",", "=", ">", "<")
_KEYWORDS = {"in", "notin"}
_BINARY = "=, ==, !=, in, notin, gt, lt"
_END = ""  # the literal of the end-of-string token

_GENERIC_FIELDS = ("metadata.name", "metadata.namespace")
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "Pod": (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    ),
    "Event": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    "Namespace": ("status.phase",),
    "Secret": ("type",),
    "Node": ("spec.unschedulable",),
    "ReplicaSet": ("status.replicas",),
    "Job": ("status.successful",),
}


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, literal) tokens: "op" for symbols and keywords, "id" for identifiers; then "end"."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
        if symbol is not None:
            out.append(("op", symbol))
            i += len(symbol)
            continue
        start = i
        while i < len(text) and not text[i].isspace() and not any(text.startswith(s, i) for s in _SYMBOLS):
            i += 1
        word = text[start:i]
        out.append(("op" if word in _KEYWORDS else "id", word))
    out.append(("end", _END))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, values: bool = True) -> tuple[str, str]:
        kind, literal = self.tokens[self.at]
        if values and kind == "op" and literal in _KEYWORDS:
            return ("id", literal)  # in a value position "in" is just a word
        return kind, literal

    def take(self, values: bool = True) -> tuple[str, str]:
        token = self.peek(values)
        self.at += 1
        return token

    def parse(self) -> list[Callable[[Labels], bool]]:
        requirements: list[Callable[[Labels], bool]] = []
        while True:
            kind, literal = self.peek()
            if kind == "end":
                return requirements
            if kind != "id" and literal != "!":
                raise ValueError(f"found '{literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except ValueError as exc:
                raise ValueError(f"unable to parse requirement: {exc}") from None
            kind, literal = self.take()
            if kind == "end":
                return requirements
            if literal != ",":
                raise ValueError(f"found '{literal}', expected: ',' or 'end of string'")
            kind, literal = self.peek()
            if kind != "id" and literal != "!":
                raise ValueError(f"found '{literal}', expected: identifier after ','")

    def requirement(self) -> Callable[[Labels], bool]:
        absent = False
        kind, key = self.take()
        if key == "!":
            absent = True
            kind, key = self.take()
        if kind != "id":
            raise ValueError(f"found '{key}', expected: identifier")
        problem = label_key_problem(key)
        if problem is not None:
            raise ValueError(f'<nil>: Invalid value: "{key}": {problem}')  # a key error names no field
        following = self.peek()
        if absent:
            return lambda labels: key not in labels
        if following[0] == "end" or following[1] == ",":
            return lambda labels: key in labels
        op = self.take(values=False)[1]
        if op in ("in", "notin"):
            values = self.values()
        elif op in ("=", "==", "!=", ">", "<"):
            values = self.exact()
        else:
            raise ValueError(f"found '{op}', expected: {_BINARY}")
        for n, value in enumerate(values):
            problem = label_value_problem(value)
            if problem is not None:
                raise ValueError(f'values[{n}][{key}]: Invalid value: "{value}": {problem}')
        return _matcher(key, op, values)

    def values(self) -> list[str]:
        kind, literal = self.take()
        if literal != "(":
            raise ValueError(f"found '{literal}' expected: '('")
        kind, literal = self.peek()
        if literal == ")":
            self.take()
            return [""]
        if kind != "id" and literal != ",":
            raise ValueError(f"found '{literal}', expected: ',', ')' or identifier")
        out: list[str] = []
        while True:
            kind, literal = self.take()
            if kind == "id":
                out.append(literal)
                kind, literal = self.peek()
                if literal == ",":
                    self.take()
                    if self.peek()[1] == ")":
                        out.append("")
                        self.take()
                        return out
                    continue
                if literal == ")":
                    self.take()
                    return out
                raise ValueError(f"found '{literal}', expected: ',' or ')'")
            if literal == ",":
                out.append("")
                continue
            raise ValueError(f"found '{literal}', expected: ',', or identifier")

    def exact(self) -> list[str]:
        kind, literal = self.peek()
        if kind == "end" or literal == ",":
            return [""]
        kind, literal = self.take()
        if kind == "id":
            return [literal]
        raise ValueError(f"found '{literal}', expected: identifier")


def _matcher(key: str, op: str, values: list[str]) -> Callable[[Labels], bool]:
    if op in ("=", "=="):
        return lambda labels: labels.get(key) == values[0]
    if op == "!=":
        return lambda labels: labels.get(key) != values[0]
    if op == "in":
        allowed = set(values)
        return lambda labels: labels.get(key) in allowed
    if op == "notin":
        refused = set(values)
        return lambda labels: labels.get(key) not in refused
    bound = _number(values[0])

    def compare(labels: Labels) -> bool:
        value = labels.get(key)
        if value is None:
            return False
        try:
            number = int(value)
        except ValueError:
            return False
        return number > bound if op == ">" else number < bound

    return compare


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"for 'Gt', 'Lt' operators, the value must be an integer, got {text!r}") from None


def label_selector(text: str | None) -> Predicate | None:
    if not text:
        return None
    try:
        requirements = _Parser(text).parse()
    except ValueError as exc:
        raise bad_request(str(exc)) from None

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


def _terms(text: str) -> list[tuple[str, str, bool]]:
    checks: list[tuple[str, str, bool]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        for op, negate in (("!=", True), ("==", False), ("=", False)):
            if op in part:
                key, _, value = part.partition(op)
                checks.append((key.strip(), value.strip(), negate))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    return checks


def field_selector(text: str | None, kind: str = "") -> Predicate | None:
    """A field selector over the fields ``kind`` supports (any when ``kind`` is not given)."""
    if not text:
        return None
    checks = _terms(text)
    if kind:
        custom = _KIND_FIELDS.get(kind)
        for key, _, _ in checks:
            if key in _GENERIC_FIELDS or (custom and key in custom):
                continue
            if custom:
                raise bad_request(f"field label not supported: {key}")
            raise bad_request(
                f'"{key}" is not a known field selector: only "metadata.name", "metadata.namespace"'
            )

    def matches(obj: dict[str, Any]) -> bool:
        return all((_field(obj, k) == v) != neg for k, v, neg in checks)

    return matches


def combine(*predicates: Predicate | None) -> Predicate | None:
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    return lambda obj: all(p(obj) for p in active)
