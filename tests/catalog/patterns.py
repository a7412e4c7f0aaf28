"""The shipped patterns' versions as the tests need them (patterns are bumped; tests follow them)."""

from __future__ import annotations

import re

from tests.conftest import PATTERNS

_VERSION = re.compile(r"^  version: (\S+)$", re.M)


def version_of(file: str) -> str:
    """metadata.version of patterns/``file``."""
    match = _VERSION.search((PATTERNS / file).read_text())
    assert match is not None, file
    return match.group(1)


def with_version(text: str, version: str) -> str:
    """Design text ``text`` with its metadata.version replaced by ``version``."""
    return _VERSION.sub(f"  version: {version}", text, count=1)
