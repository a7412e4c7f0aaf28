"""The API against its own OpenAPI document (the one the server serves), with schemathesis: generated
requests for every operation, each answer checked for status code, content type and schema, and no
server error. The server runs over real HTTP on 127.0.0.1 with a design folder, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from designer.ui.background import BackgroundServer
from designer.ui.server import openapi_document
from designer.ui.state import Settings
from tests.ui.conftest import CYCLE, SHOP, TOKEN, logged_in

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    folder = tmp_path_factory.mktemp("designs")
    (folder / "shop.yaml").write_text(SHOP)
    (folder / "loop.yaml").write_text(CYCLE)
    with BackgroundServer(Settings(paths=(str(folder),), token=TOKEN, port=0, contexts=("none",))) as running:
        yield running


def test_the_served_document_is_this_one(server: BackgroundServer) -> None:
    served = logged_in(server).get(f"{server.url}/api/v1/openapi.json").json()
    assert served == openapi_document()
    assert all(path.startswith("/api/v1/") for path in served["paths"])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case: Any, server: BackgroundServer) -> None:
    case.call_and_validate(
        base_url=server.url, headers={"X-Designer-Token": TOKEN, "Origin": server.url}, timeout=30
    )


def test_real_ids_answer_by_the_document(server: BackgroundServer, tmp_path: Path) -> None:
    """Generated ids rarely name a design; the listed ones must answer by the schema too."""
    http = logged_in(server)
    for design in http.get(f"{server.url}/api/v1/designs").json()["designs"]:
        for operation, path in (("designGraph", "graph"), ("designFindings", "findings")):
            answer = http.get(f"{server.url}/api/v1/designs/{design['id']}/{path}")
            assert answer.status_code == 200
            schema.find_operation_by_id(operation).validate_response(answer)
