"""``--output github``: GitHub Actions workflow commands (``::error file=…,line=…,title=…::message``).

critical/high -> ``error``, medium -> ``warning``, low/info -> ``notice``; one ``::group::`` per file;
waived findings are not annotated (they are counted in the closing notice). Values are escaped as the
workflow-command format requires. Caller: designer.policy.reports.renderer.
"""

from __future__ import annotations

from itertools import groupby

from designer.errors import DesignerError
from designer.policy.findings import Finding, Report, Severity
from designer.policy.reports import RenderContext

COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def render(report: Report, context: RenderContext) -> str:
    """The report as workflow-command lines."""
    lines: list[str] = []
    active = [f for f in report.findings if not f.waived]
    for file, group in groupby(active, key=lambda f: context.relative(f.file) or ""):
        lines.append(f"::group::{escape_data(file or 'design')}")
        lines.extend(_annotation(f, file) for f in group)
        lines.append("::endgroup::")
    summary = report.summary()
    lines.append(
        f"::notice title=designer::{summary['findings']} findings, {summary['waived']} waived, "
        f"{summary['objects']} objects checked"
    )
    return "\n".join(lines)


def _annotation(finding: Finding, file: str) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if finding.line:
            props.append(f"line={finding.line}")
    props.append(f"title={escape_property(f'{finding.id} ({finding.severity.label})')}")
    subject = f"{finding.object}: " if finding.object else ""
    return f"::{COMMANDS[finding.severity]} {','.join(props)}::{escape_data(subject + finding.message)}"


def error_annotation(exc: DesignerError, context: RenderContext) -> str:
    """An ``::error`` line for a design that could not be checked at all (exit 3)."""
    props = []
    if exc.location is not None:
        props.append(f"file={escape_property(context.relative(exc.location.file) or '')}")
        if not exc.location.is_whole_file:
            props.append(f"line={exc.location.line}")
    props.append("title=design error")
    text = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
    return f"::error {','.join(props)}::{escape_data(text)}"


def escape_data(text: str) -> str:
    """Escape a message for a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (also ':' and ',')."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
