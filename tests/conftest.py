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


PRIVATE_HOMES = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


@pytest.fixture(scope="session", autouse=True)
def _private_xdg_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session's own cache, config, data and state folders (commands run by tests inherit them):
    tests never read or write the user's result cache, catalog sources, perf history or sandbox state."""
    previous = {name: os.environ.get(name) for name in (*PRIVATE_HOMES, "DESIGNER_PERF_DB")}
    for name in PRIVATE_HOMES:
        os.environ[name] = str(tmp_path_factory.mktemp(name.lower()))
    os.environ.pop("DESIGNER_PERF_DB", None)  # the user's perf history elsewhere: not the tests' either
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
