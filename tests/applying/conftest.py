"""Fixtures of the apply-engine tests."""

from __future__ import annotations

import pytest

from tests.applying.fakecluster import FakeCluster


@pytest.fixture
def fake_cluster() -> FakeCluster:
    """An empty in-memory FakeCluster (see fakecluster.py for why a fake)."""
    return FakeCluster()
