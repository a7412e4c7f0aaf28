"""designer.policy.sprintf_args: a literal sprintf with fewer arguments than verbs prints what OPA prints
(Go's ``%!v(MISSING)``), checked through real regorus; everything else is left exactly as written."""

from __future__ import annotations

import pytest

from designer.policy.backend import RegoEngine, RegoModule
from designer.policy.sprintf_args import pad_missing_arguments


def _evaluate(source: str) -> object:
    engine = RegoEngine(v0=True)
    engine.add_module(RegoModule("p.rego", pad_missing_arguments(source)))
    engine.set_input({"a": 1, "b": "two", "c": [3]})
    return engine.eval_rule("data.p.x")


@pytest.mark.parametrize(
    ("call", "printed"),
    [
        ('sprintf("%v and %v", [input.a])', "1 and %!v(MISSING)"),
        ('sprintf("%v %d %s", [])', "%!v(MISSING) %!d(MISSING) %!s(MISSING)"),
        ('sprintf("100%% of %v, %5.2f", [input.b])', "100% of two, %!f(MISSING)"),
        ('sprintf("%v|%v|%v", [input.a, [1, 2], {"k": ",]"}])', '1|[1, 2]|{"k": ",]"}'),
        ('sprintf("%v %v",\n    [input.a,\n     input.b,  # a comment, with a comma\n    ])', "1 two"),
    ],
    ids=["one-missing", "all-missing", "percent-and-width", "nested-literals", "multi-line"],
)
def test_missing_verbs_print_like_opa(call: str, printed: str) -> None:
    assert _evaluate(f"package p\n\nx := {call}\n") == printed


@pytest.mark.parametrize(
    "source",
    [
        'x := sprintf("%v %v", input.c)',  # computed arguments: unknown count
        'x := sprintf(fmt, [1])\nfmt := "%v %v"',  # computed format
        'x := sprintf("%[2]v %v", [1])',  # explicit argument index
        'x := sprintf("%*d", [1])',  # * width takes an argument
        'x := sprintf("%v %v", [y | y := input.c[_]])',  # comprehension
        '# x := sprintf("%v %v", [1])\nx := 1',  # a comment
        'x := "sprintf(\\"%v %v\\", [1])"',  # inside a string
        'x := sprintf("%v", [1, 2])',  # extra arguments: Go's %!(EXTRA …) needs run-time types
    ],
)
def test_other_calls_are_left_alone(source: str) -> None:
    text = f"package p\n\n{source}\n"
    assert pad_missing_arguments(text) == text


def test_lines_are_kept() -> None:
    source = 'package p\n\nx := sprintf(\n  "%v, %v",\n  [1]\n)\n'
    padded = pad_missing_arguments(source)
    assert padded.count("\n") == source.count("\n")
    assert '"%v, %%!v(MISSING)"' in padded
