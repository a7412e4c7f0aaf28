"""``${name}`` substitution in native designs, with defaults and ``--set name=value`` overrides.

A scalar that is exactly ``${name}`` takes the variable's typed value (``replicas: ${n}`` gives an
integer); inside a longer string the value is written as text. ``$${name}`` is a literal ``${name}``.
Every unknown name is an error of its own (collected, so all of them are reported in one run; the
text stays as written), and what substitution adds to a document is bounded like alias expansion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from designer.errors import DesignError, Location, UnresolvedReferenceError
from designer.loading.hints import did_you_mean
from designer.loading.nodevalues import ExpansionBudget

_REF = re.compile(r"\$(\$?)\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Locator = Callable[[str], Location]


def resolve(
    declared: Any, overrides: Mapping[str, str], locate: Locator, errors: list[DesignError]
) -> dict[str, Any]:
    """The value of every declared variable: the override, else the default.

    An override of a variable the design does not declare is an error (a typo would otherwise be
    ignored silently); so is a variable with neither. Errors go to ``errors``.
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
            errors.append(
                UnresolvedReferenceError(
                    f"variable {name!r} has no default and was not set",
                    location=locate(f"variables.{name}"),
                    path=f"variables.{name}",
                    hint=f"pass --set {name}=VALUE or give it a default",
                )
            )
    for name in overrides:
        if name not in declared:
            errors.append(
                UnresolvedReferenceError(
                    f"--set {name}=…: the design declares no variable {name!r}",
                    location=locate("variables") if declared else locate(""),
                    hint=did_you_mean(name, declared) or "declare it under `variables:`",
                )
            )
    return values


class Substitution:
    """Substitutes ``values`` into one document, collecting unknown names into ``errors``."""

    def __init__(self, values: Mapping[str, Any], locate: Locator, errors: list[DesignError]) -> None:
        self.values = values
        self.locate = locate
        self.errors = errors
        self.budget = ExpansionBudget()
        self.failed: set[str] = set()  # paths left unsubstituted: schema errors there would only repeat

    def __call__(self, value: Any, path: str = "") -> Any:
        """``value`` with every ``${name}`` replaced (unknown names left as written)."""
        if isinstance(value, str):
            return self._text(value, path) if "$" in value else value
        if isinstance(value, dict):
            return {k: self(v, _join(path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    def _text(self, text: str, path: str) -> Any:
        whole = _REF.fullmatch(text)
        if whole and not whole.group(1):
            found = self._lookup(whole.group(2), path)
            if found is _MISSING:
                return text
            self.budget.spend(len(_text(found)), self.locate(path))
            return found

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"
            found = self._lookup(match.group(2), path)
            return match.group(0) if found is _MISSING else _text(found)

        result = _REF.sub(replace, text)
        if len(result) > len(text):
            self.budget.spend(len(result) - len(text), self.locate(path))
        return result

    def _lookup(self, name: str, path: str) -> Any:
        name = name.strip()
        if name in self.values:
            return self.values[name]
        problem = "is not a valid variable name" if not _NAME.match(name) else "is not declared"
        self.errors.append(
            UnresolvedReferenceError(
                f"${{{name}}} {problem}",
                location=self.locate(path),
                path=path,
                hint=did_you_mean(name, self.values)
                or "declare it under `variables:` or write $${…} for a literal",
            )
        )
        self.failed.add(path)
        return _MISSING


_MISSING = object()


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
