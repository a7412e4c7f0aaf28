"""`design graph PATH`: the dependency graph with waves and the reason of every edge.

As text, JSON, dot or Mermaid on stdout; or as a picture (``--format svg|png -o FILE``) for a pull
request, with the findings of the built-in policies marked on the nodes (``--no-findings`` skips
them): drawn by Graphviz's dot when it is installed, else by designer (designer.drawing; SVG only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from designer.cli.options import parse_sets, set_option
from designer.graph import DesignGraph, build_graph
from designer.loading import load_paths


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@set_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "dot", "mermaid", "svg", "png"]),
    default="text",
    show_default=True,
    help="text (waves and edges), json, Graphviz dot, a Mermaid flowchart, or a picture (svg, png).",
)
@click.option("-o", "--out", default=None, help="svg/png: the file to write (DIR/ for one per design).")
@click.option("--force", is_flag=True, help="Overwrite what -o names.")
@click.option("--no-findings", is_flag=True, help="svg/png: do not run the built-in policies.")
@click.option(
    "--layout",
    type=click.Choice(["auto", "graphviz", "builtin"]),
    default="auto",
    show_default=True,
    help="svg: Graphviz's dot when installed (auto), or designer's own drawing; png needs Graphviz.",
)
def graph(
    path: str, sets: tuple[str, ...], fmt: str, out: str | None, force: bool, no_findings: bool, layout: str
) -> None:
    """Show the component dependency graph of the designs in PATH."""
    if fmt in ("svg", "png"):
        from designer.cli.snapshots import snapshots

        snapshots(path, parse_sets(sets), fmt, out, force=force, findings=not no_findings, layout=layout)
        return
    for design_graph in (build_graph(d) for d in load_paths([path], parse_sets(sets))):
        click.echo(RENDERERS[fmt](design_graph))


def as_text(g: DesignGraph) -> str:
    """Waves, then edges with their reasons."""
    lines = [f"design {g.design.name} ({g.design.file})", "", "waves (each may run in parallel):"]
    for i, wave in enumerate(g.waves(), start=1):
        lines.append(f"  {i}. " + ", ".join(f"{n} [{g.component(n).kind}]" for n in wave))
    lines += ["", "edges (dependency -> dependent):"]
    lines += [f"  {e.dependency} -> {e.dependent}: {e.reason}" for e in g.edges] or ["  (none)"]
    return "\n".join(lines)


def as_json(g: DesignGraph) -> str:
    """A stable JSON document (schema_version 1)."""
    wave_of = {name: i for i, wave in enumerate(g.waves()) for name in wave}
    doc: dict[str, Any] = {
        "schema_version": 1,
        "design": g.design.name,
        "file": g.design.file,
        "nodes": [
            {
                "name": name,
                "kind": g.component(name).kind,
                "apiVersion": g.component(name).api_version,
                "namespace": g.component(name).namespace,
                "wave": wave_of[name],
            }
            for name in g.order()
        ],
        "edges": [
            {"from": e.dependency, "to": e.dependent, "reason": e.reason, "explicit": e.explicit}
            for e in g.edges
        ],
        "order": g.order(),
        "waves": g.waves(),
    }
    return json.dumps(doc, indent=2)


def as_dot(g: DesignGraph) -> str:
    """Graphviz dot, one rank per wave."""
    lines = [f"digraph {json.dumps(g.design.name)} {{", "  rankdir=LR;"]
    for wave in g.waves():
        members = " ".join(json.dumps(n) for n in wave)
        lines.append(f"  {{ rank=same; {members} }}")
    for name in g.order():
        label = json.dumps(name + "\n" + g.component(name).kind)
        lines.append(f"  {json.dumps(name)} [label={label}];")
    for e in g.edges:
        style = "" if e.explicit else ", style=dashed"
        edge = f"{json.dumps(e.dependency)} -> {json.dumps(e.dependent)}"
        lines.append(f"  {edge} [label={json.dumps(e.reason)}{style}];")
    lines.append("}")
    return "\n".join(lines)


def as_mermaid(g: DesignGraph) -> str:
    """A Mermaid flowchart; inferred edges are dotted."""
    ids = {name: f"n{i}" for i, name in enumerate(g.order())}
    lines = ["flowchart LR"]
    for name in g.order():
        lines.append(f'  {ids[name]}["{_mermaid_text(name)}<br/>{g.component(name).kind}"]')
    for e in g.edges:
        arrow = "-->" if e.explicit else "-.->"
        lines.append(f'  {ids[e.dependency]} {arrow}|"{_mermaid_text(e.reason)}"| {ids[e.dependent]}')
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


RENDERERS: dict[str, Callable[[DesignGraph], str]] = {
    "text": as_text,
    "json": as_json,
    "dot": as_dot,
    "mermaid": as_mermaid,
}
