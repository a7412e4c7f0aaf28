"""Each of regorus's semantic gaps, closed by the loader's rewrites, against OPA's documented answer.

Every case is a minimal module from the measured differences (policies/REGO-COMPAT.md), run through
designer.policy.loader and real regorus; ``expected`` is what OPA gives for the same module and input
(``undefined`` when the rule has no value). The same rewritten modules also run on OPA itself (the
``opa`` engine), where they must give the same answer: a rewrite is only right if it is exact. The first test proves that the plain engine still differs,
so a case that stops testing anything (regorus fixed upstream) is noticed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from designer.policy.backend import UNDEFINED, RegoEngine, RegoModule
from designer.policy.engine import EngineName, use_engine
from designer.policy.loader import engine_for, load_bundle
from tests.engines import ENGINES, require

UNDEF = "undefined"

# name: (module, rule to evaluate, input, OPA's value)
CASES: dict[str, tuple[str, str, Any, Any]] = {
    "R1 self-referencing unification, set": (
        "package x\nimport rego.v1\ns := {1, 2}\np contains y if { y = s[y] }\n",
        "p",
        {},
        [1, 2],
    ),
    "R1 self-referencing unification, object": (
        'package x\nimport rego.v1\no := {"a": "a", "b": 3}\np contains k if { k = o[k] }\n',
        "p",
        {},
        ["a"],
    ),
    "R2 not over a call with an undefined argument": (
        'package x\nimport rego.v1\np if not startswith(input.missing, "X")\n',
        "p",
        {},
        UNDEF,
    ),
    "R2 not over an undefined index": (
        'package x\nimport rego.v1\ns := {"a"}\np if not s[input.missing]\n',
        "p",
        {},
        UNDEF,
    ),
    "R2 not over a nested call": (
        "package x\nimport rego.v1\np if { not count(input.missing) > 0 }\n",
        "p",
        {},
        UNDEF,
    ),
    "R2 not over != with an undefined side": (
        'package x\nimport rego.v1\np if { not input.missing != "a" }\n',
        "p",
        {},
        UNDEF,
    ),
    "R2 not over a rule with no value": (
        'package x\nimport rego.v1\nq := input.missing\np if { not startswith(q, "X") }\n',
        "p",
        {},
        UNDEF,
    ),
    "R2 not over a field of a local variable": (
        'package x\nimport rego.v1\np if { some c in input.cs; not startswith(c.n, "X") }\n',
        "p",
        {"cs": [{"x": 1}]},
        UNDEF,
    ),
    "R2 not over an empty list's element (regex)": (
        'package x\nimport rego.v1\noutput := input.out\np if { not regex.match("X", output[0][1]) }\n',
        "p",
        {"out": []},
        UNDEF,
    ),
    "R2 keeps == with an undefined side true": (
        'package x\nimport rego.v1\np if { not input.missing == "a" }\n',
        "p",
        {},
        True,
    ),
    "R2 keeps a negated undefined reference true": (
        "package x\nimport rego.v1\np if { not input.missing }\n",
        "p",
        {},
        True,
    ),
    "R2 keeps a negated undefined rule true": (
        "package x\nimport rego.v1\nq if input.missing\np if { not q }\n",
        "p",
        {},
        True,
    ),
    "R2 still negates defined arguments": (
        'package x\nimport rego.v1\np if not startswith(input.name, "X")\n',
        "p",
        {"name": "abc"},
        True,
    ),
    "R2 with a with modifier": (
        'package x\nimport rego.v1\nq := input.v\np if { not startswith(q, "X") with input as {"v": "abc"} }\n',
        "p",
        {},
        True,
    ),
    "R3 bodiless head over a false value": (
        "package x\nimport rego.v1\ndefault pod := false\n"
        'pod := input.spec.template if input.kind == "Deployment"\n'
        "vols contains pod.spec.volumes[_]\n",
        "vols",
        {"kind": "Service"},
        [],
    ),
    "R3 bodiless head over several lines": (
        "package x\nimport rego.v1\ndefault pod := false\n"
        'pod := input.spec.template if input.kind == "Deployment"\n'
        'vols contains {\n  "volume": pod.spec.volumes[_],\n}\n',
        "vols",
        {"kind": "Service"},
        [],
    ),
    "R4 a rule read through an import alias": (
        "package lib\nimport rego.v1\ndefault pod := false\n"
        'pod := input.spec.template if input.kind == "Deployment"\n'
        "vols contains pod.spec.volumes[_]\n"
        "--\npackage x\nimport rego.v1\nimport data.lib as L\nd1 if L.pod\n",
        "d1",
        {"kind": "Service"},
        UNDEF,
    ),
    "R6 ref value with else": (
        'package x\nimport rego.v1\nm := {"a": 1, "b": 2}\nr := m[k] if { k := "a" } else := 3\n',
        "r",
        {},
        1,
    ),
    "R6 ref value with else, else taken": (
        'package x\nimport rego.v1\nm := {"a": 1, "b": 2}\nr := m[k] if { k := input.k } else := 3\n',
        "r",
        {},
        3,
    ),
    "R7 with on a rule of the same package": (
        'package x\nimport rego.v1\nr := {"a": 1}\np contains v if { v := r[input.k] }\n'
        't if { p == {2} with r as {"b": 2} with input as {"k": "b"} }\n',
        "t",
        {},
        True,
    ),
    "R8 regex with \\d and \\b under RE2's size": (
        "package x\nimport rego.v1\n"
        "p := regex.match(`[^\\.](?:\\b[A-Z]{2}\\d{2} ?\\d{4} ?\\d{4} ?\\d{4} ?\\d{4} ?[\\d]{0,2}\\b)`, "
        '" AB12 1234 1234 1234 1234")\n',
        "p",
        {},
        True,
    ),
    "R8 \\d is ASCII, as in RE2": (
        'package x\nimport rego.v1\np := regex.match(`^\\d+$`, "\u0663\u0664")\n',
        "p",
        {},
        False,
    ),
    "R8 a pattern read from a rule": (
        'package x\nimport rego.v1\npatterns := ["^\\\\d+$"]\np if regex.match(patterns[_], "\u0663")\n',
        "p",
        {},
        UNDEF,
    ),
    "R9 rego.metadata.rule()": (
        "package x\nimport rego.v1\n\n# METADATA\n# title: Hello\n# custom:\n#   id: ABC\n"
        "deny contains m if { m := rego.metadata.rule() }\n",
        "deny",
        {},
        [{"custom": {"id": "ABC"}, "scope": "rule", "title": "Hello"}],
    ),
    "R12 an empty multi-value rule is an empty object": (
        "package x\nimport rego.v1\nsub[k] contains v if { some o in input.os; k := o.k; v := o.v }\n"
        "p if { x := sub; x == {} }\n",
        "p",
        {"os": []},
        True,
    ),
    "v0 multi-body rule": (
        "package x\np[x] {\n  x := 1\n} {\n  x := 2\n}\n",
        "p",
        {},
        [1, 2],
    ),
}


def _modules(text: str) -> list[RegoModule]:
    return [RegoModule(f"m{i}.rego", part) for i, part in enumerate(text.split("--\n"))]


def _evaluate(text: str, rule: str, value: Any, engine_name: EngineName = "regorus") -> Any:
    modules = _modules(text)
    with use_engine(engine_name):
        engine = engine_for(load_bundle(modules))
    engine.set_input(value)
    package = modules[-1].text.split("\n", 1)[0].removeprefix("package ")
    result = engine.eval_rule(f"data.{package}.{rule}")
    if result is UNDEFINED:
        return UNDEF
    return sorted(result, key=json.dumps) if isinstance(result, list) else result


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_rewritten_module_gives_opas_answer(name: str, engine: EngineName) -> None:
    """On regorus the rewrites give OPA's answer; on OPA they change nothing (they are exact)."""
    text, rule, value, expected = CASES[name]
    assert _evaluate(text, rule, value, require(engine)) == expected


PLAIN_DIFFERS = [
    "R1 self-referencing unification, set",
    "R3 bodiless head over several lines",
    "R2 not over a call with an undefined argument",
    "R2 not over an undefined index",
    "R6 ref value with else",
    "R7 with on a rule of the same package",
    "R8 regex with \\d and \\b under RE2's size",
    "R9 rego.metadata.rule()",
    "R12 an empty multi-value rule is an empty object",
]


@pytest.mark.parametrize("name", PLAIN_DIFFERS)
def test_plain_regorus_still_differs(name: str) -> None:
    """Without the loader, regorus gives another answer (or raises): the rewrite is still needed."""
    text, rule, value, expected = CASES[name]
    engine = RegoEngine()
    try:
        for module in _modules(text):
            engine.add_module(module)
        engine.set_input(value)
        result = engine.eval_rule(f"data.x.{rule}")
    except Exception:  # an error is a difference too
        return
    shown = UNDEF if result is UNDEFINED else result
    assert shown != expected


def test_rewrites_keep_every_line_where_it_was() -> None:
    """Error lines point into the user's file: no rewrite adds or removes a line."""
    for text, *_ in CASES.values():
        for original, loaded in zip(_modules(text), load_bundle(_modules(text)).modules, strict=True):
            assert loaded.text.count("\n") == original.text.count("\n"), loaded.text


def test_wildcard_in_not_is_refused_as_opa_refuses_it() -> None:
    """`not xs[_] == "a"`: OPA refuses it (var _ is unsafe); regorus would answer something else."""
    from designer.errors import PolicyError

    text = 'package x\nimport rego.v1\n\np if {\n  not input.arr[_] == "X"\n}\n'
    with pytest.raises(PolicyError, match="var _ is unsafe") as caught:
        load_bundle([RegoModule("w.rego", text)])
    assert caught.value.location is not None and (
        caught.value.location.line,
        caught.value.location.column,
    ) == (5, 17)
    inside = "package x\nimport rego.v1\np if { not count([y | y := input.arr[_]; y == 1]) > 0 }\n"
    assert _evaluate(inside, "p", {"arr": [2]}) is True  # a comprehension binds its own _


def test_a_construct_left_as_written_is_noted_with_its_line() -> None:
    text = 'package x\nimport rego.v1\nm := {"a": 1, "b": 2}\nr := m[k] if k := "a" else := 3\n'
    bundle = load_bundle([RegoModule("n.rego", text)])
    assert [(n.file, n.line) for n in bundle.notes] == [("n.rego", 4)]
    assert "left as written" in bundle.notes[0].message


def test_heads_that_do_not_iterate_are_left_alone_without_a_note() -> None:
    """Only iteration in a bodiless head differs on regorus: a comprehension (its iteration is its own
    body's), a call or a plain reference gives OPA's answer as written, over one line or several."""
    text = (
        "package x\nimport rego.v1\npod := false\n"
        "vols := [v |\n  some v in pod.spec.volumes\n]\n"
        'named := {\n  "n": concat("", ["x", input.name]),\n}\n'
        "spec := pod.spec\n"
    )
    bundle = load_bundle([RegoModule("h.rego", text)])
    assert bundle.notes == ()
    assert bundle.modules[0].text == text
    assert _evaluate(text, "vols", {}) == []
    assert _evaluate(text, "named", {"name": "y"}) == {"n": "xy"}
    assert _evaluate(text, "spec", {}) == UNDEF


def test_the_builtin_library_loads_without_notes() -> None:
    """The shipped library (what `design policy test` loads) uses no construct the loader leaves as written."""
    from designer.policy.rego_tests import collect_modules

    assert load_bundle(collect_modules([], with_library=True)).notes == ()
