"""Shared by the Compose import tests: where the files are and how to import one through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.cli.main import run
from tests import requirements

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "compose"
OWN_FILES = sorted([*FIXTURES.glob("*/compose.yaml"), *FIXTURES.glob("*/docker-compose.yml")])
SAMPLES = requirements.shared_files("testdata/compose", "*.yaml")
SAMPLE_IDS = [p.stem for p in SAMPLES]


def import_file(
    source: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[str]]:
    """`design import SOURCE -o OUT --from compose`: the exit code and the warning lines."""
    capsys.readouterr()
    code = run(["import", str(source), "--from", "compose", "-o", str(out), *extra])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.startswith("warning: ")]
