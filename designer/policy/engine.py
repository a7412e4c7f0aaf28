"""The seam between designer's policy code and the Rego engines that evaluate it.

Two engines evaluate the same loaded input (modules, data, input, rule queries) and must give the same
answers: ``regorus`` (designer.policy.backend, in-process, the fast default) and ``opa``
(designer.policy.opa, the ``opa`` binary found on PATH, for exact compatibility with OPA). Callers build
engines through `new_engine`, never by naming a class, so the choice reaches every path that evaluates
Rego (built-in checks, conftest policies, Gatekeeper templates, Rego unit tests) without being passed
down through each of them.

The choice, first match wins: `new_engine`'s ``engine`` argument; `use_engine` (the CLI's ``--engine``
enters it); the environment variable ``DESIGNER_POLICY_ENGINE``; ``regorus``.

This module imports neither engine (and no third-party library): what both engines share lives here
(`RegoModule`, `UNDEFINED`, the `PolicyEngine` protocol), and each engine module is imported only when
an engine of its kind is built.

Callers: designer.policy.{builtin,conftest,gatekeeper,rego_tests} (engines), designer.cli.options
(``--engine``), the differential suite in tests/policy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, Self

from designer.errors import PolicyError

EngineName = Literal["regorus", "opa"]
ENGINES: tuple[EngineName, ...] = ("regorus", "opa")
DEFAULT_ENGINE: EngineName = "regorus"
ENV_VAR = "DESIGNER_POLICY_ENGINE"

UNDEFINED: Any = object()
"""Returned by `PolicyEngine.eval_rule` when the rule exists but has no value for this input."""

_PACKAGE_RE = re.compile(r"^[ \t]*package[ \t]+([^\s#]+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoModule:
    """One Rego source: the path it is known by (shown in errors), its text, and the file it came from
    (conftest's file builtins resolve paths against that file's folder; designer.policy.loader)."""

    path: str
    text: str
    origin: Path | None = None

    @classmethod
    def from_file(cls, path: Path, *, display: str | None = None) -> RegoModule:
        """Read a .rego file; ``display`` is the name errors show (defaults to the path as given)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(
                f"cannot read policy {path}: {exc.strerror or exc}",
                hint="check the path given with --policy",
            ) from exc
        return cls(path=display or str(path), text=text, origin=path)

    @property
    def package(self) -> str | None:
        """The package as ``data.<pkg>`` read from the ``package`` line, or None when there is none."""
        found = _PACKAGE_RE.search(self.text)
        return f"data.{found.group(1)}" if found else None


class PolicyEngine(Protocol):
    """What designer asks of a Rego engine. Engines are single-threaded values: build one base engine
    with the policies and data, then `clone` it per input batch (clones are independent)."""

    in_process: bool
    """True when evaluation runs in this process: a forked child then evaluates on its own copy (the
    built-in checks split a large evaluation that way). False for an engine that talks to a server
    over a connection, which a child must not share."""

    v0: bool
    """Rego v0 syntax for modules (v1 modules still load with ``import rego.v1``, as in OPA's v0 mode)."""

    def add_module(self, module: RegoModule) -> str:
        """Add one module; returns its package as ``data.<pkg>``. May raise PolicyError for bad syntax."""
        ...

    def add_data(self, data: Mapping[str, Any]) -> None:
        """Merge a JSON document into ``data`` (top-level keys must not repeat across calls)."""
        ...

    def prepare(self) -> None:
        """Compile what was added so far; raises PolicyError (file:line) when a policy is broken.

        Optional for callers (evaluation prepares too): it makes a broken policy fail where it is loaded.
        """
        ...

    @property
    def packages(self) -> tuple[str, ...]:
        """Packages of the added modules (``data.x.y``), in order."""
        ...

    def set_input(self, value: Any) -> None:
        """Replace ``input``."""
        ...

    def set_input_json(self, text: str) -> None:
        """Replace ``input`` with an already serialised JSON document."""
        ...

    def eval_rule(self, rule: str) -> Any:
        """Value of a rule by its full path (``data.pkg.deny``) as JSON data, or `UNDEFINED`."""
        ...

    def eval_query(self, query: str) -> list[Any]:
        """Values of the first expression of each result of ``query`` (empty when undefined)."""
        ...

    def clone(self) -> Self:
        """An independent copy with the same policies, data and current input."""
        ...

    def take_prints(self) -> list[str]:
        """``print()`` output of the evaluations since the last call, as ``file:line: text``."""
        ...

    def take_builtin_errors(self) -> list[PolicyError]:
        """Builtin errors that evaluations since the last call read as undefined, OPA's default (regorus
        raises them instead, so it has none)."""
        ...


_selected: EngineName | None = None


def selected_engine() -> EngineName:
    """The engine `new_engine` builds when not told: `use_engine`'s, else ``$DESIGNER_POLICY_ENGINE``,
    else regorus."""
    if _selected is not None:
        return _selected
    return parse_engine_name(os.environ.get(ENV_VAR) or DEFAULT_ENGINE, source=ENV_VAR)


def parse_engine_name(value: str, *, source: str = "--engine") -> EngineName:
    """``value`` as an engine name; an unknown one is an input error naming where it came from."""
    name = value.strip().lower()
    if name == "opa":
        return "opa"
    if name != "regorus":
        raise PolicyError(
            f"{source}: unknown policy engine {value!r}",
            hint=f"use one of: {', '.join(ENGINES)}",
        )
    return "regorus"


@contextmanager
def use_engine(name: EngineName | None) -> Iterator[None]:
    """Build engines of ``name`` inside the block (None: back to the environment's choice)."""
    global _selected
    previous, _selected = _selected, name
    try:
        yield
    finally:
        _selected = previous


def new_engine(*, v0: bool = False, engine: EngineName | None = None) -> PolicyEngine:
    """An empty engine of the chosen kind (see the module docstring for how the kind is chosen)."""
    kind = engine or selected_engine()
    if kind == "opa":
        from designer.policy.opa import OpaEngine

        return OpaEngine(v0=v0)
    from designer.policy.backend import RegoEngine

    return RegoEngine(v0=v0)
