"""`design policy list` (the checks: ids, severities, titles) and `design policy test [PATH]` (Rego unit tests).

``policy test`` runs every ``test_*`` rule under PATH (default: the built-in library) the way ``opa test``
does, through designer.policy.rego_tests (Rego v0 or v1 per file, ``--data`` documents): exit 0 when
all pass, 1 when any fails or raises, 3 when a policy cannot be loaded. ``policy list`` shows the built-in checks plus those of ``--policy`` paths
(Gatekeeper constraints; conftest rules are only known once they fire, so they are listed by package).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from designer.adapters.capabilities import policies_of
from designer.adapters.registry import AdapterRegistry
from designer.cli.main import report_error
from designer.cli.options import data_option, engine_option, output_option, policy_timeout_option
from designer.errors import ExitCode
from designer.policy import rego_tests
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.policy.findings import CheckInfo
from designer.policy.waivers import waiver_checks
from designer.resources import policies_dir


@click.group()
def policy() -> None:
    """List the policy checks, run Rego unit tests and gator suites."""


@policy.command("list")
@output_option("text", "json")
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also list the checks of these policy files or folders.",
)
@click.option("--no-builtin-policies", is_flag=True, help="Leave out the built-in checks.")
@engine_option
def list_checks(output: str, policies: tuple[Path, ...], no_builtin_policies: bool) -> None:
    """Show every check with its id, severity and title."""
    adapters = AdapterRegistry.from_entry_points().adapters
    extra = tuple(path for adapter in adapters for path in policies_of(adapter))
    options = PolicyOptions(policy_paths=policies, builtin=not no_builtin_policies, adapter_policies=extra)
    loaded = PolicySet.load(options)
    checks: list[CheckInfo] = [*loaded.checks(), *waiver_checks()]
    packages = loaded.conftest.packages if loaded.conftest is not None else []
    checks.sort(key=lambda c: (c.source != "builtin", c.id))
    if output == "json":
        doc = {
            "schema_version": 1,
            "checks": [c.as_json() for c in checks],
            "conftest_packages": [p.removeprefix("data.") for p in packages],
        }
        click.echo(json.dumps(doc, indent=2))
        return
    width = max((len(c.id) for c in checks), default=2)
    for check in checks:
        click.echo(f"{check.id:<{width}}  {check.severity.label:<8}  {check.title}")
    for package in packages:
        click.echo(
            f"{package.removeprefix('data.')}: conftest package (deny/violation = high, warn = medium)"
        )
    click.echo(f"{len(checks)} checks", err=True)


@policy.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--run", "match", metavar="TEXT", help="Only tests whose package.name contains TEXT.")
@click.option("--no-library", is_flag=True, help="Do not load the built-in library beside PATH.")
@data_option
@policy_timeout_option
@output_option("text", "json")
@click.option("-v", "--verbose", is_flag=True, help="List passing tests too.")
@engine_option
@click.pass_context
def test(
    ctx: click.Context,
    paths: tuple[Path, ...],
    match: str | None,
    no_library: bool,
    data_paths: tuple[Path, ...],
    policy_timeout: float,
    output: str,
    verbose: bool,
) -> None:
    """Run the Rego unit tests (test_* rules) under PATHS (default: the built-in library)."""
    from designer.policy.datafiles import read_data

    roots = list(paths) or [policies_dir()]
    data = read_data(data_paths)
    notes: list[str] = []
    results = rego_tests.run(
        roots, with_library=not no_library, match=match, data=data, timeout=policy_timeout, notes=notes
    )
    for note in notes:
        click.echo(f"note: {note}", err=True)
    failed = [r for r in results if r.outcome != "pass"]
    if output == "json":
        doc = {
            "schema_version": 1,
            "tests": [
                {
                    "id": r.test.test_id,
                    "file": r.test.file,
                    "line": r.test.line,
                    "outcome": r.outcome,
                    "message": r.message,
                    "seconds": round(r.seconds, 6),
                }
                for r in results
            ],
            "summary": {"tests": len(results), "passed": len(results) - len(failed), "failed": len(failed)},
        }
        click.echo(json.dumps(doc, indent=2))
    else:
        for result in results:
            if result.outcome != "pass":
                click.echo(
                    f"{result.test.file}:{result.test.line}: {result.outcome.upper()} {result.test.test_id}"
                )
                if result.message:
                    click.echo(f"    {result.message}")
            elif verbose:
                click.echo(f"{result.test.file}:{result.test.line}: PASS {result.test.test_id}")
        click.echo(f"{len(results) - len(failed)}/{len(results)} tests passed", err=True)
    if not results:
        click.echo("no test_* rules found", err=True)
    ctx.exit(int(ExitCode.FINDINGS if failed else ExitCode.OK))


@policy.command("verify")
@click.argument("paths", nargs=-1, required=True, type=str)
@output_option("text", "json", "junit")
@click.option(
    "--run",
    "run_filter",
    metavar="REGEX",
    help="Only tests or cases whose names match (gator's TEST//CASE form works too).",
)
@click.option("-v", "--verbose", is_flag=True, help="List passing and skipped tests and cases too.")
@policy_timeout_option
@engine_option
@click.pass_context
def verify(
    ctx: click.Context,
    paths: tuple[str, ...],
    output: str,
    run_filter: str | None,
    verbose: bool,
    policy_timeout: float,
) -> None:
    """Run gator suite files (kind: Suite) like `gator verify`: PATHS are suite files or folders.

    Each test compiles its ConstraintTemplate and Constraint; each case reviews its object (or
    AdmissionReview) with its inventory as data.inventory and checks the assertions (violations:
    yes|no|N, message regex). Exit 0 when every case passes, 1 when one fails, 3 when a suite is broken.
    """
    from designer.policy.gator import output as gator_output
    from designer.policy.gator.running import run_suites
    from designer.policy.gator.suites import RunFilter, find_suites

    try:
        selection = RunFilter.parse(run_filter)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--run") from exc
    results = run_suites(find_suites(paths), selection, timeout=policy_timeout)
    if output == "json":
        click.echo(gator_output.render_json(results))
    elif output == "junit":
        click.echo(gator_output.render_junit(results))
    else:
        click.echo(gator_output.render_text(results, verbose=verbose))
    if output != "text":
        for result in results:
            if result.error is not None:
                report_error(result.error)
    ctx.exit(int(gator_output.exit_code(results)))
