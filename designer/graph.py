"""The component dependency graph: explicit ``dependsOn`` plus inferred edges, order, waves, cycles.

Callers see `DesignGraph`, which answers in component names and `Edge`s. The order is topological
with ties broken by Helm's kind rank, then by name, so the same design always yields the same order.
Waves group components whose dependencies are all in earlier waves: everything in one wave may run in
parallel.

The graph is two adjacency maps and the standard library's `graphlib` (for the cycle a failed sort
leaves): a design graph needs an ordered sort, waves and one cycle, and networkx, which the first
version used, cost 70 ms of imports on every `design` command, a third of a small `validate`.
"""

from __future__ import annotations

import graphlib
import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from designer.errors import CycleError, Location, UnresolvedReferenceError
from designer.gcpause import paused_gc
from designer.inference import infer_edges
from designer.kinds import install_rank
from designer.loading.hints import did_you_mean
from designer.model import Component, Design, Edge


@dataclass(frozen=True)
class DesignGraph:
    """A design's components and the edges between them (dependency → dependent)."""

    design: Design
    _components: dict[str, Component]
    _edges: dict[tuple[str, str], Edge]
    _predecessors: dict[str, list[str]]
    _successors: dict[str, list[str]]
    _order: tuple[str, ...]

    @cached_property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, sorted (once: policies, reports and summaries all ask)."""
        return tuple(sorted(self._edges.values()))

    def component(self, name: str) -> Component:
        """The component behind node ``name``."""
        return self._components[name]

    def dependencies_of(self, name: str) -> list[str]:
        """The components ``name`` waits for, sorted."""
        return sorted(self._predecessors[name])

    def dependents_of(self, name: str) -> list[str]:
        """The components that wait for ``name``, sorted."""
        return sorted(self._successors[name])

    def edge(self, dependency: str, dependent: str) -> Edge:
        """The edge between two components (KeyError if none)."""
        return self._edges[dependency, dependent]

    def order(self) -> list[str]:
        """All components in apply order."""
        return list(self._order)

    def waves(self) -> list[list[str]]:
        """Components grouped so that each depends only on earlier groups."""
        level: dict[str, int] = {}
        for name in self._order:
            level[name] = 1 + max((level[p] for p in self._predecessors[name]), default=-1)
        waves: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
        for name in self._order:
            waves[level[name]].append(name)
        return waves

    def reverse_order(self) -> list[str]:
        """The order to remove components in: dependents first."""
        return list(reversed(self._order))


def build_graph(design: Design) -> DesignGraph:
    """The dependency graph of ``design``; raises CycleError when it has a cycle."""
    with paused_gc():
        return _build(design)


def _build(design: Design) -> DesignGraph:
    components = {comp.name: comp for comp in design.components}
    edges: dict[tuple[str, str], Edge] = {}
    for comp in design.components:
        for dep in comp.depends_on:
            if dep not in components:  # the loaders check this; a Design built in code may not be
                raise UnresolvedReferenceError(
                    f"dependsOn names {dep!r}, which is not a component of this design",
                    location=comp.location,
                    hint=did_you_mean(dep, list(components)) or "use the `name` of another component",
                )
            edges.setdefault((dep, comp.name), Edge(dep, comp.name, "dependsOn", explicit=True))
    _add_inferred(edges, design, components, infer_edges(design.components))
    predecessors: dict[str, list[str]] = {name: [] for name in components}
    successors: dict[str, list[str]] = {name: [] for name in components}
    for dependency, dependent in edges:
        predecessors[dependent].append(dependency)
        successors[dependency].append(dependent)
    order = _sorted_order(components, predecessors, successors)
    if len(order) < len(components):
        chain = _cycle(predecessors, edges)
        raise CycleError(chain, places=[_edge_place(components[b], a, edges[a, b]) for a, b, _ in chain])
    return DesignGraph(design, components, edges, predecessors, successors, order)


def _add_inferred(
    edges: dict[tuple[str, str], Edge],
    design: Design,
    components: dict[str, Component],
    inferred: Iterable[Edge],
) -> None:
    for edge in inferred:
        if edge.dependency not in components:
            comp = design.component(edge.dependent)
            raise UnresolvedReferenceError(
                f"{edge.reason}, but the design has no component {edge.dependency!r}",
                location=comp.locate("targets"),
                path=comp.design_path("targets"),
                hint=did_you_mean(edge.dependency, list(components)) or "name a component of this design",
            )
        edges.setdefault((edge.dependency, edge.dependent), edge)


def _sorted_order(
    components: dict[str, Component],
    predecessors: dict[str, list[str]],
    successors: dict[str, list[str]],
) -> tuple[str, ...]:
    """Kahn's topological sort, always taking the smallest ready component by (install rank, name).

    Shorter than the components when a cycle keeps some from ever becoming ready.
    """
    waiting = {name: len(deps) for name, deps in predecessors.items()}
    ready = [(install_rank(components[n].kind), n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for dependent in successors[name]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (install_rank(components[dependent].kind), dependent))
    return tuple(order)


def _edge_place(dependent: Component, dependency: str, edge: Edge) -> Location:
    """Where an edge is written: the dependsOn entry (or annotation) when explicit, else the dependent."""
    if edge.explicit and dependency in dependent.depends_on:
        return dependent.locate_dependency(dependent.depends_on.index(dependency))
    return dependent.location


def _cycle(
    predecessors: dict[str, list[str]], edges: dict[tuple[str, str], Edge]
) -> list[tuple[str, str, str]]:
    """One cycle as (dependency, dependent, reason) steps, found by graphlib's own cycle search."""
    try:
        graphlib.TopologicalSorter(predecessors).prepare()
    except graphlib.CycleError as exc:
        nodes: list[str] = exc.args[1]  # [a, b, …, a]; each node is a dependency of the next
        return [(a, b, edges[a, b].reason) for a, b in itertools.pairwise(nodes)]
    raise AssertionError("a sort that left components out had no cycle")  # pragma: no cover
