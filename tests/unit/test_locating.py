"""Key paths → file positions: dotted keys, merge keys, and a Walker that remembers what it walked.

A Walker answers many lookups under one component; whatever it remembered from earlier lookups, each
answer must be the one a fresh walk from the root gives (the property test below).
"""

from __future__ import annotations

import textwrap

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.loading.locating import Walker, locate

DOC = textwrap.dedent(
    """\
    base: &base {inherited: 1, shadowed: 1}
    metadata:
      labels:
        app: web
        app.kubernetes.io/name: web
    a: {b: {c: short}}
    a.b: {c: long}
    spec:
      <<: *base
      shadowed: 2
      containers:
        - name: web
          ports: [{containerPort: 80}]
    """
)


def node() -> yaml.Node:
    return yaml.compose(DOC, Loader=yaml.SafeLoader)


def line(path: str, walker: Walker | None = None) -> int | None:
    found = walker.locate(path) if walker is not None else locate(node(), path, "f.yaml")
    return found.line if found is not None else None


def test_dotted_keys_take_the_longest_match_even_after_a_shorter_one_was_walked() -> None:
    walker = Walker(node(), "f.yaml")
    assert line("metadata.labels.app", walker) == 4
    assert line("metadata.labels.app.kubernetes.io/name", walker) == 5
    assert line("a.b.c", walker) == 7  # the key "a.b" wins over "a" then "b"
    assert line("a.x", walker) is None


def test_merge_keys_are_followed_and_explicit_keys_win() -> None:
    walker = Walker(node(), "f.yaml")
    assert line("spec.inherited", walker) == 1  # written in the merged mapping
    assert line("spec.shadowed", walker) == 10
    assert line("spec.containers[0].ports[0].containerPort", walker) == 13
    assert line("spec.containers[1]", walker) is None


PATHS = [
    "",
    "base",
    "metadata",
    "metadata.labels",
    "metadata.labels.app",
    "metadata.labels.app.kubernetes.io/name",
    "metadata.labels.app.kubernetes.io",
    "a",
    "a.b",
    "a.b.c",
    "a.b.d",
    "spec.inherited",
    "spec.shadowed",
    "spec.containers",
    "spec.containers[0]",
    "spec.containers[0].name",
    "spec.containers[0].ports[0]",
    "spec.containers[0].ports[0].containerPort",
    "spec.containers[3].name",
    "spec.containers[x]",
    "spec.containers[0",
    "nothing.here",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PATHS), min_size=1, max_size=25))
def test_a_walker_answers_as_a_fresh_walk_does_whatever_it_walked_before(paths: list[str]) -> None:
    root = node()
    walker = Walker(root, "f.yaml")
    for path in paths:
        assert walker.locate(path) == locate(root, path, "f.yaml"), path
