"""What a test needs that the README's two commands do not install, and what happens when it is missing.

A fresh clone runs ``pip install -e '.[test]' && pytest`` with nothing else: no Debian tools (nginx, wrk,
hey, docker-registry, chromium), no ../shared test data beside the project, no control plane or OPA built
from Go. There such a test is *skipped*, with a reason that says how to get what it needs. CI
(``CI=true``) installs all of it through ``.ci/run``, so there a missing piece *fails* the test instead:
nothing is skipped silently where it matters.

Callers: every test module that drives an external program or reads ../shared, through these three
functions (``from tests import requirements``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def in_ci() -> bool:
    """True when the run is CI's (``CI`` set to a true value, as CI services do)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason: str) -> NoReturn:
    """Skip the current test with ``reason`` outside CI; fail it under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required here, not skipped)", pytrace=False)
    pytest.skip(reason)


def executable(name: str, *, install: str) -> str:
    """The path of program ``name`` on PATH (or in /usr/sbin, where Debian puts daemons), else `missing`.

    ``install`` says how to get it, e.g. ``"apt-get install hey"``.
    """
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        missing(f"{name} is not installed: {install} (.ci/run installs it)")
    return found


def shared(*parts: str) -> Path:
    """A path under ../shared (the team's real-world test data beside the project), else `missing`."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing(
            f"../{path.relative_to(SHARED.parent)} is missing: these tests read real files from other projects, "
            "kept in ../shared beside the checkout (CI has it)"
        )
    return path


def shared_files(folder: str, pattern: str) -> list[Path]:
    """Files under ../shared/<folder> matching ``pattern`` (sorted), for ``parametrize`` at collection.

    When ../shared is absent this returns one placeholder path, so the parametrized test still runs
    once and `shared` skips it with the reason (an empty parameter set would be skipped without one).
    """
    root = SHARED / folder
    if not root.is_dir():
        return [root / f"(missing){pattern}"]
    return sorted(root.glob(pattern))


def shared_file(path: Path) -> Path:
    """``path`` (from `shared_files`) once it is known to exist, else `missing` with the reason."""
    if not path.exists():
        shared(*path.relative_to(SHARED).parts[:1])
        missing(f"{path} is missing")
    return path
