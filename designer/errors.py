"""The exception tree and the exit codes of the `design` command.

Every failure a user can cause or fix (bad input, an unreachable cluster, a broken policy) is a
`DesignerError`; the CLI's one error funnel turns it into ``error: …`` plus a hint and exit code 3.
Anything else is a bug and exits with 4. Findings and failed apply steps are *data*, never exceptions.

    DesignerError                      exit 3
    ├── DesignError                    bad design input: file, line, column, key path
    │   ├── SchemaError                the input breaks schemas/design.schema.json
    │   │   └── FieldError             an object does not fit its kind's shape (unknown field, wrong
    │   │                              type, missing required field, unknown kind)
    │   ├── UnresolvedReferenceError   a reference (dependsOn, variable, $(#ref…)) does not resolve
    │   ├── UncheckedObjectError       an object a design cannot hold (no name, a duplicate, another
    │   │                              tool's file): set aside, the rest of its file is checked
    │   └── CombinedDesignError               several independent errors of one input, reported together
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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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
    """Where something sits in a source file; line and column are 1-based.

    Line 0 stands for the whole file (a missing, unreadable, empty or binary file): it prints as the
    file name alone, never as a made-up ``:1:1``.
    """

    file: str
    line: int
    column: int = 1

    @classmethod
    def whole(cls, file: str) -> Location:
        """The location of a file as a whole."""
        return cls(file, 0, 0)

    @property
    def is_whole_file(self) -> bool:
        """True when no line is meant."""
        return self.line <= 0

    def __str__(self) -> str:
        if self.is_whole_file:
            return self.file
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

    def each(self) -> tuple[DesignerError, ...]:
        """The independent errors this one stands for: itself, or the members of a `CombinedDesignError`."""
        return (self,)

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


class FieldError(SchemaError):
    """An object's fields do not fit its kind's shape, as the API server would find it: a field it does
    not know, a value of the wrong type, a missing required field, a kind its group-version lacks.
    `design validate --field-validation ignore` leaves these out (designer.loading.apifields)."""


class UnresolvedReferenceError(DesignError):
    """A name the design refers to does not exist."""


NOT_AN_OBJECT = "INPUT-001"
"""Check id of a document that is no API object (another tool's file), when reported as a finding."""
NOT_HELD = "INPUT-002"
"""Check id of an object a design cannot hold (no name, a duplicate), when reported as a finding."""


class UncheckedObjectError(DesignError):
    """An object of a manifest file that a design cannot hold, set aside with the reason.

    No name, a second object of the same kind and name, or a file meant for another tool (a Helm
    values file, a tool's configuration). The other objects of the file are still checked; `validate`
    reports these as errors (exit 3: something was not checked) unless asked to report them as
    findings. ``check_id`` names the finding they become then.
    """

    def __init__(self, message: str, *, check_id: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.check_id = check_id


class CombinedDesignError(DesignError):
    """Every independent error found in one input, so one run shows them all, as a compiler does.

    It reads as its first error (plus how many more); `each` gives all of them, and the CLI prints
    and counts each one.
    """

    def __init__(self, errors: Sequence[DesignerError]) -> None:
        flat = [member for error in errors for member in error.each()]
        if not flat:
            raise ValueError("CombinedDesignError needs at least one error")
        first = flat[0]
        more = f" (and {len(flat) - 1} more)" if len(flat) > 1 else ""
        super().__init__(first.message + more, hint=first.hint, location=first.location, path=first.path)
        self.errors = tuple(flat)

    def each(self) -> tuple[DesignerError, ...]:
        return self.errors


def raise_all(errors: Sequence[DesignerError]) -> None:
    """Raise the one error, or a `CombinedDesignError` of several in file order; nothing when ``errors``
    is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CombinedDesignError(sorted(errors, key=_position))


def _position(error: DesignerError) -> tuple[str, int, int]:
    loc = error.location
    return (loc.file, loc.line, loc.column) if loc is not None else ("", 0, 0)


class GraphError(DesignerError):
    """The dependency graph cannot be built or ordered."""


class CycleError(GraphError):
    """The dependency graph has a cycle; ``chain`` lists (dependency, dependent, reason) edges.

    ``places`` says where each step's dependent is written (same order as ``chain``); the error's own
    location is that of the last step, the edge that closes the cycle.
    """

    def __init__(
        self,
        chain: list[tuple[str, str, str]],
        *,
        hint: str | None = None,
        places: Sequence[Location | None] = (),
    ) -> None:
        where = list(places) + [None] * (len(chain) - len(places))
        lines = [
            f"  {a} → {b}  ({reason})" + (f"  at {place}" if place else "")
            for (a, b, reason), place in zip(chain, where, strict=True)
        ]
        super().__init__(
            "dependency cycle:\n" + "\n".join(lines),
            hint=hint or "remove one dependsOn entry in the chain, or split a component",
            location=where[-1] if where else None,
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
