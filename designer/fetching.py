"""GET over http(s) with one deadline for the whole transfer and a limit on its size.

A socket timeout bounds each read, not the transfer: a server that sends a byte every few seconds
(headers or body) keeps a plain urllib read going for as long as it likes. Here the transfer runs
in a worker thread that the caller waits for until the deadline, then abandons: the sockets it
opened (redirects and proxies included) are shut down so the worker stops at its next read. Every
socket's timeout is also kept within what is left of the deadline. Only http and https are followed
(no ftp or file redirects); ``Content-Length`` over the limit is refused before the body is read.
`within` gives any other blocking transfer (the OCI source's oras calls) the same deadline.
Callers: designer.catalog.sources.http, designer.catalog.sources.oci, designer.importing.reading.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from designer.errors import DesignerError

DEADLINE_ENV = "DESIGNER_FETCH_TIMEOUT"
DEFAULT_DEADLINE_S = 60.0
_CHUNK = 64 * 1024
T = TypeVar("T")


def deadline_s() -> float:
    """Seconds a whole transfer may take: ``$DESIGNER_FETCH_TIMEOUT``, else 60."""
    text = os.environ.get(DEADLINE_ENV, "").strip()
    if not text:
        return DEFAULT_DEADLINE_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 86_400:
        raise DesignerError(
            f"{DEADLINE_ENV}={text!r} is not a number of seconds", hint="e.g. 120, or unset it"
        )
    return value


def get(url: str, *, limit: int, agent: str, error: type[DesignerError] = DesignerError) -> bytes:
    """The body of ``url``: at most ``limit`` bytes, within one deadline; ``error`` for every failure."""
    transfer = _Transfer(deadline_s())
    return within(
        transfer.seconds,
        lambda: _download(transfer, url, limit, agent, error),
        late=lambda: late_error(f"GET {url}", transfer.seconds, error),
        abandon=transfer.abandon,
    )


def within(
    seconds: float,
    work: Callable[[], T],
    *,
    late: Callable[[], DesignerError],
    abandon: Callable[[], None] = lambda: None,
) -> T:
    """``work()``'s result, if it finishes within ``seconds``; else ``abandon()`` and raise ``late()``.

    The work runs in a daemon thread that is left behind when late (``abandon`` should make it end
    soon, e.g. by shutting its sockets down), so the caller's deadline holds whatever the work does.
    """
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=run, name="designer-deadline", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive() or not outcome:
        abandon()
        raise late()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def late_error(what: str, seconds: float, error: type[DesignerError]) -> DesignerError:
    """The error for a transfer that missed its deadline."""
    return error(
        f"{what} did not finish within {seconds:g} s",
        hint=f"the server is too slow or stalls; set {DEADLINE_ENV}=SECONDS to allow longer",
    )


class _Transfer:
    """The sockets of one transfer, their shared deadline, and whether the caller gave up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._abandoned = False
        self._lock = threading.Lock()

    def left(self) -> float:
        """Seconds left (a small positive number when none, so a timeout fires at once)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def adopt(self, sock: socket.socket) -> None:
        """Track ``sock``: its timeout is what is left, and it is shut down if the caller gives up."""
        with self._lock:
            self._sockets.append(sock)
            abandoned = self._abandoned
        sock.settimeout(self.left())
        if abandoned:
            _shut(sock)

    def tighten(self) -> None:
        """Keep every socket's timeout within the deadline (called before each read)."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.settimeout(self.left())
            except OSError:
                pass  # already closed

    def abandon(self) -> None:
        """The caller has given up: shut every socket down so the worker's next read ends."""
        with self._lock:
            self._abandoned = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for TLS sockets: it ends a read blocked in another thread.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Connection(http.client.HTTPConnection):
    """A connection whose socket joins the transfer as soon as it is connected."""

    def __init__(self, *args: Any, transfer: _Transfer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transfer = transfer

    def connect(self) -> None:
        super().connect()
        self._transfer.adopt(self.sock)


class _TLSConnection(_Connection, http.client.HTTPSConnection):
    """The same for https: connect() runs HTTPSConnection's (TLS) first, then adopts the TLS socket."""


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, transfer: _Transfer) -> None:
        super().__init__()
        self._transfer = transfer

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_Connection, req, transfer=self._transfer)  # type: ignore[arg-type]


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, transfer: _Transfer) -> None:
        super().__init__()
        self._transfer = transfer

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        context = getattr(self, "_context", None)
        return self.do_open(_TLSConnection, req, context=context, transfer=self._transfer)  # type: ignore[arg-type]


def _opener(transfer: _Transfer) -> urllib.request.OpenerDirector:
    """urllib's usual chain (proxies from the environment, redirects, HTTP errors), http(s) only."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
        _HTTPHandler(transfer),
        _HTTPSHandler(transfer),
    ):
        opener.add_handler(handler)
    return opener


def _download(transfer: _Transfer, url: str, limit: int, agent: str, error: type[DesignerError]) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    try:
        with _opener(transfer).open(request, timeout=transfer.left()) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise error(f"GET {url}: response is larger than {limit} bytes ({length})", hint="refused")
            chunks: list[bytes] = []
            total = 0
            while total <= limit:
                transfer.tighten()
                chunk = response.read(min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise error(f"GET {url} failed: HTTP {exc.code} {exc.reason}", hint="check the URL") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        if time.monotonic() >= transfer.deadline:
            raise late_error(f"GET {url}", transfer.seconds, error) from exc
        reason = str(getattr(exc, "reason", "") or exc) or type(exc).__name__
        raise error(f"cannot reach {url}: {reason}", hint="is the server up? check the URL") from exc
    if total > limit:
        raise error(f"GET {url}: response is larger than {limit} bytes", hint="refused")
    return b"".join(chunks)
