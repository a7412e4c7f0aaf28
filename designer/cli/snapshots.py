"""`design graph PATH --format svg|png -o FILE`: a picture of each design's graph, findings on its nodes.

The findings are those `design validate` reports with the built-in checks (annotation waivers
honoured; waived findings are not marked). One design per picture: ``-o FILE`` for a single design,
``-o DIR/`` for one ``<design>.<format>`` per design. PNG needs Graphviz; without it the error says
how to get it (SVG is then drawn by designer itself). Callers: designer.cli.graph.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from designer.cli.files import check_target
from designer.drawing import graphviz, svg
from designer.drawing.scene import scene_of
from designer.errors import DesignerError
from designer.graph import DesignGraph, build_graph
from designer.loading import load_paths
from designer.policy.findings import Finding


def snapshots(
    path: str,
    variables: dict[str, str],
    fmt: str,
    out: str | None,
    *,
    force: bool,
    findings: bool,
    layout: str,
) -> None:
    """Draw every design in ``path`` to ``out``."""
    if out is None:
        raise click.UsageError(
            f"--format {fmt} writes a picture: name the file with -o (e.g. -o design.{fmt})"
        )
    use_dot = layout == "graphviz" or fmt == "png" or (layout == "auto" and graphviz.available() is not None)
    if use_dot and graphviz.available() is None:
        raise DesignerError(
            f"drawing {'PNG' if fmt == 'png' else 'with --layout graphviz'} needs Graphviz's dot, which is not on PATH",
            hint=graphviz.INSTALL_HINT
            + ("; or draw SVG (--format svg), which designer draws itself" if fmt == "png" else ""),
        )
    graphs = [build_graph(d) for d in load_paths([path], variables)]
    folder = out.endswith("/") or Path(out).is_dir()
    if not folder and len(graphs) != 1:
        raise DesignerError(
            f"{path} holds {len(graphs)} designs; -o {out} names one file",
            hint="name a folder (-o snapshots/) for one picture per design",
        )
    targets = [Path(out) / f"{_file_stem(g)}.{fmt}" for g in graphs] if folder else [Path(out)]
    for target in targets:
        check_target(target, force)
    reports = _findings(graphs) if findings else [None] * len(graphs)
    for graph, report, target in zip(graphs, reports, targets, strict=True):
        scene = scene_of(graph, report)
        data = graphviz.render(scene, fmt) if use_dot else svg.draw(scene).encode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        marked = (
            f", {sum(n.finding_count for n in scene.nodes.values())} findings marked"
            if report is not None
            else ""
        )
        drawer = "Graphviz" if use_dot else "designer"
        click.echo(
            f"drew {graph.design.name} ({len(scene.nodes)} components{marked}) with {drawer}: {target}",
            err=True,
        )


def _findings(graphs: list[DesignGraph]) -> list[list[Finding]]:
    """The built-in checks' findings of each design (evaluated together, as validate does)."""
    from designer.adapters.capabilities import policies_of
    from designer.adapters.registry import AdapterRegistry
    from designer.policy.evaluator import PolicyOptions, PolicySet
    from designer.rendering import render

    registry = AdapterRegistry.from_entry_points()
    contributed = tuple(p for adapter in registry.adapters for p in policies_of(adapter))
    policies = PolicySet.load(PolicyOptions(adapter_policies=contributed))
    inputs = [(render(g.design, g, registry), list(g.edges)) for g in graphs]
    return [list(report.findings) for report in policies.evaluate_many(inputs)]


def _file_stem(graph: DesignGraph) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", graph.design.name.lower()).strip("-.") or "design"
