"""Fixtures of the perf tests: the servers of perfservers.py, started per test or per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perf.perfservers import Nginx, StubServer


@pytest.fixture
def stub_server() -> Iterator[StubServer]:
    server = StubServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    server = Nginx(tmp_path_factory.mktemp("nginx")).start()
    yield server
    server.stop()
