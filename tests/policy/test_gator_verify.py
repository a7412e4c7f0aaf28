"""`design policy verify`: gator suite files through the real command line and real regorus.

The suite in fixtures/gator (written for these tests) covers counts, message regexes, `yes`/`no`, an
AdmissionReview DELETE (operation and userInfo reach the template), an ExpansionTemplate and an
`invalid: true` constraint. Broken variants are written to tmp_path: each must give exit 3 with the
file and line of what is wrong, never a traceback, while the other cases still run.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from designer.cli.main import run
from tests.conftest import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "gator"
SCHEMA = json.loads((ROOT / "schemas" / "verify.schema.json").read_text())


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = run(["policy", "verify", *args, "-o", "json"])
    captured = capsys.readouterr()
    doc: dict[str, Any] = json.loads(captured.out)
    jsonschema.validate(doc, SCHEMA)
    return code, doc, captured.err


def _cases(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{t['name']}/{c['name']}": c for s in doc["suites"] for t in s["tests"] for c in t["cases"]}


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A writable copy of the fixture suite."""
    target = tmp_path / "gator"
    shutil.copytree(FIXTURE, target)
    return target


def test_fixture_suite_passes_with_gators_semantics(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = _verify(capsys, str(FIXTURE / "suite.yaml"))
    assert code == 0
    cases = _cases(doc)
    assert {k: (c["passed"], c["violations"]) for k, c in cases.items()} == {
        "owner-and-team/labelled": (True, 0),
        "owner-and-team/unlabelled": (True, 2),
        "owner-and-team/delete-by-alice": (True, 1),
        "owner-and-team/delete-by-system": (True, 0),
        "deployments-expanded/pod-of-the-deployment": (True, 1),
        "labels-must-be-a-list/(invalid constraint)": (True, None),
    }
    assert doc["summary"] == {"cases": 6, "passed": 6, "failed": 0, "errors": 0}


def test_text_output_is_gators(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "verify", str(FIXTURE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "PASS"
    assert out[0].startswith(f"ok\t{FIXTURE / 'suite.yaml'}\t") and out[0].endswith("s")
    assert run(["policy", "verify", str(FIXTURE), "-v"]) == 0
    verbose = capsys.readouterr().out
    assert "=== RUN   owner-and-team\n    === RUN   labelled\n    --- PASS: labelled\t(" in verbose


def test_failed_assertions_are_exit_1_worded_as_gator(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (suite / "suite.yaml").read_text()
    text = text.replace("- violations: 2\n", "- violations: 3\n").replace(
        "- name: labelled\n        object: objects/labelled.yaml\n        assertions:\n          - violations: no",
        "- name: labelled\n        object: objects/labelled.yaml\n        assertions:\n          - violations: yes",
    )
    (suite / "suite.yaml").write_text(text)
    code, doc, _ = _verify(capsys, str(suite))
    assert code == 1
    cases = _cases(doc)
    assert (
        cases["owner-and-team/labelled"]["error"] == "got 0 violations but want at least 1: got messages []"
    )
    assert cases["owner-and-team/unlabelled"]["error"] == (
        "got 2 violations but want exactly 3: got messages "
        "['Pod <unlabelled> has no label owner', 'Pod <unlabelled> has no label team']"
    )
    assert doc["summary"] == {"cases": 6, "passed": 4, "failed": 2, "errors": 0}
    assert run(["policy", "verify", str(suite)]) == 1
    out = capsys.readouterr().out
    assert "    --- FAIL: labelled\t(" in out
    assert "--- FAIL: owner-and-team\t(" in out
    assert out.rstrip().endswith("FAIL")


def test_a_valid_constraint_under_invalid_true_fails(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (suite / "constraint-invalid.yaml").write_text(
        (suite / "constraint-invalid.yaml").read_text().replace("labels: owner", "labels: [owner]")
    )
    code, doc, _ = _verify(capsys, str(suite))
    assert code == 1
    assert "the test says invalid: true" in _cases(doc)["labels-must-be-a-list/(invalid constraint)"]["error"]


@pytest.mark.parametrize(
    ("edit", "case", "wanted"),
    [
        (
            ("objects/labelled.yaml\n", "objects/absent.yaml\n"),
            "owner-and-team/labelled",
            "absent.yaml does not exist",
        ),
        (
            ("- violations: no\n", "- violations: maybe\n"),
            "owner-and-team/labelled",
            "suite.yaml:13:13: tests[0].cases[0].assertions[0].violations",
        ),
        (
            ("- message: nonexistent", "- mesage: nonexistent"),
            "owner-and-team/unlabelled",
            "did you mean 'message'",
        ),
        (
            ('"no label owner$"', '"no label (owner"'),
            "owner-and-team/unlabelled",
            "not a valid regular expression",
        ),
        (
            ("assertions:\n          - violations: 1\n", "asserts:\n          - violations: 1\n"),
            "owner-and-team/delete-by-alice",
            "unknown key 'asserts'",
        ),
    ],
    ids=["missing-object", "bad-violations", "unknown-key", "bad-regex", "no-assertions"],
)
def test_a_broken_case_is_its_error_and_the_others_run(
    suite: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], case: str, wanted: str
) -> None:
    text = (suite / "suite.yaml").read_text()
    assert edit[0] in text
    (suite / "suite.yaml").write_text(text.replace(edit[0], edit[1], 1))
    code, doc, _ = _verify(capsys, str(suite))
    assert code == 3
    cases = _cases(doc)
    assert cases[case]["passed"] is False and cases[case]["violations"] is None
    assert wanted in cases[case]["error"]
    assert doc["summary"]["errors"] == 1
    assert doc["summary"]["passed"] == doc["summary"]["cases"] - 1


def test_a_template_that_does_not_compile_breaks_each_case_of_its_tests(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = (suite / "template.yaml").read_text().replace("not startswith(user,", "not startswith(user")
    (suite / "template.yaml").write_text(template)
    code, doc, _ = _verify(capsys, str(suite))
    assert code == 3
    errors = [c["error"] for c in _cases(doc).values() if c["error"]]
    assert len(errors) == 6
    assert all("template.yaml:3" in e for e in errors), errors  # the Rego's line in the YAML file


def test_constraint_of_another_kind_and_object_files_with_two_objects(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (suite / "constraint.yaml").write_text(
        (suite / "constraint.yaml").read_text().replace("K8sRequiredOwner", "K8sOther")
    )
    unlabelled = suite / "objects" / "unlabelled.yaml"
    unlabelled.write_text(
        unlabelled.read_text() + "---\n" + (suite / "objects" / "labelled.yaml").read_text()
    )
    code, doc, _ = _verify(capsys, str(suite))
    assert code == 3
    cases = _cases(doc)
    assert (
        "the constraint is a K8sOther, but the template defines K8sRequiredOwner"
        in cases["owner-and-team/labelled"]["error"]
    )
    (suite / "constraint.yaml").write_text(
        (suite / "constraint.yaml").read_text().replace("K8sOther", "K8sRequiredOwner")
    )
    code, doc, _ = _verify(capsys, str(suite))
    assert (
        "defines 2 objects; a case reviews exactly one" in _cases(doc)["owner-and-team/unlabelled"]["error"]
    )


def test_unreadable_suite_file_is_exit_3_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "suite.yaml"
    broken.write_text("kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n  - name: [unclosed\n")
    code, doc, err = _verify(capsys, str(tmp_path))
    assert code == 3
    assert doc["summary"]["errors"] == 1
    assert f"error: {broken}:5:" in err
    assert run(["policy", "verify", str(tmp_path)]) == 3
    out = capsys.readouterr().out
    assert f"FAIL\t{broken}" in out and f"  error: {broken}:5:" in out


def test_paths_folders_and_non_suites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "verify", str(FIXTURE / "template.yaml")]) == 3
    assert "not a gator suite file" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "other.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n{{ not yaml }}\n"
    )
    assert run(["policy", "verify", str(empty)]) == 3
    assert "no gator suite file" in capsys.readouterr().err
    assert run(["policy", "verify", str(tmp_path / "absent")]) == 3
    assert (
        run(["policy", "verify", f"{FIXTURE.parent}/..."]) == 0
    )  # gator's recursive form; other YAML ignored


def test_run_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = _verify(capsys, str(FIXTURE), "--run", "unlabelled")
    assert code == 0
    assert list(_cases(doc)) == ["owner-and-team/unlabelled"]
    code, doc, _ = _verify(capsys, str(FIXTURE), "--run", "owner-and-team//^delete")
    assert list(_cases(doc)) == ["owner-and-team/delete-by-alice", "owner-and-team/delete-by-system"]
    assert run(["policy", "verify", str(FIXTURE), "--run", "a//b//c"]) == 2


def test_junit(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (suite / "suite.yaml").write_text(
        (suite / "suite.yaml").read_text().replace("- violations: 2\n", "- violations: 5\n")
    )
    assert run(["policy", "verify", str(suite), "-o", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out.split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "0")
    (failed,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert (failed.get("classname"), failed.get("name")) == ("owner-and-team", "unlabelled")
    assert "want exactly 5" in (failed.find("failure").get("message") or "")  # type: ignore[union-attr]
