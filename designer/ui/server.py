"""The `design ui` web server: the aiohttp application, its routes, and running it until interrupted.

`make_app` assembles the security middleware (designer.ui.security), the JSON API under /api/v1
(api_designs, api_cluster, api_perf, api_catalog), the OpenAPI document that describes it
(openapi.yaml beside this module, served as JSON) and the front end: index.html and the bundle in
static/, built from the project's ui/ folder and shipped inside the package, so nothing is fetched
from elsewhere at run time. `serve` binds, prints the URL with the token once, optionally opens a
browser, and stops cleanly. Callers: designer.cli.ui, tests, benchmarks/ui_bench.py.
"""

from __future__ import annotations

import asyncio
import functools
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from designer import __version__
from designer.ui import api_catalog, api_cluster, api_designs, api_perf, security
from designer.ui.jsonio import error_body, json_response
from designer.ui.state import STATE, Settings, UiState, state_of

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
OPENAPI = HERE / "openapi.yaml"


def make_app(settings: Settings, state: UiState | None = None) -> web.Application:
    """The application for ``settings`` (its state made here unless given)."""
    state = state or UiState.create(settings)
    app = web.Application(
        middlewares=[
            security.middleware(settings.token, lambda: (settings.host, state.port)),
            _errors_as_json,
        ],
        client_max_size=64 * 1024,
    )
    app[STATE] = state
    app.router.add_get("/", _index)
    app.router.add_get("/api/v1/session", _session)
    app.router.add_get("/api/v1/openapi.json", _openapi)
    for table in (api_designs.routes, api_cluster.routes, api_perf.routes, api_catalog.routes):
        app.router.add_routes(table)
    app.router.add_static("/static/", STATIC, follow_symlinks=False, append_version=False)

    async def close(_: web.Application) -> None:
        state.close()

    app.on_cleanup.append(close)
    return app


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document (openapi.yaml), with the package's version."""
    doc: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    doc["info"]["version"] = __version__
    return doc


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})


async def _session(request: web.Request) -> web.Response:
    """What the page needs to start: the token for its change requests (readable only by a page of
    this origin: no CORS), whether apply is on, the version."""
    state = state_of(request)
    return json_response(
        {
            "token": state.settings.token,
            "token_header": security.TOKEN_HEADER,
            "allow_apply": state.settings.allow_apply,
            "version": __version__,
            "paths": list(state.settings.paths),
        }
    )


async def _openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document())


@web.middleware
async def _errors_as_json(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    """aiohttp's own refusals (no route, wrong method) in the API's error shape."""
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json" or exc.status < 400:
            raise
        body = error_body(exc.reason or "refused")
        return json_response(body, status=exc.status) if exc.status != 405 else _method_not_allowed(exc, body)
    return response


def _method_not_allowed(exc: web.HTTPException, body: dict[str, Any]) -> web.Response:
    response = json_response(body, status=405)
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


def serve(
    settings: Settings,
    *,
    open_browser: bool,
    announce: Callable[[str], None],
) -> None:
    """Run the server until interrupted; ``announce`` gets the URL with the token, once."""
    asyncio.run(_serve(settings, open_browser=open_browser, announce=announce))


async def _serve(settings: Settings, *, open_browser: bool, announce: Callable[[str], None]) -> None:
    state = UiState.create(settings)
    app = make_app(settings, state)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, reuse_address=True)
    try:
        await site.start()
        state.port = _bound_port(runner)
        url = f"http://{_url_host(settings.host)}:{state.port}/?{security.TOKEN_QUERY}={settings.token}"
        announce(url)
        asyncio.get_running_loop().run_in_executor(state.engine, state.analyst.warm_up)
        if open_browser:
            webbrowser.open(url)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError("the server bound no TCP address")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
