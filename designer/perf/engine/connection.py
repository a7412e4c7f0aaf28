"""One keep-alive HTTP/1.1 client connection on `asyncio.Protocol`, parsed by httptools.

This is the hot path of the built-in engine (designer.perf.engine.builtin): a request is a
pre-built bytes object written to the transport, a response is fed to the llhttp C parser, and
completion is a plain callback into the scheduler. No futures or tasks per request: that is what
keeps the engine near wrk's CPU cost per request (see the perf reference notes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol, cast
from urllib.parse import urlsplit

import httptools

from designer.errors import ProfileError


class ConnectionOwner(Protocol):
    """What a connection reports to: the scheduler of `builtin`."""

    def on_response(self, conn: HttpConnection, status: int, done: float) -> None:
        """A full response arrived at ``done`` (perf_counter seconds)."""

    def on_failure(self, conn: HttpConnection, kind: str) -> None:
        """The in-flight request failed: ``read`` (bad or cut response) or ``timeout``."""

    def on_closed(self, conn: HttpConnection) -> None:
        """The connection is gone (called once); the owner may open a replacement."""


def build_request(url: str, method: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """The exact bytes of one request, built once per target and reused for every send."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"invalid target URL {url!r}", hint="write a full URL like http://127.0.0.1:8080/")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    names = {name.lower() for name in headers}
    if "user-agent" not in names:
        lines.append("User-Agent: designer-perf")
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if (body or method in ("POST", "PUT", "PATCH")) and "content-length" not in names:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def endpoint(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of a target URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    return parts.hostname or "", parts.port or (443 if tls else 80), tls


class HttpConnection(asyncio.Protocol):
    """A client connection that carries one request at a time.

    ``intended`` is when the scheduler meant the request to go out, ``sent_at`` when it did; both
    are `time.perf_counter` seconds. ``measured`` says whether the request falls in the measured
    window (after warm-up).
    """

    def __init__(self, owner: ConnectionOwner, request: bytes, *, head: bool = False) -> None:
        self.owner = owner
        self.request = request
        self.head = head
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.busy = False
        self.closed = False
        self.intended = 0.0
        self.sent_at = 0.0
        self.measured = False
        self.received = 0
        self._keep_alive = True

    # asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but implement it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail("read")

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.busy:
            self.busy = False
            self.owner.on_failure(self, "read")
        self.owner.on_closed(self)

    # httptools callbacks ----------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        if self.head:
            # A HEAD response has headers only, whatever Content-Length says.
            self._complete()
            self.parser = httptools.HttpResponseParser(self)

    def on_message_complete(self) -> None:
        if not self.head:
            self._complete()

    # scheduler side ---------------------------------------------------------------------------

    def send(self, intended: float, measured: bool) -> None:
        """Write the request now; ``intended`` is the slot it serves."""
        self.busy = True
        self.intended = intended
        self.measured = measured
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)  # type: ignore[union-attr]  # set by connection_made

    def close(self) -> None:
        """Close the connection (end of run)."""
        if self.transport is not None:
            self.transport.close()

    def abort(self, kind: str) -> None:
        """Give up on the in-flight request (timeout) and drop the connection."""
        self._fail(kind)

    def _complete(self) -> None:
        done = time.perf_counter()
        status = self.parser.get_status_code()
        self._keep_alive = self.parser.should_keep_alive()
        self.busy = False
        if not self._keep_alive:
            self.closed = True  # before on_response, so the owner does not reuse it
        self.owner.on_response(self, status, done)
        if not self._keep_alive and self.transport is not None:
            self.transport.close()

    def _fail(self, kind: str) -> None:
        was_busy = self.busy
        self.busy = False
        if was_busy:
            self.owner.on_failure(self, kind)
        if self.transport is not None:
            self.transport.abort()

    @property
    def reusable(self) -> bool:
        """True when the server keeps the connection open for the next request."""
        return self._keep_alive and not self.closed
