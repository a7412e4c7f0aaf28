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
* `fork_is_safe`: forking a process that runs other threads can leave a lock (a module's import
  lock, a library's) held forever in the child. validate's workers do the work in-process then (only
  slower). The policy guard forks anyway (`can_fork`): its helper runs nothing but evaluation, under a
  deadline, so a lock left held becomes a named timeout, whereas users' Rego run unbounded in-process
  can hang the process or exhaust the host's memory (``design ui`` runs threads).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterable


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
