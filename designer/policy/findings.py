"""What policy evaluation produces: severities, check descriptions, findings and the report.

Plain frozen values, no I/O. The evaluators (builtin, conftest, gatekeeper) create them, waivers mark
them, and the renderers in designer.policy.render_* turn a `Report` into text, JSON, SARIF, JUnit or
GitHub annotations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from designer.model import ObjectRef

# Re-exported (their home is designer.policy.severity): most callers read them with the findings.
from designer.policy.severity import SEVERITY_NAMES as SEVERITY_NAMES
from designer.policy.severity import Severity as Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInfo:
    """What a check is: from a built-in check's `metadata`, or derived for a user's policy."""

    id: str
    title: str
    severity: Severity
    rationale: str = ""
    remediation: str = ""
    source: str = "builtin"  # builtin | conftest | gatekeeper | designer
    policy_file: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape used by `design policy list`."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.label,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One violation of one check by one object, located in the design file when possible."""

    id: str
    severity: Severity
    message: str
    component: str | None
    object: ObjectRef | None
    file: str | None
    line: int | None
    path: str | None = None
    waived: bool = False
    waiver_reason: str | None = None
    waiver_source: str | None = None  # "annotation" | "file:<path>"

    def waive(self, reason: str, source: str) -> Finding:
        """A copy marked as waived (waived findings are reported, never dropped)."""
        return replace(self, waived=True, waiver_reason=reason, waiver_source=source)

    @property
    def fingerprint(self) -> str:
        """Stable across runs and line moves: check id, object identity, key path and message."""
        ident = str(self.object) if self.object else (self.component or "")
        raw = "\x1f".join((self.id, ident, self.path or "", self.message))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: file, line, check id, message."""
        return (self.file or "", self.line or 0, self.id, self.message)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of `--output json` (schemas/findings.schema.json)."""
        return {
            "id": self.id,
            "severity": self.severity.label,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "component": self.component,
            "object": self.object.as_json() if self.object else None,
            "path": self.path,
            "waived": self.waived,
            "waiver": ({"reason": self.waiver_reason, "source": self.waiver_source} if self.waived else None),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The outcome of one evaluation: findings (waived ones included), the checks that ran, notes."""

    findings: tuple[Finding, ...]
    checks: tuple[CheckInfo, ...]
    objects: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def check(self, check_id: str) -> CheckInfo | None:
        """The description of a check by id, if it ran."""
        for info in self.checks:
            if info.id == check_id:
                return info
        return None

    def failing(self, threshold: Severity | None) -> list[Finding]:
        """Unwaived findings at or above ``threshold`` (None = never fail)."""
        if threshold is None:
            return []
        return [f for f in self.findings if not f.waived and f.severity >= threshold]

    def summary(self) -> dict[str, Any]:
        """Counts for the JSON summary and the text footer."""
        by_severity = dict.fromkeys(reversed(SEVERITY_NAMES), 0)
        for finding in self.findings:
            if not finding.waived:
                by_severity[finding.severity.label] += 1
        return {
            "objects": self.objects,
            "checks": len(self.checks),
            "findings": sum(1 for f in self.findings if not f.waived),
            "waived": sum(1 for f in self.findings if f.waived),
            "by_severity": by_severity,
        }


def merge(reports: Sequence[Report]) -> Report:
    """One report for several designs (checks de-duplicated by id, notes once)."""
    checks: dict[str, CheckInfo] = {}
    notes: dict[str, None] = {}
    findings: list[Finding] = []
    for report in reports:
        findings.extend(report.findings)
        for info in report.checks:
            checks.setdefault(info.id, info)
        notes.update(dict.fromkeys(report.notes))
    return Report(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        checks=tuple(checks.values()),
        objects=sum(r.objects for r in reports),
        notes=tuple(notes),
    )
