"""What ``design policy verify`` prints: gator's text, a JSON document, or JUnit XML.

Text follows ``gator verify``: a failing case prints ``--- FAIL: <case>`` and the reason under it, its
test ``--- FAIL: <test>``, each suite file ``ok``/``FAIL <path> <seconds>``, and the run ends with PASS or
FAIL; ``verbose`` adds the ``=== RUN`` and ``--- PASS`` lines. An error (a broken input rather than a
wrong answer) prints as ``--- ERROR``.

JSON (schemas/verify.schema.json) is exactly ``{"schema_version": 1, "suites": [{"file", "tests":
[{"name", "cases": [{"name", "passed", "violations", "error"}]}]}], "summary": {"cases", "passed",
"failed", "errors"}}``: ``violations`` is the number of violations the object had (null when the case
did not run), ``error`` the failed assertion or the error (null when it passed). Skipped cases are left
out. JUnit has a testsuite per suite file and a testcase per case (classname: the test).

`exit_code`: 0 when every case passed, 1 when one failed, 3 when one could not run (a broken suite).

Caller: designer.cli.policy.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from designer.errors import ExitCode
from designer.policy.gator.running import CaseResult, SuiteResult, TestResult


def summary(results: Sequence[SuiteResult]) -> dict[str, int]:
    """Counts of the cases that ran (a suite file that cannot be read counts as one error)."""
    cases = [c for r in results for t in r.tests for c in t.cases if c.status != "skip"]
    broken = sum(1 for r in results if r.error is not None)
    return {
        "cases": len(cases),
        "passed": sum(1 for c in cases if c.status == "pass"),
        "failed": sum(1 for c in cases if c.status == "fail"),
        "errors": sum(1 for c in cases if c.status == "error") + broken,
    }


def exit_code(results: Sequence[SuiteResult]) -> ExitCode:
    """3 when anything could not run, else 1 when anything failed, else 0."""
    counts = summary(results)
    if counts["errors"]:
        return ExitCode.INPUT
    return ExitCode.FINDINGS if counts["failed"] else ExitCode.OK


def render_json(results: Sequence[SuiteResult]) -> str:
    """The JSON document."""
    doc: dict[str, Any] = {
        "schema_version": 1,
        "suites": [
            {
                "file": r.suite.display,
                "tests": [
                    {"name": t.name, "cases": [_case_json(c) for c in t.cases if c.status != "skip"]}
                    for t in r.tests
                    if not t.skipped
                ],
            }
            for r in results
        ],
        "summary": summary(results),
    }
    return json.dumps(doc, indent=2)


def _case_json(case: CaseResult) -> dict[str, Any]:
    return {
        "name": case.name,
        "passed": case.passed,
        "violations": case.violations,
        "error": None if case.passed else case.message,
    }


def render_text(results: Sequence[SuiteResult], *, verbose: bool = False) -> str:
    """gator's text report."""
    lines: list[str] = []
    for result in results:
        if result.skipped:
            lines.append(f"skip\t{result.suite.display}")
            continue
        for test in result.tests:
            lines.extend(_test_lines(test, verbose))
        state = "FAIL" if result.failed() else "ok"
        lines.append(f"{state}\t{result.suite.display}\t{result.seconds:.3f}s")
        if result.error is not None:
            lines.append(f"  error: {result.error}")
            if result.error.hint:
                lines.append(f"  hint: {result.error.hint}")
    lines.append("FAIL" if any(r.failed() for r in results) else "PASS")
    return "\n".join(lines)


def _test_lines(test: TestResult, verbose: bool) -> list[str]:
    if test.skipped:
        return [f"=== SKIP  {test.name}"] if verbose else []
    lines = [f"=== RUN   {test.name}"] if verbose else []
    for case in test.cases:
        if case.status == "skip":
            if verbose:
                lines.append(f"    === SKIP  {case.name}")
            continue
        if verbose:
            lines.append(f"    === RUN   {case.name}")
        if case.status == "pass":
            if verbose:
                lines.append(f"    --- PASS: {case.name}\t({case.seconds:.3f}s)")
            continue
        label = "FAIL" if case.status == "fail" else "ERROR"
        lines.append(f"    --- {label}: {case.name}\t({case.seconds:.3f}s)")
        lines.append(f"        {case.message}")
    if test.failed():
        lines.append(f"--- FAIL: {test.name}\t({test.seconds:.3f}s)")
    elif verbose:
        lines.append(f"--- PASS: {test.name}\t({test.seconds:.3f}s)")
    return lines


def render_junit(results: Sequence[SuiteResult]) -> str:
    """JUnit XML: a testsuite per suite file, a testcase per case."""
    root = ET.Element("testsuites", name="design policy verify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=result.suite.display, time=f"{result.seconds:.3f}")
        counts = dict.fromkeys(totals, 0)
        if result.error is not None:
            case = ET.SubElement(suite, "testcase", name="(suite file)", classname=result.suite.display)
            ET.SubElement(case, "error", message=str(result.error))
            counts["tests"] += 1
            counts["errors"] += 1
        for test in result.tests:
            for found in test.cases:
                case = ET.SubElement(
                    suite, "testcase", name=found.name, classname=test.name, time=f"{found.seconds:.3f}"
                )
                counts["tests"] += 1
                if found.status == "skip":
                    ET.SubElement(case, "skipped")
                    counts["skipped"] += 1
                elif found.status == "fail":
                    ET.SubElement(case, "failure", message=found.message or "").text = found.message
                    counts["failures"] += 1
                elif found.status == "error":
                    ET.SubElement(case, "error", message=found.message or "").text = found.message
                    counts["errors"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
