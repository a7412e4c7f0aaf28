"""Every case of the real Gatekeeper library suites (../shared/testdata/gatekeeper-library), as its users run
them, with real regorus:

* through ``design policy verify`` (the whole library in one run, as ``gator verify ./...``): each case must
  pass, and the summary must count every case of the suite files (read here with PyYAML, independently);
* through ``design validate OBJECT --policy TEMPLATE --policy CONSTRAINT --inventory FILE...``: the case's
  object (a manifest or an AdmissionReview) is a design, the case's inventory stands for the cluster, and
  the findings whose message matches each assertion's regex must number what the assertion says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from designer.cli.main import cli
from tests import engines, requirements
from tests.conftest import SHARED

LIBRARY = SHARED / "testdata" / "gatekeeper-library"


def _suite_files() -> list[Path]:
    return sorted(LIBRARY.glob("*/*/suite.yaml"))


def _cases() -> list[Any]:
    if not LIBRARY.is_dir():  # one placeholder, so the test runs once and says what is missing
        return [pytest.param(LIBRARY, {}, {}, ("", "", 0), id="library-missing")]
    params: list[Any] = []
    for suite_file in _suite_files():
        suite = yaml.safe_load(suite_file.read_text())
        for test in suite.get("tests") or []:
            for index, case in enumerate(test.get("cases") or []):
                case_id = f"{suite_file.parent.name}/{test['name']}/{case['name']}"
                key = (str(suite_file.relative_to(LIBRARY)), test["name"], index)
                params.append(pytest.param(suite_file.parent, test, case, key, id=case_id))
    return params


CASES = _cases()


def test_the_library_is_there() -> None:
    requirements.shared("testdata", "gatekeeper-library")
    assert len(CASES) >= 150, f"expected the Gatekeeper suites under {LIBRARY}"


@pytest.fixture(scope="module", params=engines.ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each test runs on both engines: regorus, and OPA itself (skipped outside CI without the opa binary)."""
    return engines.require(request.param)


@pytest.fixture(scope="module")
def verified(engine: str) -> dict[str, Any]:
    """One `design policy verify` run over the whole library, as gator verify ./... would run it."""
    requirements.shared("testdata", "gatekeeper-library")
    result = CliRunner().invoke(cli, ["policy", "verify", str(LIBRARY), "-o", "json", "--engine", engine])
    assert result.exit_code in (0, 1, 3), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_verify_counts_every_case(verified: dict[str, Any]) -> None:
    assert verified["summary"] == {"cases": len(CASES), "passed": len(CASES), "failed": 0, "errors": 0}
    assert len(verified["suites"]) == len(_suite_files())
    assert verified["summary"]["passed"] + verified["summary"]["errors"] + verified["summary"][
        "failed"
    ] == len(CASES)


@pytest.mark.parametrize(("folder", "test", "case", "key"), CASES)
def test_verify_case(
    verified: dict[str, Any], folder: Path, test: dict[str, Any], case: dict[str, Any], key: Any
) -> None:
    suite_path, test_name, index = key
    (suite,) = [s for s in verified["suites"] if s["file"].endswith(suite_path)]
    (found,) = [t for t in suite["tests"] if t["name"] == test_name]
    result = found["cases"][index]
    assert result["name"] == case["name"]
    assert result["passed"], result["error"]
    assert result["error"] is None
    assert isinstance(result["violations"], int)


@pytest.mark.parametrize(("folder", "test", "case", "key"), CASES)
def test_validate_case(
    engine: str, folder: Path, test: dict[str, Any], case: dict[str, Any], key: Any
) -> None:
    requirements.shared("testdata", "gatekeeper-library")
    args = [
        "validate",
        "--no-cache",  # every case evaluated by the engine under test, never answered from the result cache
        "--engine",
        engine,
        str(folder / case["object"]),
        "--policy",
        str(folder / test["template"]),
        "--policy",
        str(folder / test["constraint"]),
        "--no-builtin-policies",
        # Objects for review, not to apply (a Pod with only ephemeral containers): gator checks no fields.
        "--field-validation",
        "ignore",
        "--fail-on",
        "never",
        "-o",
        "json",
    ]
    for inventory in case.get("inventory") or []:
        args += ["--inventory", str(folder / inventory)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["designs"] == 1, doc["errors"]
    messages = [f["message"] for f in doc["findings"]]
    for assertion in case.get("assertions") or []:
        expected = assertion.get("violations", "yes")
        pattern = assertion.get("message")
        hits = [m for m in messages if pattern is None or re.search(str(pattern), m)]
        if expected is True or expected == "yes":
            assert hits, f"expected violations matching {pattern!r}, got {messages}"
        elif expected is False or expected == "no":
            assert not hits, f"expected no violation matching {pattern!r}, got {hits}"
        else:
            assert len(hits) == int(expected), f"expected {expected} matching {pattern!r}, got {hits}"


def test_noupdateserviceaccount_reviews_each_of_its_bodies(engine: str, tmp_path: Path) -> None:
    """The template's violation has three bodies after a `violation[{"msg": msg}]` head; an UPDATE whose new
    object lost its serviceAccountName must meet the third (the library's own cases never reach it)."""
    folder = requirements.shared("testdata", "gatekeeper-library", "general", "noupdateserviceaccount")
    review = tmp_path / "update.yaml"
    review.write_text(
        "kind: AdmissionReview\napiVersion: admission.k8s.io/v1\nrequest:\n  operation: UPDATE\n"
        "  namespace: kube-system\n  userInfo: {username: alice}\n"
        "  oldObject: {apiVersion: apps/v1, kind: Deployment, metadata: {name: d},\n"
        "    spec: {template: {spec: {serviceAccountName: a}}}}\n"
        "  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {template: {spec: {}}}}\n"
    )
    args = ["validate", "--no-cache", "--engine", engine, str(review), "--no-builtin-policies", "-o", "json"]
    args += ["--policy", str(folder / "template.yaml")]
    args += ["--policy", str(folder / "samples" / "noupdateserviceaccount" / "constraint.yaml")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert messages == ["missing serviceAccountName field in object under review"]
