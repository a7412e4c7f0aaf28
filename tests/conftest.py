"""Shared pytest configuration: paths to the project's and the shared test data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PATTERNS = ROOT / "patterns"


@pytest.fixture
def shared_testdata() -> Path:
    """../shared/testdata beside the project (present in CI too)."""
    path = SHARED / "testdata"
    assert path.is_dir(), f"{path} is missing: ../shared must sit beside the project"
    return path
