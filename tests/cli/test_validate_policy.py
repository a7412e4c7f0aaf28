"""`design validate` with policies, through the real command line (`run([...])`): users' conftest and
Gatekeeper policies, waivers, --fail-on, every --output format, broken policies (exit 3 with file:line),
--changed-since in a real git repository, and the shipped patterns against the shipped library.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from designer.cli.main import run
from tests import requirements
from tests.conftest import PATTERNS, ROOT, SHARED

FIXTURES = ROOT / "tests" / "policy" / "fixtures"
DESIGN = FIXTURES / "design.yaml"
GATEKEEPER = SHARED / "testdata" / "gatekeeper-library" / "general" / "block-loadbalancer-services"


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_conftest_policy_findings_and_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(DESIGN), "--no-builtin-policies", "--policy", str(FIXTURES / "conftest")]
    code, out, _ = _validate(capsys, *base)
    assert code == 1  # main.deny is high, the default threshold
    assert "high main.deny Deployment/shop/web: web must run as non-root" in out
    assert "medium main.warn Service/shop/web-svc" in out
    assert _validate(capsys, *base, "--fail-on", "critical")[0] == 0
    assert _validate(capsys, *base, "--fail-on", "never")[0] == 0
    assert _validate(capsys, *base, "--fail-on", "bogus")[0] == 2


def test_json_output_is_the_stable_document(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    code, out, _ = _validate(
        capsys, str(DESIGN), "--no-builtin-policies", "--policy", str(FIXTURES / "conftest"), "-o", "json"
    )
    assert code == 1
    doc = json.loads(out)
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    ids = sorted(f["id"] for f in doc["findings"])
    assert ids == ["WAIVER-001", "main.deny", "main.violation_replicas", "main.warn"]
    assert doc["summary"]["findings"] == 4
    assert doc["summary"]["exit_code"] == 1
    assert doc["designs"][0]["name"] == "policy-fixture"


def test_no_annotation_waivers_ignores_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(DESIGN), "--no-builtin-policies", "--policy", str(FIXTURES / "conftest"), "-o", "json"]
    with_annotations = json.loads(_validate(capsys, *args)[1])
    without = json.loads(_validate(capsys, *args, "--no-annotation-waivers")[1])
    assert "WAIVER-001" in {f["id"] for f in with_annotations["findings"]}
    assert "WAIVER-001" not in {f["id"] for f in without["findings"]}


def test_gatekeeper_library_template_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requirements.shared("testdata", "gatekeeper-library")
    design = tmp_path / "lb.yaml"
    design.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: front, namespace: web}\n"
        "spec:\n  type: LoadBalancer\n  selector: {app: front}\n  ports: [{port: 80}]\n"
    )
    code, out, err = _validate(
        capsys,
        str(design),
        "--no-builtin-policies",
        "--policy",
        str(GATEKEEPER / "template.yaml"),
        "--policy",
        str(GATEKEEPER / "samples"),
        "-o",
        "github",
    )
    assert code == 1, err
    assert "::error file=" in out
    assert "title=K8sBlockLoadBalancer.block-load-balancer (high)::Service/web/front:" in out


def test_sarif_to_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = _validate(
        capsys,
        str(DESIGN),
        "--no-builtin-policies",
        "--policy",
        str(FIXTURES / "conftest"),
        "-o",
        "sarif",
        "--output-file",
        str(target),
    )
    assert code == 1
    assert out == ""
    log = json.loads(target.read_text())
    assert log["version"] == "2.1.0"
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"main.deny", "main.warn"}


def test_junit_output(capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    code, out, _ = _validate(
        capsys, str(DESIGN), "--no-builtin-policies", "--policy", str(FIXTURES / "conftest"), "-o", "junit"
    )
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    assert int(root.get("failures") or 0) == 4


BROKEN = {
    "syntax": (
        "package main\nimport rego.v1\n\ndeny contains msg if {\n  msg := 1 +* 2\n}\n",
        5,
        "expecting",
    ),
    "unknown_function": (
        "package main\nimport rego.v1\n\ndeny contains m if {\n  m := nosuch.helper(input)\n}\n",
        5,
        "could not find function nosuch.helper",
    ),
    "conflict": (
        'package main\nimport rego.v1\n\nx := 1\nx := 2\ndeny contains "d" if x == 1\n',
        5,
        "conflicts",
    ),
}
RUNTIME_ERROR = (
    'package main\nimport rego.v1\n\ndeny contains m if {\n  m := sprintf("%s %s", [input.kind])\n}\n'
)


def test_builtin_error_is_a_warning_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """OPA reads a builtin error as undefined (non-strict, its default): the rule gives no finding and
    the report says where it raised; --strict makes it exit 3 with the file:line."""
    policy = tmp_path / "runtime.rego"
    policy.write_text(RUNTIME_ERROR)
    base = [str(DESIGN), "--no-builtin-policies", "--no-annotation-waivers", "--policy", str(policy)]
    code, out, err = _validate(capsys, *base, "-o", "json")
    assert code == 0, out + err
    notes = json.loads(out)["notes"]
    assert any(f"{policy}:5" in n and "format verb" in n and "policy warning" in n for n in notes), notes
    code, out, err = _validate(capsys, *base, "--strict")
    assert code == 3
    assert f"error: {policy}:5:" in err and "format verb" in err


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_policy_exits_3_with_file_and_line(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, line, needle = BROKEN[kind]
    policy = tmp_path / f"{kind}.rego"
    policy.write_text(text)
    code, out, err = _validate(capsys, str(DESIGN), "--no-builtin-policies", "--policy", str(policy))
    assert code == 3, out + err
    assert f"error: {policy}:{line}:" in err
    assert needle in err
    assert "Traceback" not in err and "Stack backtrace" not in err


def test_broken_gatekeeper_template_names_the_yaml_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (FIXTURES / "gatekeeper" / "required-team.yaml").read_text()
    broken = text.replace('msg := sprintf("%v %v must', 'msg := nosuch.sprintf("%v %v must')
    policy = tmp_path / "gk.yaml"
    policy.write_text(broken)
    code, _, err = _validate(capsys, str(DESIGN), "--no-builtin-policies", "--policy", str(policy))
    assert code == 3
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "nosuch.sprintf" in row)
    assert f"error: {policy}:{line}:" in err


def test_waiver_file_and_bad_waiver_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(DESIGN), "--no-builtin-policies", "--policy", str(FIXTURES / "conftest"), "-o", "json"]
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - id: 'main.*'\n    component: web\n    reason: legacy app\n"
        "    owner: shop\n    expires: 2999-01-01\n"
    )
    code, out, _ = _validate(capsys, *base, "--waivers", str(waivers), "--no-annotation-waivers")
    doc = json.loads(out)
    assert code == 0  # main.warn (medium) remains, below the default threshold
    waived = {f["id"] for f in doc["findings"] if f["waived"]}
    assert waived == {"main.deny", "main.violation_replicas"}
    waivers.write_text("waivers:\n  - id: x\n")
    code, _, err = _validate(capsys, *base, "--waivers", str(waivers))
    assert code == 3
    assert f"{waivers}:2:" in err


def test_shipped_patterns_pass_the_shipped_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, str(PATTERNS))
    assert code == 0, out + err
    assert "0 errors" in err


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_changed_since_selects_changed_and_related_designs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shutil.which("git"), "git is required for --changed-since"
    repo = tmp_path / "repo"
    for folder in ("a", "b"):
        (repo / folder).mkdir(parents=True)
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: x}}\ndata: {{k: v}}\n"
    (repo / "a" / "one.yaml").write_text(body.format(name="one"))
    (repo / "a" / "two.yaml").write_text(body.format(name="two"))
    (repo / "b" / "three.yaml").write_text(body.format(name="three"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "init")
    args = ["--no-builtin-policies", "-o", "json", "--changed-since", "HEAD"]

    import os

    old = Path.cwd()
    os.chdir(repo)
    try:
        code, out, err = _validate(capsys, ".", *args)
        assert code == 0
        assert "no design changed since HEAD" in err
        assert json.loads(out)["designs"] == []
        code, out, _ = _validate(capsys, ".", "--changed-since", "HEAD", "-o", "sarif")
        assert json.loads(out)["runs"][0]["results"] == []
        (repo / "b" / "three.yaml").write_text(body.format(name="three-v2"))
        code, out, _ = _validate(capsys, ".", *args)
        assert [d["file"] for d in json.loads(out)["designs"]] == ["b/three.yaml"]
        (repo / "a" / "values.txt").write_text("untracked, same folder as one and two")
        code, out, _ = _validate(capsys, ".", *args)
        assert sorted(d["file"] for d in json.loads(out)["designs"]) == [
            "a/one.yaml",
            "a/two.yaml",
            "b/three.yaml",
        ]
        assert _validate(capsys, ".", "--changed-since", "no-such-ref")[0] == 3
    finally:
        os.chdir(old)


def test_github_output_annotates_broken_designs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
    code, out, err = _validate(capsys, str(broken), "--no-builtin-policies", "-o", "github")
    assert code == 3
    assert out.startswith(f"::error file={broken.as_posix()},line=")
    assert "title=design error::" in out
    assert "error:" in err


def test_jobs_change_nothing_in_the_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs only spreads the work: every output format is the same with 1 and 3 workers."""
    import designer.validation as validation

    forked: list[int] = []
    real_fork = validation._fork_child
    monkeypatch.setattr(validation, "_fork_child", lambda *a: forked.append(1) or real_fork(*a))
    for output in ("json", "sarif", "text"):
        reports = []
        for jobs in ("1", "3"):
            code, out, _ = _validate(  # no cache: every run validates (and forks) for real
                capsys, str(PATTERNS), "-o", output, "--fail-on", "never", "--jobs", jobs, "--no-cache"
            )
            assert code == 0
            reports.append(out)
        assert reports[0] == reports[1] and reports[0]
    assert len(forked) == 3 * 2  # each --jobs 3 run forked two workers
    assert _validate(capsys, str(PATTERNS), "--jobs", "0")[0] == 2  # usage error, not a silent serial run


def test_patterns_have_no_unwaived_finding_at_any_severity(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 3's acceptance: the pattern library validates clean, or with documented, waived findings.
    Clean down to info, and every waiver carries its reason in the pattern itself."""
    code, out, err = _validate(capsys, str(PATTERNS), "-o", "json", "--fail-on", "info")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["designs"] >= 19 and doc["summary"]["errors"] == 0
    assert [f for f in doc["findings"] if not f["waived"]] == []
    for finding in doc["findings"]:
        assert finding["waiver"]["source"] == "annotation" and len(finding["waiver"]["reason"]) > 20
