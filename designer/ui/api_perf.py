"""API: the perf history, one result's latency percentile curves, and two results compared.

The same data `design perf history`, `design perf report` (the curves its latency-percentiles.svg
draws) and `design perf compare` (the verdict of a KS test plus a minimum decile shift) give. The
history is designer's perf database (``--history`` of `design ui`, else ``DESIGNER_PERF_DB`` or the
default), opened read-only per request. Request headers a profile sent (tokens, cookies) are not
passed on: only their names. Caller: designer.ui.server (routes).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from designer.errors import ProfileError
from designer.perf import comparing
from designer.perf.curves import CURVE_POINTS, record_curves
from designer.perf.history import FILTERS, History
from designer.perf.results import Record
from designer.ui.jsonio import bad_request, json_response, not_found
from designer.ui.state import UiState, state_of

routes = web.RouteTableDef()

MAX_LIMIT = 500
SUMMARY_FIELDS = (
    "id",
    "profile",
    "design",
    "version",
    "mesh",
    "start_time",
    "engine",
    "mode",
    "target_rate",
    "achieved_rate",
    "requests",
    "errors",
    "saturated",
    "slo_passed",
    "latency_ms",
)


@routes.get("/api/v1/perf/results")
async def results(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        limit = int(request.query.get("limit", "50"))
    except ValueError:
        raise bad_request("limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}")
    filters = {name: request.query[name] for name in FILTERS if name in request.query}
    records = await state.on_cluster(_query, state, limit, filters)
    return json_response({"results": [summary(r) for r in records]})


@routes.get("/api/v1/perf/results/{result}")
async def result(request: web.Request) -> web.Response:
    state = state_of(request)
    record = await _get(state, request.match_info["result"])
    return json_response(detail(record))


@routes.get("/api/v1/perf/compare")
async def compare(request: web.Request) -> web.Response:
    state = state_of(request)
    baseline, candidate = request.query.get("baseline"), request.query.get("candidate")
    if not baseline or not candidate:
        raise bad_request("name a baseline and a candidate result id")
    a = await _get(state, baseline)
    b = await _get(state, candidate)
    verdict = comparing.compare(a, b)
    return json_response({"comparison": verdict.as_json(), "baseline": detail(a), "candidate": detail(b)})


def summary(record: Record) -> dict[str, Any]:
    """What the history list shows of a record."""
    return {name: record.get(name) for name in SUMMARY_FIELDS}


def detail(record: Record) -> dict[str, Any]:
    """A record for the browser: its summary, target (header names only), SLO verdicts, warnings, curves."""
    target = dict(record.get("target") or {})
    target["headers"] = sorted(target.get("headers") or {})
    return {
        **summary(record),
        "target": target,
        "raw_latency_ms": record.get("raw_latency_ms"),
        "slos": record.get("slos") or [],
        "saturation_reasons": record.get("saturation_reasons") or [],
        "warnings": record.get("warnings") or [],
        "status_codes": record.get("status_codes") or {},
        "curve_points": [name for name, _ in CURVE_POINTS],
        "curves": record_curves(record),
    }


def _query(state: UiState, limit: int, filters: dict[str, str]) -> list[Record]:
    with History(state.settings.history) as store:
        return store.query(limit, **filters)


async def _get(state: UiState, result_id: str) -> Record:
    def read() -> Record:
        with History(state.settings.history) as store:
            return store.get(result_id)

    try:
        return await state.on_cluster(read)
    except ProfileError as exc:
        raise not_found(exc.message) from None
