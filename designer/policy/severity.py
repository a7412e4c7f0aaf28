"""Severities of findings, apart from the findings themselves.

Kept in a module of its own, with no imports of designer's, so that the command line can offer
``--fail-on``'s choices without importing the data model: a rerun of ``design validate`` that replays
a cached report (designer.validation_cache) imports little more than this.

Callers: designer.policy.findings (which re-exports both names), designer.cli.validate.
"""

from __future__ import annotations

import enum


class Severity(enum.IntEnum):
    """Ordered severities; `--fail-on` compares with them."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lowercase name used in every output."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str, *, default: Severity | None = None) -> Severity:
        """Severity from its name (case-insensitive); ``default`` when unknown, else ValueError."""
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            if default is not None:
                return default
            raise ValueError(f"unknown severity {text!r}") from None


SEVERITY_NAMES = tuple(s.label for s in Severity)
