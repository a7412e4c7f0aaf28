"""The result cache's codec (designer.validation_codec): what `encode` writes, `decode` rebuilds
exactly, and anything else (a severity by name, a boolean for an integer, an unknown value) is refused
on the way in or never written. Real results, made by the real validator from a real design file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from designer.adapters.registry import AdapterRegistry
from designer.errors import DesignError, Location
from designer.model import ToolInput
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.policy.findings import CheckInfo, Severity, merge
from designer.validation import validate_each
from designer.validation_codec import checks_digest, decode, decode_checks, encode
from designer.validation_results import FileResult

ENVELOPE = {"format": "test", "key": "k"}

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:latest"}]
"""


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> FileResult:
    """A real file result with findings, an error with a location, and a checked tool input."""
    file = tmp_path_factory.mktemp("codec") / "web.yaml"
    file.write_text(WEB)
    policies = PolicySet.load(PolicyOptions())
    (result,) = validate_each([file], {}, policies, AdapterRegistry.from_entry_points(), jobs=1)
    assert result.report.findings, "the design is meant to have findings"
    result.errors.append(
        DesignError("a mistake", hint="mend it", location=Location(str(file), 3, 5), path="spec.x")
    )
    result.tool_inputs.append(
        ToolInput("Kustomization", "kustomize", Location(str(file), 1), 4, 0, ("a.yaml",))
    )
    return result


def _round_trip(result: FileResult) -> tuple[dict[str, Any], FileResult]:
    row, digest, checks = encode(result, ENVELOPE)
    doc = orjson.loads(row)
    assert {k: doc[k] for k in ENVELOPE} == ENVELOPE
    assert checks_digest(doc["result"]) == digest
    return doc["result"], decode(doc["result"], {digest: decode_checks(digest, checks)})


def test_a_result_comes_back_as_it_was(validated: FileResult) -> None:
    stored, back = _round_trip(validated)
    assert back.file == validated.file
    assert back.designs == validated.designs
    assert back.report == validated.report
    assert back.tool_inputs == validated.tool_inputs
    assert [(type(e), vars(e), e.args) for e in back.errors] == [
        (type(e), vars(e), e.args) for e in validated.errors
    ]
    # Severities are written by value and dataclasses as lists of their fields.
    first = validated.report.findings[0]
    assert stored["report"]["findings"][0][:3] == [first.id, int(first.severity), first.message]


@pytest.mark.parametrize(
    ("damage", "value"),
    [("severity by name", "HIGH"), ("severity as a boolean", True), ("unknown severity", 9)],
)
def test_a_severity_that_is_not_a_value_of_its_own_type_is_refused(
    validated: FileResult, damage: str, value: object
) -> None:
    stored, _ = _round_trip(validated)
    stored["report"]["findings"][0][1] = value
    digest, checks = stored["report"]["checks"], encode(validated, ENVELOPE)[2]
    with pytest.raises(ValueError, match="Severity"):
        decode(stored, {digest: decode_checks(digest, checks)})


def test_a_value_the_codec_cannot_carry_is_not_written(validated: FileResult) -> None:
    odd = FileResult(file=validated.file, errors=[DesignError("odd", path=Path("x"))])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot carry"):
        encode(odd, ENVELOPE)
    outside = FileResult(file=validated.file, external=("helm",))
    with pytest.raises(ValueError, match="more than the file"):
        encode(outside, ENVELOPE)


def test_the_same_checks_give_the_same_digest_and_others_another(validated: FileResult) -> None:
    checks = validated.report.checks
    same = encode(FileResult(file="a", report=merge([validated.report])), ENVELOPE)[1]
    assert same == encode(validated, ENVELOPE)[1]  # a tuple of its own, the very same checks
    other = CheckInfo(id=checks[0].id, title="another title", severity=Severity.LOW)
    changed = merge([validated.report])
    changed = type(changed)(findings=(), checks=(other, *checks[1:]), objects=0)
    assert encode(FileResult(file="a", report=changed), ENVELOPE)[1] != same
