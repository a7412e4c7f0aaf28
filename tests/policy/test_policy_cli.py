"""`design policy list` and `design policy test` through the real command line and real regorus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.cli.main import run

FIXTURES = Path(__file__).parent / "fixtures"


def test_list_shows_builtin_checks_with_severities(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "list", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    checks = doc["checks"]
    builtin = [c for c in checks if c["source"] == "builtin"]
    assert builtin, "the shipped library defines checks"
    assert len({c["id"] for c in checks}) == len(checks)
    for check in checks:
        assert check["severity"] in {"critical", "high", "medium", "low", "info"}
        assert check["title"]
    assert {"WAIVER-001", "WAIVER-002"} <= {c["id"] for c in checks}


def test_list_with_user_policies_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "policy",
            "list",
            "--no-builtin-policies",
            "--policy",
            str(FIXTURES / "gatekeeper"),
            "--policy",
            str(FIXTURES / "conftest"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "K8sRequiredTeam.deployments-need-team  high" in out
    assert "main: conftest package" in out
    assert "DSN-" not in out


def test_policy_test_passes_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.rego").write_text("package demo\nimport rego.v1\n\nallow if input.ok\n")
    (tmp_path / "p_test.rego").write_text(
        "package demo_test\nimport rego.v1\n\n"
        'test_allows if data.demo.allow with input as {"ok": true}\n'
        'test_wrong if data.demo.allow with input as {"ok": false}\n'
    )
    code = run(["policy", "test", str(tmp_path), "--no-library", "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    outcomes = {t["id"]: t["outcome"] for t in doc["tests"]}
    assert outcomes == {"demo_test.test_allows": "pass", "demo_test.test_wrong": "fail"}
    code = run(["policy", "test", str(tmp_path), "--no-library", "--run", "test_allows"])
    assert code == 0
    assert "1/1 tests passed" in capsys.readouterr().err


def test_policy_test_of_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["policy", "test"])
    out, err = capsys.readouterr()
    assert code == 0, out
    assert "tests passed" in err
    assert "note:" not in err  # the shipped library uses nothing the loader must leave as written


def test_policy_test_broken_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad_test.rego"
    bad.write_text("package x\nimport rego.v1\n\ntest_x if {\n  1 +* 2\n}\n")
    assert run(["policy", "test", str(tmp_path), "--no-library"]) == 3
    assert f"{bad}:5:" in capsys.readouterr().err
