"""Long-lived ``opa run --server`` processes, one per set of policy modules, reached over a Unix socket.

Why a server and not ``opa eval``: an ``opa eval`` process parses and compiles every module on each
call (about 0.3-0.6 s for the built-in library on this project's machines), while a server compiles
once and answers each evaluation in about a millisecond; benchmarks/opa_engine_bench.py measures both.
Why a Unix socket: no port to pick or race for, nothing listening on the network, and a little faster
than loopback TCP. On Linux it is an abstract socket (no file), and the bundle folder is removed as soon
as the server has read it, so nothing is left behind whatever way this process ends.


A server is started from a bundle folder written to a temporary folder: the modules as ``m0000.rego``…
(their display paths are mapped back in errors), and a ``.manifest`` that gives the Rego version of
each file (``rego_version`` plus ``file_rego_versions``, OPA's way to mix v0 and v1 files) and the
bundle's roots: the modules' packages, so that data outside them can be written through the data API
(``PUT /v1/data/<key>``) without restarting. Data under a package root goes into the bundle's
``data.json`` instead, and is part of the server's identity.

Servers are kept in a small pool keyed by what they were started with, so clones of one engine and
engines with the same policies share one. A server whose data is written through the API is private
to the process that started it (a forked validation worker shares its parent's read-only servers, but
writes data only to its own). Servers are stopped at exit; ``PR_SET_PDEATHSIG`` stops a server whose
parent dies without cleaning up (a forked validation worker leaves through ``os._exit``). No thread is
started: designer.validation forks workers only while the process has a single thread.

Caller: designer.policy.opa.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from designer.errors import PolicyError
from designer.policy.engine import RegoModule

OPA_HINT = "build OPA with scripts/build-opa.sh and put the folder it prints on PATH"
MAX_SERVERS = 6
"""Servers kept running at once (each holds its compiled policies; about 30-60 MB)."""
START_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class BundleSpec:
    """What a server is started with: modules with their Rego versions, and the data under their roots."""

    modules: tuple[RegoModule, ...]
    versions: tuple[int, ...]
    roots: tuple[str, ...]
    data_text: str
    key: str

    @classmethod
    def build(
        cls, modules: Sequence[RegoModule], versions: Sequence[int], data: Mapping[str, Any]
    ) -> BundleSpec:
        """The bundle for ``modules``; keys of ``data`` that fall under a package root are bundled too."""
        roots = package_roots([m.package for m in modules if m.package], data)
        bundled = {k: v for k, v in data.items() if k in {r.split("/")[0] for r in roots}}
        data_text = json.dumps(bundled, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256()
        for module, version in zip(modules, versions, strict=True):
            for part in (module.path, str(version), module.text):
                digest.update(part.encode())
                digest.update(b"\0")
        digest.update(data_text.encode())
        return cls(tuple(modules), tuple(versions), roots, data_text, digest.hexdigest())

    def write(self, folder: Path) -> dict[str, str]:
        """Write the bundle into ``folder``; returns bundle file name -> display path."""
        names: dict[str, str] = {}
        file_versions: dict[str, int] = {}
        for index, (module, version) in enumerate(zip(self.modules, self.versions, strict=True)):
            name = f"m{index:04d}.rego"
            (folder / name).write_text(module.text, encoding="utf-8")
            names[name] = module.path
            file_versions[f"/{name}"] = version
        manifest = {"revision": self.key[:12], "roots": list(self.roots), "rego_version": 1}
        if any(v != 1 for v in file_versions.values()):
            manifest["file_rego_versions"] = {k: v for k, v in file_versions.items() if v != 1}
        (folder / ".manifest").write_text(json.dumps(manifest), encoding="utf-8")
        (folder / "data.json").write_text(self.data_text, encoding="utf-8")
        return names


def package_roots(packages: Sequence[str], data: Mapping[str, Any]) -> tuple[str, ...]:
    """Bundle roots covering ``packages`` (``data.a.b`` -> ``a/b``), without a root inside another;
    a data key that is the first segment of a root becomes a root itself."""
    paths = {p.removeprefix("data.").replace(".", "/") for p in packages}
    firsts = {p.split("/")[0] for p in paths}
    paths |= {str(k) for k in data if k in firsts}
    kept = [p for p in sorted(paths) if not any(p.startswith(q + "/") for q in paths if q != p)]
    return tuple(kept)


def opa_binary() -> str:
    """The ``opa`` on PATH, or an environment error saying how to get it."""
    found = shutil.which("opa")
    if found is None:
        raise PolicyError("the opa policy engine needs the opa binary on PATH", hint=OPA_HINT)
    return found


class _UnixConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a Unix socket (keep-alive: one connection serves many requests)."""

    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class OpaServer:
    """One ``opa run --server`` process holding one bundle."""

    def __init__(self, spec: BundleSpec, *, writable: bool) -> None:
        binary = opa_binary()  # before anything is written: a missing opa leaves nothing behind
        self.spec = spec
        self.writable = writable
        self.owner = os.getpid()
        self.process: subprocess.Popen[bytes] | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="designer-opa-"))
        try:
            self._start(binary)
        except BaseException:
            self.close()
            raise
        self._log: tuple[int, BinaryIO] | None = None
        self._log_fd = os.open(self._stderr_path, os.O_RDONLY)
        self._log_start = os.fstat(self._log_fd).st_size  # start-up lines are not print() output
        if sys.platform == "linux":  # read at start-up; the socket has no file
            shutil.rmtree(self.folder, ignore_errors=True)

    def _start(self, binary: str) -> None:
        """Write the bundle, start opa on it and wait until it answers."""
        bundle = self.folder / "bundle"
        bundle.mkdir()
        self.names = self.spec.write(bundle)
        if sys.platform == "linux":
            name = f"designer-opa-{uuid.uuid4().hex}"
            address, self.socket = f"unix://@{name}", f"\0{name}"
        else:
            self.socket = str(self.folder / "opa.sock")
            address = f"unix://{self.socket}"
        self._stderr_path = self.folder / "output.log"
        self._connection: tuple[int, _UnixConnection] | None = None
        self.data_keys: dict[str, str] = {}  # top-level key written through the data API -> its digest
        command = [
            binary,
            "run",
            "--server",
            "--addr",
            address,
            "--skip-version-check",
            "--log-level",
            "info",  # print() output is logged at info (request logs are not: see below)
            "--log-level-request",
            "error",
            "--log-format",
            "json",
            "--shutdown-grace-period",
            "1",
            "--bundle",
            str(bundle),
        ]
        with self._stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=stderr,  # `opa run` prints start-up errors on stdout
                stderr=stderr,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        delay = 0.002
        while True:
            if self.process.poll() is not None:
                raise StartupFailedError(self.stderr_text(), self.names)
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = self.request("GET", "/health")
                if status == 200:
                    return
            if time.monotonic() > deadline:
                raise PolicyError(
                    f"opa did not start within {START_TIMEOUT:.0f} s",
                    hint="see whether opa runs at all: opa version",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def stderr_text(self) -> str:
        """The end of what the server printed (start-up errors; later, its last log lines)."""
        try:
            log_fd = getattr(self, "_log_fd", None)
            if log_fd is None:  # still starting: the file is there
                return self._stderr_path.read_text(encoding="utf-8", errors="replace")
            size = os.fstat(log_fd).st_size
            return os.pread(log_fd, 65536, max(0, size - 65536)).decode("utf-8", errors="replace")
        except OSError:
            return ""

    def take_prints(self) -> list[str]:
        """``print()`` output the server logged since the last call, as ``file:line: text``."""
        log = self._log_reader()
        lines = []
        for raw in log.read().splitlines():
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            where = entry.get("line") if isinstance(entry, dict) else None
            if isinstance(where, str) and "msg" in entry:
                file, _, line = where.rpartition(":")
                shown = self.names.get(file.rsplit("/", 1)[-1], file)
                lines.append(f"{shown}:{line}: {entry['msg']}")
        return lines

    def _log_reader(self) -> BinaryIO:
        pid = os.getpid()
        if self._log is None or self._log[0] != pid:
            # Each process reads through its own file description (a forked child would otherwise move
            # its parent's offset); /proc/self/fd reopens the log even once its name is gone.
            source = Path(f"/proc/self/fd/{self._log_fd}") if sys.platform == "linux" else self._stderr_path
            reader = source.open("rb")
            if pid == self.owner:
                reader.seek(self._log_start)
            else:
                reader.seek(0, os.SEEK_END)
            self._log = (pid, reader)
        return self._log[1]

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process is not None and self.process.poll() is None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        """One request; returns the status and the decoded JSON body (None when empty)."""
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException):
                self._connection = None
                connection.close()
                if attempt == 2 or not self.alive():
                    raise
        return response.status, json.loads(raw) if raw else None

    def put_data(self, key: str, text: str) -> None:
        """Write ``data.<key>`` (JSON text) through the data API."""
        status, body = self.request("PUT", f"/v1/data/{quote(key, safe='')}", text.encode())
        if status >= 300:
            raise PolicyError(
                f"opa refused data for {key!r}: {_message(body)}", hint="check the data documents"
            )

    def delete_data(self, key: str) -> None:
        """Remove ``data.<key>`` written earlier."""
        self.request("DELETE", f"/v1/data/{quote(key, safe='')}")

    def _connect(self) -> _UnixConnection:
        # A forked child must not share the parent's socket: each process opens its own connection.
        pid = os.getpid()
        if self._connection is None or self._connection[0] != pid:
            self._connection = (pid, _UnixConnection(self.socket))
        return self._connection[1]

    def close(self) -> None:
        """Stop the process (when this process started it) and remove its folder."""
        if os.getpid() != self.owner:
            return
        connection = getattr(self, "_connection", None)
        if connection is not None:
            connection[1].close()
        if getattr(self, "_log_fd", None) is not None:
            with contextlib.suppress(OSError):
                os.close(self._log_fd)
            if self._log is not None:
                self._log[1].close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class StartupFailedError(Exception):
    """opa exited before serving: its stderr says why (a parse or compile error, usually)."""

    def __init__(self, stderr: str, names: Mapping[str, str]) -> None:
        super().__init__(stderr)
        self.stderr = stderr
        self.names = names


_pool: OrderedDict[str, OpaServer] = OrderedDict()


def server_for(spec: BundleSpec, *, writable: bool) -> OpaServer:
    """A running server for ``spec``: a pooled one, or a new one (the least recently used goes).

    ``writable``: the caller will write data through the API, so the server must be this process's own
    and not shared with engines that expect only the bundle's data.
    """
    key = f"{spec.key}:{os.getpid()}" if writable else spec.key
    server = _pool.get(key)
    if server is not None and server.alive():
        _pool.move_to_end(key)
        return server
    if server is not None:
        _pool.pop(key).close()
    while len(_pool) >= MAX_SERVERS:
        _pool.popitem(last=False)[1].close()
    server = OpaServer(spec, writable=writable)
    _pool[key] = server
    return server


def stop_all() -> None:
    """Stop every pooled server this process started."""
    while _pool:
        _pool.popitem()[1].close()


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body)
    return str(body)


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent (thread) that started it exits."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


atexit.register(stop_all)
