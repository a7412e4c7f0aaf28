"""Forking a child that runs one function and never returns into its parent's code.

Two parts of designer fork: `design validate`'s workers (designer.validation) and the helper process
that evaluates users' Rego under a deadline and a memory bound (designer.policy.guard). Both need the
same care, kept here once:

* Ctrl-C is held back across the fork. A KeyboardInterrupt delivered in the child before its ``try``
  would escape ``os._exit`` and run the parent's code (and print its output) a second time. The child
  restores the mask only inside the ``try``, after it has set its own SIGINT disposition.
* The child leaves through ``os._exit`` whatever happens (0 when the function returned, 1 when it
  raised), so no ``finally``, ``atexit`` or buffered output of the parent runs twice.
* Each side closes the other side's pipe ends; a failed fork closes them all and re-raises.
* `end_child` stops a child that is no longer wanted and reaps it: no zombie, no writer blocked on a
  pipe nobody reads.
* `fork_pickled` / `collect_pickled` / `abandon`: a child that computes one value and sends it back
  pickled through a pipe (validate's file chunks, the built-in checks' package groups); a child
  that failed sends nothing, and its caller redoes the work in-process, so failures surface as in a
  serial run.
* `fork_is_safe`: forking a process that runs other threads can leave a lock (a module's import
  lock, a library's) held forever in the child. validate's workers do the work in-process then (only
  slower). The policy guard forks anyway (`can_fork`): its helper runs nothing but evaluation, under a
  deadline, so a lock left held becomes a named timeout, whereas users' Rego run unbounded in-process
  can hang the process or exhaust the host's memory (``design ui`` runs threads).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


def can_fork() -> bool:
    """Whether the platform can fork at all."""
    return hasattr(os, "fork")


def fork_is_safe() -> bool:
    """Whether this process may fork without care: the platform can, and no other thread runs."""
    return can_fork() and threading.active_count() == 1


def fork_child(
    work: Callable[[], None],
    *,
    child_closes: Iterable[int] = (),
    parent_closes: Iterable[int] = (),
    ignore_interrupts: bool = False,
) -> int:
    """Fork a child that runs ``work`` and exits; returns the child's pid (in the parent).

    ``child_closes`` are descriptors the child closes first (the parent's pipe ends),
    ``parent_closes`` those the parent closes once the child runs (the child's ends).
    ``ignore_interrupts``: the child ignores Ctrl-C (SIGINT), which is then the parent's alone to
    handle; otherwise the child gets the disposition the parent had.
    """
    child_fds, parent_fds = tuple(child_closes), tuple(parent_closes)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for fd in (*child_fds, *parent_fds):
            with contextlib.suppress(OSError):
                os.close(fd)
        raise
    if pid == 0:  # the child: never return into the caller's code
        status = 1
        try:
            if ignore_interrupts:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            for fd in child_fds:
                os.close(fd)
            work()
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    for fd in parent_fds:
        os.close(fd)
    return pid


def end_child(pid: int, *, fds: Iterable[int] = (), sig: signal.Signals = signal.SIGTERM) -> None:
    """Close ``fds`` (this side's pipe ends), send the child ``sig`` and reap it; a child that is
    already gone, or was reaped by someone else, is no error."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@dataclass(frozen=True, slots=True)
class Pending:
    """A forked child computing a value: its pid and the read end of the pipe it answers on."""

    pid: int
    reader: int


def fork_pickled(work: Callable[[], Any]) -> Pending:
    """Fork a child that sends ``work()``'s value back pickled (`collect_pickled` reads it)."""
    reader, writer = os.pipe()

    def run() -> None:
        payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writer, "wb") as out:
            out.write(payload)

    return Pending(fork_child(run, child_closes=(reader,), parent_closes=(writer,)), reader)


def collect_pickled(pending: Pending) -> Any | None:
    """The child's value, or None when it failed (the caller then does the work itself)."""
    with os.fdopen(pending.reader, "rb") as source:
        payload = source.read()  # read before waiting: a large value would block the child's write
    try:
        _, status = os.waitpid(pending.pid, 0)
        finished = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    except ChildProcessError:
        # Whoever started us ignores SIGCHLD, so the kernel reaped the child and its status is gone.
        # A pickle is only complete when the child finished writing it: the payload decides.
        finished = True
    if not finished or not payload:
        return None
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError):
        return None


def abandon(pending: Pending) -> None:
    """Stop a child whose value is no longer wanted and reap it (no zombie, no blocked writer)."""
    end_child(pending.pid, fds=(pending.reader,))
