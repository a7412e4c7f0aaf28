"""The test command also runs the linters and the type checker, configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "tool",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
    ],
    ids=" ".join,
)
def test_tool_passes(tool: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *tool], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_no_machine_paths_in_tracked_files() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    parent = str(ROOT.parent) + "/"
    offenders = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.is_file() and not path.is_symlink():
            try:
                if parent in path.read_text(encoding="utf-8"):
                    offenders.append(name)
            except UnicodeDecodeError:
                continue
    assert not offenders, f"tracked files name a path of this machine: {offenders}"
