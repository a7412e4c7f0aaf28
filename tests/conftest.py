"""Shared pytest configuration: paths to the project's and the shared test data, and a cache folder
of the test run's own (the adapter discovery cache must not land in, or be read from, the user's
~/.cache; commands the tests start inherit it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import requirements

pytest_plugins = ["designer.sandbox.testing"]  # sandbox, kube_api (both engines), control_plane

ROOT = Path(__file__).resolve().parent.parent
SHARED = requirements.SHARED
PATTERNS = ROOT / "patterns"


@pytest.fixture
def shared_testdata() -> Path:
    """../shared/testdata beside the project (present in CI; skipped with a reason elsewhere)."""
    return requirements.shared("testdata")


@pytest.fixture(scope="session", autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous
