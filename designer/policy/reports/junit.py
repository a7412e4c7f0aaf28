"""``--output junit``: JUnit XML for CI test reports.

One ``testsuite`` per check; one failing ``testcase`` per (check, object) with the severity as the
failure type and the remediation in the body; waived findings are ``skipped`` with the reason; a check
without findings has one passing testcase, so the report shows what was checked.
Caller: designer.policy.reports.renderer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from designer.policy.findings import CheckInfo, Finding, Report
from designer.policy.reports import RenderContext


def render(report: Report, context: RenderContext) -> str:
    """The report as a JUnit XML document."""
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_check[finding.id].append(finding)
    checks = {c.id: c for c in report.checks}
    root = ET.Element("testsuites", name="designer")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for check_id in sorted(set(checks) | set(by_check)):
        info = checks.get(check_id)
        suite = ET.SubElement(root, "testsuite", name=check_id)
        cases = _cases(check_id, info, by_check.get(check_id, []), suite, context)
        failures = sum(1 for f in by_check.get(check_id, []) if not f.waived)
        skipped = sum(1 for f in by_check.get(check_id, []) if f.waived)
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        suite.set("errors", "0")
        totals["tests"] += cases
        totals["failures"] += failures
        totals["skipped"] += skipped
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _cases(
    check_id: str, info: CheckInfo | None, findings: list[Finding], suite: ET.Element, context: RenderContext
) -> int:
    title = info.title if info else check_id
    if not findings:
        ET.SubElement(suite, "testcase", name=f"{check_id}: all objects", classname=check_id)
        return 1
    for finding in findings:
        subject = str(finding.object) if finding.object else (finding.component or "design")
        case = ET.SubElement(suite, "testcase", name=f"{check_id} {subject}", classname=check_id)
        file = context.relative(finding.file)
        if file:
            case.set("file", file)
            if finding.line:
                case.set("line", str(finding.line))
        if finding.waived:
            ET.SubElement(case, "skipped", message=f"waived: {finding.waiver_reason}")
            continue
        failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity.label)
        where = f"{file}:{finding.line}" if file and finding.line else (file or "")
        body = [f"{title}", f"{where} {finding.path or ''}".strip()]
        if info and info.remediation:
            body.append(f"Remediation: {info.remediation}")
        failure.text = "\n".join(line for line in body if line)
    return len(findings)
