"""Compose's variable interpolation: ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and the other forms.

The rules are the Compose specification's, as its reference loader (compose-go) applies them, so a
file means here what it means to ``docker compose``: ``$$`` is a literal ``$``; ``$`` before anything
but a name, ``{`` or ``$`` stays as written; ``${VAR-x}``/``${VAR:-x}`` fall back to ``x`` when VAR is
unset (or, with ``:``, empty); ``${VAR+x}``/``${VAR:+x}`` give ``x`` when VAR is set (and not empty);
``${VAR?msg}``/``${VAR:?msg}`` are errors when VAR is unset (or empty); the words after the operator
are interpolated in turn. A variable that is unset and has no default becomes the empty string, as
Compose does, and is reported so the import can say so. Only values are interpolated, never keys.
Values given as strings in fields Compose reads as numbers or booleans are cast afterwards
(`CASTS`), as compose-go does.

Callers: designer.importing.compose.document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class InterpolationError(ValueError):
    """A value whose ``${…}`` is malformed, or a required variable that is missing."""


@dataclass
class Interpolator:
    """Interpolates strings against ``environment``; records the variables that were unset."""

    environment: Mapping[str, str]
    unset: dict[str, str] = field(default_factory=dict)  # variable -> the key path that used it first
    used: set[str] = field(default_factory=set)

    def text(self, value: str, path: str) -> str:
        """``value`` with every reference replaced; raises InterpolationError."""
        if "$" not in value:
            return value
        out: list[str] = []
        i = 0
        while i < len(value):
            j = value.find("$", i)
            if j < 0 or j == len(value) - 1:
                out.append(value[i:])
                break
            out.append(value[i:j])
            nxt = value[j + 1]
            if nxt == "$":
                out.append("$")
                i = j + 2
            elif nxt == "{":
                end = _closing_brace(value, j + 1)
                if end < 0:
                    raise InterpolationError(f"invalid interpolation format: {value!r} has no closing '}}'")
                out.append(self._braced(value[j + 2 : end], value, path))
                i = end + 1
            elif (match := _NAME.match(value, j + 1)) is not None:
                out.append(self._lookup(match.group(0), path))
                i = match.end()
            else:
                out.append("$")
                i = j + 1
        return "".join(out)

    def _braced(self, inner: str, whole: str, path: str) -> str:
        match = _NAME.match(inner)
        if match is None:
            raise InterpolationError(f"invalid interpolation format: {whole!r}")
        name, rest = match.group(0), inner[match.end() :]
        if not rest:
            return self._lookup(name, path)
        operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
        if operator is None:
            raise InterpolationError(f"invalid interpolation format: {whole!r}")
        word = rest[len(operator) :]
        self.used.add(name)
        value = self.environment.get(name)
        present = value is not None and (not operator.startswith(":") or value != "")
        if operator.endswith("-"):
            return value if present and value is not None else self.text(word, path)
        if operator.endswith("+"):
            return self.text(word, path) if present else (value or "")
        if not present or value is None:
            reason = self.text(word, path)
            raise InterpolationError(
                f"required variable {name} is missing a value" + (f": {reason}" if reason else "")
            )
        return value

    def _lookup(self, name: str, path: str) -> str:
        self.used.add(name)
        value = self.environment.get(name)
        if value is None:
            self.unset.setdefault(name, path)
            return ""
        return value


def _closing_brace(text: str, start: int) -> int:
    """The index of the '}' closing the '{' at ``start`` (nested ``${`` counted), or -1."""
    depth = 0
    i = start
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def interpolate(value: Any, interpolator: Interpolator, path: str, errors: Callable[[str, str], None]) -> Any:
    """``value`` with every string interpolated; each failure goes to ``errors(path, message)``."""
    if isinstance(value, str):
        try:
            result = interpolator.text(value, path)
        except InterpolationError as exc:
            errors(path, str(exc))
            return value
        return _cast(path, result) if result != value else result
    if isinstance(value, dict):
        return {k: interpolate(v, interpolator, _join(path, str(k)), errors) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, interpolator, f"{path}[{i}]", errors) for i, v in enumerate(value)]
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# Fields Compose reads as numbers or booleans: a string that interpolation produced is cast.
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BOOLEANS = {
    "true": True,
    "yes": True,
    "y": True,
    "on": True,
    "false": False,
    "no": False,
    "n": False,
    "off": False,
}
CASTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"^services\.[^.]+\.(deploy\.replicas|scale|healthcheck\.retries|ports\[\d+\]\.target)$", "int"),
        (r"^services\.[^.]+\.deploy\.(update_config|rollback_config)\.parallelism$", "int"),
        (r"^services\.[^.]+\.deploy\.restart_policy\.max_attempts$", "int"),
        (r"^services\.[^.]+\.(cpu_count|cpu_period|cpu_quota|cpu_shares|pids_limit|oom_score_adj)$", "int"),
        (r"^services\.[^.]+\.(cpus|cpu_percent)$", "float"),
        (
            r"^services\.[^.]+\.(privileged|read_only|init|tty|stdin_open|oom_kill_disable"
            r"|healthcheck\.disable|depends_on\.[^.]+\.(required|restart)"
            r"|volumes\[\d+\]\.read_only|volumes\[\d+\]\.volume\.nocopy)$",
            "bool",
        ),
        (r"^(networks|volumes|secrets|configs)\.[^.]+\.external$", "bool"),
        (r"^networks\.[^.]+\.(internal|attachable|enable_ipv4|enable_ipv6)$", "bool"),
    )
)


def _cast(path: str, text: str) -> Any:
    for pattern, kind in CASTS:
        if pattern.match(path):
            if kind == "int" and _INT.match(text):
                return int(text)
            if kind == "float" and _FLOAT.match(text):
                return float(text)
            if kind == "bool" and text.lower() in _BOOLEANS:
                return _BOOLEANS[text.lower()]
            return text
    return text
