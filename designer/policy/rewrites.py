"""Source rewrites that make users' Rego mean under regorus what it means under OPA.

Each rewrite reads regorus's syntax tree of a module (designer.policy.regoast) and returns byte-range
edits of its source. Edits never add or remove a line break, so every line stays where the user wrote
it and regorus's errors point into the user's file. Each rewrite is exact under OPA's semantics (OPA
gives the same answer before and after), so the rewritten modules are also what a second engine runs.

* `import_aliases`: ``import data.lib as L`` … ``L.pod`` -> ``data.lib.pod``. regorus evaluates the whole
  imported package for ``L.pod``, so an error in an unrelated sibling rule fails the caller.
* `relative_with`: ``with r as …`` where ``r`` is a rule of the same package -> ``with data.pkg.r as …``
  (regorus: "undefined rule").
* `metadata_rule`: ``rego.metadata.rule()`` -> the rule's ``# METADATA`` annotations as a literal
  (regorus has no such builtin and does not read METADATA comments).
* `regex_patterns`: literal patterns of ``regex.*`` builtins get ASCII classes (``\\d`` -> ``[0-9]``):
  Go's RE2, which OPA uses, reads them as ASCII; Rust's regex reads them as Unicode, which is slower and
  can exceed its compiled-size limit.
* `config_file_paths`: conftest resolves ``parse_config_file(p)`` against the policy file's folder;
  the folder is joined into the argument so the builtin needs no caller context.
* `else_values`: ``r := m[k] if {…} else := d`` computes ``m[k]`` at the end of its body (regorus:
  "rules must not produce multiple outputs").
* `self_unification`: ``x = s[x]`` -> ``__t = s[x]; x == __t`` (regorus: "var x is unsafe").
* `empty_multivalue_refs`: a whole reference to a ``p[k] contains v`` rule reads it key by key, so
  that it is ``{}`` without values, as in OPA (regorus: undefined).
* `bodiless_heads`: ``p contains input.a[_]`` -> ``p contains __v if { __v := input.a[_] }``: regorus
  raises for iteration in a bodiless head where OPA's rule is undefined.

designer.policy.negation adds OPA's hoisting of arguments out of ``not``. Callers: designer.policy.loader.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from designer.policy import regoast
from designer.policy.regoast import Node, Span

REGEX_BUILTINS = frozenset(
    {
        "regex.match",
        "regex.find_n",
        "regex.find_all_string_submatch_n",
        "regex.split",
        "regex.replace",
        "regex.is_valid",
        "re_match",
    }
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``source[start:end]`` (bytes) with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """A construct the loader cannot make exact: where it is and what differs from OPA."""

    file: str
    line: int
    message: str


class ModuleContext:
    """One module being rewritten, with what the rewrites need to know about its surroundings.

    ``tree`` is regorus's syntax tree of ``source``; setting it drops the rule index built from the
    previous one.
    """

    def __init__(self, path: str, source: bytes, tree: Node, *, v0: bool, folder: str | None = None) -> None:
        self.path = path
        self.source = source
        self.v0 = v0
        self.folder = folder  # the policy file's folder (for conftest's file builtins)
        self.package_rules: frozenset[str] = frozenset()  # rule names of the package, all its modules
        self.multivalue_rules: frozenset[tuple[str, ...]] = frozenset()  # `p[k] contains v` rule paths
        self.notes: list[Note] = []
        self.counter = itertools.count(1)
        self._tree = tree
        self._rules: list[regoast.IndexedRule] | None = None

    @property
    def tree(self) -> Node:
        """The syntax tree of ``source``."""
        return self._tree

    @tree.setter
    def tree(self, tree: Node) -> None:
        self._tree = tree
        self._rules = None

    @property
    def rules(self) -> list[regoast.IndexedRule]:
        """The rules of the module with their nodes and statements (built once per tree)."""
        if self._rules is None:
            self._rules = regoast.index_rules(self._tree, self.source)
        return self._rules

    @property
    def package(self) -> tuple[str, ...]:
        """The package path without ``data``."""
        return regoast.package_of(self._tree)

    def text(self, span: Span) -> str:
        """The source text of a span."""
        return self.source[span.start : span.end].decode("utf-8")

    def fresh(self) -> str:
        """A variable name no user writes (OPA's own generated names look like ``__local0__``)."""
        return f"__dsg{next(self.counter)}__"

    def note(self, line: int, message: str) -> None:
        """Record a construct that stays different from OPA."""
        self.notes.append(Note(self.path, line, message))


Rewrite = Callable[[ModuleContext], list[Edit]]


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """``source`` with ``edits`` applied; an edit overlapping an earlier one is left for a later pass."""
    out: list[bytes] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, -e.end)):
        if edit.start < position:
            continue
        out.append(source[position : edit.start])
        out.append(edit.text.encode("utf-8"))
        position = edit.end
    out.append(source[position:])
    return b"".join(out)


def dotted(path: Iterable[str]) -> str:
    """A reference written out: ``data.lib["my-pkg"].x``."""
    parts = list(path)
    text = parts[0]
    for part in parts[1:]:
        text += f".{part}" if _IDENTIFIER.match(part) else f"[{json.dumps(part)}]"
    return text


def import_aliases(ctx: ModuleContext) -> list[Edit]:
    """Uses of import aliases -> the full imported path."""
    aliases = regoast.imports_of(ctx.tree, ctx.source)
    if not aliases:
        return []
    edits: list[Edit] = []
    for indexed in ctx.rules:
        for tag, node in indexed.nodes:
            name = node.get("value") if tag == "Var" else None
            if isinstance(name, str) and name in aliases and name not in indexed.declared:
                target = aliases[name]
                if target != (name,):
                    span = Span.of(node)
                    edits.append(Edit(span.start, span.end, dotted(target)))
    return edits


def relative_with(ctx: ModuleContext) -> list[Edit]:
    """``with r as`` on a rule of the same package -> ``with data.<pkg>.r as``."""
    edits: list[Edit] = []
    for indexed in ctx.rules:
        for modifier in (m for _, statement in indexed.statements for m in statement.get("with_mods") or []):
            root = _root_var(modifier["refr"])
            if root is None:
                continue
            name, span = root
            if name not in ("input", "data") and name in ctx.package_rules:
                edits.append(Edit(span.start, span.end, dotted(("data", *ctx.package, name))))
    return edits


def metadata_rule(ctx: ModuleContext) -> list[Edit]:
    """``rego.metadata.rule()`` -> the enclosing rule's annotations (``{}`` when it has none)."""
    from designer.policy.regometa import annotations_by_line

    annotations: dict[int, dict[str, Any]] | None = None
    edits: list[Edit] = []
    for indexed in ctx.rules:
        rule = indexed.rule
        for tag, node in indexed.nodes:
            if tag != "Call" or regoast.call_name(node) != "rego.metadata.rule" or node.get("params"):
                continue
            if annotations is None:
                annotations = annotations_by_line(ctx.source.decode("utf-8"))
            value = annotations.get(rule.span.line, {})
            span = Span.of(node)
            edits.append(Edit(span.start, span.end, json.dumps(value, default=str, sort_keys=True)))
    return edits


def regex_patterns(ctx: ModuleContext) -> list[Edit]:
    """Regex patterns with RE2's ASCII meaning of ``\\d \\w \\s``: literal patterns of ``regex.*``
    calls, and the literals of this module's rules that such calls read their pattern from
    (``patterns := ["\\d+", …]`` … ``regex.match(patterns[i], x)``)."""
    from designer.policy.regexcompat import ascii_classes

    literals: list[Node] = []
    pattern_rules: set[str] = set()
    for indexed in ctx.rules:
        for tag, node in indexed.nodes:
            if tag != "Call" or regoast.call_name(node) not in REGEX_BUILTINS or not node.get("params"):
                continue
            pattern = node["params"][0]
            root = _root_var(pattern)
            if root is not None and root[0] in ctx.package_rules and root[0] not in indexed.declared:
                pattern_rules.add(root[0])
            else:
                literals.append(pattern)
    for indexed in ctx.rules:
        if indexed.rule.name in pattern_rules and indexed.rule.kind != "function":
            head = regoast.tagged(indexed.rule.node.get("head"))
            value = head[1] if head is not None else {}
            literals.extend(
                {tag: body} for tag, body in regoast.walk([value.get("assign"), value.get("key")])
            )
    edits: list[Edit] = []
    for term in literals:
        literal = _string_literal(ctx, term)
        if literal is None:
            continue
        start, end, pattern = literal
        rewritten = ascii_classes(pattern)
        if rewritten != pattern:
            edits.append(Edit(start, end, json.dumps(rewritten, ensure_ascii=False)))
    return edits


def config_file_paths(ctx: ModuleContext) -> list[Edit]:
    """conftest's file builtins get paths joined to the policy's folder, as conftest joins them."""
    if ctx.folder is None:
        return []
    folder = json.dumps(ctx.folder)
    edits: list[Edit] = []
    for tag, node in (found for indexed in ctx.rules for found in indexed.nodes):
        if tag != "Call" or len(node.get("params") or []) != 1:
            continue
        name = regoast.call_name(node)
        if name not in ("parse_config_file", "parse_combined_config_files"):
            continue
        arg = term_span(ctx, node["params"][0])
        text = ctx.text(arg)
        if name == "parse_config_file":
            edits.append(Edit(arg.start, arg.end, f'concat("/", [{folder}, {text}])'))
        elif name == "parse_combined_config_files":
            item = ctx.fresh()
            joined = f'[concat("/", [{folder}, {item}]) | {item} := {text}[_]]'
            edits.append(Edit(arg.start, arg.end, joined))
    return edits


def self_unification(ctx: ModuleContext) -> list[Edit]:
    """``x = s[x]`` (x on both sides) -> ``__t = s[x]; x == __t``."""
    edits: list[Edit] = []
    for query, statement in (found for indexed in ctx.rules for found in indexed.statements):
        found = regoast.tagged(statement.get("literal"))
        if found is None or found[0] != "Expr" or statement.get("with_mods"):
            continue
        expr = regoast.tagged(found[1]["expr"])
        if expr is None or expr[0] != "AssignExpr" or expr[1].get("op") != "Eq":
            continue
        sides = _self_reference(expr[1])
        if sides is None:
            continue
        var, ref = sides
        temp = ctx.fresh()
        replacement = f"{temp} = {ctx.text(Span.of(ref))}; {var} == {temp}"
        edits.extend(statement_edits(ctx, query, Span.of(statement), replacement))
    return edits


def bodiless_heads(ctx: ModuleContext) -> list[Edit]:
    """A bodiless rule whose head iterates (``[_]``, ``[k]``) gets that computation as its body.

    Only iteration differs: regorus raises "item cannot be indexed" for it in a head (even over an
    undefined value), where OPA's rule is undefined. A head that reads references, calls functions
    or builds a comprehension (whose iteration is its own body's) gives OPA's answer as written.
    """
    edits: list[Edit] = []
    for rule in (indexed.rule for indexed in ctx.rules):
        if rule.kind not in ("set", "multivalue", "complete", "object") or rule.node.get("bodies"):
            continue
        head = regoast.tagged(rule.node["head"])
        assert head is not None
        term = head[1].get("key") if head[0] == "Set" else (head[1].get("assign") or {}).get("value")
        if term is None or not _iterates(term):
            continue
        span = term_span(ctx, term)
        text = ctx.text(span)
        var = ctx.fresh()
        keyword = "" if ctx.v0 else " if"
        body = f"{keyword} {{ {var} := {text} }}"
        if "\n" not in text:
            edits.append(Edit(span.start, span.end, var))
            edits.append(Edit(rule.span.end, rule.span.end, body))
        elif span.end == rule.span.end:
            # The term ends the rule: the body goes where the term was, so its lines stay in place.
            edits.append(Edit(span.start, span.end, f"{var}{body}"))
        else:
            ctx.note(
                span.line,
                "a bodiless rule head that iterates over several lines is left as written: regorus "
                "may raise where OPA's rule is undefined (write it with a body)",
            )
    return edits


def empty_multivalue_refs(ctx: ModuleContext) -> list[Edit]:
    """A whole reference to a ``p[k] contains v`` rule -> ``{k: v | v := p[k]}``.

    OPA's value of such a rule without any value is ``{}``; regorus's is undefined, so a reference to
    it fails the expression (and, once OPA's hoisting is applied, a whole ``not`` body). Reading the
    rule key by key gives ``{}`` on both engines.
    """
    if not ctx.multivalue_rules:
        return []
    edits: list[Edit] = []
    for indexed in ctx.rules:
        inner = {
            id(regoast.body_of(body["refr"])) for tag, body in indexed.nodes if tag in ("RefDot", "RefBrack")
        }
        head = regoast.tagged(indexed.rule.node.get("head"))
        if head is not None:
            inner.update(id(body) for _, body in regoast.walk(head[1].get("refr")))
        for tag, body in indexed.nodes:
            if tag not in ("Var", "RefDot", "RefBrack") or id(body) in inner:
                continue
            parts = regoast.ref_path({tag: body}) or []
            names = regoast.static_prefix(parts)
            if len(names) != len(parts) or not names:
                continue
            if names[0] == "data":
                path = names[1:]
            elif names[0] in ctx.package_rules and names[0] not in indexed.declared:
                path = (*ctx.package, *names)
            else:
                continue
            if path in ctx.multivalue_rules:
                span = Span.of(body)
                key, value = ctx.fresh(), ctx.fresh()
                text = f"{{{key}: {value} | {value} := {ctx.text(span)}[{key}]}}"
                edits.append(Edit(span.start, span.end, text))
    return edits


def else_values(ctx: ModuleContext) -> list[Edit]:
    """In a rule with ``else``, a value indexed by a body variable (``r := m[k] if {…} else := d``)
    is computed at the end of its body instead: regorus refuses the head form ("rules must not produce
    multiple outputs")."""
    edits: list[Edit] = []
    for rule in (indexed.rule for indexed in ctx.rules):
        bodies = rule.node.get("bodies") or []
        if rule.kind not in ("complete", "function") or not any(b.get("is_else") for b in bodies):
            continue
        head = regoast.tagged(rule.node["head"])
        assert head is not None
        for body in bodies:
            assign = body.get("assign") if body.get("is_else") else head[1].get("assign")
            value = (assign or {}).get("value")
            if value is None or not _indexed_by_variable(value):
                continue
            query = Span.of(body["query"])
            span = term_span(ctx, value)
            text = ctx.text(span)
            braced = ctx.source[query.start : query.start + 1] == b"{" and body["query"].get("stmts")
            if not braced or "\n" in text:
                ctx.note(
                    span.line,
                    "a rule value indexed by a body variable, with `else`, is left as written: "
                    "regorus may report a conflict OPA does not (compute the value in a braced body)",
                )
                continue
            var = ctx.fresh()
            last = Span.of(body["query"]["stmts"][-1])
            separator = " " if b"\n" in ctx.source[last.end : query.end - 1] else "; "
            edits.append(Edit(span.start, span.end, var))
            edits.append(Edit(query.end - 1, query.end - 1, f"{separator}{var} := {text} "))
    return edits


def _indexed_by_variable(term: Node) -> bool:
    for tag, body in regoast.walk(term):
        if tag == "RefBrack" and (regoast.tagged(body["index"]) or ("",))[0] not in ("String", "Number"):
            return True
    return False


def term_span(ctx: ModuleContext, term: Node) -> Span:
    """The source range of a term; a string literal's includes its quotes (its node's does not)."""
    tag, body = regoast.tagged(term) or ("", {})
    span = Span.of(body)
    if tag in ("String", "RawString") and ctx.source[span.start - 1 : span.start] in (b'"', b"`"):
        return Span(span.line, span.col - 1, span.start - 1, span.end + 1)
    return span


def statement_edits(ctx: ModuleContext, query: Node, statement: Span, replacement: str) -> list[Edit]:
    """Replace one statement with several; a rule body written without braces gets them.

    A query's span starts at its ``{`` (rule and ``every`` bodies) or ``|`` (comprehensions); a rule
    body written as ``p if expr`` starts at the expression.
    """
    start = Span.of(query).start
    if ctx.source[start : start + 1] in (b"{", b"|"):
        return [Edit(statement.start, statement.end, replacement)]
    return [Edit(statement.start, statement.end, f"{{ {replacement} }}")]


def _root_var(ref: Node) -> tuple[str, Span] | None:
    node = regoast.tagged(ref)
    while node is not None and node[0] in ("RefDot", "RefBrack"):
        node = regoast.tagged(node[1]["refr"])
    if node is None or node[0] != "Var":
        return None
    return str(node[1]["value"]), Span.of(node[1])


def _self_reference(expr: Node) -> tuple[str, Node] | None:
    """``(x, s[x])`` when one side is the variable x and the other a reference indexed by x."""
    for var_side, ref_side in ((expr["lhs"], expr["rhs"]), (expr["rhs"], expr["lhs"])):
        var = regoast.tagged(var_side)
        ref = regoast.tagged(ref_side)
        if var is None or ref is None or var[0] != "Var" or ref[0] != "RefBrack":
            continue
        indexes = set()
        for part in regoast.ref_path(ref_side) or []:
            index = None if isinstance(part, str) else regoast.tagged(part)
            if index is not None and index[0] == "Var":
                indexes.add(index[1]["value"])
        if var[1]["value"] in indexes:
            return str(var[1]["value"]), ref[1]
    return None


_COMPREHENSIONS = frozenset({"ArrayCompr", "SetCompr", "ObjectCompr"})
_LITERALS = frozenset({"String", "RawString", "Number", "Bool", "Null"})


def _iterates(term: Node) -> bool:
    """Whether a head term indexes with a variable (``x[_]``, ``x[k]``) outside a comprehension."""
    return any(
        tag == "RefBrack" and (regoast.tagged(body.get("index")) or ("",))[0] not in _LITERALS
        for tag, body in regoast.walk(term, opaque=_COMPREHENSIONS)
    )


def _string_literal(ctx: ModuleContext, term: Node) -> tuple[int, int, str] | None:
    """``(start, end, value)`` of a one-line string literal, quotes included in the range."""
    node = regoast.tagged(term)
    if node is None or node[0] not in ("String", "RawString"):
        return None
    span = Span.of(node[1])
    start, end = span.start - 1, span.end + 1
    quote = ctx.source[start : start + 1]
    if quote not in (b'"', b"`") or ctx.source[end - 1 : end] != quote:
        return None
    if b"\n" in ctx.source[start:end]:
        return None
    return start, end, str(node[1]["value"])
