"""`design validate PATH...`: load, schema-check, resolve references, build the graph, render, and
evaluate the policies (built-in checks, ``--policy`` files, waivers) over the rendered objects.

Every file is checked even when an earlier one fails, so one run shows every broken file.
Exit codes: 0 clean (no unwaived finding at or above ``--fail-on``), 1 findings at or above it,
3 a design or a policy is broken (a broken policy is never reported as clean).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from designer import __version__
from designer.adapters.capabilities import policies_of
from designer.adapters.registry import AdapterRegistry
from designer.cli.main import report_error
from designer.cli.options import error_json, output_option, parse_sets, set_option
from designer.errors import DesignerError, ExitCode
from designer.gcpause import paused_gc
from designer.graph import DesignGraph, build_graph
from designer.loading import expand_paths, load_file
from designer.model import Design, RenderedObject
from designer.policy.changed import changed_files, select_designs
from designer.policy.evaluator import PolicyOptions, PolicySet, merge
from designer.policy.findings import SEVERITY_NAMES, Report, Severity
from designer.policy.reports import FORMATS, RenderContext, renderer
from designer.policy.reports.github import error_annotation
from designer.policy.reports.json_report import document as findings_document
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
@output_option(*FORMATS)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Your own policies: conftest-style .rego or Gatekeeper YAML, files or folders (repeatable).",
)
@click.option("--no-builtin-policies", is_flag=True, help="Run only the policies given with --policy.")
@click.option(
    "--waivers", type=click.Path(path_type=Path), help="Waiver file (id, match, reason, owner, expires)."
)
@click.option(
    "--no-annotation-waivers", is_flag=True, help="Ignore designer.dev/waive.<ID> annotations (CI)."
)
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITY_NAMES, "never"]),
    default="high",
    show_default=True,
    help="Exit 1 when an unwaived finding is at or above this severity.",
)
@click.option(
    "--changed-since", metavar="REF", help="Only designs changed since the git REF (and related ones)."
)
@click.option(
    "--output-file", type=click.Path(path_type=Path), help="Write the report here instead of stdout."
)
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    sets: tuple[str, ...],
    output: str,
    policies: tuple[Path, ...],
    no_builtin_policies: bool,
    waivers: Path | None,
    no_annotation_waivers: bool,
    fail_on: str,
    changed_since: str | None,
    output_file: Path | None,
) -> None:
    """Check designs: YAML, schema, references, dependency graph, rendering and policies.

    PATHS are design files or folders (searched for *.yaml and *.yml). Built-in checks run unless
    --no-builtin-policies; --policy adds conftest (deny/violation = high, warn = medium) and Gatekeeper
    policies. Exit 0 when clean, 1 when an unwaived finding is at or above --fail-on (default high),
    3 when a design or a policy is broken.
    """
    variables = parse_sets(sets)
    options = PolicyOptions(
        policy_paths=policies,
        builtin=not no_builtin_policies,
        adapter_policies=() if no_builtin_policies else _adapter_policies(),
        waivers_file=waivers,
        annotation_waivers=not no_annotation_waivers,
    )
    policy_set = PolicySet.load(options)  # a broken policy stops here with exit 3
    if changed_since is not None:
        selected = _changed(paths, changed_since, [*policies, *([waivers] if waivers else [])])
        if not selected:
            click.echo(f"no design changed since {changed_since}", err=True)
        paths = tuple(str(p) for p in selected)
    # With --changed-since and nothing changed, the report is still written (SARIF needs its file).
    with paused_gc():  # loading, rendering and evaluation build no reference cycles worth collecting
        run = check_paths(paths, variables) if paths else ValidationRun()
        report = merge([policy_set.evaluate(c.objects, c.graph.edges) for c in run.checked])
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    code = ExitCode.INPUT if run.errors else ExitCode.FINDINGS if report.failing(threshold) else ExitCode.OK
    context = RenderContext(exit_code=int(code), tool_version=__version__)
    if output == "json":
        text = _json_text(run, report, context)
    elif output == "text":
        text = _print_text(run, report, context)
    else:
        text = renderer(output)(report, context)
        for exc in run.errors:
            report_error(exc)
        if output == "github" and run.errors:
            text = "\n".join([*(error_annotation(e, context) for e in run.errors), text])
    _emit(text, output_file)
    ctx.exit(int(code))


def _adapter_policies() -> tuple[Path, ...]:
    """Rego files the installed adapters contribute; they run with the built-in checks."""
    registry = AdapterRegistry.from_entry_points()
    return tuple(path for adapter in registry.adapters for path in policies_of(adapter))


def _changed(paths: tuple[str, ...], ref: str, always_all: list[Path]) -> list[Path]:
    try:
        files = expand_paths(paths)
    except DesignerError:
        return [Path(p) for p in paths]  # let check_paths report it
    return select_designs(files, changed_files(ref), always_all=always_all)


def _emit(text: str, output_file: Path | None) -> None:
    if output_file is None:
        if text:
            click.echo(text)
        return
    try:
        output_file.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise DesignerError(
            f"cannot write {output_file}: {exc.strerror or exc}", hint="check --output-file"
        ) from exc


def _print_text(run: ValidationRun, report: Report, context: RenderContext) -> str:
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
    return renderer("text")(report, context) if report.findings else ""


def _json_text(run: ValidationRun, report: Report, context: RenderContext) -> str:
    policy = findings_document(report, context)
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
        "findings": policy["findings"],
        "checks": policy["checks"],
        "notes": policy["notes"],
        "errors": [error_json(e) for e in run.errors],
        "summary": {
            "designs": len(run.checked),
            "components": sum(len(c.design.components) for c in run.checked),
            "objects": sum(len(c.objects) for c in run.checked),
            "findings": policy["summary"]["findings"],
            "errors": len(run.errors),
            "waived": policy["summary"]["waived"],
            "by_severity": policy["summary"]["by_severity"],
            "checks": policy["summary"]["checks"],
            "exit_code": context.exit_code,
        },
    }
    return json.dumps(doc, indent=2)
