"""Users' policies evaluated in a helper process, with a deadline and a memory bound.

A user's Rego can run without end (a loop over a huge range that allocates nothing), allocate without
bound (a comprehension over ``numbers.range(1, 1e9)``), or crash regorus (a stack overflow); and
regorus holds the GIL while it evaluates, so nothing in the process can stop it. regorus 0.13's Python
binding offers no execution timer or memory limit. So evaluation runs in a forked helper: the parent
sends it work and waits, and

* each evaluation step reports what it evaluates (`progress`: a rule or a test and its file:line) to
  a page of memory the parent reads; a step that runs longer than the deadline gets the helper
  killed, and the parent raises a PolicyError naming that rule (exit 3);
* the helper's data segment is bounded (``RLIMIT_DATA``): an allocation past it aborts the helper,
  and the parent names the rule that was running;
* a helper that dies any other way (a signal) is reported the same way, never as a crash of designer.

The helper is forked (designer.forking) on first use, after the policies are compiled, so it
inherits them; it serves requests (a method of the guarded object and its arguments, pickled) until
its pipe closes. A process forked later (a ``validate`` worker) starts its own helper. It forks even
while other threads run (a ``design ui`` server): the helper only evaluates, under the deadline, so a
lock another thread held at the fork shows as a timeout naming the rule, never as a hang of designer.
Only where forking is impossible (no ``fork``, no ``/proc``) does work run in-process, unbounded.

Callers: designer.policy.conftest, designer.policy.rego_tests.
"""

from __future__ import annotations

import faulthandler
import mmap
import os
import pickle
import resource
import select
import signal
import struct
import time
import weakref
from pathlib import Path
from typing import Any

from designer.errors import Location, PolicyError
from designer.forking import can_fork, end_child, fork_child

DEFAULT_TIMEOUT = 10.0  # seconds one rule or test may run
DEFAULT_MEMORY_MB = 2048  # MiB the helper may allocate beyond what it inherited
MEMORY_ENV = "DESIGNER_POLICY_MEMORY_MB"

_POLL = 0.05
_HEADER = struct.Struct("<QH")  # progress counter, label length
_FRAME = struct.Struct("<Q")
_STATUS = Path("/proc/self/status")  # Linux: the data size the memory bound is added to
_progress: mmap.mmap | None = None  # set in a helper: where `progress` writes


def progress(label: str, where: Location | None = None) -> None:
    """Tell the parent what is being evaluated now (no-op outside a helper)."""
    page = _progress
    if page is None:
        return
    text = f"{where or ''}\t{label}".encode()[: mmap.PAGESIZE - _HEADER.size]
    counter = _HEADER.unpack_from(page, 0)[0] + 1
    page[_HEADER.size : _HEADER.size + len(text)] = text
    _HEADER.pack_into(page, 0, counter, len(text))


def memory_bound_mb() -> int:
    """The memory bound (``$DESIGNER_POLICY_MEMORY_MB``, else the default)."""
    raw = os.environ.get(MEMORY_ENV, "").strip()
    try:
        return max(64, int(raw)) if raw else DEFAULT_MEMORY_MB
    except ValueError:
        raise PolicyError(f"{MEMORY_ENV}={raw!r} is not a number of MiB", hint="e.g. 2048") from None


class Guard:
    """Runs methods of ``target`` in a helper process with a per-step deadline and a memory bound."""

    def __init__(
        self, target: object, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = None
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.memory_mb = memory_mb if memory_mb is not None else memory_bound_mb()
        self._owner = 0
        self._pid = 0
        self._send = self._receive = -1
        self._page: mmap.mmap | None = None
        self._stopper: weakref.finalize[[int, int, tuple[int, ...]], Guard] | None = None

    def call(self, method: str, *args: Any) -> Any:
        """``target.method(*args)``, in the helper when one can run."""
        if not _can_fork():
            return getattr(self.target, method)(*args)
        if self._owner != os.getpid():
            self._start()
        try:
            _write_frame(self._send, pickle.dumps((method, args), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            self._failed("stopped before it got its work")
        status, value = pickle.loads(self._wait())
        if status == "error":
            raise value
        if status == "bug":
            raise RuntimeError(f"in the policy helper process: {value}")
        return value

    def close(self) -> None:
        """Stop this process's helper (the next call starts a new one)."""
        if self._stopper is not None and self._owner == os.getpid():
            self._stopper()  # runs once: the pipes' numbers are never closed twice
        self._stopper = None
        self._owner = self._pid = 0

    # -- parent side -----------------------------------------------------------------------------

    def _start(self) -> None:
        self._owner = self._pid = 0
        page = self._page = mmap.mmap(-1, mmap.PAGESIZE)
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()

        def serve() -> None:  # the helper: serve until the parent goes (Ctrl-C is the parent's to handle)
            _serve(self.target, page, child_reads, child_writes, self.memory_mb)

        pid = fork_child(
            serve,
            child_closes=(parent_writes, parent_reads),
            parent_closes=(child_reads, child_writes),
            ignore_interrupts=True,
        )
        self._owner, self._pid = os.getpid(), pid
        self._send, self._receive = parent_writes, parent_reads
        # A guard dropped without close() (an in-process caller running many commands) stops its helper.
        self._stopper = weakref.finalize(self, _stop, self._owner, pid, (parent_writes, parent_reads))

    def _wait(self) -> bytes:
        """The helper's answer; kills it when one step outlives the deadline."""
        buffer = bytearray()
        last_count, last_change = self._counter(), time.monotonic()
        while True:
            ready, _, _ = select.select([self._receive], [], [], _POLL)
            if ready:
                chunk = os.read(self._receive, 1 << 20)
                if not chunk:
                    self._failed(self._death())
                buffer += chunk
                if len(buffer) >= _FRAME.size:
                    (size,) = _FRAME.unpack_from(buffer, 0)
                    if len(buffer) >= _FRAME.size + size:
                        return bytes(buffer[_FRAME.size : _FRAME.size + size])
                continue
            count = self._counter()
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > self.timeout:
                self._failed(f"ran longer than --policy-timeout {self.timeout:g} s")

    def _counter(self) -> int:
        return _HEADER.unpack_from(self._page, 0)[0] if self._page is not None else 0

    def _death(self) -> str:
        """Why the helper ended, from its exit status (read without reaping it: `close` reaps)."""
        try:
            info = os.waitid(os.P_PID, self._pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            return "ended unexpectedly"
        if info is not None and info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
            sig = info.si_status
            if sig in (signal.SIGABRT, signal.SIGKILL):
                return f"ran out of memory (bound: {self.memory_mb} MiB, ${MEMORY_ENV}) or was killed"
            if sig == signal.SIGSEGV:
                return "crashed the Rego engine (segmentation fault: a stack overflow, e.g. data nested very deeply)"
            return f"was stopped by signal {signal.Signals(sig).name}"
        return f"ended with status {info.si_status if info is not None else '?'}"

    def _failed(self, what: str) -> None:
        """Stop the helper and raise the PolicyError that names what was running."""
        where, label = self._running()
        self.close()
        raise PolicyError(
            f"policy evaluation {what}: {label or 'users policies'}",
            hint="fix the policy (an endless loop, a huge comprehension); --policy-timeout and "
            f"${MEMORY_ENV} set the bounds",
            location=where,
        )

    def _running(self) -> tuple[Location | None, str]:
        if self._page is None:
            return None, ""
        count, length = _HEADER.unpack_from(self._page, 0)
        if not count:
            return None, ""
        where, _, label = (
            self._page[_HEADER.size : _HEADER.size + length].decode("utf-8", "replace").partition("\t")
        )
        return _location(where), label


def _serve(target: object, page: mmap.mmap, requests: int, answers: int, memory_mb: int) -> None:
    """The helper's loop: bounded memory, one request at a time, until the parent closes the pipe."""
    global _progress
    _progress = page
    faulthandler.disable()  # a crash is reported by the parent, which names the policy
    devnull = os.open(os.devnull, os.O_WRONLY)  # regorus's own abort messages would reach the terminal
    os.dup2(devnull, 2)
    os.close(devnull)
    data = resource.getrlimit(resource.RLIMIT_DATA)
    bound = _data_size() + memory_mb * 1024 * 1024
    if data[1] == resource.RLIM_INFINITY or bound < data[1]:
        resource.setrlimit(resource.RLIMIT_DATA, (bound, data[1]))
    while True:
        request = _read_frame(requests)
        if request is None:
            return
        method, args = pickle.loads(request)
        try:
            answer: tuple[str, Any] = ("ok", getattr(target, method)(*args))
        except PolicyError as error:
            answer = ("error", error)
        except Exception as bug:  # a bug of designer's: the parent raises it as one (exit 4)
            answer = ("bug", f"{type(bug).__name__}: {bug}")
        _write_frame(answers, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


def _stop(owner: int, pid: int, fds: tuple[int, ...]) -> None:
    """Close the helper's pipes, kill it and reap it (only in the process that started it)."""
    if os.getpid() == owner:
        end_child(pid, fds=fds, sig=signal.SIGKILL)


def _data_size() -> int:
    """This process's data segment (VmData) in bytes."""
    for line in _STATUS.read_text(encoding="ascii").splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) * 1024
    return 0


def _can_fork() -> bool:
    # Other threads do not stop the guard (designer.forking); /proc gives the data size the memory
    # bound is added to.
    return can_fork() and _STATUS.exists()


def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_FRAME.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_frame(fd: int) -> bytes | None:
    header = _read_exactly(fd, _FRAME.size)
    if header is None:
        return None
    return _read_exactly(fd, _FRAME.unpack(header)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = os.read(fd, size - len(buffer))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _location(text: str) -> Location | None:
    file, _, rest = text.rpartition(":")
    head, _, line = file.rpartition(":")
    if rest.isdigit() and line.isdigit():
        return Location(head, int(line), int(rest))
    if rest.isdigit() and file:
        return Location(file, int(rest))
    return None
