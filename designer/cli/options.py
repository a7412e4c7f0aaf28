"""Options shared by several commands: --set, --output, --engine, --data, --policy-timeout; and the loading of designs from paths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from designer.errors import DesignerError
from designer.policy.engine import ENGINES, ENV_VAR, parse_engine_name, use_engine
from designer.policy.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, MEMORY_ENV

F = TypeVar("F", bound=Callable[..., Any])


def parse_sets(values: Sequence[str]) -> dict[str, str]:
    """``--set name=value`` pairs as a dict; a pair without '=' is a usage error."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        out[name.strip()] = value
    return out


def set_option(func: F) -> F:
    """``--set NAME=VALUE`` (repeatable): override a design variable."""
    return click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="NAME=VALUE",
        help="Override a design variable (repeatable).",
    )(func)


def data_option(func: F) -> F:
    """``--data PATH`` (repeatable): data documents for users' Rego, placed as ``opa test -d`` places them."""
    return click.option(
        "--data",
        "data_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        help="JSON/YAML data for your Rego's `data`: files, or folders placed by their path (as opa -d).",
    )(func)


def policy_timeout_option(func: F) -> F:
    """``--policy-timeout SECONDS``: how long one rule (or test) of users' Rego may run."""
    return click.option(
        "--policy-timeout",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help=f"Longest one rule or test of your Rego may run; beyond it, or beyond {MEMORY_ENV} MiB "
        f"of memory (default {DEFAULT_MEMORY_MB}), the run stops with exit 3 naming it.",
    )(func)


def output_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--output/-o`` with the given formats."""

    def decorate(func: F) -> F:
        return click.option(
            "-o",
            "--output",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorate


def engine_option(func: F) -> F:
    """``--engine regorus|opa`` (env DESIGNER_POLICY_ENGINE): which engine evaluates Rego for this command.

    The choice is made process-wide through designer.policy.engine (so every evaluating path sees it)
    and undone when the command ends (in-process callers, such as tests, run several commands);
    without the option or the variable, an outer `designer.policy.engine.use_engine` stands."""

    def select(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.with_resource(use_engine(parse_engine_name(value)))

    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        envvar=ENV_VAR,
        show_envvar=True,
        expose_value=False,
        callback=select,
        help="Rego engine: regorus (in-process, the default) or opa (the opa binary on PATH, exactly OPA).",
    )(func)


def error_json(exc: DesignerError) -> dict[str, Any]:
    """A DesignerError as a stable JSON object (for --output json)."""
    loc = exc.location
    placed = loc is not None and not loc.is_whole_file
    return {
        "message": exc.message,
        "file": loc.file if loc else None,
        "line": loc.line if loc and placed else None,
        "column": loc.column if loc and placed else None,
        "path": exc.path,
        "hint": exc.hint,
    }
