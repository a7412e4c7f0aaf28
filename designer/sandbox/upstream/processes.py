"""Child processes of a control plane: started with their log in the state folder, awaited, stopped.

A process that exits or does not become ready in time raises a ClusterError naming it, with the last
lines of its log, so a failed start says which part failed and why. On Linux each child gets SIGTERM
when its parent dies (``PR_SET_PDEATHSIG``), so a killed test run or CLI leaves no stray etcd behind.
Caller: designer.sandbox.upstream.controlplane.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from designer.errors import ClusterError

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Process:
    """One program of the control plane, its arguments and its log file."""

    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name = name
        self.args = args
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # only a prctl call: safe after fork
            )
        return self

    def failure(self, what: str) -> ClusterError:
        last = tail(self.log)
        return ClusterError(
            f"{self.name} {what}" + (f"; the last lines of its log:\n{last}" if last else ""),
            hint=f"its whole log: {self.log}",
        )

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; fail if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.popen is not None
            code = self.popen.poll()
            if code is not None:
                raise self.failure(f"exited at start (code {code})")
            with contextlib.suppress(OSError, ValueError):
                if ready():
                    return
            if time.monotonic() > deadline:
                raise self.failure(f"was not ready after {timeout:.0f} s")
            time.sleep(0.05)

    def terminate(self) -> None:
        """Send SIGTERM without waiting (`stop` waits)."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; always reaps the child."""
        popen = self.popen
        if popen is None or popen.poll() is not None:
            return
        popen.terminate()
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout)
