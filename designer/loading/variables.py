"""``${name}`` substitution in native designs, with defaults and ``--set name=value`` overrides.

A scalar that is exactly ``${name}`` takes the variable's typed value (``replicas: ${n}`` gives an
integer); inside a longer string the value is written as text. ``$${name}`` is a literal ``${name}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from designer.errors import Location, UnresolvedReferenceError
from designer.loading.hints import did_you_mean

_REF = re.compile(r"\$(\$?)\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Locator = Callable[[str], Location]


def resolve(declared: Any, overrides: Mapping[str, str], locate: Locator) -> dict[str, Any]:
    """The value of every declared variable: the override, else the default.

    An override of a variable the design does not declare is an error (a typo would otherwise be
    ignored silently); so is a variable with neither.
    """
    declared = declared if isinstance(declared, dict) else {}
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        default = spec.get("default") if isinstance(spec, dict) else spec
        if name in overrides:
            values[name] = _typed(overrides[name])
        elif default is not None:
            values[name] = default
        else:
            raise UnresolvedReferenceError(
                f"variable {name!r} has no default and was not set",
                location=locate(f"variables.{name}"),
                path=f"variables.{name}",
                hint=f"pass --set {name}=VALUE or give it a default",
            )
    for name in overrides:
        if name not in declared:
            raise UnresolvedReferenceError(
                f"--set {name}=…: the design declares no variable {name!r}",
                location=locate("variables") if declared else locate(""),
                hint=did_you_mean(name, declared) or "declare it under `variables:`",
            )
    return values


def substitute(value: Any, values: Mapping[str, Any], locate: Locator, path: str = "") -> Any:
    """``value`` with every ``${name}`` replaced; unknown names are errors at their location."""
    if isinstance(value, str):
        return _substitute_text(value, values, locate, path) if "$" in value else value
    if isinstance(value, dict):
        return {k: substitute(v, values, locate, _join(path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, values, locate, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _substitute_text(text: str, values: Mapping[str, Any], locate: Locator, path: str) -> Any:
    whole = _REF.fullmatch(text)
    if whole and not whole.group(1):
        return _lookup(whole.group(2), values, locate, path)

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        return _text(_lookup(match.group(2), values, locate, path))

    return _REF.sub(replace, text)


def _lookup(name: str, values: Mapping[str, Any], locate: Locator, path: str) -> Any:
    name = name.strip()
    if name in values:
        return values[name]
    problem = "is not a valid variable name" if not _NAME.match(name) else "is not declared"
    raise UnresolvedReferenceError(
        f"${{{name}}} {problem}",
        location=locate(path),
        path=path,
        hint=did_you_mean(name, values) or "declare it under `variables:` or write $${…} for a literal",
    )


def _typed(text: str) -> Any:
    # --set values are parsed like YAML scalars so `--set replicas=3` gives an integer.
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
