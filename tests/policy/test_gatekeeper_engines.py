"""Gatekeeper templates answer as under OPA on both engines: the constructs where plain regorus parts from
OPA (found in real library templates) give OPA's answer through `design validate --engine regorus|opa`.

Each template is written for this test around one construct: a ``not`` over a call whose argument is
undefined (OPA hoists the argument, so the rule is undefined, not true), a second rule body after a head
that holds braces, and a ``sprintf`` with fewer arguments than verbs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.cli.main import run
from tests import engines

TEMPLATE = """apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sconstructs
spec:
  crd:
    spec:
      names:
        kind: K8sConstructs
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sconstructs

        violation[{"msg": "replicas outside every range"}] {
          not in_some_range(input.review.object.spec.replicas, input.parameters.ranges)
        }

        in_some_range(value, ranges) {
          r := ranges[_]
          r.min <= value
          value <= r.max
        }

        violation[{"msg": msg}] {
          input.review.object.metadata.labels.a
          msg := "label a"
        } {
          input.review.object.metadata.labels.b
          msg := "label b"
        }

        violation[{"msg": msg}] {
          input.review.object.metadata.labels.c
          msg := sprintf("%v has label c (%v)", [input.review.object.metadata.name])
        }
"""
CONSTRAINT = """apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sConstructs
metadata:
  name: constructs
spec:
  parameters: {}
"""


@pytest.fixture(params=engines.ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return engines.require(request.param)


def _messages(tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str, labels: str) -> list[str]:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "constraint.yaml").write_text(CONSTRAINT)
    design = tmp_path / "design.yaml"
    design.write_text(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, labels: {labels}}}\nspec: {{replicas: 3}}\n"
    )
    code = run(
        [
            "validate",
            str(design),
            "--engine",
            engine,
            "--policy",
            str(tmp_path / "template.yaml"),
            "--policy",
            str(tmp_path / "constraint.yaml"),
            "--no-builtin-policies",
            "--field-validation",
            "ignore",  # a Deployment fragment: only the template's rules matter here
            "-o",
            "json",
        ]
    )
    assert code in (0, 1)
    return sorted(f["message"] for f in json.loads(capsys.readouterr().out)["findings"])


def test_not_over_an_undefined_argument_is_undefined(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No `ranges` parameter: OPA's rule is undefined (no violation); a literal `not` would say true.
    assert _messages(tmp_path, capsys, engine, "{}") == []


def test_every_body_after_a_braced_head_counts(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _messages(tmp_path, capsys, engine, "{a: x, b: y}") == ["label a", "label b"]
    assert _messages(tmp_path, capsys, engine, "{b: y}") == ["label b"]


def test_sprintf_missing_arguments_print_as_in_go(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _messages(tmp_path, capsys, engine, "{c: z}") == ["web has label c (%!v(MISSING))"]
