"""A design's graph as something to draw: nodes (name, kind, wave, findings), arcs (reason, explicit).

Findings are counted per component, unwaived only, with the worst severity kept for the node's
colour. Callers: designer.drawing.layout, .svg, .graphviz; designer.cli.graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from designer.drawing.style import SEVERITIES
from designer.graph import DesignGraph
from designer.policy.findings import Finding


@dataclass(frozen=True, slots=True)
class Node:
    """One component to draw."""

    name: str
    kind: str
    api_version: str
    namespace: str | None
    wave: int
    findings: dict[str, int] = field(default_factory=dict)  # severity -> unwaived count

    @property
    def worst(self) -> str | None:
        """The most severe finding's severity, or None."""
        return next((s for s in SEVERITIES if self.findings.get(s)), None)

    @property
    def finding_count(self) -> int:
        return sum(self.findings.values())


@dataclass(frozen=True, slots=True)
class Arc:
    """An edge: ``source`` must be ready before ``target``."""

    source: str
    target: str
    reason: str
    explicit: bool


@dataclass(frozen=True)
class Scene:
    """Everything a picture shows."""

    title: str
    nodes: dict[str, Node]
    arcs: list[Arc]
    waves: list[list[str]]
    checked: bool  # findings were evaluated (False: --no-findings)


def scene_of(graph: DesignGraph, findings: Iterable[Finding] | None = None) -> Scene:
    """The scene of ``graph``; ``findings`` (None: not evaluated) are counted on their components."""
    counts: dict[str, dict[str, int]] = {}
    for finding in findings or ():
        if finding.waived or finding.component is None:
            continue
        per = counts.setdefault(finding.component, {})
        per[finding.severity.label] = per.get(finding.severity.label, 0) + 1
    waves = graph.waves()
    nodes = {}
    for wave, names in enumerate(waves):
        for name in names:
            comp = graph.component(name)
            nodes[name] = Node(name, comp.kind, comp.api_version, comp.namespace, wave, counts.get(name, {}))
    arcs = [Arc(e.dependency, e.dependent, e.reason, e.explicit) for e in graph.edges]
    version = f" {graph.design.version}" if graph.design.version else ""
    return Scene(f"{graph.design.name}{version}", nodes, arcs, waves, findings is not None)
