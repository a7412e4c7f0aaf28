"""Normalization: server-owned noise disappears, list order is not a change, and two properties
(hypothesis): normalize is idempotent, and comparing an object with itself finds nothing."""

from __future__ import annotations

import base64
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.diffing.comparing import compare, diff_paths, format_path
from designer.diffing.normalizing import ListKey, normalize, project, unkey

LIVE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "uid": "1b2c",
        "resourceVersion": "42",
        "generation": 3,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "managedFields": [{"manager": "designer", "operation": "Apply", "fieldsV1": {}}],
        "labels": {"app": "web", "app.kubernetes.io/managed-by": "designer", "designer.dev/design": "shop"},
        "annotations": {
            "deployment.kubernetes.io/revision": "3",
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "designer.dev/prune": "disabled",
        },
    },
    "spec": {
        "replicas": 2,
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                    },
                    {"name": "sidecar", "image": "envoy"},
                ]
            }
        },
    },
    "status": {"readyReplicas": 2},
}


def test_server_owned_fields_and_bookkeeping_are_dropped() -> None:
    norm = normalize(LIVE)
    assert norm["metadata"] == {
        "name": "web",
        "namespace": "shop",
        "labels": {"app": "web"},
        "annotations": {"designer.dev/prune": "disabled"},  # intent, not bookkeeping
    }
    assert "status" not in norm
    assert LIVE["metadata"]["uid"] == "1b2c"  # the input is not changed


def test_managed_by_label_of_another_tool_is_kept() -> None:
    body = copy.deepcopy(LIVE)
    body["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm"
    assert normalize(body)["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"


def test_associative_lists_are_keyed_and_order_free() -> None:
    reordered = copy.deepcopy(LIVE)
    containers = reordered["spec"]["template"]["spec"]["containers"]
    containers.reverse()
    containers[1]["env"].reverse()
    assert normalize(reordered) == normalize(LIVE)
    keyed = normalize(LIVE)["spec"]["template"]["spec"]["containers"]
    assert list(keyed) == [ListKey("name=web"), ListKey("name=sidecar")]
    assert unkey(normalize(LIVE))["spec"] == LIVE["spec"]


def test_atomic_lists_keep_their_order() -> None:
    a = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"args": ["a", "b"]}}
    b = copy.deepcopy(a)
    b["spec"]["args"] = ["b", "a"]
    assert [format_path(p) for p, _, _ in diff_paths(normalize(a), normalize(b))] == [
        "spec.args[0]",
        "spec.args[1]",
    ]


def test_secret_string_data_is_folded_into_data() -> None:
    desired = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"pw": "hunter2"},
    }
    live = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"pw": base64.b64encode(b"hunter2").decode()},
    }
    assert normalize(desired) == normalize(live)
    assert compare(live, desired).changes == ()


def test_project_keeps_only_what_the_design_sets() -> None:
    live = normalize(LIVE)
    desired = normalize(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}}
    )
    assert project(live, desired) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2},
    }


def test_paths_are_readable() -> None:
    assert (
        format_path(("metadata", "labels", "app.kubernetes.io/name"))
        == 'metadata.labels["app.kubernetes.io/name"]'
    )
    assert (
        format_path(("spec", "ports", ListKey("port=80,protocol=TCP"), "targetPort"))
        == "spec.ports[port=80,protocol=TCP].targetPort"
    )


# -- properties ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["a", "b", "1", "100m", "1Gi"])
)
_keys = st.sampled_from(["name", "image", "limits", "requests", "cpu", "env", "ports", "value", "port", "x"])


def _values(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _scalars
    inner = _values(depth - 1)
    named = st.lists(
        st.fixed_dictionaries({"name": st.sampled_from(["a", "b", "c"])}, optional={"v": inner}),
        max_size=3,
    )
    return st.one_of(_scalars, st.dictionaries(_keys, inner, max_size=4), st.lists(inner, max_size=3), named)


_objects = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["v1", "apps/v1"]),
        "kind": st.sampled_from(["Secret", "Deployment", "LimitRange"]),
        "metadata": st.fixed_dictionaries(
            {"name": st.just("o")},
            optional={
                "labels": st.dictionaries(st.sampled_from(["a", "designer.dev/design"]), st.just("v")),
                "uid": st.just("u"),
                "resourceVersion": st.just("1"),
            },
        ),
    },
    optional={
        "spec": st.dictionaries(_keys, _values(3), max_size=4),
        "status": _values(1),
        "data": st.dictionaries(_keys, st.just("eA==")),
    },
)


@settings(max_examples=150, deadline=None)
@given(_objects)
def test_normalize_is_idempotent(obj: dict[str, Any]) -> None:
    once = unkey(normalize(obj))
    assert unkey(normalize(once)) == once


@settings(max_examples=150, deadline=None)
@given(_objects)
def test_an_object_never_differs_from_itself(obj: dict[str, Any]) -> None:
    result = compare(obj, copy.deepcopy(obj))
    assert result.changes == ()
    assert result.equal
    assert diff_paths(normalize(obj), normalize(copy.deepcopy(obj))) == []
