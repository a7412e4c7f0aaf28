"""`design validate PATH...`: load, schema-check, resolve references, build the graph, render.

Every file is checked even when an earlier one fails, so one run shows every broken file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from designer.adapters.registry import AdapterRegistry
from designer.cli.main import report_error
from designer.cli.options import error_json, output_option, parse_sets, set_option
from designer.errors import DesignerError, ExitCode
from designer.graph import DesignGraph, build_graph
from designer.loading import expand_paths, load_file
from designer.model import Design, RenderedObject
from designer.rendering import render


@dataclass
class Checked:
    """One design that loaded, graphed and rendered."""

    design: Design
    graph: DesignGraph
    objects: list[RenderedObject]


@dataclass
class ValidationRun:
    """What `validate` found across all files."""

    checked: list[Checked] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)


def check_paths(paths: tuple[str, ...], variables: dict[str, str]) -> ValidationRun:
    """Load, graph and render every design under ``paths``, collecting errors per file."""
    run = ValidationRun()
    registry: AdapterRegistry | None = None
    try:
        files = expand_paths(paths)
    except DesignerError as exc:
        run.errors.append(exc)
        return run
    for file in files:
        try:
            designs = load_file(file, variables)
            for design in designs:
                graph = build_graph(design)
                registry = registry or AdapterRegistry.from_entry_points()
                run.checked.append(Checked(design, graph, render(design, graph, registry)))
        except DesignerError as exc:
            run.errors.append(exc)
    return run


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@set_option
@output_option("text", "json")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], sets: tuple[str, ...], output: str) -> None:
    """Check designs: YAML, schema, references, dependency graph and rendering.

    PATHS are design files or folders (searched for *.yaml and *.yml). Exit 0 when all are valid,
    3 when any is not.
    """
    run = check_paths(paths, parse_sets(sets))
    if output == "json":
        _print_json(run)
    else:
        _print_text(run)
    ctx.exit(int(ExitCode.INPUT if run.errors else ExitCode.OK))


def _print_text(run: ValidationRun) -> None:
    for item in run.checked:
        d = item.design
        click.echo(
            f"ok  {d.file}: design {d.name!r} ({d.source_format}): {len(d.components)} components, "
            f"{len(item.graph.edges)} edges, {len(item.graph.waves())} waves, {len(item.objects)} objects"
        )
    for exc in run.errors:
        report_error(exc)
    files = len({c.design.file for c in run.checked}) + len(run.errors)
    click.echo(f"{len(run.checked)} designs valid, {len(run.errors)} errors in {files} files", err=True)


def _print_json(run: ValidationRun) -> None:
    doc = {
        "schema_version": 1,
        "designs": [
            {
                "name": c.design.name,
                "file": str(Path(c.design.file)),
                "format": c.design.source_format,
                "components": len(c.design.components),
                "edges": len(c.graph.edges),
                "objects": len(c.objects),
            }
            for c in run.checked
        ],
        "findings": [],
        "errors": [error_json(e) for e in run.errors],
        "summary": {
            "designs": len(run.checked),
            "components": sum(len(c.design.components) for c in run.checked),
            "objects": sum(len(c.objects) for c in run.checked),
            "findings": 0,
            "errors": len(run.errors),
        },
    }
    click.echo(json.dumps(doc, indent=2))
