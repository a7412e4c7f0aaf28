"""`design perf …` end to end through the CLI's error funnel, against the in-test server."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import run
from perf.perfservers import StubServer


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "perf.sqlite3")


def test_run_url_json_has_the_documented_fields(
    stub_server: StubServer, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["perf", "run", "--url", stub_server.url, "--rate", "200", "-d", "0.5s", "-c", "4",
                "--history", db, "-o", "json"])  # fmt: skip
    record = _json(capsys)
    counts = (code, record["requests"], record["sent"], record["dropped"], record["errors"])
    assert counts == (0, 100, 100, 0, 0), record["warnings"]
    assert record["schema_version"] == 1
    for key in (
        "engine",
        "mode",
        "target_rate",
        "achieved_rate",
        "requests",
        "errors",
        "dropped",
        "saturated",
    ):
        assert key in record
    for key in ("p50", "p90", "p99", "max"):
        assert isinstance(record["latency_ms"][key], float) and isinstance(
            record["raw_latency_ms"][key], float
        )
    assert record["requests"] == 100 and record["target_rate"] == 200.0 and record["mode"] == "open"

    assert run(["perf", "history", "--history", db, "-o", "json"]) == 0
    listed = _json(capsys)["results"]
    assert [r["id"] for r in listed] == [record["id"]] and "histograms" not in listed[0]

    assert run(["perf", "show", record["id"], "--history", db, "-o", "smp"]) == 0
    assert _json(capsys)["result"]["actual_QPS"] == record["achieved_rate"]


def test_failed_slo_exits_1(stub_server: StubServer, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["perf", "run", "--url", stub_server.url, "--rate", "100", "-d", "0.3s", "-c", "2",
                "--slo", "p(50) < 1us", "--slo", "error_rate < 1%", "--history", db])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "SLO FAIL  p(50) < 1us" in out and "SLO pass  error_rate < 1%" in out
    assert "corrected" in out and "raw" in out


def test_bad_slo_is_an_input_error(
    stub_server: StubServer, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["perf", "run", "--url", stub_server.url, "-d", "0.2s", "--slo", "latency < 3", "--no-save"])
    err = capsys.readouterr().err
    assert code == 3
    assert "error: SLO 'latency < 3': unknown metric 'latency'" in err and "hint:" in err


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["perf", "run"]) == 2
    assert "give a design PATH or --url" in capsys.readouterr().err
    assert run(["perf", "run", "--url", "http://127.0.0.1:1/", "--rate", "5", "--closed"]) == 2


def test_design_profiles_run_compare_and_report(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A native design with one PerformanceProfile; two versions against a 2x slower server."""
    fast, slow = StubServer(delay_s=0.010).start(), StubServer(delay_s=0.020).start()
    try:
        design = tmp_path / "design.yaml"
        for version, server in (("1.0.0", fast), ("1.1.0", slow)):
            design.write_text(
                textwrap.dedent(
                    f"""\
                    apiVersion: designer/v1
                    kind: Design
                    metadata: {{name: shop, version: {version}}}
                    variables:
                      target: {{default: "{server.url}"}}
                    components:
                      - name: checkout-load
                        kind: PerformanceProfile
                        apiVersion: designer/v1
                        settings:
                          targets: [{{url: "${{target}}"}}]
                          rate: 200
                          connections: 10
                          duration: 1s
                          slos: ["p(99) < 5s", "rate >= 0.9 * target"]
                    """
                )
            )
            assert run(["perf", "run", str(design), "--history", db, "-o", "json"]) == 0
            record = _json(capsys)
            assert record["design"] == "shop" and record["version"] == version == record["key"]["version"]
            assert record["profile"] == "checkout-load" and record["slo_passed"] is True
    finally:
        fast.stop()
        slow.stop()

    code = run(["perf", "compare", "version=1.0.0", "version=1.1.0", "--history", db, "-o", "json"])
    verdict = _json(capsys)
    assert code == 1 and verdict["verdict"] == "regression"
    assert verdict["warnings"] == []  # only the version differs, and it is what we compare by

    assert run(["perf", "compare", "version=1.0.0", "version=1.0.0", "--history", db]) == 0
    assert "no significant change" in capsys.readouterr().out

    out_dir = tmp_path / "report"
    assert run(["perf", "report", "--out", str(out_dir), "--history", db]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in written) == ["history.svg", "latency-percentiles.svg"]
    curves = (out_dir / "latency-percentiles.svg").read_text()
    assert curves.startswith("<?xml") and "<svg" in curves
    assert "Latency by percentile" in curves and "1.1.0 corrected" in curves and "1.0.0 raw" in curves
    assert "kozea.github.io" not in curves  # no CDN script: the chart works offline
    history = (out_dir / "history.svg").read_text()
    assert re.search(r"1\.1\.0 \d+/s", history) and "p99.9" in history  # labels: time, version, rate


def test_design_without_profiles_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = tmp_path / "d.yaml"
    design.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: empty}\ncomponents:\n"
        "  - {name: cm, kind: ConfigMap, apiVersion: v1, settings: {data: {a: b}}}\n"
    )
    assert run(["perf", "run", str(design), "--no-save"]) == 3
    assert "has no PerformanceProfile component" in capsys.readouterr().err


def test_profile_settings_are_schema_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = tmp_path / "d.yaml"
    design.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: bad}\ncomponents:\n"
        "  - name: p\n    kind: PerformanceProfile\n    apiVersion: designer/v1\n"
        "    settings: {targets: [{url: 'http://127.0.0.1:1/'}], rate: 10, concurrency: 4}\n"
    )
    assert run(["perf", "run", str(design), "--no-save"]) == 3
    assert "error:" in capsys.readouterr().err


def test_compare_rejects_a_bad_min_effect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["perf", "compare", "a", "b", "--min-effect", "lots", "--history", str(tmp_path / "h.db")])
    assert code == 2 and "--min-effect" in capsys.readouterr().err


def test_unknown_result_id_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["perf", "show", "20990101", "--history", str(tmp_path / "h.db")]) == 3
    assert "no perf result with id '20990101'" in capsys.readouterr().err


def test_progress_off_a_terminal_shows_a_short_run(
    stub_server: StubServer, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 2 s run in a CI log: a line at each quarter (not one empty line at 0 s, then nothing).
    code = run(["perf", "run", "--url", stub_server.url, "--rate", "50", "-d", "2s", "-c", "2", "--no-save"])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("load: ")]
    assert code == 0, err
    assert len(lines) >= 3, err
    assert all(" 0 sent" not in line for line in lines), err
