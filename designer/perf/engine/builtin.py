"""The built-in load generator for one process: open-loop constant rate, or closed loop.

Open loop (default): slot k is due at ``t0 + offset + k / rate``. Whichever connection is free
takes the next due slot, so one slow connection does not hold back the rate. Latency is measured
from the slot's *intended* time (coordinated omission corrected); the raw service time (from the
actual write) and the send lag (actual − intended) are kept too. Slots not sent by the deadline
are counted as ``dropped``. Closed loop ("max throughput") sends the next request on a connection
as soon as its response arrives; there the intended and actual times coincide.

Callers: `designer.perf.engine.workers` (one call per process) and `run_builtin` below.
"""

from __future__ import annotations

import asyncio
import resource
import ssl
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from designer.errors import ProfileError
from designer.perf.engine.connection import HttpConnection, build_request, endpoint
from designer.perf.histograms import Histogram
from designer.perf.measurement import Measurement

_WATCHDOG_S = 0.1
_RECONNECT_BACKOFF_S = 0.05
# A slot due before the end may go out a little late (timer lateness, a brief backlog); its latency
# still counts from the intended time. Slots still unsent this long after the end are dropped.
_SEND_GRACE_S = 0.5
_SPIN_S = 0.0015


@dataclass(frozen=True, kw_only=True)
class LoadPlan:
    """The share of a profile that one process runs (picklable, crosses into workers)."""

    urls: tuple[str, ...]
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    rate: float | None = 100.0
    connections: int = 50
    duration_s: float = 10.0
    warmup_s: float = 0.0
    timeout_s: float = 10.0
    offset_s: float = 0.0
    start_at: float | None = None  # wall-clock start shared by worker processes
    precise: bool = False  # poll instead of sleeping the last ~1.5 ms before a slot


@dataclass(frozen=True, slots=True)
class Progress:
    """A live snapshot for progress displays."""

    elapsed_s: float
    total_s: float
    sent: int
    completed: int
    errors: int


ProgressFn = Callable[[Progress], None]


class LoadRun:
    """State of one process's run; also the `ConnectionOwner` its connections report to."""

    def __init__(self, plan: LoadPlan, progress: ProgressFn | None = None) -> None:
        if not plan.urls:
            raise ProfileError("nothing to load: the profile has no target URL")
        self.plan = plan
        self.progress = progress
        self.closed_loop = plan.rate is None
        self.requests = [build_request(u, plan.method, plan.headers, plan.body) for u in plan.urls]
        self.head = plan.method == "HEAD"
        self.conns: list[HttpConnection] = []
        # FIFO: every connection (and so every target) takes its turn, as in a per-connection schedule
        self.idle: deque[HttpConnection] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.running = False
        self.corrected = array("q")
        self.raw = array("q")
        self.lag = array("q")
        self.sent = 0
        self.dropped = 0
        self.errors: Counter[str] = Counter()
        self.status_codes: Counter[int] = Counter()
        self.last_send = 0.0
        self.measure_from = 0.0
        self.end = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    # ConnectionOwner ---------------------------------------------------------------------------

    def on_response(self, conn: HttpConnection, status: int, done: float) -> None:
        if conn.measured:
            self.corrected.append(int((done - conn.intended) * 1e6))
            self.raw.append(int((done - conn.sent_at) * 1e6))
            self.lag.append(int((conn.sent_at - conn.intended) * 1e6))
            self.status_codes[status] += 1
            if status >= 400:
                self.errors["status"] += 1
        if conn.closed:
            return
        if self.closed_loop:
            self._send_closed(conn)
            return
        self.idle.append(conn)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def on_failure(self, conn: HttpConnection, kind: str) -> None:
        if conn.measured:
            self.errors[kind] += 1

    def on_closed(self, conn: HttpConnection) -> None:
        if conn in self.idle:
            self.idle.remove(conn)
        if self.running:
            self._spawn(self._replace(conn.request))

    # connections -------------------------------------------------------------------------------

    async def _open(self, request: bytes, url: str) -> HttpConnection:
        host, port, tls = endpoint(url)
        loop = asyncio.get_running_loop()
        ctx = ssl.create_default_context() if tls else None
        _, conn = await loop.create_connection(
            lambda: HttpConnection(self, request, head=self.head), host, port, ssl=ctx
        )
        self.conns.append(conn)
        return conn

    async def _replace(self, request: bytes) -> None:
        url = self.plan.urls[self.requests.index(request)]
        while self.running:
            try:
                conn = await self._open(request, url)
            except OSError:
                if time.perf_counter() >= self.measure_from:
                    self.errors["connect"] += 1
                await asyncio.sleep(_RECONNECT_BACKOFF_S)
                continue
            if self.closed_loop:
                self._send_closed(conn)
            else:
                self.idle.append(conn)
                if self.waiter is not None and not self.waiter.done():
                    self.waiter.set_result(None)
            return

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # scheduling --------------------------------------------------------------------------------

    def _send_closed(self, conn: HttpConnection) -> None:
        now = time.perf_counter()
        if not self.running or now >= self.end:
            self.idle.append(conn)
            return
        measured = now >= self.measure_from
        conn.send(now, measured)
        if measured:
            self.sent += 1

    async def _open_loop(self, t0: float) -> None:
        rate = self.plan.rate
        assert rate is not None
        interval = 1.0 / rate
        start = t0 + self.plan.offset_s
        total = round((self.plan.warmup_s + self.plan.duration_s) * rate)
        loop = asyncio.get_running_loop()
        send_deadline = self.end + _SEND_GRACE_S
        k = 0
        while k < total:
            due = start + k * interval
            now = time.perf_counter()
            if now < due:
                wait = due - now
                # Event-loop timers tick in whole milliseconds; ``precise`` polls the loop for the
                # last stretch instead, trading a busy core for sub-millisecond send times.
                if self.plan.precise:
                    wait = 0.0 if wait < _SPIN_S else wait - _SPIN_S
                await asyncio.sleep(wait)
                continue
            if now >= send_deadline:
                break
            if not self.idle:
                self.waiter = loop.create_future()
                try:
                    await asyncio.wait_for(self.waiter, send_deadline - now)
                except TimeoutError:
                    break
                continue
            conn = self.idle.popleft()
            measured = due >= self.measure_from
            conn.send(due, measured)
            if measured:
                self.sent += 1
                self.last_send = conn.sent_at
            k += 1
        self.dropped = sum(1 for j in range(k, total) if start + j * interval >= self.measure_from)

    async def _watchdog(self) -> None:
        """Abort requests older than the timeout, and feed the progress display."""
        total = self.plan.warmup_s + self.plan.duration_s
        started = time.perf_counter()
        next_progress = 0.0
        while True:
            await asyncio.sleep(_WATCHDOG_S)
            now = time.perf_counter()
            for conn in list(self.conns):
                if conn.busy and now - conn.sent_at > self.plan.timeout_s:
                    conn.abort("timeout")
            if self.progress is not None and now >= next_progress:
                next_progress = now + 0.25
                errors = sum(self.errors.values())
                self.progress(Progress(now - started, total, self.sent, len(self.corrected), errors))

    async def run(self) -> Measurement:
        """Connect, wait for the shared start, run the schedule, drain, and measure."""
        plan = self.plan
        self.running = True
        opened = await asyncio.gather(
            *(
                self._open(self.requests[i % len(self.requests)], plan.urls[i % len(plan.urls)])
                for i in range(plan.connections)
            ),
            return_exceptions=True,
        )
        failures = [r for r in opened if isinstance(r, BaseException)]
        self.idle = deque(r for r in opened if isinstance(r, HttpConnection))
        if not self.idle:
            raise ProfileError(
                f"cannot connect to {', '.join(plan.urls)}: {failures[0]}",
                hint="check that the target is up and reachable from this machine",
            )
        if plan.start_at is not None:
            await asyncio.sleep(max(0.0, plan.start_at - time.time()))
        cpu0 = _cpu_seconds()
        wall0 = time.time()
        t0 = time.perf_counter()
        self.measure_from = t0 + plan.warmup_s
        self.end = self.measure_from + plan.duration_s
        watchdog = asyncio.get_running_loop().create_task(self._watchdog())
        try:
            if self.closed_loop:
                starting, self.idle = self.idle, deque()
                for conn in starting:
                    self._send_closed(conn)
                await asyncio.sleep(max(0.0, self.end - time.perf_counter()))
            else:
                await self._open_loop(t0)
            await self._drain()
        finally:
            self.running = False
            watchdog.cancel()
            for task in list(self._tasks):
                task.cancel()
            for conn in self.conns:
                conn.close()
        cpu = _cpu_seconds() - cpu0
        return self._measurement(wall0 + plan.warmup_s, cpu)

    async def _drain(self) -> None:
        """Wait for in-flight requests (the watchdog times them out)."""
        while any(c.busy for c in self.conns):
            await asyncio.sleep(0.005)

    def _measurement(self, start_wall: float, cpu_s: float) -> Measurement:
        # The send window: the measured duration, stretched when sends fell behind schedule. Responses
        # that arrive after it still count, so a held schedule reports exactly its rate.
        elapsed = max(self.last_send, self.end) - self.measure_from
        corrected, raw, lag = Histogram(), Histogram(), Histogram()
        corrected.record_many(self.corrected)
        raw.record_many(self.raw)
        lag.record_many(self.lag)
        return Measurement(
            engine="builtin",
            engine_version=_engine_version(),
            mode="closed" if self.closed_loop else "open",
            co_corrected=not self.closed_loop,
            target_rate=self.plan.rate,
            connections=self.plan.connections,
            start_time=start_wall,
            elapsed_s=elapsed,
            sent=self.sent,
            completed=len(self.corrected),
            dropped=self.dropped,
            errors=self.errors,
            status_codes=self.status_codes,
            bytes_received=sum(c.received for c in self.conns),
            corrected=corrected,
            raw=raw,
            send_lag=lag,
            cpu_s=cpu_s,
        )


def run_plan(plan: LoadPlan, progress: ProgressFn | None = None) -> Measurement:
    """Run one plan on a fresh event loop (uvloop when importable) in the calling thread."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(LoadRun(plan, progress).run())


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional: stock asyncio works, at about half the speed
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _engine_version() -> str:
    loop = "uvloop" if _loop_factory() is not None else "asyncio"
    return f"designer-builtin/1 ({loop}, httptools)"


def _cpu_seconds() -> float:
    """CPU time of this thread only, so an in-process test server does not count."""
    who = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
