"""The `design` command group, its lazy subcommand table and the one error funnel.

Subcommands are imported only when invoked, so `design validate` never pays for the kubernetes
client, aiohttp or the perf engine. Each area owns one module in designer/cli/.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys
import traceback
from typing import Any

import click

from designer import __version__
from designer.errors import DesignerError, ExitCode
from designer.gcpause import short_lived_process

# name -> "module:attribute"; each module lives in designer/cli/.
COMMANDS: dict[str, str] = {
    "validate": "designer.cli.validate:validate",
    "graph": "designer.cli.graph:graph",
    "render": "designer.cli.render:render",
    "diff": "designer.cli.diff:diff",
    "apply": "designer.cli.apply:apply",
    "delete": "designer.cli.apply:delete",
    "adapters": "designer.cli.adapters:adapters",
    "policy": "designer.cli.policy:policy",
    "perf": "designer.cli.perf:perf",
    "catalog": "designer.cli.catalog:catalog",
    "import": "designer.cli.importing:import_design",
    "export": "designer.cli.exporting:export",
    "sandbox": "designer.cli.sandbox:sandbox",
    "ui": "designer.cli.ui:ui",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests names from `self.commands`, which a lazy group leaves empty; only the close
        # ones are offered ('valdate' is 'validate', not also 'adapters').
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            close = difflib.get_close_matches(exc.command_name, self.list_commands(ctx), n=2, cutoff=0.75)
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=close, ctx=ctx) from None


def _available(name: str) -> bool:
    module_name = COMMANDS[name].partition(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="design")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Load, validate, diff, apply and measure Kubernetes and service-mesh designs.

    Exit codes: 0 ok, 1 findings or changes, 2 usage, 3 bad input or environment, 4 internal error.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the group and turn every failure into a documented exit code."""
    short_lived_process()
    sys.exit(run(argv))


def run(argv: list[str] | None = None, **extra: Any) -> int:
    """Run the command line and return its exit code (the one error funnel)."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        result = cli.main(args=argv, prog_name="design", standalone_mode=False, **extra)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        return int(exc.exit_code)
    except DesignerError as exc:
        report_error(exc)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception:
        click.echo("internal error: this is a bug in designer; please report it.", err=True)
        if verbose or os.environ.get("DESIGNER_DEBUG"):
            click.echo(traceback.format_exc(), err=True)
        else:
            click.echo("run again with -v to see the traceback", err=True)
        return int(ExitCode.INTERNAL)
    if isinstance(result, int):
        return result
    return int(ExitCode.OK)


def report_error(exc: DesignerError) -> None:
    """Print a DesignerError as `error: …` plus its hint, on stderr (each one of a combined error)."""
    for error in exc.each():
        click.echo(f"error: {error}", err=True)
        if error.hint:
            click.echo(f"  hint: {error.hint}", err=True)
