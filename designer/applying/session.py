"""From a loaded design to what the engine needs: rendered objects, dependencies, readiness rules.

`prepare` runs the shared pipeline (graph, render through the adapters; rendering also marks
``traits.prune: false`` objects, so diff and apply agree) and merges the graph's edges with the
adapters' ordering hints (a hint that would close a cycle is dropped: explicit and inferred edges win).
Callers: designer.cli.apply (apply and delete) and benchmarks/apply_bench.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.adapters.capabilities import ordering_hints, readiness_rules
from designer.adapters.readiness import Rule
from designer.adapters.registry import AdapterRegistry
from designer.applying.engine import ApplyOptions, apply_plan
from designer.applying.events import EventSink, RunResult
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.diffing.planner import plan_design
from designer.graph import build_graph
from designer.model import Component, Design, RenderedObject
from designer.planning import Plan
from designer.rendering import render


@dataclass(frozen=True, slots=True)
class Prepared:
    """A design ready to plan and apply."""

    design: Design
    components: tuple[Component, ...]  # graph order
    objects: tuple[RenderedObject, ...]  # apply order
    dependencies: dict[str, frozenset[str]]
    rules: dict[str, Rule]


def prepare(design: Design, registry: AdapterRegistry) -> Prepared:
    """Graph, render and merge ordering hints for ``design``."""
    graph = build_graph(design)
    order = graph.order()
    deps: dict[str, set[str]] = {name: set(graph.dependencies_of(name)) for name in order}
    for edge in ordering_hints(registry.adapters, design.components):
        if (
            edge.dependent in deps
            and edge.dependency in deps
            and not _reaches(deps, edge.dependency, edge.dependent)
        ):
            deps[edge.dependent].add(edge.dependency)
    objects = tuple(render(design, graph, registry))
    return Prepared(
        design=design,
        components=tuple(design.component(name) for name in order),
        objects=objects,
        dependencies={name: frozenset(d) for name, d in deps.items()},
        rules=readiness_rules(registry.adapters),
    )


def plan(cluster: Cluster, prepared: Prepared, *, inventory_namespace: str, concurrency: int = 8) -> Plan:
    """The Plan (designer.diffing) for ``prepared`` on ``cluster``, ``concurrency`` dry runs at once."""
    return plan_design(
        cluster,  # thread-safe discovery is the client's job; the planner's pool bounds requests
        prepared.design.name,
        prepared.objects,
        inventory_namespace=inventory_namespace,
        field_manager=FIELD_MANAGER,
        concurrency=concurrency,
    )


def run(
    cluster: Cluster, prepared: Prepared, the_plan: Plan, options: ApplyOptions, emit: EventSink
) -> RunResult:
    """Execute ``the_plan`` for ``prepared`` on ``cluster``."""
    return apply_plan(
        cluster,
        the_plan,
        design=prepared.design.name,
        components=prepared.components,
        dependencies=prepared.dependencies,
        rules=prepared.rules,
        options=options,
        emit=emit,
    )


def _reaches(deps: dict[str, set[str]], start: str, target: str) -> bool:
    """True when ``start`` (transitively) depends on ``target``: adding target→… would cycle."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(deps.get(node, ()))
    return False
