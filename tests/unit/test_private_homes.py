"""The test session's own XDG folders (tests/conftest.py): no test reads or writes the user's result
cache, catalog sources, perf history or sandbox state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designer.perf.history import default_path
from designer.statepaths import sandbox_state_file, user_dir
from tests.conftest import PRIVATE_HOMES


def test_every_xdg_home_is_the_sessions_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    for name in PRIVATE_HOMES:
        assert Path(os.environ[name]).is_relative_to(base), name
    for kind in ("cache", "config", "data", "state"):
        assert user_dir(kind).is_relative_to(base), kind
    assert default_path().is_relative_to(base)  # the perf history the perf tests write
    assert sandbox_state_file().is_relative_to(base)
