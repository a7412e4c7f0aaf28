"""Objects designer could not check, reported as findings when the user asks (``--unchecked-objects finding``).

By default an object a design cannot hold (no name, a duplicate, another tool's file) is an error:
`design validate` exits 3 because something was not checked. A repository that keeps such files on
purpose (a Helm chart's values.yaml beside its manifests) may prefer them as findings, which
``--fail-on`` then judges like any other: INPUT-001 (not a Kubernetes object: info) and INPUT-002
(an object the design cannot hold: medium, since kubectl apply would refuse it or keep only one copy).

Callers: designer.cli.validate.
"""

from __future__ import annotations

from collections.abc import Sequence

from designer.errors import NOT_AN_OBJECT, NOT_HELD, DesignerError, UncheckedObjectError
from designer.policy.findings import CheckInfo, Finding, Report, Severity, merge
from designer.validation_results import Validation

CHECKS = {
    NOT_AN_OBJECT: CheckInfo(
        id=NOT_AN_OBJECT,
        title="A document that is not a Kubernetes object was not checked",
        severity=Severity.INFO,
        rationale="Files for other tools (Helm values, tool configurations) hold nothing an API server reads.",
        remediation="Validate what the tool produces (e.g. `helm template` output), or keep the file out of PATH.",
        source="designer",
    ),
    NOT_HELD: CheckInfo(
        id=NOT_HELD,
        title="An object the design cannot hold was not checked",
        severity=Severity.MEDIUM,
        rationale="An object without a name, or a second copy of one, cannot be applied as written.",
        remediation="Give the object a name, or remove the duplicate.",
        source="designer",
    ),
}


def as_findings(run: Validation) -> None:
    """Move the unchecked objects of ``run`` from its errors to its report, as findings."""
    run.errors, unchecked = split(run.errors)
    run.report = merge([run.report, unchecked])


def split(errors: Sequence[DesignerError]) -> tuple[list[DesignerError], Report]:
    """The errors that stay errors, and a report of the unchecked objects as findings."""
    kept: list[DesignerError] = []
    findings: list[Finding] = []
    for error in errors:
        info = CHECKS.get(error.check_id) if isinstance(error, UncheckedObjectError) else None
        if info is None:
            kept.append(error)
            continue
        location = error.location
        findings.append(
            Finding(
                id=info.id,
                severity=info.severity,
                message=error.message,
                component=None,
                object=None,
                file=location.file if location else None,
                line=location.line if location and not location.is_whole_file else None,
                path=error.path,
            )
        )
    used = {f.id for f in findings}
    checks = tuple(info for check_id, info in CHECKS.items() if check_id in used)
    return kept, Report(findings=tuple(findings), checks=checks, objects=0)
