"""designer.forking: the one way designer forks (validate's workers, the policy guard's helper).

Real forks and signals: the child runs its function and exits with 0 or 1, never returning into the
test's code; Ctrl-C reaches a worker child but not a helper that must leave it to its parent; a process
running other threads is not forked.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from designer.forking import end_child, fork_child, fork_is_safe


def _status(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), f"the child ended by a signal: {status}"
    return os.WEXITSTATUS(status)


def test_the_child_exits_with_its_outcome_and_never_returns_into_the_caller() -> None:
    reader, writer = os.pipe()
    parent = os.getpid()

    def ok() -> None:
        os.write(writer, b"worked ")

    def broken() -> None:
        raise KeyboardInterrupt  # even Ctrl-C's exception must not escape into the caller's code

    assert _status(fork_child(ok, child_closes=(reader,))) == 0
    assert _status(fork_child(broken, child_closes=(reader,))) == 1
    assert os.getpid() == parent  # only the parent gets here
    os.close(writer)
    with os.fdopen(reader, "rb") as out:
        assert out.read() == b"worked "


def test_parent_and_child_each_close_the_other_sides_pipe_ends() -> None:
    reader, writer = os.pipe()

    def send() -> None:
        os.write(writer, b"x")
        os.write(writer, str(_is_open(reader)).encode())

    pid = fork_child(send, child_closes=(reader,), parent_closes=(writer,))
    assert not _is_open(writer)
    with os.fdopen(reader, "rb") as out:
        assert out.read() == b"xFalse"  # EOF: no writer is left open, so the read ends
    assert _status(pid) == 0


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


@pytest.mark.parametrize(("ignore", "expected"), [(True, 0), (False, 1)])
def test_ctrl_c_reaches_a_worker_but_not_a_helper(ignore: bool, expected: int) -> None:
    """A helper (ignore_interrupts) leaves Ctrl-C to its parent; a worker stops on it."""
    reader, writer = os.pipe()

    def wait() -> None:
        os.write(writer, b"r")
        time.sleep(2)

    pid = fork_child(wait, child_closes=(reader,), parent_closes=(writer,), ignore_interrupts=ignore)
    with os.fdopen(reader, "rb") as ready:
        assert ready.read(1) == b"r"
    os.kill(pid, signal.SIGINT)
    assert _status(pid) == expected
    # The parent's own Ctrl-C handling is what it was.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_a_process_running_other_threads_is_not_forked() -> None:
    assert fork_is_safe() == (threading.active_count() == 1)  # a session fixture may run a thread
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not fork_is_safe()
    finally:
        stop.set()
        thread.join()


def test_end_child_stops_and_reaps_a_running_child() -> None:
    reader, writer = os.pipe()
    pid = fork_child(lambda: time.sleep(30) or None, child_closes=(reader,))
    started = time.monotonic()
    end_child(pid, fds=(reader, writer))
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie is left
    end_child(pid)  # a child already gone is no error
