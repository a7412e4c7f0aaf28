"""Recursion in users' Rego, refused at load time as OPA's compiler refuses it.

Rego has no recursion: OPA reports ``rego_recursion_error: rule data.x.f is recursive: data.x.f ->
data.x.f`` before evaluating anything. regorus finds recursion between rules only while evaluating,
and a recursive *function* overflows its stack: the process dies with SIGSEGV, no message. So the
loader builds the graph OPA builds (each rule or function -> the rules and functions its head and
bodies refer to, through ``data.`` paths or names of its own package) and refuses every cycle with
the file:line of a rule on it.

Aliases are already written out as ``data.`` paths (designer.policy.rewrites) when this runs. A
reference to a package (``data.lib``) depends on every rule under it, as in OPA.

Caller: designer.policy.loader.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from designer.errors import Location, PolicyError
from designer.policy import regoast
from designer.policy.regoast import Node

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """What the check needs of one module: its display path, package and indexed rules."""

    path: str
    package: tuple[str, ...]
    rules: list[regoast.IndexedRule]


def check_recursion(modules: Sequence[ParsedModule]) -> None:
    """Raise PolicyError naming every cycle of rule and function references (none: return)."""
    where: dict[Path, Location] = {}
    for module in modules:
        package = ("data", *module.package)
        for indexed in module.rules:
            rule = indexed.rule
            where.setdefault((*package, *rule.path), Location(module.path, rule.span.line, rule.span.col))
    graph: dict[Path, set[Path]] = {node: set() for node in where}
    rule_names: dict[Path, set[str]] = {}
    for module in modules:
        package = ("data", *module.package)
        rule_names.setdefault(package, set()).update(i.rule.path[0] for i in module.rules if i.rule.path)
    for module in modules:
        package = ("data", *module.package)
        own = rule_names[package]
        for indexed in module.rules:
            source = (*package, *indexed.rule.path)
            for parts in _references(_dependencies(indexed.rule.node)):
                graph[source].update(_targets(parts, package, own - indexed.declared, where))
    cycles = _cycles(graph)
    if not cycles:
        return
    lines = []
    for cycle in cycles:
        names = [".".join(node) for node in cycle]
        lines.append(f"{where[cycle[0]]}: rule {names[0]} is recursive: {' -> '.join([*names, names[0]])}")
    raise PolicyError(
        "policy recursion: " + "; ".join(lines),
        hint="Rego has no recursion (OPA refuses these rules too); rewrite with walk() or graph.reachable()",
        location=where[cycles[0][0]],
    )


def _dependencies(rule: Node) -> list[object]:
    """The parts of a rule that read other rules: bodies and head values, not the head's own name."""
    parts: list[object] = [rule.get("bodies") or [], rule.get("value")]
    head = regoast.tagged(rule.get("head"))
    if head is not None:
        parts.extend(value for key, value in head[1].items() if key not in ("refr", "args", "span"))
    return parts


def _references(root: object) -> Iterator[list[str | Node]]:
    """The outermost references and call targets under ``root`` (not their inner prefixes); the
    targets of ``with`` are replaced values, not dependencies."""
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if type(item) is list:
            stack.extend(item)
            continue
        if type(item) is not dict:
            continue
        found = regoast.tagged(item)
        if found is not None and found[0] in ("Var", "RefDot", "RefBrack"):
            parts = regoast.ref_path(item)
            if parts is not None:
                yield parts
            stack.extend(_indexes(item))
            continue
        for key, value in item.items():
            if key == "with_mods":
                stack.extend(modifier["as"] for modifier in value)
            elif type(value) is dict or type(value) is list:
                stack.append(value)


def _indexes(ref: Node) -> list[Node]:
    found: list[Node] = []
    node = regoast.tagged(ref)
    while node is not None and node[0] in ("RefDot", "RefBrack"):
        if node[0] == "RefBrack":
            found.append(node[1]["index"])
        node = regoast.tagged(node[1]["refr"])
    if node is not None and node[0] not in ("Var",):
        found.append({node[0]: node[1]})  # a call or literal at the root of the chain
    return found


def _targets(parts: list[str | Node], package: Path, own: set[str], where: dict[Path, Location]) -> set[Path]:
    """The rules a reference reaches: the longest rule path it starts with, or all rules below it."""
    names = regoast.static_prefix(parts)
    if not names:
        return set()
    if names[0] == "data":
        full = names
    elif names[0] in own:
        full = (*package, *names)
    else:
        return set()
    for length in range(len(full), 1, -1):
        if full[:length] in where:
            return {full[:length]}
    return {node for node in where if node[: len(full)] == full}


def _cycles(graph: dict[Path, set[Path]]) -> list[list[Path]]:
    """One cycle per group of mutually recursive rules, in a stable order."""
    remaining = {node: set(edges) for node, edges in graph.items()}
    cycles: list[list[Path]] = []
    while True:
        try:
            graphlib.TopologicalSorter(remaining).prepare()
        except graphlib.CycleError as exc:
            cycle = list(exc.args[1][:-1])
            cycle.reverse()  # graphlib lists dependencies first; OPA reads "a depends on b"
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
            for node in cycle:
                remaining.pop(node, None)
            for edges in remaining.values():
                edges.difference_update(cycle)
            continue
        return sorted(cycles, key=lambda c: min(c))
