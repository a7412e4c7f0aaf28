"""Real servers for the perf tests (imported by conftest.py and the tests): an in-test asyncio HTTP server and a private nginx.

Both listen on 127.0.0.1 on a free port, start inside the test and stop after it. The asyncio
server can add a fixed service delay (to make a "2x slower" server) and freeze all responses for a
window (the coordinated-omission test), which a static nginx cannot do without signals.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests import requirements


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler(asyncio.Protocol):
    def __init__(self, server: StubServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.transports.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.server.transports.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            self.buffer = self.buffer[end:]
            self.server.requests += 1
            self._respond()

    def _respond(self) -> None:
        srv = self.server
        loop = asyncio.get_running_loop()
        now = loop.time()
        if srv.first_request is None:
            srv.first_request = now
        delay = srv.delay_s
        if srv.stall_for_s and srv.stall_after_s is not None:
            stall_start = srv.first_request + srv.stall_after_s
            stall_end = stall_start + srv.stall_for_s
            if stall_start <= now < stall_end:
                delay = max(delay, stall_end - now)
        body = srv.body
        response = (
            f"HTTP/1.1 {srv.status} X\r\nContent-Length: {len(body)}\r\nContent-Type: text/plain\r\n\r\n"
        ).encode() + body
        if delay > 0:
            loop.call_later(delay, self._write, response)
        else:
            self._write(response)

    def _write(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)


class StubServer:
    """A small HTTP/1.1 keep-alive server on its own event loop thread."""

    def __init__(
        self,
        *,
        delay_s: float = 0.0,
        stall_after_s: float | None = None,
        stall_for_s: float = 0.0,
        status: int = 200,
        body: bytes = b"hello from the stub server\n",
    ) -> None:
        self.delay_s = delay_s
        self.stall_after_s = stall_after_s
        self.stall_for_s = stall_for_s
        self.status = status
        self.body = body
        self.requests = 0
        self.first_request: float | None = None
        self.port = 0  # the kernel picks a free port when the server binds (no race with other tests)
        self.transports: set[asyncio.Transport] = set()  # open client connections, closed on stop
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Handler(self), "127.0.0.1", 0, backlog=512)
        )
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()
        server.close()
        # Server.close() leaves accepted connections open: close them here, on their own loop, so no
        # transport is left for the garbage collector (a ResourceWarning in whatever test runs next).
        for transport in list(self.transports):
            transport.close()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    def start(self) -> StubServer:
        self._thread.start()
        assert self._ready.wait(5), "stub server did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {prefix}/html; }}
    }}
}}
"""


class Nginx:
    """A private nginx (1 worker, keep-alive, 600-byte static file) under a temp prefix.

    Shared by the perf tests and benchmarks/perf_bench.py, so both measure the same server.
    """

    def __init__(self, prefix: Path) -> None:
        self.binary = requirements.executable("nginx", install="apt-get install nginx-light")
        self.prefix = prefix
        self.port = free_port()
        (prefix / "html").mkdir(parents=True)
        (prefix / "html" / "index.html").write_bytes(b"x" * 600)
        self.proc: subprocess.Popen[bytes] | None = None
        self.error = ""
        self._write_config()

    def _write_config(self) -> None:
        # As root, nginx's workers would run as nobody and could not read a private temp dir.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = NGINX_CONF.format(prefix=self.prefix, port=self.port, user=user)
        (self.prefix / "nginx.conf").write_text(conf)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/index.html"

    def start(self) -> Nginx:
        """Start nginx; if its port was taken meanwhile (it exits), retry on a new port."""
        for _attempt in range(3):
            if self._launch():
                return self
            self.port = free_port()
            self._write_config()
        raise AssertionError(f"nginx did not start: {self.error}")

    def _launch(self) -> bool:
        self.proc = subprocess.Popen(
            [self.binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        pid_file = self.prefix / "nginx.pid"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.error = self.proc.stderr.read().decode() if self.proc.stderr else ""
                self.stop()
                return False
            # the pid file appears once nginx has bound its port, so a connect reaches our nginx
            if pid_file.exists():
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return True
                except OSError:
                    pass
            time.sleep(0.02)
        self.error = "not listening within 10 s"
        self.stop()
        return False

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                self.proc.wait(10)
            if self.proc.stderr is not None:
                self.proc.stderr.close()
