"""designer.policy.loader: how users' Rego is read, as `opa test` and conftest read it.

Rego v0 and v1 per file in one set, regorus's line limits raised, data documents placed as OPA's
loader places them, conftest's and Trivy's builtins, duplicate test names, which parse error is shown,
recursion refused with file:line, and conftest's rule forms. Real regorus throughout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.errors import PolicyError
from designer.policy.backend import UNDEFINED, RegoModule
from designer.policy.datafiles import read_data
from designer.policy.loader import engine_for, load_bundle

V0 = 'package legacy\n\ndeny[msg] {\n  input.kind == "Pod"\n  msg := "v0"\n}\n'
V1 = 'package modern\n\ndeny contains msg if {\n  input.kind == "Pod"\n  msg := "v1"\n}\n'


def _value(modules: list[RegoModule], query: str, value: object = None, data: dict | None = None) -> object:
    engine = engine_for(load_bundle(modules, data))
    engine.set_input(value if value is not None else {})
    return engine.eval_rule(query)


def test_v0_and_v1_files_load_together() -> None:
    modules = [RegoModule("legacy.rego", V0), RegoModule("modern.rego", V1)]
    bundle = load_bundle(modules)
    assert [m.rego_v1 for m in bundle.modules] == [False, True]
    assert bundle.v0_compatible
    modern = bundle.modules[1].text
    assert modern.splitlines()[0] == "package modern import rego.v1"  # same lines, one engine in v0 mode
    assert modern.count("\n") == V1.count("\n")
    assert _value(modules, "data.legacy.deny", {"kind": "Pod"}) == ["v0"]
    assert _value(modules, "data.modern.deny", {"kind": "Pod"}) == ["v1"]


def test_v1_only_sets_need_no_v0_mode() -> None:
    bundle = load_bundle([RegoModule("modern.rego", V1)])
    assert not bundle.v0_compatible
    assert bundle.modules[0].text == V1


def test_a_30_kb_line_loads() -> None:
    """trivy-checks holds a one-line map of 30 kB; regorus's default limit is 1,024 columns."""
    long = "package x\nimport rego.v1\nm := {" + ", ".join(f'"k{i}": {i}' for i in range(3000)) + "}\n"
    assert len(long.splitlines()[2]) > 30_000
    assert _value([RegoModule("x.rego", long)], "data.x.m")["k2999"] == 2999  # type: ignore[index]


def test_parse_error_names_the_version_that_parsed_further(tmp_path: Path) -> None:
    broken_v0 = "package x\n\np[x] {\n  x := 1\n}\n\nq {\n  1 +* 2\n}\n"
    with pytest.raises(PolicyError) as caught:
        load_bundle([RegoModule("x.rego", broken_v0)])
    # v1 stops at line 3 (`p[x] {` needs `if`); v0 reads on to the real mistake in `q`.
    assert caught.value.location is not None and caught.value.location.line >= 7
    assert "Rego v0" in (caught.value.hint or "")


def test_duplicate_test_names_in_a_package_each_run() -> None:
    text = "package t\nimport rego.v1\ntest_a if true\ntest_a if false\n"
    other = "package t\nimport rego.v1\ntest_a if true\n"
    bundle = load_bundle([RegoModule("a_test.rego", text), RegoModule("b_test.rego", other)])
    assert [(t.name, t.file, t.line) for t in bundle.tests] == [
        ("test_a", "a_test.rego", 3),
        ("test_a#01", "a_test.rego", 4),
        ("test_a#02", "b_test.rego", 3),
    ]
    engine = engine_for(bundle)
    assert [engine.eval_rule(t.rule) for t in bundle.tests] == [True, UNDEFINED, True]


def test_data_documents_placed_like_opa(tmp_path: Path) -> None:
    (tmp_path / "root.yaml").write_text("services:\n  ports: [22, 21]\n")
    (tmp_path / "team" / "a").mkdir(parents=True)
    (tmp_path / "team" / "a" / "owners.json").write_text('{"names": ["ana"]}')
    (tmp_path / "team" / "a" / "more.yaml").write_text("extra: 1\n")
    single = tmp_path / "single.json"
    single.write_text('{"flag": true}')
    data = read_data([tmp_path / "team", single])
    assert data == {"a": {"names": ["ana"], "extra": 1}, "flag": True}
    assert read_data([tmp_path / "root.yaml"]) == {"services": {"ports": [22, 21]}}
    module = RegoModule("x.rego", "package x\nimport rego.v1\nimport data.a\np := a.names[0]\n")
    assert _value([module], "data.x.p", data=data) == "ana"


def test_data_conflict_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text('{"a": {"b": 1}}')
    (tmp_path / "two.yaml").write_text("a:\n  b: 2\n")
    with pytest.raises(PolicyError, match=r"data conflict at data\.a\.b") as caught:
        read_data([tmp_path])
    assert "one.json" in caught.value.message and "two.yaml" in caught.value.message


def test_data_file_must_hold_one_object(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(PolicyError, match="not an object"):
        read_data([tmp_path / "list.yaml"])
    with pytest.raises(PolicyError, match="does not exist"):
        read_data([tmp_path / "absent"])


def test_conftest_and_trivy_builtins(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "app.yaml").write_text("a: 1\n---\nb: true\n")
    (tmp_path / "configs" / "one.json").write_text('{"c": [1]}')
    policy = tmp_path / "policy" / "p.rego"
    policy.parent.mkdir()
    policy.write_text(
        "package p\nimport rego.v1\n"
        'y := parse_config("yaml", "x: [1, 2]")\n'
        'j := parse_config("json", `{"k": null}`)\n'
        'f := parse_config_file("../configs/one.json")\n'
        'c := parse_combined_config_files(["../configs/app.yaml", "../configs/one.json"])\n'
        'r := result.new("boom", {"__defsec_metadata": {"startline": 3, "filepath": "a.yaml"}})\n'
        'hcl := parse_config("hcl2", "a = 1")\n'
    )
    engine = engine_for(load_bundle([RegoModule.from_file(policy)]))
    assert engine.eval_rule("data.p.y") == {"x": [1, 2]}
    assert engine.eval_rule("data.p.j") == {"k": None}
    assert engine.eval_rule("data.p.f") == {"c": [1]}
    combined = engine.eval_rule("data.p.c")
    assert [c["contents"] for c in combined] == [{"a": 1}, {"b": True}, {"c": [1]}]
    assert combined[0]["path"].endswith("configs/app.yaml")
    assert engine.eval_rule("data.p.r") == {"msg": "boom", "startline": 3, "filepath": "a.yaml"}
    with pytest.raises(PolicyError, match="not supported"):
        engine.eval_rule("data.p.hcl")


RECURSIVE = {
    "function": (
        "package x\nimport rego.v1\nf(a) := b if { b := f(a) }\np := f(1)\n",
        3,
        "data.x.f -> data.x.f",
    ),
    "rules": ("package x\nimport rego.v1\np if q\nq if p\n", 3, "data.x.p -> data.x.q -> data.x.p"),
    "across packages": (
        "package a\nimport rego.v1\nimport data.b\np if b.q\n--\npackage b\nimport rego.v1\nq if data.a.p\n",
        4,
        "data.a.p -> data.b.q -> data.a.p",
    ),
}


@pytest.mark.parametrize("kind", sorted(RECURSIVE))
def test_recursion_is_refused_with_file_and_line(kind: str) -> None:
    """A recursive function crashes regorus (SIGSEGV); OPA refuses recursion when compiling."""
    text, line, needle = RECURSIVE[kind]
    modules = [RegoModule(f"m{i}.rego", part) for i, part in enumerate(text.split("--\n"))]
    with pytest.raises(PolicyError, match="recursive") as caught:
        load_bundle(modules)
    assert caught.value.location is not None and caught.value.location.line == line
    assert needle in caught.value.message


def test_no_false_recursion() -> None:
    """Arguments, local variables and the head's own name are not references to rules."""
    text = (
        "package x\nimport rego.v1\n"
        "p := 1\nf(p) := p + 1\n"
        "q if { p := 2; p > 1 }\n"
        "containers contains c if { some c in input.cs }\n"
        "container := {1}\n"
        "r contains container if { container = containers[container] }\n"
        "test_q if q with input as {}\n"
    )
    assert load_bundle([RegoModule("x.rego", text)]).modules


def test_conftest_rules_and_refused_forms() -> None:
    text = (
        "package main\nimport rego.v1\n"
        'deny contains "a" if true\ndeny contains "b" if true\n'
        'warn_x contains "w" if true\nviolation_y if true\nhelper := 1\n'
        'exception contains ["x"] if true\n'
    )
    bundle = load_bundle([RegoModule("m.rego", text)], conftest=True)
    assert [(r.name, r.failure, r.line, r.exception_name) for r in bundle.rules] == [
        ("deny", True, 3, "deny"),
        ("warn_x", False, 5, "x"),
        ("violation_y", True, 6, "y"),
    ]
    assert bundle.exception_packages == {"data.main"}
    partial = "package main\nimport rego.v1\n\ndeny[msg] if {\n  msg := 1\n}\n"
    with pytest.raises(PolicyError, match="'if' keyword without 'contains' keyword") as caught:
        load_bundle([RegoModule("p.rego", partial)], conftest=True)
    assert caught.value.location is not None and caught.value.location.line == 4
    assert load_bundle([RegoModule("p.rego", partial)]).modules  # `opa test` reads it as an object


def test_bundle_is_plain_data() -> None:
    """A second engine takes the same input: the bundle holds only text, numbers and names."""
    bundle = load_bundle([RegoModule("legacy.rego", V0)], {"k": [1]}, conftest=True)
    doc = {
        "modules": [[m.path, m.text, m.rego_v1, m.package] for m in bundle.modules],
        "data": bundle.data,
        "rules": [r.path for r in bundle.rules],
    }
    assert json.loads(json.dumps(doc))["rules"] == ["data.legacy.deny"]
