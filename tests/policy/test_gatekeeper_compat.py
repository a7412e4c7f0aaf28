"""The compatibility rewrites applied to users' Rego (designer.policy.compat), on their own and through
real regorus."""

from __future__ import annotations

from designer.policy.backend import RegoEngine, RegoModule
from designer.policy.compat import separate_paren_lines, split_multibody

MULTI = """package t

f(obj) = spec {
  obj.kind == "Pod"
  spec := obj.a
} {
  obj.kind == "Job"
  spec := obj.b
}

g(x) = y {
  x > 1
  y := "big"
} else = y {
  y := "small"
}

violation[{"msg": m}] {
  m := f(input.o)
}
"""


def test_split_keeps_lines_and_touches_only_multibody() -> None:
    out = split_multibody(MULTI)
    assert len(out.splitlines()) == len(MULTI.splitlines())
    assert out.splitlines()[5] == "} f(obj) = spec {"
    assert "} else = y {" in out
    assert split_multibody("p {\n  x := {\n  } {\n}\n") == "p {\n  x := {\n  } {\n}\n"  # indented: untouched


def test_split_rules_evaluate_like_opa() -> None:
    engine = RegoEngine(v0=True)
    engine.add_module(RegoModule("t.rego", split_multibody(MULTI)))
    engine.set_input({"o": {"kind": "Job", "b": "from-job"}})
    assert engine.eval_rule("data.t.violation") == [{"msg": "from-job"}]
    engine.set_input({"o": {"kind": "Pod", "a": "from-pod"}})
    assert engine.eval_rule("data.t.violation") == [{"msg": "from-pod"}]
    engine.set_input({"o": {"kind": "Service"}})
    assert engine.eval_rule("data.t.violation") == []


BRACE_HEAD = """package t

violation[{"msg": msg}] {
  input.a
  msg := "from a"
} {
  input.b
  msg := "from b"
}
"""


def test_split_copies_heads_that_hold_braces() -> None:
    # Gatekeeper's usual head, violation[{"msg": msg}]: its second body was once given the previous
    # rule's head (the library's noupdateserviceaccount template lost two of its violations that way).
    out = split_multibody(BRACE_HEAD)
    assert out.splitlines()[5] == '} violation[{"msg": msg}] {'
    engine = RegoEngine(v0=True)
    engine.add_module(RegoModule("t.rego", out))
    engine.set_input({"b": True})
    assert engine.eval_rule("data.t.violation") == [{"msg": "from b"}]
    engine.set_input({"a": True, "b": True})
    assert engine.eval_rule("data.t.violation") == [{"msg": "from a"}, {"msg": "from b"}]


PAREN = """package t

spread(h) {
  input.parameters.min  # a comment
  (h.max - h.min) >= input.parameters.min
}

call_then_paren(h) {
  count(h.items) > 0
  f(
    (h.max)
  )
}

f(x) = x

violation[{"msg": "narrow"}] {
  not spread(input.h)
}
"""


def test_paren_lines_are_separated_like_opa() -> None:
    out = separate_paren_lines(PAREN)
    assert len(out.splitlines()) == len(PAREN.splitlines())
    assert "  input.parameters.min;  # a comment" in out
    assert "  f(\n    (h.max)\n  )" in out  # after '(' nothing is added
    engine = RegoEngine(v0=True)
    engine.add_module(RegoModule("t.rego", out))
    engine.set_input({"parameters": {"min": 3}, "h": {"max": 4, "min": 2}})
    assert engine.eval_rule("data.t.violation") == [{"msg": "narrow"}]
    engine.set_input({"parameters": {"min": 1}, "h": {"max": 4, "min": 2}})
    assert engine.eval_rule("data.t.violation") == []
