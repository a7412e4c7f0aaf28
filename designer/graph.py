"""The component dependency graph: explicit ``dependsOn`` plus inferred edges, order, waves, cycles.

networkx stays inside this module; callers see `DesignGraph`, which answers in component names and
`Edge`s. The order is topological with ties broken by Helm's kind rank, then by name, so the same
design always yields the same order. Waves group components whose dependencies are all in earlier
waves: everything in one wave may run in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from designer.errors import CycleError, UnresolvedReferenceError
from designer.gcpause import paused_gc
from designer.inference import infer_edges
from designer.kinds import install_rank
from designer.loading.hints import did_you_mean
from designer.model import Component, Design, Edge


@dataclass(frozen=True)
class DesignGraph:
    """A design's components and the edges between them (dependency → dependent)."""

    design: Design
    _graph: nx.DiGraph

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, sorted."""
        return tuple(sorted(data["edge"] for _, _, data in self._graph.edges(data=True)))

    def component(self, name: str) -> Component:
        """The component behind node ``name``."""
        comp: Component = self._graph.nodes[name]["component"]
        return comp

    def dependencies_of(self, name: str) -> list[str]:
        """The components ``name`` waits for, sorted."""
        return sorted(self._graph.predecessors(name))

    def dependents_of(self, name: str) -> list[str]:
        """The components that wait for ``name``, sorted."""
        return sorted(self._graph.successors(name))

    def edge(self, dependency: str, dependent: str) -> Edge:
        """The edge between two components (KeyError if none)."""
        found: Edge = self._graph.edges[dependency, dependent]["edge"]
        return found

    def order(self) -> list[str]:
        """All components in apply order."""
        return list(self._order)

    @cached_property
    def _order(self) -> tuple[str, ...]:
        with paused_gc():
            return tuple(nx.lexicographical_topological_sort(self._graph, key=self._sort_key))

    def waves(self) -> list[list[str]]:
        """Components grouped so that each depends only on earlier groups."""
        level: dict[str, int] = {}
        for name in self._order:
            level[name] = 1 + max((level[p] for p in self._graph.predecessors(name)), default=-1)
        waves: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
        for name in self._order:
            waves[level[name]].append(name)
        return waves

    def reverse_order(self) -> list[str]:
        """The order to remove components in: dependents first."""
        return list(reversed(self._order))

    def _sort_key(self, name: str) -> str:
        comp = self.component(name)
        return f"{install_rank(comp.kind) + 1:03d}\x00{name}"


def build_graph(design: Design) -> DesignGraph:
    """The dependency graph of ``design``; raises CycleError when it has a cycle."""
    with paused_gc():
        return _build(design)


def _build(design: Design) -> DesignGraph:
    graph = nx.DiGraph()
    for comp in design.components:
        graph.add_node(comp.name, component=comp)
    for comp in design.components:
        for dep in comp.depends_on:
            graph.add_edge(dep, comp.name, edge=Edge(dep, comp.name, "dependsOn", explicit=True))
    _add_inferred(graph, design, infer_edges(design.components))
    _check_acyclic(graph)
    return DesignGraph(design, graph)


def _add_inferred(graph: nx.DiGraph, design: Design, edges: Iterable[Edge]) -> None:
    for edge in edges:
        if edge.dependency not in graph:
            comp = design.component(edge.dependent)
            raise UnresolvedReferenceError(
                f"{edge.reason}, but the design has no component {edge.dependency!r}",
                location=comp.locate("targets"),
                path=comp.design_path("targets"),
                hint=did_you_mean(edge.dependency, list(graph.nodes)) or "name a component of this design",
            )
        if not graph.has_edge(edge.dependency, edge.dependent):
            graph.add_edge(edge.dependency, edge.dependent, edge=edge)


def _check_acyclic(graph: nx.DiGraph) -> None:
    if nx.is_directed_acyclic_graph(graph):
        return
    cycle = nx.find_cycle(graph)
    chain = [(a, b, graph.edges[a, b]["edge"].reason) for a, b in cycle]
    raise CycleError(chain)
