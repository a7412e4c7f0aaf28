"""Start and stop a sandbox: in a background thread (tests, benchmarks) or in the foreground (CLI).

`Sandbox` owns the event loop thread, the aiohttp site on 127.0.0.1, the store, the request recorder
and the optional controllers, and writes a kubeconfig that points kubectl and the Python client at it.
Callers: designer.sandbox.testing (pytest fixtures), designer.cli.sandbox, benchmarks.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from aiohttp import web

from designer.sandbox.controllers import Controllers
from designer.sandbox.faults import Drop, Fault, Recorder, RequestRecord
from designer.sandbox.lifecycle import Lifecycle
from designer.sandbox.operations import Api
from designer.sandbox.resources import ResourceTable
from designer.sandbox.server import build_app
from designer.sandbox.store import KubeObject, Store, clone

T = TypeVar("T")


def kubeconfig(url: str, context: str, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig document with one cluster, user and context named ``context``."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": url}}],
        "users": [{"name": context, "user": {}}],
        "contexts": [
            {"name": context, "context": {"cluster": context, "user": context, "namespace": namespace}}
        ],
        "current-context": context,
        "preferences": {},
    }


def merge_kubeconfig(path: Path, url: str, context: str) -> None:
    """Add or replace ``context`` (and its cluster and user) in the kubeconfig at ``path``."""
    current: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        current = loaded if isinstance(loaded, dict) else {}
    fresh = kubeconfig(url, context)
    merged = {**fresh, **{k: v for k, v in current.items() if k not in ("clusters", "users", "contexts")}}
    for section in ("clusters", "users", "contexts"):
        kept = [e for e in current.get(section) or [] if e.get("name") != context]
        merged[section] = kept + fresh[section]
    merged.setdefault("current-context", context)
    if not current.get("current-context"):
        merged["current-context"] = context
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")


class Sandbox:
    """A running Kubernetes API emulator (no containers, no scheduler: objects and their API only)."""

    def __init__(
        self,
        *,
        port: int = 0,
        controllers: bool = False,
        crd_delay: float = 0.05,
        controller_delay: float = 0.05,
        latency: float = 0.0,
        keep_requests: bool = True,
        history: int = 50_000,
    ) -> None:
        self.port = port
        self.store = Store(history)
        self.table = ResourceTable.builtin()
        self.recorder = Recorder(latency=latency, keep_requests=keep_requests)
        self._loop = asyncio.new_event_loop()
        self.api = Api(self.store, self.table, schedule=self._schedule)
        self.lifecycle = Lifecycle(self.api, crd_delay=crd_delay)
        self.controllers = Controllers(self.api, delay=controller_delay, enabled=controllers)
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.kubeconfig_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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
            build_app(self.api, self.lifecycle, self.recorder), access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
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

    def write_kubeconfig(self, path: Path, context: str = "sandbox") -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(kubeconfig(self.url, context), sort_keys=False), encoding="utf-8")
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
