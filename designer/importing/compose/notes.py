"""What an import could not carry over, each at the file:line:column of the Compose key.

A Compose key with no Kubernetes counterpart (``build``, ``network_mode``, …), or converted only in
part, is never dropped silently: it becomes a `Note` that `design import` prints on stderr
(``warning: FILE:LINE:COL: services.web.build: …``). Callers: the converting modules of this package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from designer.errors import Location


@dataclass(frozen=True, slots=True, order=True)
class Note:
    """One thing the import did not (or not wholly) convert: where, which key, what happened."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.path}: {self.message}"


@dataclass
class Notes:
    """Collects notes; ``locate`` turns a Compose key path into its place in the file."""

    locate: Callable[[str], Location]
    items: list[Note] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        """Record that ``path`` was not (wholly) converted, and why."""
        note = Note(self.locate(path), path, message)
        if note not in self.items:
            self.items.append(note)

    def dropped(self, path: str, why: str) -> None:
        """A key that has no counterpart: ``not converted: why``."""
        self.add(path, f"not converted: {why}")

    def sorted(self) -> list[Note]:
        """The notes in file order."""
        return sorted(self.items, key=lambda n: (n.location.line, n.location.column, n.path))
