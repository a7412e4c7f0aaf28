"""What one `design ui` server knows: its settings, its workspace, and the threads its engine work runs on.

Engine calls block (file reading, Rego evaluation, Kubernetes requests), so handlers hand them to
threads: analysis and policy evaluation to one engine thread (regorus is not shared between threads),
cluster work (plans, applies) to a small pool. Callers: designer.ui.server and every API module.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from aiohttp import web

from designer.ui.analysis import Analyst
from designer.ui.workspace import Workspace

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The command line of `design ui`, checked."""

    paths: tuple[str, ...]
    token: str
    host: str = "127.0.0.1"
    port: int = 0
    contexts: tuple[str, ...] = ()  # empty: every context of the kubeconfig
    kubeconfig: str | None = None
    allow_apply: bool = False
    history: Path | None = None  # perf history (None: designer's default)


@dataclass
class UiState:
    """Settings plus the live parts of a server (one per aiohttp application)."""

    settings: Settings
    workspace: Workspace
    analyst: Analyst
    engine: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="designer-ui-engine")
    )
    cluster_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="designer-ui-cluster")
    )
    changing: threading.Lock = field(default_factory=threading.Lock)  # one apply or delete at a time
    port: int = 0  # the port actually bound (settings.port may be 0)

    @classmethod
    def create(cls, settings: Settings) -> UiState:
        workspace = Workspace(settings.paths)
        return cls(settings=settings, workspace=workspace, analyst=Analyst(workspace))

    async def on_engine(self, func: Callable[..., T], *args: object) -> T:
        """Run ``func(*args)`` on the engine thread."""
        return await asyncio.get_running_loop().run_in_executor(self.engine, functools.partial(func, *args))

    async def on_cluster(self, func: Callable[..., T], *args: object) -> T:
        """Run ``func(*args)`` on a cluster thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self.cluster_pool, functools.partial(func, *args)
        )

    def close(self) -> None:
        self.engine.shutdown(wait=False, cancel_futures=True)
        self.cluster_pool.shutdown(wait=False, cancel_futures=True)


STATE = web.AppKey("designer-ui", UiState)


def state_of(request: web.Request) -> UiState:
    """The server state a handler works with."""
    return request.app[STATE]
