"""``--output sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; ``tool.driver.rules`` lists every check that ran (with help text, default level and a
``security-severity`` GitHub understands); ``results`` is always present, even when empty. Each result
has ``ruleId``/``ruleIndex``, a level, the file (relative URI) and ``startLine``, and a
``partialFingerprints`` entry that does not change when lines move. Waived findings are kept as results
with an accepted ``suppressions`` entry. Caller: designer.policy.reports.renderer.
"""

from __future__ import annotations

from typing import Any

from designer.jsontext import pretty
from designer.policy.findings import CheckInfo, Finding, Report, Severity
from designer.policy.reports import RenderContext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/designer-dev/designer"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def document(report: Report, context: RenderContext) -> dict[str, Any]:
    """The SARIF log as Python data."""
    checks = {c.id: c for c in report.checks}
    for finding in report.findings:  # a finding whose check is unknown still needs a rule
        checks.setdefault(
            finding.id, CheckInfo(id=finding.id, title=finding.id, severity=finding.severity, source="?")
        )
    ordered = sorted(checks.values(), key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(ordered)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "designer",
                        "version": context.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(c) for c in ordered],
                    }
                },
                "invocations": [
                    # 0 and 1 are verdicts; 3 and 4 mean the run itself failed.
                    {"executionSuccessful": context.exit_code in (0, 1), "exitCode": context.exit_code},
                ],
                "results": [_result(f, index[f.id], context) for f in report.findings],
            }
        ],
    }


def render(report: Report, context: RenderContext) -> str:
    """The SARIF log as JSON text."""
    return pretty(document(report, context))


def _rule(check: CheckInfo) -> dict[str, Any]:
    help_text = check.remediation or check.rationale or check.title
    full = check.rationale or check.title
    return {
        "id": check.id,
        "name": check.id.replace("-", "").replace(".", "_"),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": full},
        "help": {
            "text": help_text,
            "markdown": f"**{check.title}**\n\n{full}\n\n**Remediation:** {help_text}",
        },
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "tags": [check.source, check.severity.label],
            "security-severity": SECURITY_SEVERITY[check.severity],
        },
    }


def _result(finding: Finding, rule_index: int, context: RenderContext) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "partialFingerprints": {"designerFinding/v1": finding.fingerprint},
    }
    uri = context.relative(finding.file)
    if uri:
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": max(finding.line or 1, 1)},
            }
        }
        if finding.object is not None:
            location["logicalLocations"] = [{"name": str(finding.object), "kind": "object"}]
        result["locations"] = [location]
    if finding.waived:
        result["suppressions"] = [
            {
                "kind": "inSource" if finding.waiver_source == "annotation" else "external",
                "status": "accepted",
                "justification": finding.waiver_reason or "waived",
            }
        ]
    return result


def _message(finding: Finding) -> str:
    subject = f"{finding.object}: " if finding.object else ""
    return f"{subject}{finding.message}"
