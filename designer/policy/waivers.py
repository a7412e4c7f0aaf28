"""Waivers: accepted findings, kept in the report as waived (never dropped).

Two sources:

* an annotation on the object, ``designer.dev/waive.<CHECK-ID>: "<reason>"``; the reason is
  mandatory, and an annotation without one waives nothing and is itself a finding (WAIVER-001).
  ``--no-annotation-waivers`` ignores these annotations (for CI where only reviewed waivers count).
* a waiver file (``--waivers FILE``, schemas/waivers.schema.json): entries with ``id`` (``*`` globs),
  ``component`` or ``object`` ({apiVersion, kind, namespace, name}, globs), ``reason``, ``owner`` and
  ``expires`` (a date). An expired entry stops applying and is reported as a finding (WAIVER-002) at
  its line of the waiver file.

Caller: designer.policy.evaluator.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.errors import Location, PolicyError
from designer.model import RenderedObject
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.policy.yamlfile import read_documents, sequence_item_lines
from designer.resources import schemas_dir

ANNOTATION_PREFIX = "designer.dev/waive."

MISSING_REASON = CheckInfo(
    id="WAIVER-001",
    title="Waiver annotation without a reason",
    severity=Severity.HIGH,
    rationale="A waiver must say why the finding is accepted, so reviewers can judge it.",
    remediation=f'Write the reason as the annotation value: {ANNOTATION_PREFIX}<ID>: "why".',
    source="designer",
)
EXPIRED = CheckInfo(
    id="WAIVER-002",
    title="Expired waiver",
    severity=Severity.LOW,
    rationale="Waivers are temporary; an expired one no longer applies and needs a decision.",
    remediation="Fix the finding, or renew the waiver with a new expiry date and the owner's consent.",
    source="designer",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileWaiver:
    """One entry of a waiver file."""

    id: str
    component: str | None
    object: Mapping[str, str]
    reason: str
    owner: str
    expires: dt.date
    file: str
    line: int

    def applies_to(self, finding: Finding) -> bool:
        """Whether this entry covers ``finding`` (expiry is checked by the caller)."""
        if not fnmatch.fnmatchcase(finding.id, self.id):
            return False
        if self.component is not None and not fnmatch.fnmatchcase(finding.component or "", self.component):
            return False
        if self.object:
            ref = finding.object.as_json() if finding.object else {}
            for key, pattern in self.object.items():
                if not fnmatch.fnmatchcase(str(ref.get(key) or ""), pattern):
                    return False
        return True


def load_waiver_file(path: Path) -> list[FileWaiver]:
    """Read and validate a waiver file (PolicyError with file:line when it is invalid)."""
    docs = read_documents(path)
    doc = docs[0] if docs else {}
    if isinstance(doc, list):
        doc = {"waivers": doc}
    doc = _dates_as_text(doc)
    schema = json.loads((schemas_dir() / "waivers.schema.json").read_text(encoding="utf-8"))
    lines = sequence_item_lines(path, "waivers") or sequence_item_lines(path)
    import jsonschema  # only when a waiver file is given (start-up time of plain validate runs)

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    if error is not None:
        index = error.absolute_path[1] if len(error.absolute_path) > 1 else None
        line = lines[index] if isinstance(index, int) and index < len(lines) else 1
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise PolicyError(
            f"invalid waiver file: {where}: {error.message}",
            hint="each waiver needs id, component or object, reason, owner and expires (YYYY-MM-DD)",
            location=Location(str(path), line),
        )
    waivers = []
    for index, entry in enumerate(doc.get("waivers") or []):
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError as exc:
            raise PolicyError(
                f"invalid waiver file: expires {entry['expires']!r} is not a date",
                hint="write the date as YYYY-MM-DD",
                location=Location(str(path), lines[index] if index < len(lines) else 1),
            ) from exc
        waivers.append(
            FileWaiver(
                id=entry["id"],
                component=entry.get("component"),
                object={k: str(v) for k, v in (entry.get("object") or {}).items()},
                reason=entry["reason"],
                owner=entry["owner"],
                expires=expires,
                file=str(path),
                line=lines[index] if index < len(lines) else 1,
            )
        )
    return waivers


def apply_waivers(
    findings: Sequence[Finding],
    objects: Sequence[RenderedObject],
    file_waivers: Sequence[FileWaiver],
    *,
    use_annotations: bool = True,
    today: dt.date | None = None,
) -> list[Finding]:
    """Mark waived findings; add findings for reason-less annotations and expired file waivers."""
    today = today or dt.date.today()
    active = [w for w in file_waivers if w.expires >= today]
    by_object: dict[tuple[str | None, str], dict[str, str]] = {}
    extra: list[Finding] = []
    if use_annotations:
        for item in objects:
            waived, missing = annotation_waivers(item.body)
            if waived:  # only objects that waive something: most findings then need no lookup key
                by_object[(item.component.name, str(item.ref))] = waived
            for check_id in missing:
                path = f"metadata.annotations.{ANNOTATION_PREFIX}{check_id}"
                where = item.component.locate(path)
                extra.append(
                    Finding(
                        id=MISSING_REASON.id,
                        severity=MISSING_REASON.severity,
                        message=f"waiver annotation for {check_id} has no reason; it waives nothing",
                        component=item.component.name,
                        object=item.ref,
                        file=where.file,
                        line=where.line,
                        path=path,
                    )
                )
    result: list[Finding] = []
    for finding in findings:
        reasons = by_object.get((finding.component, str(finding.object)), {}) if by_object else {}
        if finding.id in reasons:
            result.append(finding.waive(reasons[finding.id], "annotation"))
            continue
        entry = next((w for w in active if w.applies_to(finding)), None) if active else None
        if entry is not None:
            result.append(finding.waive(f"{entry.reason} (owner: {entry.owner})", f"file:{entry.file}"))
        else:
            result.append(finding)
    for entry in file_waivers:
        if entry.expires < today:
            target = entry.component or ", ".join(f"{k}={v}" for k, v in entry.object.items())
            extra.append(
                Finding(
                    id=EXPIRED.id,
                    severity=EXPIRED.severity,
                    message=(
                        f"waiver for {entry.id} on {target} expired on {entry.expires.isoformat()} "
                        f"(owner: {entry.owner}); it no longer applies"
                    ),
                    component=entry.component,
                    object=None,
                    file=entry.file,
                    line=entry.line,
                )
            )
    return result + extra


def annotation_waivers(body: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """(check id -> reason) from the object's waiver annotations, and the ids given without a reason."""
    annotations = (body.get("metadata") or {}).get("annotations") or {}
    waived: dict[str, str] = {}
    missing: list[str] = []
    for key, value in annotations.items():
        if not str(key).startswith(ANNOTATION_PREFIX):
            continue
        check_id = str(key)[len(ANNOTATION_PREFIX) :]
        reason = str(value or "").strip()
        if reason:
            waived[check_id] = reason
        else:
            missing.append(check_id)
    return waived, missing


def waiver_checks() -> Iterable[CheckInfo]:
    """The checks the waiver machinery itself reports."""
    return (MISSING_REASON, EXPIRED)


def _dates_as_text(value: Any) -> Any:
    # YAML reads an unquoted 2026-12-31 as a date; the schema and the parser expect text.
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
