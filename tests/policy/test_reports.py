"""The five renderers on a real report (fixture design, test checks, waivers): structure, escaping, stability.

SARIF: the official 2.1.0 schema cannot be downloaded here, so SARIF_SUBSET below restates the
schema's requirements for every object we emit (required properties, enums, minimums, additional
properties of the driver and result objects as the spec names them) and the test validates with jsonschema;
GitHub's extra expectations (ruleIndex consistency, no empty objects, results always present) are
asserted separately.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.loading import load_file
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.policy.findings import Report
from designer.policy.reports import RenderContext, renderer
from designer.policy.reports.github import escape_data, escape_property
from designer.rendering import render
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures"

_MESSAGE = {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1}},
}
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string", "minLength": 1},
                                    "version": {"type": "string", "minLength": 1},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription", "help"],
                                            "properties": {
                                                "id": {"type": "string", "minLength": 1},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": ["none", "note", "warning", "error"]
                                                        }
                                                    },
                                                },
                                                "properties": {
                                                    "type": "object",
                                                    "properties": {
                                                        "tags": {
                                                            "type": "array",
                                                            "items": {"type": "string"},
                                                        },
                                                        "security-severity": {
                                                            "type": "string",
                                                            "pattern": r"^\d+(\.\d+)?$",
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "invocations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["executionSuccessful"],
                            "properties": {
                                "executionSuccessful": {"type": "boolean"},
                                "exitCode": {"type": "integer"},
                            },
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message", "ruleId", "ruleIndex", "level", "partialFingerprints"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "partialFingerprints": {
                                    "type": "object",
                                    "minProperties": 1,
                                    "additionalProperties": {"type": "string"},
                                },
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {
                                                                "type": "string",
                                                                "format": "uri-reference",
                                                            }
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1}
                                                        },
                                                    },
                                                },
                                            },
                                            "logicalLocations": {"type": "array"},
                                        },
                                    },
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "status": {"enum": ["accepted", "underReview", "rejected"]},
                                            "justification": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def report() -> Report:
    design = load_file(FIXTURES / "design.yaml")[0]
    graph = build_graph(design)
    objects = render(design, graph, AdapterRegistry.from_entry_points())
    options = PolicyOptions(
        builtin_roots=(FIXTURES / "checks",),
        policy_paths=(FIXTURES / "conftest",),
        waivers_file=FIXTURES / "waivers.yaml",
        today=dt.date(2030, 1, 1),
    )
    return PolicySet.load(options).evaluate(objects, graph.edges)


CONTEXT = RenderContext(exit_code=1, tool_version="0.1.0", base=ROOT)


def _empty_objects(value: Any) -> list[Any]:
    if isinstance(value, dict):
        found = [value] if not value else []
        return found + [x for v in value.values() for x in _empty_objects(v)]
    if isinstance(value, list):
        return [x for v in value for x in _empty_objects(v)]
    return []


def test_sarif_is_structurally_valid_and_github_friendly(report: Report) -> None:
    log = json.loads(renderer("sarif")(report, CONTEXT))
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert not _empty_objects(log)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]
    }
    assert uris == {"tests/policy/fixtures/design.yaml", "tests/policy/fixtures/waivers.yaml"}
    privileged = next(r for r in run["results"] if r["ruleId"] == "TST-001")
    assert privileged["suppressions"][0]["kind"] == "external"
    assert privileged["level"] == "error"
    assert run["invocations"][0]["exitCode"] == 1
    tst1 = next(r for r in rules if r["id"] == "TST-001")
    assert tst1["help"]["text"] == "Remove securityContext.privileged."
    assert tst1["properties"]["security-severity"] == "9.5"


def test_sarif_results_present_when_clean() -> None:
    empty = Report(findings=(), checks=(), objects=0)
    log = json.loads(renderer("sarif")(empty, CONTEXT))
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    assert log["runs"][0]["results"] == []


def test_fingerprints_are_stable_across_line_moves(report: Report) -> None:
    from dataclasses import replace

    finding = report.findings[0]
    moved = replace(finding, line=(finding.line or 0) + 40)
    assert moved.fingerprint == finding.fingerprint
    assert replace(finding, message="other").fingerprint != finding.fingerprint
    prints = [f.fingerprint for f in report.findings]
    assert len(set(prints)) == len(prints)


def test_json_document_matches_its_schema(report: Report) -> None:
    doc = json.loads(renderer("json")(report, CONTEXT))
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["schema_version"] == 1
    first = next(f for f in doc["findings"] if f["id"] == "TST-001")
    assert first["object"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "shop",
        "name": "web",
    }
    assert first["file"] == "tests/policy/fixtures/design.yaml"
    assert first["waived"] is True
    assert doc["summary"]["waived"] == 2
    assert doc["summary"]["exit_code"] == 1


def test_junit_has_one_failing_case_per_check_and_object(report: Report) -> None:
    root = ET.fromstring(renderer("junit")(report, CONTEXT))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert "TST-003" in suites
    (case,) = suites["TST-003"].iter("testcase")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert "Fix the selector" in (failure.text or "")
    (waived,) = suites["TST-001"].iter("testcase")
    skipped = waived.find("skipped")
    assert skipped is not None
    assert "INC-42" in (skipped.get("message") or "")
    assert int(root.get("failures") or 0) == report.summary()["findings"]


def test_github_annotations(report: Report) -> None:
    lines = renderer("github")(report, CONTEXT).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert any(
        line.startswith("::error file=tests/policy/fixtures/design.yaml,line=39,title=TST-003 (high)::")
        for line in errors
    )
    assert not any("title=TST-001" in line for line in lines)  # waived: not annotated
    assert lines[0].startswith("::group::")
    assert escape_data("a%b\nc") == "a%25b%0Ac"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_text_lists_findings_and_footer(report: Report) -> None:
    text = renderer("text")(report, CONTEXT)
    assert "tests/policy/fixtures/design.yaml:39: high TST-003 Service/shop/web-svc: Service web-svc" in text
    assert "waived critical TST-001" in text
    assert text.splitlines()[-1].endswith("2 waived; 2 objects, 8 checks")


def test_sarif_marks_failed_runs(report: Report) -> None:
    failed = RenderContext(exit_code=3, tool_version="0.1.0", base=ROOT)
    log = json.loads(renderer("sarif")(report, failed))
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False, "exitCode": 3}]


def test_relative_paths_follow_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are made relative through a cache; a relative file name must still resolve against the
    working folder of the moment, not the one of an earlier call."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    context = RenderContext(base=tmp_path)
    monkeypatch.chdir(tmp_path / "a")
    assert context.relative("d.yaml") == "a/d.yaml"
    monkeypatch.chdir(tmp_path / "b")
    assert context.relative("d.yaml") == "b/d.yaml"
    assert context.relative(str(tmp_path / "a" / "x" / "d.yaml")) == "a/x/d.yaml"
    assert RenderContext(base=tmp_path / "a").relative("d.yaml") == "d.yaml"  # outside: as given
    assert context.relative(None) is None


def test_relative_paths_resolve_linked_folders_and_linked_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder is resolved once for all its files, then a file that is itself a link is followed:
    the same paths as resolving each file whole."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    (repo / "a" / "b").mkdir(parents=True)
    elsewhere.mkdir()
    (repo / "a" / "b" / "x.yaml").write_text("")
    (elsewhere / "y.yaml").write_text("")
    (tmp_path / "link").symlink_to(repo / "a")
    (repo / "a" / "b" / "ylink.yaml").symlink_to(elsewhere / "y.yaml")
    (elsewhere / "xlink.yaml").symlink_to(repo / "a" / "b" / "x.yaml")
    monkeypatch.chdir(repo)
    context = RenderContext(base=repo)
    names = {
        "./a//b/x.yaml": "a/b/x.yaml",
        "../link/b/x.yaml": "a/b/x.yaml",  # a linked folder into the base
        "a/b/../b/x.yaml": "a/b/x.yaml",
        "../elsewhere/xlink.yaml": "a/b/x.yaml",  # a linked file into the base
        "a/b/ylink.yaml": None,  # a linked file out of it: as given
    }
    for name, expected in names.items():
        for given in (name, str(repo / name)):
            assert context.relative(given) == (expected or Path(given).as_posix()), given
            assert context.relative(given) == _resolved_whole(given, repo), given


def _resolved_whole(file: str, base: Path) -> str:
    """What a report named before folders were resolved once for all their files."""
    try:
        return Path(file).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(file).as_posix()
