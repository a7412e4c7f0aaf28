"""The regorus wrapper: JSON round trips, clones, thread confinement and error translation (real regorus)."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from designer.errors import PolicyError
from designer.policy import backend
from designer.policy.backend import UNDEFINED, RegoEngine, RegoModule


def _engine(text: str, path: str = "pol/x.rego", *, v0: bool = False) -> RegoEngine:
    engine = RegoEngine(v0=v0)
    engine.add_module(RegoModule(path, text))
    return engine


def test_booleans_and_integers_survive_the_round_trip() -> None:
    engine = _engine("package x\nflag if input.b == true\nn := input.n + 1\n")
    engine.set_input({"b": True, "n": 41})
    assert engine.eval_rule("data.x.flag") is True
    value = engine.eval_rule("data.x.n")
    assert value == 42
    assert isinstance(value, int)


def test_sets_of_objects_come_back_as_lists() -> None:
    engine = _engine('package x\ndeny contains {"msg": m} if some m in input.ms\n')
    engine.set_input({"ms": ["b", "a"]})
    assert sorted(d["msg"] for d in engine.eval_rule("data.x.deny")) == ["a", "b"]


def test_undefined_rule_and_query() -> None:
    engine = _engine("package x\np := 1 if input.never\n")
    engine.set_input({})
    assert engine.eval_rule("data.x.p") is UNDEFINED
    assert engine.eval_query("data.x.p") == []
    assert engine.eval_query("data.x") == [{}]


def test_clone_is_independent_and_keeps_packages() -> None:
    base = _engine("package x\np := input.v\n")
    base.add_data({"extra": {"k": 1}})
    one, two = base.clone(), base.clone()
    one.set_input({"v": 1})
    two.set_input({"v": 2})
    assert (one.eval_rule("data.x.p"), two.eval_rule("data.x.p")) == (1, 2)
    assert one.eval_query("data.extra.k") == [1]
    assert one.packages == ("data.x",)


def test_v0_engine_reads_v0_and_v1_with_import() -> None:
    engine = RegoEngine(v0=True)
    engine.add_module(RegoModule("a.rego", 'package a\nviolation[{"msg": m}] { m := input.x }\n'))
    engine.add_module(RegoModule("b.rego", "package b\nimport rego.v1\nd contains 1 if true\n"))
    engine.set_input({"x": "hi"})
    assert engine.eval_rule("data.a.violation") == [{"msg": "hi"}]
    assert engine.eval_rule("data.b.d") == [1]


def test_engine_refuses_other_threads_with_a_plain_error() -> None:
    engine = _engine("package x\np := 1\n")
    errors: list[BaseException] = []

    def use() -> None:
        try:
            engine.eval_rule("data.x.p")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join(timeout=10)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "thread" in str(errors[0])


class _Cycle:
    """An object in a reference cycle: only the garbage collector frees it, on whichever thread runs it."""

    def __init__(self, engine: RegoEngine) -> None:
        self.engine = engine
        self.me = self


def _collect_on(thread_target: Callable[[], None]) -> None:
    worker = threading.Thread(target=thread_target)
    worker.start()
    worker.join(timeout=30)


def test_an_engine_collected_on_another_thread_is_dropped_on_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The GC runs where memory is allocated (a sandbox's server thread): regorus must not be
    dropped there ("Engine is unsendable, but is being dropped on another thread")."""
    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: unraisable.append(str(info.exc_value)))
    gc.collect()
    _Cycle(_engine("package x\np := 1\n"))
    _collect_on(gc.collect)
    assert unraisable == []
    assert backend._strays.waiting  # handed back to this thread ...
    assert _engine("package y\nq := 2\n").eval_rule("data.y.q") == 2
    assert not backend._strays.waiting  # ... which dropped it the next time it used an engine
    assert unraisable == []


def test_engines_of_an_ended_thread_are_never_dropped_elsewhere(tmp_path: Path) -> None:
    """A thread's engines collected after it ended, here and at exit: no "unsendable" error."""
    script = tmp_path / "ended.py"
    script.write_text(
        "import gc, threading\n"
        "from designer.policy.backend import RegoEngine\n"
        "class C:\n    def __init__(self):\n        self.me = self\n        self.engine = RegoEngine()\n"
        "gate = threading.Event()\n"
        "def early():\n    C()\n"
        "def late():\n    C()\n    gate.wait()\n"
        "t = threading.Thread(target=early); t.start(); t.join(); gc.collect()\n"
        "u = threading.Thread(target=late); u.start()\n"
        "import time; time.sleep(0.2); gc.collect(); gate.set(); u.join()\n"
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and done.stdout == "done\n", done.stderr
    assert "unsendable" not in done.stderr, done.stderr


@pytest.mark.parametrize("other_thread", [False, True])
def test_ctypes_is_imported_at_exit_only_when_another_thread_may_hand_an_engine_back(
    tmp_path: Path, other_thread: bool
) -> None:
    """The import costs every `design validate` ~2 ms; it is needed only when a thread besides the
    main one is alive at exit (teardown may collect an engine there, and imports fail by then)."""
    script = tmp_path / "exit.py"
    script.write_text(
        "import atexit, sys, threading\n"
        "atexit.register(lambda: print('ctypes' in sys.modules))  # runs after backend's handler\n"
        "from designer.policy.backend import RegoEngine\n"
        "engine = RegoEngine()\n"
        "assert engine.eval_query('true') == [True]\n"
        f"if {other_thread}:\n"
        "    threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{other_thread}\n"


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(PolicyError) as info:
        _engine("package x\n\ndeny[msg] { msg := 1 }\n", path="team/bad.rego")
    err = info.value
    assert err.location is not None
    assert (err.location.file, err.location.line) == ("team/bad.rego", 3)
    assert "`if` keyword is required" in err.message
    assert "Stack backtrace" not in str(err)
    assert str(err).startswith("team/bad.rego:3:")


def test_unknown_function_surfaces_on_evaluation() -> None:
    engine = _engine("package x\n\n\np if foo.bar(1)\n", path="p/unknown.rego")
    with pytest.raises(PolicyError) as info:
        engine.eval_query("data.x")
    assert info.value.location is not None
    assert info.value.location.line == 4
    assert "could not find function foo.bar" in info.value.message


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("package x\nq := 1 if { 1/0 }\n", 2, "divide by zero"),
        ("package x\nr := 1\nr := 2\n", 3, "conflicts"),
    ],
)
def test_runtime_errors_are_policy_errors(text: str, line: int, needle: str) -> None:
    engine = _engine(text, path="rt.rego")
    with pytest.raises(PolicyError) as info:
        engine.eval_query("data.x")
    assert info.value.location is not None
    assert (info.value.location.file, info.value.location.line) == ("rt.rego", line)
    assert needle in info.value.message


def test_missing_rule_path_is_a_policy_error() -> None:
    engine = _engine("package x\np := 1\n")
    with pytest.raises(PolicyError, match="not a valid rule path"):
        engine.eval_rule("data.x.nope")


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy"):
        RegoModule.from_file(tmp_path / "absent.rego")


def test_engines_alive_at_interpreter_teardown_leave_quietly(tmp_path: Path) -> None:
    """An engine still held when the interpreter tears its modules down (a cycle the collector never
    reached) is dropped without an "Exception ignored in __del__" message."""
    script = tmp_path / "teardown.py"
    script.write_text(
        "import gc, threading\n"
        "import designer.errors\n"
        "from designer.policy.backend import RegoEngine\n"
        "class C:\n    def __init__(self):\n        self.me = self\n        self.engine = RegoEngine()\n"
        "gc.disable()\n"
        "designer.errors.held = C()\n"  # a module torn down after designer.policy.backend's globals
        "held = C()\n"
        "def later():\n    global made\n    made = C()\n"
        "t = threading.Thread(target=later); t.start(); t.join()\n"  # an ended thread's engine
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and done.stdout == "done\n", done.stderr
    assert done.stderr == "", done.stderr
