"""`design diff PATH`: what applying the designs in PATH would change, without changing anything.

Load → graph → render (the lead's pipeline), then `designer.diffing.planner.plan_design` against
the cluster (GETs and dry-run applies only), then render the Plan: a kubectl-style unified YAML
diff per changed object plus a summary table (text), or the Plan document (json). Secret values
are masked in both. ``--exit-code`` turns "there are changes" into exit status 1 (git style).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from designer.adapters.registry import AdapterRegistry
from designer.cli.consoles import stdout_console
from designer.cli.options import output_option, parse_sets, set_option
from designer.cli.reviews import cluster_designs
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.cluster.connecting import connect
from designer.cluster.inventory import DEFAULT_NAMESPACE
from designer.diffing.planner import local_note, plan_design
from designer.diffing.text import unified_diff
from designer.errors import ExitCode
from designer.graph import build_graph
from designer.loading import load_paths
from designer.planning import SCHEMA_VERSION, Action, Plan, Step
from designer.rendering import render

ClusterFactory = Callable[[str | None, str | None], Cluster]

_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.DELETE: "red",
    Action.REPLACE: "magenta",
    Action.NOOP: "dim",
}


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@set_option
@click.option("--kubeconfig", type=click.Path(dir_okay=False, path_type=str), help="Kubeconfig file.")
@click.option("--context", "context_name", help="Kubeconfig context (default: current-context).")
@click.option(
    "--inventory-namespace",
    default=DEFAULT_NAMESPACE,
    show_default=True,
    help="Namespace of designer's inventory ConfigMap (for deletes).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Objects diffed in parallel (GET + dry run each).",
)
@output_option("text", "json")
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when there are changes, 0 when none.")
@click.pass_context
def diff(
    ctx: click.Context,
    path: str,
    sets: tuple[str, ...],
    kubeconfig: str | None,
    context_name: str | None,
    inventory_namespace: str,
    concurrency: int,
    output: str,
    exit_code: bool,
) -> None:
    """Show what `design apply PATH` would change in the cluster (nothing is written).

    Each object is dry-run applied on the server (server-side apply, dryRun=All) and compared with
    the live object, ignoring server-owned fields and defaults. Exit status: 0, or 1 with
    --exit-code when anything would change; 3 when the design or the cluster is unusable.
    """
    designs = cluster_designs(load_paths([path], parse_sets(sets)), "diffed")
    registry = AdapterRegistry.from_entry_points()
    factory: ClusterFactory = (ctx.obj or {}).get("cluster_factory") or partial(connect, purpose="diff")
    cluster = factory(kubeconfig, context_name)
    try:
        plans = []
        for design in designs:
            objects = render(design, build_graph(design), registry)
            plans.append(
                plan_design(
                    cluster,
                    design.name,
                    objects,
                    inventory_namespace=inventory_namespace,
                    field_manager=FIELD_MANAGER,
                    concurrency=concurrency,
                )
            )
    finally:
        cluster.close()
    if output == "json":
        click.echo(json.dumps(plans_json(plans), indent=2, sort_keys=False))
    else:
        render_text(plans, stdout_console())
    if exit_code and any(plan.has_changes for plan in plans):
        ctx.exit(int(ExitCode.FINDINGS))


def plans_json(plans: Sequence[Plan]) -> dict[str, Any]:
    """One JSON document for one or more plans (one plan: exactly `Plan.to_json`)."""
    if len(plans) == 1:
        return plans[0].to_json()
    summary = {action.value: sum(p.counts()[action.value] for p in plans) for action in Action}
    return {
        "schema_version": SCHEMA_VERSION,
        "design": None,
        "designs": [p.design for p in plans],
        "context": plans[0].context if plans else None,
        "summary": summary,
        "notes": [note for p in plans for note in p.notes],
        "steps": [step.as_json() for p in plans for step in p.steps],
    }


def render_text(plans: Sequence[Plan], console: Console) -> None:
    """Unified diffs of changed objects, field changes with their owners, then the summary table."""
    for plan in plans:
        for step in plan.steps:
            if step.changed:
                _print_step(step, console)
        for note in plan.notes:
            console.print(Text(f"note: {note}", style="yellow"))
        console.print(_summary_table(plan, ascii_only=not console.is_terminal))
        counts = plan.counts()
        line = ", ".join(f"{counts[a.value]} to {a.value}" for a in Action if a is not Action.NOOP)
        console.print(f"Plan for {plan.design} on {plan.context}: {line}, {counts['noop']} unchanged.")


def _print_step(step: Step, console: Console) -> None:
    header = f"{step.action.value} {step.ref}"
    if not step.server_validated:
        header += f" ({local_note(step)})"
    console.print(Text(header, style=f"bold {_STYLE[step.action]}"))
    if step.reason:
        console.print(Text(f"  {step.reason}", style="dim"))
    for line in unified_diff(step).splitlines():
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        console.print(Text(line, style=style), soft_wrap=True)
    for change in step.changes:
        if change.manager and change.manager != FIELD_MANAGER:
            console.print(
                Text(f"  ~ {change.path}: changed by {change.manager}", style="yellow"), soft_wrap=True
            )


def _summary_table(plan: Plan, *, ascii_only: bool) -> Table:
    table = Table(box=box.ASCII2 if ascii_only else box.SIMPLE_HEAD, title=None, show_edge=False)
    for column in ("ACTION", "KIND", "NAMESPACE", "NAME", "COMPONENT", "CHANGES", "NOTE"):
        table.add_column(column, no_wrap=column != "NOTE")
    for step in plan.steps:
        note = local_note(step, short=True)
        if not note and step.action is Action.REPLACE:
            note = "immutable field"
        managers = sorted({c.manager for c in step.changes if c.manager and c.manager != FIELD_MANAGER})
        if managers:
            note = ", ".join(filter(None, [note, "changed by " + ", ".join(managers)]))
        table.add_row(
            Text(step.action.value, style=_STYLE[step.action]),
            step.ref.kind,
            step.ref.namespace or "",
            step.ref.name,
            step.component or "",
            str(len(step.changes)) if step.changes else "",
            note,
        )
    return table
