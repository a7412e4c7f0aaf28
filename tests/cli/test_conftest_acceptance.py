"""conftest's own acceptance cases for Kubernetes input, through ``design validate --policy``.

Each case is a ``conftest test`` run of ../shared/testdata/rego-suites/conftest/acceptance.bats (named
by its ``@test`` title) with its expected exit status and output, translated to designer's options:
``-p`` is ``--policy``, ``-d`` is ``--data``, ``--fail-on-warn`` is ``--fail-on medium`` (warn rules are
medium), ``--show-builtin-errors`` is ``--strict`` (exit 3: a broken policy, where conftest exits 1).
The built-in checks are off so only the users' policies speak, fields are not checked
(``--field-validation ignore``: conftest reads fragments, and its exceptions example's Deployments
have no selector, which designer reports by default), and the run is made from conftest's folder so
the paths read as in the bats file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from designer.cli.main import run
from tests import requirements

K8S = "examples/kubernetes"
# What makes `design validate` read input as conftest does: only the given policies, no field checks.
CONFTEST_LIKE = ["--no-builtin-policies", "--field-validation", "ignore"]
# title in acceptance.bats: (arguments after `design validate`, exit status, texts the output holds)
CASES: dict[str, tuple[list[str], int, list[str]]] = {
    "Not fail when testing a service with a warning": (
        [f"{K8S}/service.yaml", "--policy", f"{K8S}/policy"],
        0,
        ["Found service hello-kubernetes but services are not allowed"],
    ),
    "Fail when testing a deployment with root containers": (
        [f"{K8S}/deployment.yaml", "--policy", f"{K8S}/policy"],
        1,
        ["Containers must not run as root in Deployment hello-kubernetes"],
    ),
    "Fail when testing a service with warnings": (
        ["--fail-on", "medium", f"{K8S}/service.yaml", "--policy", f"{K8S}/policy"],
        1,
        [],
    ),
    "Test command with multiple input type": (  # the TOML input is conftest's parser: left out
        [f"{K8S}/service.yaml", "--policy", f"{K8S}/policy"],
        0,
        ["Found service hello-kubernetes but services are not allowed"],
    ),
    "Multi-file tests correctly fail when last file is fine": (
        [f"{K8S}/deployment.yaml", f"{K8S}/service.yaml", "--policy", f"{K8S}/policy"],
        1,
        [],
    ),
    "Can load data along with rego policies": (
        [
            "examples/data/service.yaml",
            "--policy",
            "examples/data/policy",
            "--data",
            "examples/data/exclusions",
        ],
        1,
        ["Cannot expose port 22 on LoadBalancer. Denied ports: [22, 21]"],
    ),
    "Exceptions reported correctly": (
        ["examples/exceptions/deployments.yaml", "--policy", "examples/exceptions/policy"],
        1,
        ["1 finding (1 high), 1 waived", "conftest exception for 'deny_run_as_root'"],
    ),
    "Supports print() output": (
        [f"{K8S}/deployment.yaml", "--policy", "examples/report/policy_print/labels.rego"],
        1,
        ["print: examples/report/policy_print/labels.rego:14: hello-kubernetes"],
    ),
    "Should not show any output with quiet flag and all tests succeeds": (
        [f"{K8S}/deployment.yaml", "--policy", f"{K8S}/policy/deny.rego"],
        0,
        [],
    ),
    "Should fail evaluation if a builtin function returns error": (
        ["--strict", f"{K8S}/deployment.yaml", "--policy", "examples/builtin-errors/invalid-dns.rego"],
        3,
        ["invalid-dns.rego:5:"],
    ),
}


def _validate(conftest: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    before = Path.cwd()
    os.chdir(conftest)
    try:
        code = run(["validate", *CONFTEST_LIKE, *args])
    finally:
        os.chdir(before)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def conftest_dir() -> Path:
    return requirements.shared("testdata", "rego-suites", "conftest")


@pytest.mark.parametrize("title", sorted(CASES))
def test_acceptance_case(title: str, conftest_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args, status, texts = CASES[title]
    code, out, err = _validate(conftest_dir, args, capsys)
    output = out + err
    assert code == status, output
    for text in texts:
        assert text in output, output
    assert "Traceback" not in output


def test_output_results_only_once(conftest_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """acceptance.bats 'Output results only once': four failures, each once, although `deny` is
    defined in several files of the package (conftest queries each rule name once)."""
    code, out, _ = _validate(
        conftest_dir, [f"{K8S}/deployment.yaml", "--policy", f"{K8S}/policy", "-o", "json"], capsys
    )
    assert code == 1
    doc = json.loads(out)
    messages = [f["message"] for f in doc["findings"]]
    assert len(messages) == 4 and len(set(messages)) == 4, messages


def test_builtin_error_without_strict_is_a_warning(
    conftest_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --show-builtin-errors conftest passes (OPA reads the builtin error as undefined)."""
    code, out, err = _validate(
        conftest_dir,
        [f"{K8S}/deployment.yaml", "--policy", "examples/builtin-errors/invalid-dns.rego"],
        capsys,
    )
    assert code == 0, out + err
    assert "note: policy warning: examples/builtin-errors/invalid-dns.rego:5:" in out
