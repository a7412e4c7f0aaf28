"""The differential suite: the same policies through both engines, regorus (the default) and OPA
(``--engine opa``, the ``opa`` built by scripts/build-opa.sh), compared answer by answer.

* The built-in library: its Rego unit tests (policies/**/*_test.rego) and its findings on every pattern
  of patterns/ must be identical on both engines; any disagreement fails.
* Gatekeeper: every case of ../shared/testdata/gatekeeper-library through ``design policy verify``
  gives the same result, violation counts included, on both engines (tests/policy/test_gatekeeper_library.py
  checks that each case passes, through verify and through ``validate --inventory``, on each engine).
* conftest's Kubernetes acceptance cases through ``design validate --policy`` (tests/cli/
  test_conftest_acceptance.py): the same report and exit code on both engines, strict mode, print()
  output and builtin-error warnings included.
* Users' suites (../shared/testdata/rego-suites, run as tests/policies/test_rego_suites.py runs them):
  every test whose outcome differs between the engines must be a row of the table in
  policies/REGO-COMPAT.md, with its cause, and every row must still differ. ``python -m
  tests.policy.test_differential`` prints the measured rows in the table's form.

Real regorus and real OPA; nothing is mocked.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from designer.cli.main import run
from designer.policy.engine import ENV_VAR, EngineName
from tests import engines, requirements
from tests.cli import test_conftest_acceptance as acceptance
from tests.conftest import PATTERNS, ROOT
from tests.policies import test_rego_suites as rego_suites

TABLE = ROOT / "policies" / "REGO-COMPAT.md"
_BEGIN, _END = "<!-- differential-suite: begin -->", "<!-- differential-suite: end -->"


class Row(NamedTuple):
    """One test whose outcome differs between the engines."""

    suite: str
    test: str
    regorus: str
    opa: str


@contextlib.contextmanager
def _engine(name: EngineName) -> Iterator[None]:
    """Commands run inside use ``name`` (as ``DESIGNER_POLICY_ENGINE`` would make them)."""
    engines.require(name)
    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before


def _command(args: list[str], engine: EngineName) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with _engine(engine), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    return code, out.getvalue(), err.getvalue()


def _both(args: list[str]) -> dict[EngineName, tuple[int, Any]]:
    results: dict[EngineName, tuple[int, Any]] = {}
    for engine in engines.ENGINES:
        code, out, err = _command(args, engine)
        assert out, f"{engine}: no output (exit {code}): {err}"
        results[engine] = (code, json.loads(out))
    return results


def test_the_library_unit_tests_agree_and_pass() -> None:
    results = _both(["policy", "test", "-o", "json"])
    outcomes = {e: {t["id"]: t["outcome"] for t in doc["tests"]} for e, (_, doc) in results.items()}
    assert len(outcomes["regorus"]) >= 100
    assert outcomes["opa"] == outcomes["regorus"]
    assert set(outcomes["opa"].values()) == {"pass"}
    assert results["opa"][0] == results["regorus"][0] == 0


def test_the_library_findings_agree_on_every_pattern() -> None:
    results = _both(["validate", str(PATTERNS), "-o", "json", "--jobs", "1", "--fail-on", "info"])
    (code, regorus), (opa_code, opa) = results["regorus"], results["opa"]
    assert regorus["summary"]["designs"] == len(list(PATTERNS.glob("*.yaml")))
    assert regorus["summary"]["checks"] >= 60
    assert opa["findings"] == regorus["findings"]
    assert opa == regorus
    assert opa_code == code


def test_the_gatekeeper_library_verifies_alike_and_passes() -> None:
    library = requirements.shared("testdata", "gatekeeper-library")
    results = _both(["policy", "verify", str(library), "-o", "json"])
    (code, regorus), (opa_code, opa) = results["regorus"], results["opa"]
    assert opa == regorus
    assert opa["summary"]["cases"] == opa["summary"]["passed"] >= 150
    assert opa_code == code == 0


ACCEPTANCE = {
    **acceptance.CASES,
    "a builtin error without --strict is a warning": (
        ["examples/kubernetes/deployment.yaml", "--policy", "examples/builtin-errors/invalid-dns.rego"],
        0,
        [],
    ),
}


@pytest.mark.parametrize("title", sorted(ACCEPTANCE))
def test_conftest_acceptance_reports_agree(title: str) -> None:
    folder = requirements.shared("testdata", "rego-suites", "conftest")
    args = ["validate", *acceptance.CONFTEST_LIKE, "-o", "json", *ACCEPTANCE[title][0]]
    before = Path.cwd()
    os.chdir(folder)
    try:
        results = {engine: _command(args, engine) for engine in engines.ENGINES}
    finally:
        os.chdir(before)
    (code, out, err), (opa_code, opa_out, opa_err) = results["regorus"], results["opa"]
    assert opa_code == code == ACCEPTANCE[title][1], err + opa_err
    if code == 3:  # a broken policy: the same error, at the same file and line
        assert _line_only(opa_err) == _line_only(err)
        return
    regorus, opa = json.loads(out), json.loads(opa_out)
    # The one listed difference (E5): a builtin error's column is the call's in regorus, the statement's in OPA.
    regorus["notes"], opa["notes"] = _line_only(regorus["notes"]), _line_only(opa["notes"])
    assert opa == regorus


def _line_only(value: Any) -> Any:
    """``file.rego:5:21`` -> ``file.rego:5`` in text (or in each string of a list)."""
    if isinstance(value, list):
        return [_line_only(v) for v in value]
    return re.sub(r"(\.rego:\d+):\d+", r"\1", value)


def measure(suite: rego_suites.Suite) -> list[Row]:
    """The tests of ``suite`` whose outcome differs between the engines."""
    root = requirements.shared("testdata", "rego-suites")
    outcomes = {}
    for engine in engines.ENGINES:
        with _engine(engine):
            outcome = rego_suites.run_suite(root, suite)
        assert not outcome.error, f"{suite.name} on {engine}: {outcome.error}"
        assert outcome.outcomes, f"{suite.name} on {engine}: no test ran"
        outcomes[engine] = outcome.outcomes
    regorus, opa = outcomes["regorus"], outcomes["opa"]
    assert set(regorus) == set(opa), f"{suite.name}: the engines ran different tests"
    return sorted(Row(suite.name, t, regorus[t], opa[t]) for t in regorus if regorus[t] != opa[t])


def listed() -> dict[Row, str]:
    """The table's rows with their causes."""
    text = TABLE.read_text(encoding="utf-8")
    assert _BEGIN in text and _END in text, f"{TABLE} lost its differential-suite table markers"
    rows: dict[Row, str] = {}
    for line in text.split(_BEGIN, 1)[1].split(_END, 1)[0].splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("suite", "") or set(cells[0]) <= {"-"}:
            continue
        rows[Row(*cells[:4])] = cells[4]
    return rows


@pytest.mark.parametrize("suite", rego_suites.SUITES, ids=[s.name for s in rego_suites.SUITES])
def test_users_suites_differ_only_as_listed(suite: rego_suites.Suite) -> None:
    table = listed()
    measured = measure(suite)
    expected = sorted(row for row in table if row.suite == suite.name)
    assert measured == expected, (
        f"{suite.name}: the engines' differences changed; update the table in {TABLE.name} "
        "(python -m tests.policy.test_differential prints it)"
    )
    causes = re.findall(r"^- \*\*(\w+)\*\*", TABLE.read_text(encoding="utf-8"), re.MULTILINE)
    for row in expected:
        assert table[row].split()[0] in causes, f"{row}: its cause {table[row]!r} is not explained"


def main() -> None:
    """Print the measured rows in the table's form (run from the project folder with opa on PATH)."""
    table = listed()
    print("| suite | test | regorus | opa | cause |\n|---|---|---|---|---|")
    for suite in rego_suites.SUITES:
        for row in measure(suite):
            print(f"| {row.suite} | `{row.test}` | {row.regorus} | {row.opa} | {table.get(row, '?')} |")


if __name__ == "__main__":
    main()
