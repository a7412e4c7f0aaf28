"""The opa engine's own behaviour: where it finds OPA, how it reports OPA's errors, its server pool
(shared by engines with the same modules, private once data is written, stopped at exit), forked
workers, and the --engine / DESIGNER_POLICY_ENGINE choice. Real OPA built by scripts/build-opa.sh.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.errors import PolicyError
from designer.policy import opa_server
from designer.policy.engine import RegoModule, new_engine, selected_engine, use_engine
from designer.policy.opa import OpaEngine
from tests import engines
from tests.conftest import PATTERNS


@pytest.fixture
def opa() -> str:
    return engines.opa_binary()


def test_without_opa_on_path_the_error_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # read TMPDIR again
    try:
        engine = new_engine(engine="opa")
        engine.add_module(RegoModule("x.rego", "package x\np := 1\n"))
        with pytest.raises(PolicyError) as caught:
            engine.eval_rule("data.x.p")
    finally:
        tempfile.tempdir = None
    assert "opa binary on PATH" in caught.value.message
    assert caught.value.hint is not None and "scripts/build-opa.sh" in caught.value.hint
    assert list(tmp_path.iterdir()) == []  # no bundle folder left behind


def test_cli_without_opa_exits_3_with_the_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code = run(["validate", str(PATTERNS / "httpbin.yaml"), "--engine", "opa"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "needs the opa binary on PATH" in err and "scripts/build-opa.sh" in err
    assert "Traceback" not in err


def test_an_unknown_engine_in_the_environment_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESIGNER_POLICY_ENGINE", "wasm")
    assert run(["policy", "list"]) == 2
    assert "DESIGNER_POLICY_ENGINE" in capsys.readouterr().err
    with pytest.raises(PolicyError, match="unknown policy engine 'wasm'"):
        selected_engine()


def test_the_choice_order_is_argument_then_use_engine_then_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESIGNER_POLICY_ENGINE", "opa")
    assert selected_engine() == "opa"
    with use_engine("regorus"):
        assert selected_engine() == "regorus"
        assert isinstance(new_engine(engine="opa"), OpaEngine)
    monkeypatch.delenv("DESIGNER_POLICY_ENGINE")
    assert selected_engine() == "regorus"


def test_start_up_errors_are_reported_at_their_display_paths(opa: str) -> None:
    engine = new_engine(engine="opa")
    engine.add_module(RegoModule("team/ok.rego", "package ok\np := 1\n"))
    engine.add_module(RegoModule("team/a.rego", "package a\n\np { true }\nq { true }\n"))
    with pytest.raises(PolicyError) as caught:
        engine.prepare()
    error = caught.value
    assert error.location is not None and (error.location.file, error.location.line) == ("team/a.rego", 3)
    assert "1 more: team/a.rego:4: rego_parse_error" in error.message  # every error OPA reports
    assert "m0001" not in error.message and "designer-opa" not in error.message


def test_evaluation_errors_point_into_the_policy(opa: str) -> None:
    engine = new_engine(engine="opa")
    engine.add_module(RegoModule("lib/util.rego", "package util\n"))
    engine.add_module(RegoModule("team/c.rego", "package c\n\nr := 1 if input.a\nr := 2 if input.b\n"))
    engine.set_input({"a": True, "b": True})
    with pytest.raises(PolicyError) as caught:
        engine.eval_rule("data.c.r")
    assert caught.value.location is not None
    assert (caught.value.location.file, caught.value.location.line) == ("team/c.rego", 4)
    assert "1 at team/c.rego:3" in caught.value.message


def test_engines_with_the_same_modules_share_a_server_until_data_is_written(opa: str) -> None:
    modules = [RegoModule("s.rego", "package s\nv := data.inv\n")]
    first, second = OpaEngine(), OpaEngine()
    for engine in (first, second):
        engine.add_module(modules[0])
        engine.prepare()
    servers = {id(s) for s in opa_server._pool.values() if s.spec.modules == tuple(modules)}
    assert len(servers) == 1
    with_data = second.clone()
    with_data.add_data({"inv": 1})
    assert with_data.eval_rule("data.s.v") == 1
    assert first.eval_query("data.inv") == []  # the shared, read-only server never got the data
    servers = {id(s) for s in opa_server._pool.values() if s.spec.modules == tuple(modules)}
    assert len(servers) == 2


def test_a_forked_worker_writes_data_only_to_its_own_server(opa: str) -> None:
    parent = OpaEngine()
    parent.add_module(RegoModule("f.rego", "package f\nv := data.inv\n"))
    parent.add_data({"inv": "parent"})
    assert parent.eval_rule("data.f.v") == "parent"
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own data, through the same engine object
        status = 1
        try:
            os.close(reader)
            child = parent.clone()
            child._data, child._data_texts = {}, {}
            child.add_data({"inv": "child"})
            os.write(writer, json.dumps(child.eval_rule("data.f.v")).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        answer = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert json.loads(answer) == "child"
    assert parent.eval_rule("data.f.v") == "parent"


def test_servers_stop_and_leave_nothing_behind(opa: str) -> None:
    engine = OpaEngine()
    engine.add_module(RegoModule("g.rego", "package g\np := 1\n"))
    assert engine.eval_rule("data.g.p") == 1
    started = [s for s in opa_server._pool.values() if s.owner == os.getpid()]
    assert started
    opa_server.stop_all()
    for server in started:
        assert server.process.poll() is not None
        assert not server.folder.exists()
    assert engine.eval_rule("data.g.p") == 1  # a later evaluation starts a new one


def test_validate_results_are_cached_per_engine() -> None:
    # An answer of one engine is never served for the other (they differ on some users' policies).
    from designer.validation_cache import run_key

    with use_engine("regorus"):
        regorus_key = run_key({}, [])
    with use_engine("opa"):
        opa_key = run_key({}, [])
    assert regorus_key != opa_key


def test_builtin_errors_are_undefined_and_kept_for_the_caller(opa: str) -> None:
    engine = OpaEngine()
    engine.add_module(
        RegoModule(
            "team/b.rego",
            "package b\n\nn contains x if { some s in input.s; x := to_number(s) }\n"
            'p := 1 if print("hello", input.s[0])\n',
        )
    )
    engine.set_input({"s": ["1", "x"]})
    assert engine.eval_rule("data.b.n") == [1]  # OPA's answer: only the failing element is undefined
    (error,) = engine.take_builtin_errors()
    assert error.location is not None and (error.location.file, error.location.line) == ("team/b.rego", 3)
    assert "to_number" in error.message
    assert engine.take_builtin_errors() == []
    assert engine.eval_rule("data.b.p") == 1
    assert engine.take_prints() == ["team/b.rego:4: hello 1"]
    assert engine.take_prints() == []


def test_a_server_that_died_is_started_again(opa: str) -> None:
    engine = OpaEngine()
    engine.add_module(RegoModule("h.rego", "package h\np := input.v\n"))
    engine.set_input({"v": 1})
    assert engine.eval_rule("data.h.p") == 1
    (server,) = [s for s in opa_server._pool.values() if s.spec.modules == tuple(engine._modules)]
    server.process.kill()
    server.process.wait()
    engine.set_input({"v": 2})
    assert engine.eval_rule("data.h.p") == 2
    assert server not in opa_server._pool.values()
