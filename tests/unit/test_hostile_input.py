"""Hostile and mistyped input: each class issue 13's fuzzing found, as the loader must treat it.

Values that look typed but do not convert, huge integers, deep nesting, recursive and exploding
aliases, merge keys where readers look for a key, duplicate keys of every scalar type, wrong types
in the readers' fields, long names. Each either loads (as Kubernetes would read it) or is a
DesignError at the right line; never another exception, and what loads also renders and prints.
The property test at the end plants these values anywhere in real-looking files.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.adapters.registry import AdapterRegistry
from designer.errors import DesignerError, DesignError
from designer.graph import build_graph
from designer.jsontext import compact
from designer.loading import load_file, load_text
from designer.loading.nodevalues import MAX_ALIAS_EXPANSION, MAX_DEPTH, Builder
from designer.loading.writing import dump_documents
from designer.rendering import render
from tests.fuzz.mutation import SCALARS

REGISTRY = AdapterRegistry.from_entry_points()

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ns}\ndata:\n  key: VALUE\n"


def configmap_with(value: str) -> str:
    return CONFIGMAP.replace("VALUE", value)


def error_for(text: str | bytes, name: str = "bad.yaml") -> DesignError:
    with pytest.raises(DesignError) as err:
        load_text(text, name)
    return err.value


def rendered_text(text: str, *, check_fields: bool = True) -> str:
    """Load, graph, render, and print the objects as YAML and as JSON (what every output does)."""
    bodies = []
    for design in load_text(text, "in.yaml", check_fields=check_fields):
        bodies += [obj.body for obj in render(design, build_graph(design), REGISTRY)]
    compact(bodies)
    return dump_documents(bodies)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024-02-30", "2024-02-30"),  # looks like a date, is not one: Kubernetes keeps the text
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),  # kept as written
        ("1:30:00", "1:30:00"),  # sexagesimal: a string for Kubernetes
        ("0b1010", 10),
        ("0x1F", 31),
        ("017", 15),  # YAML 1.1's octal, as go-yaml v2 reads it
        ("'0x1F'", "0x1F"),
    ],
)
def test_values_are_read_as_kubernetes_reads_them(written: str, read: object) -> None:
    # How the YAML reads, not whether a ConfigMap takes it (a number there is a field error).
    (design,) = load_text(configmap_with(written), "in.yaml", check_fields=False)
    assert design.components[0].settings["data"]["key"] == read
    assert "key:" in rendered_text(configmap_with(written), check_fields=False)


@pytest.mark.parametrize(
    ("written", "what"),
    [
        ("!!bool maybe", "cannot be read as !!bool"),
        ("!!int 0x", "cannot be read as !!int"),
        ("!!int ''", "cannot be read as !!int"),
        ("!!timestamp yesterday", "cannot be read as !!timestamp"),
        ("!!float abc", "cannot be read as !!float"),
        ('!!binary "a"', "cannot be read as !!binary"),
        ("1" * 4400, "more than 4,300 digits"),
        ("0x" + "f" * 4000, "more than 4,300 digits"),  # loads in Python, but no output could print it
        ('"\\ud800"', "invalid Unicode character"),  # libyaml refuses it; see the next test
        (".nan", "not a finite number"),
        ("-.inf", "not a finite number"),
        ("1.0e+999", "not a finite number"),
        ("!!set {a}", "unsupported YAML tag"),
    ],
)
def test_values_that_do_not_convert_are_errors_at_their_position(written: str, what: str) -> None:
    exc = error_for(configmap_with(written))
    assert what in exc.message
    assert exc.location is not None and exc.location.line == 5 and exc.location.column >= 8


def test_a_lone_surrogate_is_refused_by_the_builder_too() -> None:
    # PyYAML's pure-Python parser (used where libyaml is missing) lets "\ud800" through.
    node = yaml.compose('x: "\\ud800"', Loader=yaml.SafeLoader)
    with pytest.raises(DesignError, match="unpaired UTF-16 surrogate"):
        Builder("f.yaml").build(node)


def nested(depth: int) -> str:
    value = "1"
    for _ in range(depth):
        value = "{a: " + value + "}"
    return value


def test_nesting_is_bounded_with_its_position() -> None:
    # The object's top level is level 1: MAX_DEPTH - 1 more levels of spec are the most allowed.
    ok = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: x}\nspec: "
    assert rendered_text(ok + nested(MAX_DEPTH - 2) + "\n")
    exc = error_for(ok + nested(MAX_DEPTH + 50) + "\n")
    assert f"deeper than {MAX_DEPTH} levels" in exc.message
    assert exc.location is not None and exc.location.line == 4


def test_an_alias_cannot_nest_past_the_bound() -> None:
    deep = nested(MAX_DEPTH - 10)
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\nx: &d {deep}\ny: [[[[[[[[[[[[*d]]]]]]]]]]]]\n"
    assert "alias nests the document deeper" in error_for(text).message


def test_a_recursive_alias_is_refused() -> None:
    exc = error_for("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &a {x: *a}\n")
    assert "refers to the node that contains it" in exc.message


def test_alias_expansion_is_bounded_in_bytes_not_in_aliases() -> None:
    # Many aliases of a small value are fine: what counts is what they add once written out.
    small = "x: &s [1, 2]\ny: [" + ", ".join(["*s"] * 5000) + "]\n"
    assert load_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" + small, "ok.yaml", check_fields=False
    )
    # A 400-byte file whose few aliases stand for gigabytes of text is refused, fast.
    leaf = "x" * 300
    lines = [f'a: &a ["{leaf}", "{leaf}"]'] + [
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    ]
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" + "\n".join(lines) + "\n"
    started = time.perf_counter()
    exc = error_for(text)
    assert time.perf_counter() - started < 5
    assert f"more than {MAX_ALIAS_EXPANSION // 1048576} MiB" in exc.message
    assert len(text) < 1000


@pytest.mark.parametrize("anchor", ['x: &s "LONG"', '{"x":&s "LONG"}'], ids=["block", "json-like"])
def test_aliases_of_a_long_string_count_too(anchor: str) -> None:
    head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    text = head + anchor.replace("LONG", "v" * 100_000) + "\n" + "y: [" + ", ".join(["*s"] * 60) + "]\n"
    if anchor.startswith("{"):
        text = (
            head
            + "data: "
            + anchor.replace("LONG", "v" * 100_000)[:-1]
            + ', "y": ['
            + ", ".join(["*s"] * 60)
            + "]}\n"
        )
    assert "expand this document by more than" in error_for(text).message


@pytest.mark.parametrize("line_break", ["\x85", "\u2028", "\u2029"], ids=["NEL", "LS", "PS"])
def test_an_anchor_just_after_a_unicode_line_break_is_seen(line_break: str) -> None:
    # libyaml breaks lines at NEL, LS and PS too: an anchor right after one is an anchor all the same,
    # and the aliases of its long string count.
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        f"data: [x,{line_break}&s {'v' * 100_000}, " + ", ".join(["*s"] * 60) + "]\n"
    )
    assert "expand this document by more than" in error_for(text).message


def test_an_anchor_just_after_a_byte_order_mark_is_seen() -> None:
    # The mark is skipped by libyaml: the file's first node can carry an anchor (here a long key).
    text = "\ufeff&s " + "k" * 1000 + ": v\ny: [" + ", ".join(["*s"] * 5000) + "]\n"
    assert "expand this document by more than" in error_for(text.encode()).message


def test_substitutions_are_bounded_like_aliases() -> None:
    long_value = "v" * 100_000
    refs = " ".join(["${big}"] * 60)
    text = textwrap.dedent(
        f"""\
        apiVersion: designer/v1
        kind: Design
        metadata: {{name: d}}
        variables: {{big: {long_value}}}
        components:
          - {{name: c, kind: ConfigMap, apiVersion: v1, settings: {{data: {{a: "{refs}"}}}}}}
        """
    )
    assert "substitutions expand this document" in error_for(text).message


def test_meshery_references_are_bounded_like_aliases() -> None:
    long_value = "v" * 100_000
    refs = " ".join(["$(#ref.services.a.settings.data.k)"] * 60)
    text = f'name: p\nservices:\n  a: {{type: ConfigMap, settings: {{data: {{k: {long_value}}}}}}}\n  b: {{type: ConfigMap, settings: {{data: {{k: "{refs}"}}}}}}\n'
    assert "substitutions expand this document" in error_for(text).message


@pytest.mark.parametrize(
    "text",
    [
        "<<: {apiVersion: designer/v1, kind: Design}\nmetadata: {name: d}\n"
        "components: [{name: c, kind: ConfigMap, apiVersion: v1}]\n",
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: d}\n"
        "<<: {components: [{name: c, kind: ConfigMap, apiVersion: v1}]}\n",
        "name: p\n<<: {services: {c: {type: ConfigMap}}}\n",
        "apiVersion: v1\nkind: List\n<<: {items: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}]}\n",
        "schemaVersion: designs.meshery.io/v1beta1\nname: d\n"
        "<<: {components: [{component: {kind: ConfigMap, version: v1}, displayName: c}]}\n",
    ],
    ids=["design-apiversion", "design-components", "pattern", "list", "v1beta1"],
)
def test_merge_keys_at_the_top_level_load_and_locate(text: str) -> None:
    (design,) = load_text(text, "merged.yaml")
    (comp,) = design.components
    assert comp.kind == "ConfigMap"
    assert comp.location.line in (1, 2, 3, 4)  # inside the merged mapping, not a made-up line
    assert rendered_text(text)


def test_a_merge_key_needs_mappings() -> None:
    assert "merge key (<<) takes a mapping" in error_for(configmap_with("{<<: [1, 2]}")).message


@pytest.mark.parametrize("key", ["!!binary aGVsbG8=", "2001-12-14", "0x1F", "!!bool maybe", "'1'"])
def test_duplicate_keys_of_any_scalar_type_are_refused_with_both_lines(key: str) -> None:
    text = (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n  ? {key}\n  : x\n  ? {key}\n  : y\n"
    )
    exc = error_for(text)
    assert "duplicate key" in exc.message and "first written at line 5" in exc.message
    assert exc.location is not None and exc.location.line == 7


MESHERY = "name: p\nservices:\n  a:\n    type: Deployment\n    FIELD\n"


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (MESHERY.replace("FIELD", "labels: oops"), 5, "services.a.labels: expected a mapping, got a string"),
        (MESHERY.replace("FIELD", "settings: [x]"), 5, "services.a.settings: expected a mapping, got a list"),
        (MESHERY.replace("FIELD", "dependsOn: 5"), 5, "services.a.dependsOn: expected a list of strings"),
        (MESHERY.replace("FIELD", "traits: [x]"), 5, "services.a.traits: expected a mapping"),
        (
            MESHERY.replace("Deployment", "Application").replace("FIELD", "settings: {advanced: [x]}"),
            5,
            "services.a.settings.advanced: expected a mapping, got a list",
        ),
        (
            "schemaVersion: designs.meshery.io/v1beta1\nname: d\ncomponents:\n"
            "  - component: {kind: ConfigMap, version: v1}\n    configuration:\n      metadata: [x]\n",
            6,
            "components[0].configuration.metadata: expected a mapping, got a list",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: [x]\n",
            5,
            "document[0].metadata.namespace: expected a string, got a list",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app: [x]}\n",
            5,
            "metadata.labels.app: expected a string, got a list",
        ),
    ],
)
def test_readers_check_the_types_of_the_fields_they_read(text: str, line: int, what: str) -> None:
    exc = error_for(text)
    assert what in str(exc)
    assert exc.location is not None and exc.location.line == line


def test_a_long_kind_is_a_schema_error_with_a_kind_hint() -> None:
    design = "apiVersion: designer/v1\nkind: Design\nmetadata: {name: d}\ncomponents:\n  - name: c\n    kind: KIND\n    apiVersion: designer/v1\n"
    exc = error_for(design.replace("KIND", "K" * 300))
    assert "longer than 63 characters" in exc.message and exc.location is not None and exc.location.line == 6
    lowercase = error_for(design.replace("KIND", "configMap"))
    assert lowercase.hint is not None and "CamelCase" in lowercase.hint and "DNS" not in lowercase.hint


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_fifo_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "design.yaml"
    os.mkfifo(fifo)
    with pytest.raises(DesignError) as err:
        load_file(fifo)  # reading it would block forever: no writer
    assert "not a regular file" in str(err.value)


def test_a_control_character_is_located() -> None:
    exc = error_for("apiVersion: v1\nkind: Config\x01Map\n")
    assert "control characters" in exc.message
    assert exc.location is not None and exc.location.line == 2


SLOTS = {
    "configmap": "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {0}, namespace: {1}, labels: {{a: {2}}}}}\n"
    "data: {{k: {3}, {4}: v}}\nbinaryData: {{b: {5}}}\nimmutable: {6}\n",
    "native": textwrap.dedent(
        """\
        apiVersion: designer/v1
        kind: Design
        metadata: {{name: d, version: {0}}}
        variables: {{v: {1}}}
        components:
          - name: web
            kind: Deployment
            apiVersion: apps/v1
            namespace: {2}
            labels: {{app: {3}}}
            dependsOn: [{4}]
            settings: {{spec: {{replicas: {5}, template: {{spec: {{containers: [{{name: w, image: {6}}}]}}}}}}}}
          - {{name: {4}, kind: ConfigMap, apiVersion: v1, settings: {{data: {{k: "${{v}}"}}}}}}
        """
    ),
    "pattern": "name: p\nservices:\n  web:\n    type: {0}\n    namespace: {1}\n    labels: {{a: {2}}}\n"
    "    dependsOn: [{3}]\n    settings: {{replicas: {4}, containers: [{{name: w, image: {5}}}]}}\n"
    "  {3}:\n    type: ConfigMap\n    settings: {{data: {{k: {6}}}}}\n",
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=st.sampled_from(sorted(SLOTS)),
    values=st.lists(
        st.sampled_from(SCALARS) | st.sampled_from(["web", "cfg", "1.0.0", "3", "nginx"]),
        min_size=7,
        max_size=7,
    ),
)
def test_hostile_values_anywhere_load_or_fail_cleanly(template: str, values: list[str]) -> None:
    text = SLOTS[template].format(*values)
    try:
        rendered_text(text)
    except DesignerError as exc:
        assert exc.message
        for error in exc.each():
            assert error.location is not None


def test_a_file_nested_too_deep_for_the_policies_leaves_the_other_files_their_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # From about 125 levels regorus refuses the policies' input; the run used to stop there, blaming
    # the policy. Now the file is refused at load, at its line, and the other file is still checked.
    from designer.cli.main import run

    deep = tmp_path / "deep.yaml"
    deep.write_text(
        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: x}\nspec: "
        + nested(150)
        + "\n"
    )
    fine = tmp_path / "fine.yaml"
    fine.write_text(CONFIGMAP)
    assert run(["validate", "--no-cache", str(deep), str(fine)]) == 3
    out, err = capsys.readouterr()
    assert f"ok  {fine}: design 'fine'" in out
    assert f"error: {deep}:4:" in err and f"deeper than {MAX_DEPTH} levels" in err
    assert "policy error" not in err
