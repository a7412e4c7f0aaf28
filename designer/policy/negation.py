"""OPA's hoisting of dynamic terms out of ``not``, written into the source for regorus.

OPA's compiler moves every reference and call nested in a call's arguments, in an index, or in a
composite literal into an assignment of its own before the expression (``not startswith(input.x, "a")``
becomes ``__local0__ = input.x; not startswith(__local0__, "a")``). For a negated expression this
decides the answer: when ``input.x`` is undefined the whole body is undefined in OPA, while regorus
negates the undefined call and succeeds, a false positive in every ``deny`` written that way.

The same rules as OPA's, per expression form:

* ``a = b`` and ``a == b`` (OPA reads ``==`` as unification inside rules): a side that is a reference
  keeps it, only its dynamic indexes are hoisted (``not input.x == "a"`` stays true when ``input.x`` is
  missing); any other side is hoisted as a term.
* calls, comparisons other than ``==``, arithmetic, set operators and ``in``: every operand.
* a term alone (``not s[input.k]``): its dynamic indexes.

Hoisting a term: a reference (and a variable naming a rule, ``input`` or ``data``) or a call is
assigned to a fresh variable after its own parts are hoisted; arrays, sets and objects keep their
shape with their members hoisted; comprehensions keep their own bodies (rewritten on their own).
A ``with`` on the statement is repeated on each assignment, as OPA does.

Caller: designer.policy.loader (through designer.policy.rewrites' pass list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from designer.errors import Location, PolicyError
from designer.policy import regoast
from designer.policy.regoast import Node, Span
from designer.policy.rewrites import Edit, ModuleContext, apply_edits, statement_edits

_CALL_LIKE = ("Call", "ArithExpr", "BinExpr", "Membership", "UnaryExpr")
_REFS = ("RefDot", "RefBrack")
_SCALARS = ("String", "RawString", "Number", "Bool", "Null")


def hoist_negations(ctx: ModuleContext) -> list[Edit]:
    """Edits that hoist the dynamic terms of every negated expression of the module."""
    edits: list[Edit] = []
    for indexed in ctx.rules:
        local = frozenset(indexed.declared)
        for query, statement in indexed.statements:
            literal = regoast.tagged(statement.get("literal"))
            if literal is not None and literal[0] == "NotExpr":
                edits.extend(_hoisted(ctx, local, query, statement, literal[1]))
    return edits


def _hoisted(
    ctx: ModuleContext, local: frozenset[str], query: Node, statement: Node, negation: Node
) -> list[Edit]:
    _refuse_wildcards(ctx, negation["expr"])
    hoister = _Hoister(ctx, local)
    inner = hoister.expression(negation["expr"])
    if not hoister.assignments:
        return []
    statement_span = Span.of(statement)
    negated = Span.of(negation)
    modifiers = ctx.source[negated.end : statement_span.end].decode("utf-8")
    body = apply_edits(ctx.source[negated.start : negated.end], _shift(inner, negated.start)).decode()
    parts = [f"{assignment}{modifiers}" for assignment in hoister.assignments]
    replacement = "; ".join([*parts, body + modifiers])
    return statement_edits(ctx, query, statement_span, replacement)


@dataclass(slots=True)
class _Hoister:
    ctx: ModuleContext
    local: frozenset[str]
    assignments: list[str] = field(default_factory=list)

    def expression(self, expr: Node) -> list[Edit]:
        """Edits inside one negated expression."""
        tag, body = regoast.tagged(expr) or ("", {})
        if tag in ("AssignExpr", "BoolExpr") and body.get("op") in ("Eq", "Equal"):
            return self.in_term(body["lhs"]) + self.in_term(body["rhs"])
        if tag == "BoolExpr" or tag in _CALL_LIKE:
            return [edit for operand in _operands(tag, body) for edit in self.replace(operand)]
        return self.in_term(expr)

    def in_term(self, term: Node) -> list[Edit]:
        """A term in place: a reference keeps itself and hoists its indexes; others are hoisted."""
        tag, _ = regoast.tagged(term) or ("", {})
        if tag in _REFS or tag == "Var":  # a variable naming a rule is a reference too
            return self.indexes(term)
        return self.replace(term)

    def replace(self, term: Node) -> list[Edit]:
        """The edit that puts a term's hoisted form in its place (none when it stays as written)."""
        span = _span(term)
        text = self.one(term)
        if span is None or text == self.ctx.text(span):
            return []
        return [Edit(span.start, span.end, text)]

    def one(self, term: Node) -> str:
        """The text that stands for ``term`` after its dynamic parts are hoisted."""
        tag, body = regoast.tagged(term) or ("", {})
        span = _span(term)
        if span is None:
            return ""
        if tag in _REFS:
            return self.hoist(self.rewritten(span, self.indexes(term)))
        if tag == "Var":
            name = str(body["value"])
            is_ref = name in ("input", "data") or (name in self.ctx.package_rules and name not in self.local)
            return self.hoist(name) if is_ref else name
        if tag in _CALL_LIKE or tag == "BoolExpr":
            inner = [edit for operand in _operands(tag, body) for edit in self.replace(operand)]
            return self.hoist(self.rewritten(span, inner))
        if tag in ("Array", "Set"):
            inner = [edit for item in body.get("items") or [] for edit in self.replace(item)]
            return self.rewritten(span, inner)
        if tag == "Object":
            inner = [
                edit
                for _, key, value in body.get("fields") or []
                for t in (key, value)
                for edit in self.replace(t)
            ]
            return self.rewritten(span, inner)
        return self.ctx.text(span)

    def indexes(self, ref: Node) -> list[Edit]:
        """Edits hoisting the dynamic indexes of a reference chain (``s[input.k]`` -> ``s[__dsg1__]``)."""
        edits: list[Edit] = []
        node = regoast.tagged(ref)
        while node is not None and node[0] in _REFS:
            if node[0] == "RefBrack":
                index = node[1]["index"]
                index_tag = (regoast.tagged(index) or ("", {}))[0]
                if index_tag not in _SCALARS:
                    edits.extend(self.replace(index))
            node = regoast.tagged(node[1]["refr"])
        return edits

    def hoist(self, text: str) -> str:
        var = self.ctx.fresh()
        self.assignments.append(f"{var} = {text}")
        return var

    def rewritten(self, span: Span, edits: list[Edit]) -> str:
        return apply_edits(self.ctx.source[span.start : span.end], _shift(edits, span.start)).decode()


def _refuse_wildcards(ctx: ModuleContext, expr: Node) -> None:
    """``not input.xs[_] == "a"``: OPA refuses it (``var _ is unsafe``: nothing outside the negation
    can bind it); regorus answers something else. Comprehensions bind their own ``_``."""
    stack: list[Any] = [expr]
    while stack:
        item = stack.pop()
        node = regoast.tagged(item)
        if node is None:
            if isinstance(item, list):
                stack.extend(item)
            continue
        tag, body = node
        if tag in ("ArrayCompr", "SetCompr", "ObjectCompr"):
            continue
        if tag == "Var" and body.get("value") == "_":
            span = Span.of(body)
            raise PolicyError(
                "policy error: var _ is unsafe: a wildcard inside `not` is bound by nothing (OPA refuses this too)",
                hint="bind the element first (`some x in xs; not x == …`) or use a comprehension "
                "(`count([x | some x in xs; x == …]) == 0`)",
                location=Location(ctx.path, span.line, span.col),
            )
        stack.extend(v for v in body.values() if isinstance(v, dict | list))


def _operands(tag: str, body: Node) -> list[Node]:
    if tag == "Call":
        return list(body.get("params") or [])
    if tag == "UnaryExpr":
        return [body["expr"]]
    if tag == "Membership":
        return [t for t in (body.get("key"), body.get("value"), body.get("collection")) if t is not None]
    return [body["lhs"], body["rhs"]]


def _span(term: Node) -> Span | None:
    node = regoast.tagged(term)
    return Span.of(node[1]) if node is not None else None


def _shift(edits: list[Edit], offset: int) -> list[Edit]:
    return [Edit(e.start - offset, e.end - offset, e.text) for e in edits]
