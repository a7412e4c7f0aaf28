"""Run `design <command> FILE` in a forked child: the real CLI entry (`designer.cli.main.run`), with a
deadline and a memory bound, so a hang, a crash or a memory blow-up is an outcome, not a lost run.

Forking from a process that has already imported designer and run each command once makes a run
cost what the command costs (a fresh interpreter would add half a second per run). The child's
stdout goes to /dev/null and its stderr (with tracebacks: DESIGNER_DEBUG=1) to a file that is read
back only when the outcome is bad.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import time
from dataclasses import dataclass
from pathlib import Path

COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "render": ["render"],
    "graph": ["graph"],
    "import": ["import"],
}
"""Every command that reads design files, with the arguments before the file."""

GOOD_CODES = frozenset({0, 1, 3})
"""What bad input may give: clean, findings, or 'the input is wrong'."""

MEMORY_HEADROOM = 1536 * 1024 * 1024
"""Address space a child may add to what the parent maps: far above what any real input needs."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one command ended on one input."""

    command: str
    status: str  # "exit 0" … "exit 4", "signal 11", "timeout"
    seconds: float
    stderr: str = ""

    @property
    def bad(self) -> bool:
        """True for an internal error, a crash, a usage error on a valid command line, or a hang."""
        return not (self.status.startswith("exit ") and int(self.status[5:]) in GOOD_CODES)


@dataclass
class Running:
    """A child in flight."""

    pid: int
    command: str
    started: float
    deadline: float
    stderr_file: Path


def warm_up(sample: Path) -> None:
    """Import and exercise every command once in this process, so children start warm."""
    from designer.cli.main import run

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for command in COMMANDS:
            run([*COMMANDS[command], str(sample)])


def start(command: str, file: Path, stderr_file: Path, timeout: float) -> Running:
    """Fork a child that runs ``design <command> <file>`` and exits with its exit code."""
    argv = [*COMMANDS[command], str(file)]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 70
        try:
            code = _child(argv, stderr_file)
        finally:
            os._exit(code)
    now = time.monotonic()
    return Running(pid, command, now, now + timeout, stderr_file)


def _child(argv: list[str], stderr_file: Path) -> int:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    limit = _mapped_bytes() + MEMORY_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ["DESIGNER_DEBUG"] = "1"
    devnull = os.open(os.devnull, os.O_WRONLY)
    err = os.open(stderr_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(devnull, 1)
    os.dup2(err, 2)
    import sys

    from designer.cli.main import run

    with open(devnull, "w", closefd=False) as out, open(err, "w", closefd=False) as errors:
        sys.stdout, sys.stderr = out, errors
        code = run(argv)
        out.flush()
        errors.flush()
    return code


def _mapped_bytes() -> int:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def finish(child: Running, status: int | None) -> Outcome:
    """The outcome of a child that ended with wait ``status`` (None: it was killed at its deadline)."""
    seconds = time.monotonic() - child.started
    if status is None:
        text = "timeout"
    elif os.WIFSIGNALED(status):
        text = f"signal {os.WTERMSIG(status)}"
    else:
        text = f"exit {os.WEXITSTATUS(status)}"
    outcome = Outcome(child.command, text, seconds)
    if outcome.bad:
        with contextlib.suppress(OSError):
            outcome = Outcome(child.command, text, seconds, child.stderr_file.read_text(errors="replace"))
    with contextlib.suppress(OSError):
        child.stderr_file.unlink()
    return outcome


def kill(child: Running) -> None:
    """Stop a child past its deadline and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child.pid, 0)
