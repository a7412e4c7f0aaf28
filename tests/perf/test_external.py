"""wrk and hey on real runs against a private nginx; fortio's parser on a hand-written result.

fortio is not packaged for Debian, so its parser is fed a JSON document written by hand in this
test in the shape of fortio's ``-json`` output (HTTPRunnerResults); that part is not a real run.
"""

from __future__ import annotations

import shutil

import pytest

from designer.errors import ProfileError
from designer.perf.engine import fortio, hey, tools, wrk
from designer.perf.engine.select import run_engine
from designer.perf.profile import Profile, Target
from designer.perf.results import RunContext, build_record
from perf.perfservers import Nginx
from tests import requirements


def _profile(url: str, **kw: object) -> Profile:
    return Profile(name="ext", targets=(Target(url=url),), **kw)  # type: ignore[arg-type]


def test_wrk_closed_loop_against_nginx(nginx: Nginx) -> None:
    requirements.executable("wrk", install="apt-get install wrk")
    m = run_engine(_profile(nginx.url, engine="wrk", rate=None, connections=10, duration_s=1.0))
    assert m.engine == "wrk" and m.mode == "closed" and not m.co_corrected
    assert m.completed > 1000 and m.error_count == 0
    assert m.corrected.count == m.completed  # spectrum spread over every request
    assert 0 < m.corrected.percentile_us(50) <= m.corrected.percentile_us(99) < 1_000_000
    assert m.histogram_source == "percentiles" and m.cpu_s is not None and m.cpu_s > 0
    assert "wrk" in m.engine_version
    record = build_record(
        m, _profile(nginx.url, engine="wrk", rate=None, connections=10, duration_s=1.0), RunContext()
    )
    assert record["achieved_rate"] > 1000 and record["saturated"] is False


def test_wrk_refuses_a_rate() -> None:
    with pytest.raises(ProfileError, match="no rate option") as info:
        wrk.run(_profile("http://127.0.0.1:1/", engine="wrk", rate=100))
    assert "--closed" in (info.value.hint or "")


def test_wrk_script_escapes_the_request() -> None:
    script = wrk.reporter_script(_profile("http://x/", method="POST", headers={"X-A": 'q"t'}, body=b"a\nb"))
    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = "a\\010b"' in script
    assert 'wrk.headers["X-A"] = "q\\034t"' in script
    assert "done = function(summary, latency, requests)" in script


def test_hey_rate_is_converted_per_worker(nginx: Nginx) -> None:
    requirements.executable("hey", install="apt-get install hey")
    profile = _profile(nginx.url, engine="hey", rate=200, connections=4, duration_s=1.0)
    assert "-q" in hey.command("hey", profile)
    assert hey.command("hey", profile)[hey.command("hey", profile).index("-q") + 1] == "50"
    m = run_engine(profile)
    assert m.engine == "hey" and m.mode == "open" and not m.co_corrected
    # 4 workers x 50 q/s for 1 s: ~200 requests, not 800 (the per-worker trap)
    assert 150 <= m.completed <= 210
    assert m.status_codes[200] == m.completed and m.raw.count == m.completed
    assert m.completed + m.dropped >= 200


def test_hey_csv_parser_counts_status_errors() -> None:
    csv_text = (
        "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n"
        "0.0010,0.0001,0.0000,0.0000,0.0008,0.0001,200,0.0100\n"
        "0.0020,0.0000,0.0000,0.0000,0.0018,0.0001,503,0.5000\n"
    )
    m = hey.parse(csv_text, target_rate=4.0, duration_s=1.0, connections=1, start_time=0.0)
    assert m.completed == 2 and m.errors == {"status": 1} and m.dropped == 2
    assert m.raw.percentile_us(100) in range(1990, 2010)


FORTIO_JSON = {
    "RunType": "HTTP",
    "Labels": "",
    "StartTime": "2026-11-22T03:00:00Z",
    "RequestedQPS": "100",
    "RequestedDuration": "2s",
    "ActualQPS": 99.5,
    "ActualDuration": 2_000_000_000,
    "NumThreads": 4,
    "Version": "1.63.0",
    "DurationHistogram": {
        "Count": 199,
        "Min": 0.0004,
        "Max": 0.0105,
        "Sum": 0.3,
        "Avg": 0.0015,
        "StdDev": 0.001,
        "Data": [
            {"Start": 0.0004, "End": 0.001, "Percent": 50.25, "Count": 100},
            {"Start": 0.001, "End": 0.002, "Percent": 95.477, "Count": 90},
            {"Start": 0.01, "End": 0.0105, "Percent": 100, "Count": 9},
        ],
        "Percentiles": [{"Percentile": 50, "Value": 0.001}],
    },
    "RetCodes": {"200": 197, "503": 2},
    "Sizes": {"Count": 199, "Sum": 119400},
}


def test_fortio_parser_on_a_hand_written_result() -> None:
    m = fortio.parse(FORTIO_JSON, connections=4, start_time=0.0)
    assert m.engine == "fortio" and m.mode == "open" and m.target_rate == 100.0
    assert m.completed == 199 and m.corrected.count == 199
    assert m.errors == {"status": 2} and m.status_codes == {200: 197, 503: 2}
    assert m.dropped == 1 and m.bytes_received == 119400
    assert 10_000 <= m.corrected.percentile_us(99) <= 10_600
    assert not m.co_corrected and "not corrected" in m.warnings[0]


def test_fortio_parser_max_speed_is_closed_loop() -> None:
    m = fortio.parse({**FORTIO_JSON, "RequestedQPS": "max"}, connections=4, start_time=0.0)
    assert m.mode == "closed" and m.target_rate is None and m.dropped == 0


def test_fortio_command_uses_total_qps() -> None:
    from pathlib import Path

    argv = fortio.command(
        "fortio", _profile("http://h/", rate=300, connections=6, duration_s=5), Path("o.json")
    )
    assert argv[argv.index("-qps") + 1] == "300" and argv[argv.index("-c") + 1] == "6"


def test_missing_tool_is_a_profile_error_with_install_hint() -> None:
    with pytest.raises(ProfileError, match="not installed"):
        tools.find("designer-no-such-load-tool")
    if shutil.which("fortio") is None:
        with pytest.raises(ProfileError, match="fortio load generator is not installed") as info:
            run_engine(_profile("http://127.0.0.1:1/", engine="fortio"))
        assert "github.com/fortio" in (info.value.hint or "")


def _wrk_line(percentile_100: int) -> str:
    spectrum = ",".join(f"[{i},{400 + 10 * i}]" for i in range(1, 100))
    tail = f"[99.5,1500],[99.9,1800],[99.99,2000],[100,{percentile_100}]"
    return (
        'DESIGNER_JSON {"duration_us":1000000,"requests":10000,"bytes":6000000,'
        '"errors":{"connect":0,"read":0,"write":0,"status":0,"timeout":0},'
        f'"latency":{{"min":350,"max":2100,"mean":900.0,"stdev":100.0,"percentiles":[{spectrum},{tail}]}}}}\n'
    )


def test_wrk_min_and_max_come_from_wrk_not_its_zero_percentile_100() -> None:
    # wrk's latency:percentile(100) answers 0; that must not put requests at zero latency.
    m = wrk.parse(_wrk_line(0), connections=10, start_time=0.0)
    summary = m.corrected.summary_ms()
    assert summary["min"] == pytest.approx(0.35, rel=0.01) and summary["max"] == pytest.approx(2.1, rel=0.01)
    assert m.corrected.count == 10000
    assert m.corrected.percentile_us(50) >= 400


def test_wrk_real_run_has_a_positive_min(nginx: Nginx) -> None:
    requirements.executable("wrk", install="apt-get install wrk")
    m = run_engine(_profile(nginx.url, engine="wrk", rate=None, connections=4, duration_s=1.0))
    summary = m.corrected.summary_ms()
    assert 0.001 < summary["min"] <= summary["p50"] <= summary["max"]
