"""Running an external load tool as a child process: lookup, timeout, CPU accounting.

Shared by the wrk, hey and fortio adapters so each of them only builds arguments and parses
output. Failures become `ProfileError`s that name the tool and what to install.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from dataclasses import dataclass

from designer.errors import ProfileError

INSTALL_HINTS = {
    "wrk": "install it (Debian/Ubuntu: apt-get install wrk) or use --engine builtin",
    "hey": "install it (Debian/Ubuntu: apt-get install hey) or use --engine builtin",
    "fortio": "install it from https://github.com/fortio/fortio/releases or use --engine builtin",
}


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What a tool printed, and the CPU seconds it used."""

    stdout: str
    stderr: str
    cpu_s: float


def find(tool: str) -> str:
    """The path of ``tool`` on PATH, or a ProfileError with an install hint."""
    path = shutil.which(tool)
    if path is None:
        raise ProfileError(f"the {tool} load generator is not installed", hint=INSTALL_HINTS.get(tool))
    return path


def version(binary: str, *args: str) -> str:
    """The first line a tool prints for its version flag ('' when it prints nothing)."""
    try:
        done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0].strip() if text else ""


def run(argv: list[str], *, timeout_s: float) -> ToolRun:
    """Run a tool to completion; a non-zero exit or a hang is a ProfileError."""
    before = _children_cpu()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ProfileError(
            f"{argv[0]} did not finish within {timeout_s:.0f} s",
            hint="check that the target answers; lower the duration or the timeout",
        ) from exc
    except OSError as exc:
        raise ProfileError(f"cannot run {argv[0]}: {exc}", hint="check the tool's installation") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ProfileError(
            f"{argv[0]} failed with exit code {done.returncode}: {detail[-1] if detail else 'no output'}",
            hint="run the same command by hand to see the tool's own message",
        )
    return ToolRun(done.stdout, done.stderr, _children_cpu() - before)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
