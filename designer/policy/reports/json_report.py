"""``--output json``: the stable findings document (schemas/findings.schema.json).

``{"schema_version": 1, "findings": [...], "checks": [...], "summary": {...}}``; finding paths are
relative to the working folder when below it. Caller: designer.policy.reports.renderer.
"""

from __future__ import annotations

from typing import Any

from designer.jsontext import pretty
from designer.policy.findings import Report
from designer.policy.reports import RenderContext


def document(report: Report, context: RenderContext) -> dict[str, Any]:
    """The JSON document as Python data (validate merges it with its own keys)."""
    findings = []
    for finding in report.findings:
        item = finding.as_json()
        item["file"] = context.relative(finding.file)
        findings.append(item)
    return {
        "schema_version": 1,
        "findings": findings,
        "checks": [c.as_json() for c in sorted(report.checks, key=lambda c: c.id)],
        "notes": list(report.notes),
        "summary": {**report.summary(), "exit_code": context.exit_code},
    }


def render(report: Report, context: RenderContext) -> str:
    """The document as indented JSON text."""
    return pretty(document(report, context))
