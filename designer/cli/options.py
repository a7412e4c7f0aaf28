"""Options shared by several commands: --set, --output; and the loading of designs from paths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from designer.errors import DesignerError

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


def error_json(exc: DesignerError) -> dict[str, Any]:
    """A DesignerError as a stable JSON object (for --output json)."""
    loc = exc.location
    return {
        "message": exc.message,
        "file": loc.file if loc else None,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "path": exc.path,
        "hint": exc.hint,
    }
