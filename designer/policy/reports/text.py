"""``--output text``: one line per finding, ``file:line: severity ID object: message``, and a footer.

Plain text (no colour codes), so it reads the same in a terminal, a CI log or a pipe.
Caller: designer.policy.reports.renderer.
"""

from __future__ import annotations

from designer.policy.findings import Report
from designer.policy.reports import RenderContext
from designer.wording import count_of


def render(report: Report, context: RenderContext) -> str:
    """The report as text lines."""
    lines: list[str] = []
    # A report names few files and each object many times: each is written out once (a 100,000-component
    # design has some 650,000 findings).
    files: dict[str | None, str] = {}
    objects: dict[int, str] = {}
    for finding in report.findings:
        where = files.get(finding.file)
        if where is None:
            where = files[finding.file] = context.relative(finding.file) or "<design>"
        if finding.line:
            where = f"{where}:{finding.line}"
        if finding.object is not None:
            subject = objects.get(id(finding.object))
            if subject is None:
                subject = objects[id(finding.object)] = str(finding.object)
        else:
            subject = finding.component or ""
        state = "waived " if finding.waived else ""
        subject = f" {subject}:" if subject else ":"
        lines.append(f"{where}: {state}{finding.severity.label} {finding.id}{subject} {finding.message}")
        if finding.waived:
            lines.append(f"    waiver ({finding.waiver_source}): {finding.waiver_reason}")
        elif finding.path:
            lines.append(f"    at {finding.path}")
    for note in report.notes:
        lines.append(f"note: {note}")
    summary = report.summary()
    counts = ", ".join(f"{n} {name}" for name, n in summary["by_severity"].items() if n)
    lines.append(
        f"{count_of(summary['findings'], 'finding')}{f' ({counts})' if counts else ''}, {summary['waived']} waived; "
        f"{count_of(summary['objects'], 'object')}, {count_of(summary['checks'], 'check')}"
    )
    return "\n".join(lines)
