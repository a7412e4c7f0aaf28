"""Run a sandbox as a detached process: state file, start, wait until serving, stop by pid.

`design sandbox up --detach` re-runs itself in the foreground in a new session; the foreground
process writes ``state.json`` (pid, url, kubeconfig, context) once it serves, which the parent waits for.
`design sandbox down` sends SIGTERM to that pid. Used only by designer.cli.sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from designer import statepaths
from designer.errors import ClusterError


@dataclass(frozen=True, slots=True)
class SandboxState:
    """What a running sandbox left in its state file."""

    pid: int
    url: str
    kubeconfig: str
    context: str


def write_state(state: SandboxState) -> None:
    path = statepaths.sandbox_state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    tmp.replace(path)


def read_state() -> SandboxState | None:
    path = statepaths.sandbox_state_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SandboxState(int(data["pid"]), str(data["url"]), str(data["kubeconfig"]), str(data["context"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own exited child
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def spawn(args: list[str], timeout: float = 15.0) -> SandboxState:
    """Start ``design sandbox up <args>`` (foreground) detached; return its state once it serves."""
    previous = read_state()
    if previous is not None and alive(previous.pid):
        raise ClusterError(
            f"a detached sandbox is already running (pid {previous.pid}, {previous.url})",
            hint="stop it with `design sandbox down` first",
        )
    statepaths.sandbox_state_file().unlink(missing_ok=True)
    log = statepaths.sandbox_state_dir() / "sandbox.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", "from designer.cli.main import main; main()", "sandbox", "up", *args]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state()
        if state is not None and state.pid == process.pid:
            return state
        if process.poll() is not None:
            raise ClusterError(
                f"the sandbox exited at start (code {process.returncode})", hint=f"see its log: {log}"
            )
        time.sleep(0.05)
    process.terminate()
    raise ClusterError("the sandbox did not start in time", hint=f"see its log: {log}")


def stop(timeout: float = 10.0) -> SandboxState:
    """SIGTERM the detached sandbox and wait for it to exit; returns its last state."""
    state = read_state()
    if state is None or not alive(state.pid):
        statepaths.sandbox_state_file().unlink(missing_ok=True)
        raise ClusterError(
            "no detached sandbox is running", hint="start one with `design sandbox up --detach`"
        )
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(state.pid):
        time.sleep(0.05)
    if alive(state.pid):
        raise ClusterError(f"the sandbox (pid {state.pid}) did not stop", hint=f"kill {state.pid}")
    statepaths.sandbox_state_file().unlink(missing_ok=True)
    return state
