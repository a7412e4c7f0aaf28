"""The exception tree and the exit codes of the `design` command.

Every failure a user can cause or fix (bad input, an unreachable cluster, a broken policy) is a
`DesignerError`; the CLI's one error funnel turns it into ``error: …`` plus a hint and exit code 3.
Anything else is a bug and exits with 4. Findings and failed apply steps are *data*, never exceptions.

    DesignerError                      exit 3
    ├── DesignError                    bad design input: file, line, column, key path
    │   ├── SchemaError                the input breaks schemas/design.schema.json
    │   └── UnresolvedReferenceError   a reference (dependsOn, variable, $(#ref…)) does not resolve
    ├── GraphError
    │   └── CycleError                 the dependency graph has a cycle (carries the chain)
    ├── PolicyError                    a policy cannot be loaded or evaluated (not a violation)
    ├── ClusterError                   the Kubernetes API refused or could not be reached
    ├── AdapterError                   an adapter is missing, fails to load, or cannot render
    ├── CatalogError                   catalog index, packaging, source or integrity failures
    └── ProfileError                   a performance profile cannot run
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Documented exit codes of every `design` command."""

    OK = 0
    FINDINGS = 1  # findings at or above --fail-on, pending changes, failed steps, failed SLOs
    USAGE = 2  # click's own code for bad flags
    INPUT = 3  # DesignerError: the input or the environment is wrong
    INTERNAL = 4  # a bug
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Location:
    """Where something sits in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class DesignerError(Exception):
    """Root of every error the user can act on.

    Args:
        message: what is wrong, in one sentence.
        hint: what to do about it.
        location: where in the input, when known.
        path: the key path inside the document, e.g. ``components[3].settings.spec.replicas``.
    """

    exit_code: ExitCode = ExitCode.INPUT

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        location: Location | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location
        self.path = path

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"{self.location}: ")
        if self.path:
            parts.append(f"{self.path}: ")
        parts.append(self.message)
        return "".join(parts)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled when a forked `validate` worker sends its errors back (designer.validation). The
        # default reduction calls ``cls(*args)``, which subclasses with other signatures (CycleError)
        # cannot take: rebuild from the attributes instead.
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(
    cls: type[DesignerError], args: tuple[object, ...], state: dict[str, object]
) -> DesignerError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class DesignError(DesignerError):
    """The design input is malformed: YAML, structure, types or values."""


class SchemaError(DesignError):
    """The design breaks its JSON Schema."""


class UnresolvedReferenceError(DesignError):
    """A name the design refers to does not exist."""


class GraphError(DesignerError):
    """The dependency graph cannot be built or ordered."""


class CycleError(GraphError):
    """The dependency graph has a cycle; ``chain`` lists (dependency, dependent, reason) edges."""

    def __init__(self, chain: list[tuple[str, str, str]], *, hint: str | None = None) -> None:
        lines = [f"  {a} → {b}  ({reason})" for a, b, reason in chain]
        super().__init__(
            "dependency cycle:\n" + "\n".join(lines),
            hint=hint or "remove one dependsOn entry in the chain, or split a component",
        )
        self.chain = chain


class PolicyError(DesignerError):
    """A policy cannot be loaded or evaluated."""


class ClusterError(DesignerError):
    """The Kubernetes API refused a request or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        reason: str | None = None,
        causes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason
        self.causes = causes


class AdapterError(DesignerError):
    """An adapter is missing, cannot load, or cannot render a component."""


class CatalogError(DesignerError):
    """The pattern catalog, a package or a source failed (integrity included)."""


class ProfileError(DesignerError):
    """A performance profile is invalid or cannot run."""
