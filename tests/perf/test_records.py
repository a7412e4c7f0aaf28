"""Result records from real runs: the JSON Schema, SMP and Fortio exports, and SQLite history."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from designer.errors import ProfileError
from designer.perf import exporting
from designer.perf.history import History, default_path
from designer.perf.profile import Profile, Target
from designer.perf.results import RunContext
from designer.perf.running import run_profile
from perf.perfservers import StubServer
from tests.conftest import ROOT

# The SMP fields listed in the reference notes (service_mesh_performance.proto).
SMP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["config", "result"],
    "properties": {
        "config": {
            "type": "object",
            "required": ["smp_version", "id", "name", "labels", "clients", "duration"],
            "properties": {
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "clients": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": [
                            "internal", "load_generator", "protocol", "connections", "rps",
                            "headers", "cookies", "body", "content_type", "endpoint_url",
                        ],
                        "properties": {
                            "internal": {"type": "boolean"},
                            "protocol": {"enum": ["http", "tcp", "udp", "grpc"]},
                            "connections": {"type": "integer"},
                            "rps": {"type": "number"},
                            "endpoint_url": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
        "result": {
            "type": "object",
            "required": [
                "smp_version", "id", "labels", "start_time", "end_time", "latencies_ms", "actual_QPS",
                "details_uri", "testId", "meshConfigId", "envId",
            ],
            "properties": {
                "latencies_ms": {
                    "type": "object",
                    "required": ["min", "average", "p50", "p90", "p99", "max"],
                    "additionalProperties": {"type": "number"},
                },
                "actual_QPS": {"type": "number"},
            },
        },
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """Two real runs against the stub server (one with SLOs, one closed loop)."""
    server = StubServer().start()
    try:
        profile = Profile(
            name="stub",
            targets=(Target(url=server.url),),
            rate=300,
            connections=5,
            duration_s=0.5,
            slos=("p(99) < 2s", "error_rate < 1%", "rate >= 0.9 * target"),
        )
        context = RunContext(design="shop", version="1.0.0", mesh="istio", labels={"team": "perf"})
        open_loop = run_profile(profile, context)
        closed = run_profile(profile.with_overrides(closed=True, slos=()), context)
    finally:
        server.stop()
    return [open_loop, closed]


def test_record_matches_its_schema_and_the_cli_contract(records: list[dict[str, Any]]) -> None:
    schema = json.loads((ROOT / "schemas" / "perf-result.schema.json").read_text())
    for record in records:
        jsonschema.validate(record, schema)
    record = records[0]
    for key in ("p50", "p90", "p99", "max"):
        assert record["latency_ms"][key] >= 0 and record["raw_latency_ms"][key] >= 0
    assert record["engine"] == "builtin" and record["mode"] == "open" and record["target_rate"] == 300
    assert record["requests"] == 150 and record["errors"] == 0 and record["dropped"] == 0
    assert record["saturated"] is False and record["slo_passed"] is True
    assert [v["passed"] for v in record["slos"]] == [True, True, True]
    assert record["key"]["mesh"] == "istio" and record["key"]["rate"] == 300
    assert records[1]["mode"] == "closed" and records[1]["target_rate"] is None
    assert records[1]["slo_passed"] is None
    assert records[0]["key_id"] != records[1]["key_id"]  # different modes never share a key


def test_smp_export_has_the_smp_fields(records: list[dict[str, Any]]) -> None:
    doc = exporting.to_smp(records[0])
    jsonschema.validate(doc, SMP_SCHEMA)
    assert doc["result"]["latencies_ms"]["p99"] == records[0]["latency_ms"]["p99"]
    assert doc["result"]["actual_QPS"] == records[0]["achieved_rate"]
    assert doc["config"]["clients"][0]["rps"] == 300
    assert doc["result"]["meshConfigId"] == "istio"


def test_fortio_export_keeps_counts_and_percent(records: list[dict[str, Any]]) -> None:
    doc = exporting.to_fortio(records[0])
    hist = doc["DurationHistogram"]
    assert hist["Count"] == records[0]["requests"]
    assert sum(b["Count"] for b in hist["Data"]) == hist["Count"]
    assert hist["Data"][-1]["Percent"] == 100.0
    assert doc["RequestedQPS"] == "300" and doc["RetCodes"] == {"200": 150}
    assert exporting.to_fortio(records[1])["RequestedQPS"] == "max"


def test_history_survives_a_new_process(records: list[dict[str, Any]], tmp_path: Path) -> None:
    db = tmp_path / "perf.sqlite3"
    with History(db) as store:
        for record in records:
            store.save(record)
    code = (
        "import json, sys\n"
        "from designer.perf.history import History\n"
        "with History(sys.argv[1]) as h:\n"
        "    print(json.dumps([r['id'] for r in h.query(mesh='istio')]))\n"
        "    print(h.get(sys.argv[2])['latency_ms']['p99'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), records[0]["id"]], capture_output=True, text=True, check=True
    )
    ids_line, p99_line = done.stdout.splitlines()
    assert sorted(json.loads(ids_line)) == sorted(r["id"] for r in records)
    assert float(p99_line) == records[0]["latency_ms"]["p99"]


def test_history_lookup_and_filters(records: list[dict[str, Any]], tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as store:
        for record in records:
            store.save(record)
        assert store.get(records[1]["id"])["mode"] == "closed"
        assert [r["id"] for r in store.query(version="1.0.0", limit=1)] == [records[1]["id"]]
        assert store.query(version="2.0.0") == []
        with pytest.raises(ProfileError, match="no perf result"):
            store.get("19990101")


def test_history_default_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESIGNER_PERF_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"
    monkeypatch.delenv("DESIGNER_PERF_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "designer" / "perf.sqlite3"


def test_unwritable_history_is_a_profile_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ProfileError, match="cannot open the perf history"):
        History(blocker / "sub" / "perf.db")
