"""Run a sandbox as a detached process: state file, start, wait until serving, stop by pid.

`design sandbox up --detach` re-runs itself in the foreground in a new session; the foreground
process writes ``state.json`` (pid, url, kubeconfig, context, engine, the control plane's pids and the
process's start time) once it serves, which the parent waits for. `design sandbox down` sends SIGTERM
to that pid, but only after checking that the pid is still that process (the kernel's start time of a
pid changes when the pid is reused), so a stale state file never gets an unrelated process killed.
One sandbox at a time: `up` refuses while the state file names a running one.
Used only by designer.cli.sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from designer import statepaths
from designer.errors import ClusterError


@dataclass(frozen=True, slots=True)
class SandboxState:
    """What a running sandbox left in its state file."""

    pid: int
    url: str
    kubeconfig: str
    context: str
    engine: str = "emulator"
    pids: dict[str, int] = field(default_factory=dict)
    started: str = ""


def process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (Linux /proc), "" where unknown: with the pid, an identity."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def running(state: SandboxState) -> bool:
    """Whether the state file's process still runs and is the same process (not a reused pid)."""
    return alive(state.pid) and (not state.started or process_start(state.pid) == state.started)


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
        return SandboxState(
            int(data["pid"]),
            str(data["url"]),
            str(data["kubeconfig"]),
            str(data["context"]),
            str(data.get("engine", "emulator")),
            {str(k): int(v) for k, v in (data.get("pids") or {}).items()},
            str(data.get("started", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
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


def refuse_second() -> None:
    """Raise when a sandbox (detached or in another terminal) already runs; clear a stale state file."""
    previous = read_state()
    if previous is not None and running(previous):
        raise ClusterError(
            f"a sandbox is already running (pid {previous.pid}, {previous.engine}, {previous.url})",
            hint="use it (--context designer-sandbox), or stop it with `design sandbox down` first",
        )
    statepaths.sandbox_state_file().unlink(missing_ok=True)


def spawn(args: list[str], timeout: float = 15.0) -> SandboxState:
    """Start ``design sandbox up <args>`` (foreground) detached; return its state once it serves."""
    refuse_second()
    log = statepaths.sandbox_state_dir() / "sandbox.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", "from designer.cli.main import main; main()", "sandbox", "up", *args]
    start = log.stat().st_size if log.exists() else 0
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
            reason = _last_error(log, start)
            raise ClusterError(
                f"the sandbox exited at start (code {process.returncode})"
                + (f": {reason}" if reason else ""),
                hint=f"see its log: {log}",
            )
        time.sleep(0.05)
    process.terminate()
    raise ClusterError(f"the sandbox did not start in {timeout:.0f} s", hint=f"see its log: {log}")


def _last_error(log: Path, offset: int) -> str:
    """What the child printed since ``offset`` (its error message), without the surrounding noise."""
    try:
        with log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.startswith("error:")]
    return "\n".join(lines[errors[-1] :] if errors else lines[-5:])


def stop(timeout: float = 10.0) -> SandboxState:
    """SIGTERM the detached sandbox and wait for it to exit; returns its last state."""
    state = read_state()
    if state is None or not alive(state.pid):
        statepaths.sandbox_state_file().unlink(missing_ok=True)
        raise ClusterError(
            "no detached sandbox is running", hint="start one with `design sandbox up --detach`"
        )
    if not running(state):
        statepaths.sandbox_state_file().unlink(missing_ok=True)
        raise ClusterError(
            f"the state file named pid {state.pid}, which is now another process, not the sandbox: "
            "left it alone and removed the stale state file",
            hint="no sandbox is running; start one with `design sandbox up --detach`",
        )
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(state.pid):
        time.sleep(0.05)
    if alive(state.pid):
        raise ClusterError(f"the sandbox (pid {state.pid}) did not stop", hint=f"kill {state.pid}")
    statepaths.sandbox_state_file().unlink(missing_ok=True)
    return state
