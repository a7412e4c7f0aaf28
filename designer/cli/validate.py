"""`design validate PATH...`: load, schema-check, resolve references, build the graph, render, and
evaluate the policies (built-in checks, ``--policy`` files, waivers) over the rendered objects.

Every file is checked even when an earlier one fails, so one run shows every broken file.
Exit codes: 0 clean (no unwaived finding at or above ``--fail-on``), 1 findings at or above it,
3 a design or a policy is broken (a broken policy is never reported as clean).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from designer import __version__
from designer.cli.inventory import inventory_options
from designer.cli.main import report_error
from designer.cli.options import (
    data_option,
    engine_option,
    error_json,
    output_option,
    parse_sets,
    policy_timeout_option,
    set_option,
)
from designer.designfiles import expand_paths
from designer.errors import DesignerError, ExitCode, FieldError
from designer.jsontext import pretty
from designer.policy.library import library_files
from designer.policy.reports import FORMATS, RenderContext, renderer
from designer.policy.severity import SEVERITY_NAMES, Severity
from designer.resources import policies_dir
from designer.validation_cache import ResultCache, cacheable, run_key
from designer.wording import count_of

# The adapters, the policy engine and the validators are imported when a file must be validated: a
# run whose results all come from the cache needs none of them.
if TYPE_CHECKING:
    from designer.adapters.registry import AdapterRegistry
    from designer.policy.evaluator import PolicySet
    from designer.validation_results import FileResult, Validation


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
@inventory_options
@data_option
@policy_timeout_option
@click.option(
    "--strict",
    is_flag=True,
    help="A rule of your .rego policies that raises stops the run (exit 3); by default it is undefined.",
)
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
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes that validate files at once [default: the CPUs, for large inputs].",
)
@engine_option
@click.option(
    "--unchecked-objects",
    type=click.Choice(["error", "finding"]),
    default="error",
    show_default=True,
    help="What an object designer cannot check is (no name, a duplicate, another tool's file such as a "
    "Helm values file): an error (exit 3), or a finding (INPUT-001 info, INPUT-002 medium) that "
    "--fail-on judges.",
)
@click.option(
    "--field-validation",
    type=click.Choice(["strict", "ignore"]),
    default="strict",
    show_default=True,
    help="Whether each object's fields are checked against its kind's shape (unknown fields, wrong "
    "types, missing required fields), as kubectl --validate does: errors (exit 3), or not checked "
    "(for fragments that only policies read). One object opts out with the annotation "
    "designer.dev/field-validation: ignore.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Validate every file again: neither read nor write the result cache (also DESIGNER_NO_CACHE=1).",
)
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    sets: tuple[str, ...],
    output: str,
    policies: tuple[Path, ...],
    no_builtin_policies: bool,
    inventory: tuple[Path, ...],
    inventory_context: str | None,
    data_paths: tuple[Path, ...],
    policy_timeout: float,
    strict: bool,
    waivers: Path | None,
    no_annotation_waivers: bool,
    fail_on: str,
    changed_since: str | None,
    output_file: Path | None,
    jobs: int | None,
    unchecked_objects: str,
    field_validation: str,
    no_cache: bool,
) -> None:
    """Check designs: YAML, schema, references, dependency graph, rendering and policies.

    PATHS are design files or folders (searched for *.yaml and *.yml). Built-in checks run unless
    --no-builtin-policies; --policy adds conftest (deny/violation = high, warn = medium) and Gatekeeper
    policies. Exit 0 when clean, 1 when an unwaived finding is at or above --fail-on (default high),
    3 when a design or a policy is broken.
    """
    variables = parse_sets(sets)
    inputs = _Inputs(ctx)
    cache = None if no_cache else _result_cache(ctx.params)
    if cache is None:
        inputs.policies  # noqa: B018 (a broken policy or inventory stops here with exit 3)
    if changed_since is not None:
        watched = [*policies, *inventory, *data_paths, *([waivers] if waivers else [])]
        selected = _changed(paths, changed_since, watched)
        if not selected:
            click.echo(f"no design changed since {changed_since}", err=True)
        paths = tuple(str(p) for p in selected)
    files = _listed(paths)  # listed once: the report key and validation read the same list
    replay = _replay_key(cache, files, output, fail_on) if changed_since is None else None
    if replay is not None and (stored := cache.replayed(replay) if cache else None) is not None:
        _emit(stored[1], output_file)  # nothing changed since a run that wrote this very report
        ctx.exit(stored[0])
    # With --changed-since and nothing changed, the report is still written (SARIF needs its file).
    run = _validate(files, variables, inputs, jobs, cache)
    if field_validation == "ignore":
        run.errors = [e for e in run.errors if not isinstance(e, FieldError)]
    if unchecked_objects == "finding":
        from designer.policy.unchecked import as_findings

        as_findings(run)
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    code = (
        ExitCode.INPUT if run.errors else ExitCode.FINDINGS if run.report.failing(threshold) else ExitCode.OK
    )
    context = RenderContext(exit_code=int(code), tool_version=__version__)
    if output == "json":
        text = _json_text(run, context)
    elif output == "text":
        text = _print_text(run, context)
    else:
        text = renderer(output)(run.report, context)
        for exc in run.errors:
            report_error(exc)
        if output == "github" and run.errors:
            from designer.policy.reports.github import error_annotation

            text = "\n".join([*(error_annotation(e, context) for e in run.errors), text])
    _emit(text, output_file)
    if replay is not None and cache is not None and not run.errors:
        cache.remember(replay, int(code), text)
    if output == "text":  # last, after the findings: on a terminal it must not land among them
        click.echo(_summary_line(run), err=True)
    ctx.exit(int(code))


class _Inputs:
    """The adapters and the compiled policies (with the inventory) of a run, made when first needed."""

    def __init__(self, ctx: click.Context) -> None:
        self.ctx = ctx

    @functools.cached_property
    def registry(self) -> AdapterRegistry:
        from designer.adapters.registry import AdapterRegistry

        return AdapterRegistry.from_entry_points()

    @functools.cached_property
    def policies(self) -> PolicySet:
        from designer.adapters.capabilities import policies_of
        from designer.cli.inventory import attach_inventory
        from designer.policy.evaluator import PolicyOptions, PolicySet

        params = self.ctx.params
        builtin = not params["no_builtin_policies"]
        # Rego files the installed adapters contribute run with the built-in checks.
        contributed = tuple(path for adapter in self.registry.adapters for path in policies_of(adapter))
        options = PolicyOptions(
            policy_paths=params["policies"],
            builtin=builtin,
            adapter_policies=contributed if builtin else (),
            data_paths=params["data_paths"],
            strict=params["strict"],
            policy_timeout=params["policy_timeout"],
            waivers_file=params["waivers"],
            annotation_waivers=not params["no_annotation_waivers"],
        )
        policies = PolicySet.load(options)  # a broken policy is exit 3
        attach_inventory(self.ctx, policies, params["inventory"], params["inventory_context"])
        return policies


def _listed(paths: tuple[str, ...]) -> list[Path] | DesignerError:
    """The files ``paths`` name, or why they cannot be listed (validation reports it)."""
    try:
        return expand_paths(paths)
    except DesignerError as exc:
        return exc


def _validate(
    files: list[Path] | DesignerError,
    variables: dict[str, str],
    inputs: _Inputs,
    jobs: int | None,
    cache: ResultCache | None,
) -> Validation:
    from designer.validation_results import Validation, combine

    if isinstance(files, DesignerError):
        inputs.policies  # noqa: B018 (a broken policy is the first error, as without the cache)
        return Validation(errors=[files])

    def validate(
        todo: list[Path], keep: Callable[[list[FileResult]], None] | None = None
    ) -> list[FileResult]:
        from designer.validation import validate_each

        return validate_each(todo, variables, inputs.policies, inputs.registry, jobs=jobs, keep=keep)

    return cache.validate(files, validate) if cache is not None else combine(validate(files))


# Options that do not change any file's result: how the report is shown, which files are chosen, how
# many processes work (everything else is part of the cache key; see designer.validation_cache).
_PRESENTATION = frozenset({"paths", "output", "output_file", "fail_on", "changed_since", "jobs", "no_cache"})


def _result_cache(params: dict[str, Any]) -> ResultCache | None:
    """The result cache for this run's inputs, or None (turned off, or inputs no key can capture).

    The built-in library is keyed by content; the adapters' own Rego files by the code of the
    adapter packages (`run_key`), so no adapter is imported to make the key.
    """
    if os.environ.get("DESIGNER_NO_CACHE"):
        return None
    keyed = {name: value for name, value in params.items() if name not in _PRESENTATION}
    if not cacheable(keyed):
        return None
    compiled = [] if params.get("no_builtin_policies") else library_files([policies_dir()])
    return ResultCache.default(run_key(keyed, [path for path, _ in compiled]))


def _replay_key(
    cache: ResultCache | None, files: list[Path] | DesignerError, output: str, fail_on: str
) -> str | None:
    """The key under which this run's whole report may be stored (designer.validation_cache), or None.

    Only machine-readable reports are replayed: they are one text on stdout (a text report also
    writes to stderr, and is for people, who rerun less often than CI does).
    """
    if cache is None or output == "text" or isinstance(files, DesignerError):
        return None  # an error listing the files: validation reports it
    return cache.report_key(files, {"output": output, "fail_on": fail_on})


def _changed(paths: tuple[str, ...], ref: str, always_all: list[Path]) -> list[Path]:
    from designer.policy.changed import changed_files, select_designs  # git: only for --changed-since

    try:
        files = expand_paths(paths)
    except DesignerError:
        return [Path(p) for p in paths]  # let validation report it
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


def _print_text(run: Validation, context: RenderContext) -> str:
    for d in run.designs:
        click.echo(
            f"ok  {d.file}: design {d.name!r} ({d.source_format}): {d.components} components, "
            f"{d.edges} edges, {d.waves} waves, {d.objects} objects"
        )
    for tool_input in run.tool_inputs:
        if tool_input.errors:
            continue  # its errors follow
        click.echo(
            f"ok  {tool_input.location}: {tool_input.kind} ({tool_input.tool}'s input): "
            f"{count_of(tool_input.fields, 'field')} checked"
        )
    for exc in run.errors:
        report_error(exc)
    return renderer("text")(run.report, context) if run.report.findings or run.report.notes else ""


def _summary_line(run: Validation) -> str:
    return (
        f"{count_of(len(run.designs), 'design')} valid, {count_of(len(run.errors), 'error')} in "
        f"{count_of(_file_count(run), 'file')}"
    )


def _file_count(run: Validation) -> int:
    """Files the run reports on: with a design, a checked tool input or an error."""
    files = {d.file for d in run.designs} | {t.location.file for t in run.tool_inputs}
    unplaced = 0
    for exc in run.errors:
        if exc.location is None:
            unplaced += 1
        else:
            files.add(exc.location.file)
    return len(files) + unplaced


def _json_text(run: Validation, context: RenderContext) -> str:
    from designer.policy.reports.json_report import document as findings_document

    policy = findings_document(run.report, context)
    doc = {
        "schema_version": 1,
        "designs": [
            {
                "name": d.name,
                "file": d.file,
                "format": d.source_format,
                "components": d.components,
                "edges": d.edges,
                "objects": d.objects,
            }
            for d in run.designs
        ],
        "findings": policy["findings"],
        "checks": policy["checks"],
        "notes": policy["notes"],
        "tool_inputs": [
            {
                "kind": t.kind,
                "tool": t.tool,
                "file": t.location.file,
                "line": t.location.line,
                "fields": t.fields,
                "errors": t.errors,
            }
            for t in run.tool_inputs
        ],
        "errors": [error_json(e) for e in run.errors],
        "summary": {
            "designs": len(run.designs),
            "components": sum(d.components for d in run.designs),
            "objects": sum(d.objects for d in run.designs),
            "findings": policy["summary"]["findings"],
            "errors": len(run.errors),
            "waived": policy["summary"]["waived"],
            "by_severity": policy["summary"]["by_severity"],
            "checks": policy["summary"]["checks"],
            "exit_code": context.exit_code,
        },
    }
    return pretty(doc)
