"""Start and stop a sandbox: in a background thread (tests, benchmarks) or in the foreground (CLI).

`Sandbox` owns the event loop thread, the aiohttp site on 127.0.0.1 (HTTPS and a bearer token when
given `TlsFiles` and a token, as `design sandbox up` does; plain HTTP for tests), the store, the request
recorder and the optional controllers, and writes a kubeconfig that points kubectl and the Python
client at it.
Callers: designer.sandbox.testing (pytest fixtures), designer.cli.sandbox, benchmarks.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from designer.sandbox import kubeconfigs
from designer.sandbox.controllers import Controllers
from designer.sandbox.faults import Drop, Fault, Recorder, RequestRecord
from designer.sandbox.lifecycle import Lifecycle
from designer.sandbox.operations import Api
from designer.sandbox.resources import ResourceTable
from designer.sandbox.server import build_app
from designer.sandbox.store import KubeObject, Store, clone

T = TypeVar("T")


def merge_kubeconfig(path: Path, url: str, context: str) -> None:
    """Add or replace ``context`` (and its cluster and user: no credentials) in the kubeconfig at ``path``."""
    kubeconfigs.merge(path, [kubeconfigs.Entry(context, url)])


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The emulator's serving certificate and key, and the CA clients trust for it (PEM files)."""

    ca: Path
    cert: Path
    key: Path


class Sandbox:
    """A running Kubernetes API emulator (no containers, no scheduler: objects and their API only)."""

    def __init__(
        self,
        *,
        port: int = 0,
        controllers: bool = False,
        crd_delay: float = 0.05,
        namespace_delay: float = 0.5,
        controller_delay: float = 0.05,
        latency: float = 0.0,
        keep_requests: bool = True,
        history: int = 50_000,
        token: str | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        self.port = port
        self.token = token
        self.tls = tls
        self.store = Store(history)
        self.table = ResourceTable.builtin()
        self.recorder = Recorder(latency=latency, keep_requests=keep_requests)
        self._loop = asyncio.new_event_loop()
        self.api = Api(self.store, self.table, schedule=self._schedule)
        self.lifecycle = Lifecycle(self.api, crd_delay=crd_delay, namespace_delay=namespace_delay)
        ca_bundle = tls.ca.read_text() if tls is not None else ""
        self.controllers = Controllers(
            self.api, delay=controller_delay, enabled=controllers, ca_bundle=ca_bundle
        )
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.kubeconfig_path: Path | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.tls is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.tls.cert), str(self.tls.key))
        return context

    @property
    def requests(self) -> list[RequestRecord]:
        return self.recorder.requests

    @property
    def latency(self) -> float:
        return self.recorder.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.recorder.latency = seconds

    def _schedule(self, delay: float, fn: Callable[[], None]) -> None:
        self._loop.call_soon_threadsafe(self._loop.call_later, delay, fn)

    async def _start(self) -> None:
        self._runner = web.AppRunner(
            build_app(self.api, self.lifecycle, self.recorder, token=self.token),
            access_log=None,
            shutdown_timeout=0.5,
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, "127.0.0.1", self.port, reuse_address=True, ssl_context=self._ssl_context()
        )
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    def start(self, kubeconfig_path: Path | None = None, context: str = "sandbox") -> Sandbox:
        """Serve in a background thread; write a kubeconfig when a path is given."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="designer-sandbox", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        if kubeconfig_path is not None:
            self.write_kubeconfig(kubeconfig_path, context)
        return self

    def entry(self, context: str) -> kubeconfigs.Entry:
        """This server's kubeconfig context: its URL, token and CA (when it has them)."""
        ca = kubeconfigs.pem_data(self.tls.ca) if self.tls else None
        return kubeconfigs.Entry(context, self.url, {"token": self.token} if self.token else {}, ca)

    def write_kubeconfig(self, path: Path, context: str = "sandbox") -> Path:
        kubeconfigs.write(path, [self.entry(context)])
        self.kubeconfig_path = path
        return path

    def stop(self) -> None:
        if self._thread is None:
            return
        runner = self._runner

        async def shutdown() -> None:
            if runner is not None:
                await runner.cleanup()
            # Open watch streams and scheduled work must end before the loop closes.
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        future = asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        try:
            future.result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None
            self._loop.close()

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve in the calling thread until SIGINT/SIGTERM (``design sandbox up`` without --detach)."""
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.add_signal_handler(sig, self._loop.stop)
        if on_ready is not None:
            on_ready()
        try:
            self._loop.run_forever()
        finally:
            if self._runner is not None:
                self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

    # -- test helpers ------------------------------------------------------------------------------

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's loop (for writes from a test thread) and return its result."""

        async def wrapper() -> T:
            with self.store.lock:
                return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result(10)

    def inject_fault(
        self,
        method: str | None,
        path: str,
        status: int | None = 500,
        *,
        delay: float = 0.0,
        times: int = 1,
        message: str = "injected fault",
        drop: Drop | None = None,
        retry_after: float | None = None,
        exact: bool = False,
        dry_run: bool | None = None,
    ) -> Fault:
        """The next ``times`` requests with ``method`` (None: any) whose path contains ``path`` (or,
        with ``exact``, is ``path``) fail, stall or are dropped (see designer.sandbox.faults)."""
        return self.recorder.inject(
            Fault(
                method,
                path,
                status,
                delay,
                times,
                message,
                drop=drop,
                retry_after=retry_after,
                exact=exact,
                dry_run=dry_run,
            )
        )

    def get(self, api_version: str, kind: str, name: str, namespace: str = "") -> KubeObject | None:
        """The stored object, or None (read directly from the store)."""
        rt = self.table.for_kind(api_version, kind)
        if rt is None:
            return None
        return self.store.get(rt.key, namespace if rt.namespaced else "", name)

    def set_status(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str,
        status: dict[str, Any],
        manager: str = "sandbox-test",
    ) -> KubeObject:
        """Play a controller: replace an object's status through the status subresource path."""
        rt = self.table.for_kind(api_version, kind)
        if rt is None:
            raise KeyError(f"{api_version} {kind} is not served")

        def write() -> KubeObject:
            old = self.store.get(rt.key, namespace if rt.namespaced else "", name)
            if old is None:
                raise KeyError(f"{kind} {namespace}/{name} does not exist")
            new = clone(old)
            new["status"] = status
            return self.api.commit(rt, old, new, manager=manager, subresource="status")

        return self.call(write)
