"""A `design ui` server on a thread of its own, for tests, benchmarks and screenshots.

`BackgroundServer` starts the same application `design ui` serves (designer.ui.server.make_app) on
127.0.0.1 and a free port, in a thread with its own event loop, and stops it on `close`. Callers:
tests/ui/, benchmarks/ui_bench.py.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from designer.ui.security import TOKEN_QUERY
from designer.ui.server import make_app
from designer.ui.state import Settings, UiState


class BackgroundServer:
    """A running server; ``url`` is its base URL, ``login_url`` the one `design ui` would print."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = UiState.create(settings)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="designer-ui-server", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise self._failure
        return self

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.state.port}"

    @property
    def login_url(self) -> str:
        return f"{self.url}/?{TOKEN_QUERY}={self.settings.token}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._start())
        except BaseException as exc:  # reported to start()
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._stop())
        self._loop.close()

    async def _start(self) -> None:
        app = make_app(self.settings, self.state)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                self.state.port = int(address[1])
                break

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def close(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()
