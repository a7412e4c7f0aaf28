"""The built-in engine against the in-test asyncio server: rates, modes, errors, coordinated omission."""

from __future__ import annotations

import pytest

from designer.errors import ProfileError
from designer.perf.engine.builtin import LoadPlan, Progress, run_plan
from designer.perf.profile import Profile, Target
from designer.perf.results import RunContext, build_record
from perf.perfservers import StubServer, free_port


def test_open_loop_holds_the_rate_and_counts_every_request(stub_server: StubServer) -> None:
    seen: list[Progress] = []
    m = run_plan(LoadPlan(urls=(stub_server.url,), rate=500, connections=10, duration_s=1.0), seen.append)
    assert m.mode == "open" and m.co_corrected
    assert m.sent == 500 and m.completed == 500 and m.dropped == 0 and m.error_count == 0
    assert stub_server.requests == 500  # the server saw exactly what we counted
    assert 490 <= m.achieved_rate <= 505
    assert m.corrected.count == m.raw.count == 500
    assert m.status_codes == {200: 500}
    assert m.bytes_received > 500 * 20
    assert seen and seen[-1].sent > 0


def test_warmup_is_sent_but_not_measured(stub_server: StubServer) -> None:
    m = run_plan(LoadPlan(urls=(stub_server.url,), rate=400, connections=4, duration_s=0.5, warmup_s=0.25))
    assert m.sent == 200 and m.completed == 200
    assert stub_server.requests == 300


def test_closed_loop_is_labelled_and_has_no_target() -> None:
    server = StubServer(delay_s=0.01).start()
    try:
        m = run_plan(LoadPlan(urls=(server.url,), rate=None, connections=5, duration_s=0.5))
    finally:
        server.stop()
    assert m.mode == "closed" and not m.co_corrected and m.target_rate is None
    # 5 connections each waiting 10 ms per response: at most ~500 req/s, well above 0.
    assert 150 <= m.achieved_rate <= 520
    assert m.corrected.percentile_us(50) >= 10_000


def test_http_errors_are_counted_by_kind() -> None:
    server = StubServer(status=503).start()
    try:
        m = run_plan(LoadPlan(urls=(server.url,), rate=200, connections=2, duration_s=0.5))
    finally:
        server.stop()
    assert m.errors["status"] == 100 and m.status_codes == {503: 100}


def test_unreachable_target_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="cannot connect"):
        run_plan(LoadPlan(urls=(f"http://127.0.0.1:{free_port()}/",), rate=10, connections=2, duration_s=0.2))


def test_too_few_connections_for_a_slow_server_is_saturated() -> None:
    """2 connections x 50 ms service time can carry 40 req/s; asking 200 must not pass as held."""
    server = StubServer(delay_s=0.05).start()
    try:
        m = run_plan(LoadPlan(urls=(server.url,), rate=200, connections=2, duration_s=1.0, timeout_s=2))
    finally:
        server.stop()
    assert m.dropped > 100
    profile = Profile(name="slow", targets=(Target(url=server.url),), rate=200, connections=2, duration_s=1.0)
    record = build_record(m, profile, RunContext())
    assert record["saturated"] is True
    assert any("never sent" in r for r in record["saturation_reasons"])


def test_coordinated_omission_is_corrected() -> None:
    """The server freezes every response for 0.5 s, 1 s into a 1,000 req/s run (3,000 requests).

    About 500 scheduled requests fall inside the stall, so the corrected p99 must show hundreds of
    milliseconds; the 20 requests actually in flight are under 1 %, so the raw p99 must not.
    """
    for _ in range(3):  # a timing bound: a run disturbed by other load on the machine is repeated
        server = StubServer(stall_after_s=1.0, stall_for_s=0.5).start()
        try:
            m = run_plan(LoadPlan(urls=(server.url,), rate=1000, connections=20, duration_s=3.0))
        finally:
            server.stop()
        corrected_p99 = m.corrected.percentile_us(99) / 1000
        raw_p99 = m.raw.percentile_us(99) / 1000
        if 300 <= corrected_p99 <= 550 and raw_p99 < 50:
            break
    assert m.completed == 3000 and m.dropped == 0
    assert 300 <= corrected_p99 <= 550, corrected_p99
    assert raw_p99 < 50, raw_p99
    assert m.corrected.percentile_us(100) >= 400_000
    assert m.send_lag is not None and m.send_lag.percentile_us(99) > 100_000


def test_requests_past_the_timeout_are_counted_as_timeouts() -> None:
    server = StubServer(delay_s=2.0).start()
    try:
        m = run_plan(LoadPlan(urls=(server.url,), rate=20, connections=4, duration_s=0.5, timeout_s=0.3))
    finally:
        server.stop()
    assert m.completed == 0
    assert m.errors["timeout"] == m.sent > 0


def test_connections_are_spread_over_several_targets() -> None:
    first, second = StubServer().start(), StubServer().start()
    try:
        m = run_plan(LoadPlan(urls=(first.url, second.url), rate=400, connections=4, duration_s=0.5))
    finally:
        first.stop()
        second.stop()
    assert m.completed == 200 and first.requests + second.requests == 200
    assert first.requests > 0 and second.requests > 0
