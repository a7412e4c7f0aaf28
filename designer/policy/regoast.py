"""A read-only view of regorus's syntax tree: rules, references, calls and their byte spans.

regorus gives its parse tree as JSON (designer.policy.backend.parse_module): tagged nodes
(``{"Var": {...}}``, ``{"RefDot": {...}}``, ``{"NotExpr": {...}}``…, always a capitalised key) holding
fields and a ``span`` of 1-based line and byte column plus ``start``/``end`` byte offsets into the
source. The loader reads it to decide which rules to query, to find the constructs regorus evaluates
differently from OPA, and to build the call graph that rejects recursion; the rewrites edit the source
by those byte offsets.

Callers: designer.policy.loader, designer.policy.rewrites, designer.policy.negation,
designer.policy.recursion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Node = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node sits: 1-based line and byte column, and its byte range in the source."""

    line: int
    col: int
    start: int
    end: int

    @classmethod
    def of(cls, raw: Node) -> Span:
        """The span of a node body (or a bare span object)."""
        found = raw.get("span", raw)
        return cls(int(found["line"]), int(found["col"]), int(found["start"]), int(found["end"]))


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule or function definition of a module.

    ``path`` is the static part of the head's reference (``("a", "b")`` for ``a.b[k] := v``), ``kind``
    one of ``complete``, ``set`` (``contains``/v0 ``p[x]``), ``multivalue`` (``p[k] contains v``),
    ``object`` (``p[k] := v``), ``function`` or ``default``; ``node`` is the tagged body (``Spec`` or
    ``Default``).
    """

    path: tuple[str, ...]
    kind: str
    span: Span
    node: Node

    @property
    def name(self) -> str:
        """The first component of the head (what conftest and ``opa test`` call the rule's name)."""
        return self.path[0]


def tagged(value: Any) -> tuple[str, Node] | None:
    """``(tag, body)`` for a tagged node such as ``{"Var": {...}}``, else None."""
    if type(value) is dict and len(value) == 1:
        ((key, body),) = value.items()
        if key[:1].isupper() and type(body) is dict:
            return key, body
    return None


def body_of(value: Any) -> Node:
    """The body of a tagged node (``{}`` when ``value`` is not one)."""
    found = tagged(value)
    return found[1] if found is not None else {}


def walk(value: Any, *, opaque: frozenset[str] = frozenset()) -> list[tuple[str, Node]]:
    """Every tagged node inside ``value`` (itself included), parents before children; the nodes
    tagged with a name in ``opaque`` are listed but not entered.

    The trees are plain JSON (dicts and lists), so exact type tests keep this fast: the loader walks
    every module several times.
    """
    found: list[tuple[str, Node]] = []
    stack = [value]
    pop, push, add = stack.pop, stack.append, found.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                child_kind = type(child)
                if child_kind is dict:
                    if key[0].isupper():
                        add((key, child))
                        if key in opaque:
                            continue
                    push(child)
                elif child_kind is list:
                    push(child)
        elif kind is list:
            stack.extend(reversed(item))
    return found


@dataclass(slots=True)
class IndexedRule:
    """A rule with its nodes and statements gathered once (the rewrites read them many times)."""

    rule: Rule
    raw: Node  # the tagged rule as in the tree (``{"Spec": …}``)
    nodes: list[tuple[str, Node]]
    statements: list[tuple[Node, Node]]  # (query, statement), nested queries included
    declared: set[str]


def index_rules(tree: Node, source: bytes) -> list[IndexedRule]:
    """Every rule of a module with its nodes, statements and locally declared names."""
    indexed: list[IndexedRule] = []
    for rule, raw in zip(rules_of(tree), _raw_rules(tree), strict=True):
        nodes = walk(rule.node)
        queries = [item["query"] for item in rule.node.get("bodies") or []]
        queries.extend(body["query"] for _, body in nodes if type(body.get("query")) is dict)
        statements = [(query, statement) for query in queries for statement in query.get("stmts") or []]
        indexed.append(IndexedRule(rule, raw, nodes, statements, _declared(rule.node, nodes, source)))
    return indexed


def _raw_rules(tree: Node) -> list[Node]:
    return [raw for raw in tree.get("rules") or [] if _rule_body(raw) is not None]


def _rule_body(raw: Node) -> Node | None:
    node = tagged(raw)
    if node is None:
        return None
    if node[0] == "Default" or tagged(node[1].get("head")) is not None:
        return node[1]
    return None


def ref_path(value: Any) -> list[str | Node] | None:
    """A reference as its components: names and string keys as text, other indexes as nodes.

    ``input.spec[x].name`` -> ``["input", "spec", {Var x}, "name"]``; None when the root is not a
    variable (a call's result, a literal).
    """
    node = tagged(value)
    if node is None:
        return None
    tag, body = node
    if tag == "Var":
        return [str(body["value"])]
    if tag == "RefDot":
        base = ref_path(body["refr"])
        return None if base is None else [*base, str(body["field"][1])]
    if tag == "RefBrack":
        base = ref_path(body["refr"])
        if base is None:
            return None
        index = tagged(body["index"])
        if index is not None and index[0] == "String":
            return [*base, str(index[1]["value"])]
        return [*base, body["index"]]
    return None


def static_prefix(parts: list[str | Node]) -> tuple[str, ...]:
    """The leading components of a reference that are plain names."""
    names: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            break
        names.append(part)
    return tuple(names)


def package_of(tree: Node) -> tuple[str, ...]:
    """The package path without ``data`` (``("lib", "k8s")``)."""
    parts = ref_path(tree["package"]["refr"]) or []
    return static_prefix(parts)


def imports_of(tree: Node, source: bytes) -> dict[str, tuple[str, ...]]:
    """Import aliases -> the imported path (``{"L": ("data", "lib")}``); ``rego.v1`` and
    ``future.keywords`` are left out. The alias is read from the source (the tree holds its span only)."""
    found: dict[str, tuple[str, ...]] = {}
    for item in tree.get("imports") or []:
        path = static_prefix(ref_path(item["refr"]) or [])
        if not path or path[0] not in ("data", "input"):
            continue
        alias_span = item.get("as")
        alias = source[alias_span["start"] : alias_span["end"]].decode() if alias_span else path[-1]
        found[alias] = path
    return found


def rules_of(tree: Node) -> list[Rule]:
    """Every rule of a module, in source order."""
    found: list[Rule] = []
    for raw in tree.get("rules") or []:
        node = tagged(raw)
        if node is None or _rule_body(raw) is None:
            continue
        tag, body = node
        if tag == "Default":
            path = static_prefix(ref_path(body["refr"]) or [])
            found.append(Rule(path, "default", Span.of(body["refr"][next(iter(body["refr"]))]), body))
            continue
        head = tagged(body["head"])
        if head is None:
            continue
        head_tag, head_body = head
        parts = ref_path(head_body["refr"]) or []
        path = static_prefix(parts)
        if head_tag == "Func":
            kind = "function"
        elif head_tag == "Set":
            kind = "multivalue" if len(path) < len(parts) else "set"
        elif len(path) < len(parts):
            kind = "object"
        else:
            kind = "complete"
        found.append(Rule(path, kind, Span.of(body), body))
    return found


def call_name(call: Node) -> str | None:
    """The dotted name a ``Call`` node calls (``startswith``, ``data.lib.f``, ``L.f``)."""
    parts = ref_path(call["fcn"])
    if parts is None or not all(isinstance(p, str) for p in parts):
        return None
    return ".".join(str(p) for p in parts)


def declared_vars(rule: Node, source: bytes) -> set[str]:
    """Names a rule binds locally: function arguments, ``:=`` targets, ``some`` and ``every`` variables.

    Approximate on purpose (scopes are merged per rule): a name bound anywhere in the rule is not read
    as a reference to a rule of the package, which can only hide a dependency, never invent one.
    """
    return _declared(rule, walk(rule.get("bodies") or []), source)


def _declared(rule: Node, nodes: list[tuple[str, Node]], source: bytes) -> set[str]:
    names: set[str] = set()
    head = tagged(rule.get("head"))
    if head is not None:
        for arg in head[1].get("args") or []:
            names.update(_vars_in(arg))
    for tag, body in nodes:
        if tag == "AssignExpr" and body.get("op") == "ColEq":
            names.update(_vars_in(body["lhs"]))
        elif tag == "SomeVars":
            names.update(_text(source, raw) for raw in body.get("vars") or [])
        elif tag == "SomeIn":
            names.update(_vars_in(body.get("key")) | _vars_in(body.get("value")))
        elif tag == "Every":
            names.update(_text(source, raw) for raw in (body.get("key"), body.get("value")) if raw)
    return names


def _text(source: bytes, span: Node) -> str:
    return source[int(span["start"]) : int(span["end"])].decode("utf-8", "replace")


def _vars_in(value: Any) -> set[str]:
    return {str(body["value"]) for tag, body in walk(value) if tag == "Var"}
