"""API: the catalog's sources and their patterns, searched as `design catalog search` searches them.

Sources are the built-in ``local`` catalog plus the ones configured with `design catalog add-source`;
each index is read through designer.catalog (deadlines, size bounds and schema checks included), and
entries an index had to skip are reported beside the rest. Caller: designer.ui.server (routes).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from designer.catalog.sources import config
from designer.errors import DesignerError
from designer.ui.jsonio import flag, json_response, refusal
from designer.ui.state import state_of

routes = web.RouteTableDef()


@routes.get("/api/v1/catalog/sources")
async def sources(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        specs = await state.on_cluster(config.load_specs)
    except DesignerError as exc:
        return refusal(503, exc.message, exc.hint)
    return json_response(
        {"sources": [{"name": s.name, "url": s.url, "kind": s.kind} for s in specs.values()]}
    )


@routes.get("/api/v1/catalog/entries")
async def entries(request: web.Request) -> web.Response:
    state = state_of(request)
    name = request.query.get("source") or None
    query = request.query.get("q", "")
    every = flag(request, "all_versions", default=False)

    def search() -> dict[str, Any]:
        source = config.open_source(name)
        found = source.index().search(query, all_versions=every)
        return {
            "source": source.name,
            "entries": [{k: v for k, v in e.as_json().items() if k not in ("archive",)} for e in found],
            "skipped": source.skipped(),
        }

    try:
        return json_response(await state.on_cluster(search))
    except DesignerError as exc:
        return refusal(404 if "source" in exc.message else 503, exc.message, exc.hint)
