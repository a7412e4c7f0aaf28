"""Both Rego engines (regorus in-process, OPA through `opa run --server`) behind designer's one engine
protocol: the same values out for the same modules, data and input, independent clones, v0 and v1
modules, and errors as PolicyError at the policy's file:line. Real regorus and real OPA, no mocks.
"""

from __future__ import annotations

import pytest

from designer.errors import PolicyError
from designer.policy.engine import UNDEFINED, EngineName, PolicyEngine, RegoModule, new_engine
from tests import engines


@pytest.fixture(params=engines.ENGINES)
def kind(request: pytest.FixtureRequest) -> EngineName:
    return engines.require(request.param)


def _engine(kind: EngineName, text: str, path: str = "pol/x.rego", *, v0: bool = False) -> PolicyEngine:
    engine = new_engine(engine=kind, v0=v0)
    engine.add_module(RegoModule(path, text))
    return engine


def test_values_come_back_as_json_data(kind: EngineName) -> None:
    engine = _engine(
        kind,
        "package x\nflag if input.b == true\nn := input.n + 1\n"
        'deny contains {"msg": m} if some m in input.ms\nhalf := input.n / 2\n',
    )
    engine.set_input({"b": True, "n": 41, "ms": ["b", "a"]})
    assert engine.eval_rule("data.x.flag") is True
    n = engine.eval_rule("data.x.n")
    assert (n, type(n)) == (42, int)
    assert engine.eval_rule("data.x.half") == 20.5
    assert engine.eval_rule("data.x.deny") == [{"msg": "a"}, {"msg": "b"}]


def test_undefined_rule_and_queries(kind: EngineName) -> None:
    engine = _engine(kind, "package x\np := 1 if input.never\nq contains v if some v in input.vs\n")
    engine.set_input({"vs": [2, 1]})
    assert engine.eval_rule("data.x.p") is UNDEFINED
    assert engine.eval_query("data.x.p") == []
    assert engine.eval_query("data.x") == [{"q": [1, 2]}]
    assert sorted(engine.eval_query("data.x.q[v]")) == [1, 2]


def test_clones_are_independent_in_input_and_data(kind: EngineName) -> None:
    base = _engine(kind, "package x\np := input.v\nk := data.extra.k\n")
    base.add_data({"base": {"b": 0}})
    one, two = base.clone(), base.clone()
    one.add_data({"extra": {"k": 1}})
    two.add_data({"extra": {"k": 2}})
    one.set_input({"v": 1})
    two.set_input({"v": 2})
    # Interleaved, so an engine that keeps data per server must switch it back and forth.
    for _ in range(2):
        assert (one.eval_rule("data.x.p"), one.eval_rule("data.x.k")) == (1, 1)
        assert (two.eval_rule("data.x.p"), two.eval_rule("data.x.k")) == (2, 2)
    assert base.eval_rule("data.x.k") is UNDEFINED
    assert base.eval_query("data.base.b") == [0]
    assert one.packages == ("data.x",)


def test_data_documents_merge_and_conflicting_values_are_refused(kind: EngineName) -> None:
    engine = _engine(kind, "package x\np := data.config\n")
    engine.add_data({"config": {"a": 1, "deep": {"x": 1}}})
    engine.add_data({"config": {"b": 2, "deep": {"y": 2}, "a": 1}})
    assert engine.eval_rule("data.x.p") == {"a": 1, "b": 2, "deep": {"x": 1, "y": 2}}
    with pytest.raises(PolicyError, match="multiple times"):
        engine.add_data({"config": {"a": 3}})


def test_v0_engine_reads_v0_and_v1_with_import(kind: EngineName) -> None:
    engine = new_engine(engine=kind, v0=True)
    engine.add_module(RegoModule("a.rego", 'package a\nviolation[{"msg": m}] { m := input.x }\n'))
    engine.add_module(RegoModule("b.rego", "package b\nimport rego.v1\nd contains 1 if true\n"))
    engine.set_input({"x": "hi"})
    assert engine.eval_rule("data.a.violation") == [{"msg": "hi"}]
    assert engine.eval_rule("data.b.d") == [1]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        pytest.param("package x\n\np { true }\n", 3, id="v0-syntax-in-v1"),
        pytest.param("package x\n\np := 1 if input.a\np := 2 if input.b\n", 4, id="conflict"),
    ],
)
def test_errors_name_the_policy_file_and_line(kind: EngineName, source: str, line: int) -> None:
    with pytest.raises(PolicyError) as caught:
        engine = _engine(kind, source, path="team/broken.rego")
        engine.prepare()
        engine.set_input({"a": 1, "b": 1})
        engine.eval_rule("data.x.p")
    assert caught.value.location is not None
    assert (caught.value.location.file, caught.value.location.line) == ("team/broken.rego", line)
    assert "/tmp" not in str(caught.value)  # no bundle or temporary path leaks into the message
