"""What the UI shows of a design file: its designs, graph (even with a cycle), rendered objects, findings.

The same engine `design validate` and `design graph` run (loading, graph, rendering through the
adapters, the built-in policies with annotation waivers), confined to the workspace's folders
(designer.adapters.installers.confined_to). A file's analysis is kept until the file changes (its size,
modification time or inode), so reopening a design costs nothing; findings are evaluated on first
request. Every call runs on the server's one engine thread (regorus is not shared across threads).
Callers: designer.ui.api_designs, designer.ui.api_cluster.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.adapters import installers
from designer.adapters.registry import AdapterRegistry
from designer.errors import CycleError, DesignerError
from designer.graph import build_graph
from designer.inference import infer_edges
from designer.kinds import install_rank
from designer.loading import read_file
from designer.model import Design, Edge, RenderedObject
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.policy.findings import Report
from designer.rendering import render
from designer.ui.workspace import DesignFile, NotServedError, Workspace


@dataclass
class DesignView:
    """One design of a file, analysed as far as it goes."""

    design: Design
    edges: list[Edge]
    waves: list[list[str]]
    cycle: list[tuple[str, str]]  # the edges of a dependency cycle (empty when acyclic)
    objects: list[RenderedObject] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)
    report: Report | None = None


@dataclass
class FileView:
    """One file: its designs and the problems that are the file's own."""

    file: DesignFile
    designs: list[DesignView]
    errors: list[DesignerError]
    stamp: tuple[int, int, int]


class Analyst:
    """Analyses files of a workspace on demand and keeps each until the file changes."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._files: dict[str, FileView] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def registry(self) -> AdapterRegistry:
        return AdapterRegistry.from_entry_points()

    @functools.cached_property
    def policies(self) -> PolicySet:
        from designer.adapters.capabilities import policies_of

        contributed = tuple(path for adapter in self.registry.adapters for path in policies_of(adapter))
        return PolicySet.load(PolicyOptions(adapter_policies=contributed))

    def warm_up(self) -> None:
        """Import and compile what the first request would otherwise wait for."""
        self.policies  # noqa: B018

    def file(self, file_id: str) -> FileView:
        """The analysis of a file (NotServedError when the id names no servable file)."""
        served = self.workspace.resolve(file_id)
        stamp = _stamp(served.path)
        with self._lock:
            known = self._files.get(file_id)
            if known is not None and known.stamp == stamp:
                return known
            view = self._analyse(served, stamp)
            self._files[file_id] = view
            return view

    def design(self, design_id: str) -> tuple[FileView, DesignView]:
        """A design by id (``<file id>.<index>``)."""
        file_id, _, index = design_id.rpartition(".")
        if not file_id or not index.isdigit():
            raise NotServedError("malformed design id")
        view = self.file(file_id)
        if int(index) >= len(view.designs):
            raise NotServedError("no such design in the file")
        return view, view.designs[int(index)]

    def findings(self, design_id: str) -> tuple[FileView, DesignView, Report]:
        """A design with its policy report (evaluated once per file version)."""
        view, design = self.design(design_id)
        with self._lock:
            if design.report is None:
                rendered = [d for d in view.designs if not d.errors]
                reports = self.policies.evaluate_many([(d.objects, d.edges) for d in rendered])
                for analysed, report in zip(rendered, reports, strict=True):
                    analysed.report = report
            if design.report is None:  # it did not render: nothing to evaluate
                design.report = Report(findings=(), checks=(), objects=0)
        return view, design, design.report

    def _analyse(self, served: DesignFile, stamp: tuple[int, int, int]) -> FileView:
        with installers.confined_to(self.workspace.real_roots):
            reading = read_file(served.path)
            designs = [self._design_view(design) for design in reading.designs]
        return FileView(served, designs, list(reading.errors), stamp)

    def _design_view(self, design: Design) -> DesignView:
        try:
            graph = build_graph(design)
        except CycleError as exc:
            edges = all_edges(design)
            cycle = [(a, b) for a, b, _ in exc.chain]
            return DesignView(design, edges, layered(design, edges, set(cycle)), cycle, errors=[exc])
        except DesignerError as exc:
            edges = all_edges(design)
            return DesignView(design, edges, layered(design, edges, set()), [], errors=[exc])
        view = DesignView(design, list(graph.edges), graph.waves(), [])
        try:
            view.objects = render(design, graph, self.registry)
        except DesignerError as exc:
            view.errors.extend(exc.each())
        return view


def all_edges(design: Design) -> list[Edge]:
    """Every edge of a design whose graph could not be sorted (a cycle): explicit, then inferred."""
    names = {c.name for c in design.components}
    edges: dict[tuple[str, str], Edge] = {}
    for comp in design.components:
        for dep in comp.depends_on:
            if dep in names:
                edges.setdefault((dep, comp.name), Edge(dep, comp.name, "dependsOn", explicit=True))
    for edge in infer_edges(design.components):
        if edge.dependency in names:
            edges.setdefault((edge.dependency, edge.dependent), edge)
    return list(edges.values())


def layered(design: Design, edges: list[Edge], cycle: set[tuple[str, str]]) -> list[list[str]]:
    """Waves for a graph that has a cycle: each component one column after its last dependency, the
    cycle's edges left out (the cycle shows as edges running back). Should more cycles remain, the
    first waiting component (by install rank, then name) is placed after the dependencies placed so far.
    """
    kinds = {c.name: c.kind for c in design.components}
    predecessors: dict[str, list[str]] = {name: [] for name in kinds}
    successors: dict[str, list[str]] = {name: [] for name in kinds}
    for edge in edges:
        if (edge.dependency, edge.dependent) not in cycle:
            predecessors[edge.dependent].append(edge.dependency)
            successors[edge.dependency].append(edge.dependent)
    waiting = {name: len(deps) for name, deps in predecessors.items()}
    level: dict[str, int] = {}
    ready = [name for name, count in waiting.items() if count == 0]
    while len(level) < len(kinds):
        if not ready:  # another cycle: break it at its first component
            ready = [min((n for n in kinds if n not in level), key=lambda n: (install_rank(kinds[n]), n))]
        name = ready.pop()
        if name in level:
            continue
        level[name] = 1 + max((level[d] for d in predecessors[name] if d in level), default=-1)
        for dependent in successors[name]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                ready.append(dependent)
    waves: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for name in sorted(level, key=lambda n: (install_rank(kinds[n]), n)):
        waves[level[name]].append(name)
    return waves


def shown_path(file: str | None, workspace: Workspace) -> str | None:
    """A file as people know it: under the root as they gave it, not the resolved path."""
    if file is None:
        return None
    path = Path(file)
    for root in workspace.roots:
        if path == root.real:
            return root.given
        if path.is_relative_to(root.real):
            return str(Path(root.given) / path.relative_to(root.real))
    return file


def _stamp(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size, info.st_ino


def masked_body(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of an object body with a Secret's values masked, as `design diff` masks them."""
    from designer.diffing import masking

    if not masking.is_secret(body):
        return body
    return masking.mask_pair(None, body)[1] or {}
