"""The pure merge logic of the sandbox: FieldsV1 sets, SSA removal rules, patches and selectors.

In-process unit tests of designer.sandbox.fieldsets/apply/patching/selectors (no server needed).
"""

from __future__ import annotations

import pytest

from designer.kubetypes import shapes
from designer.sandbox import apply, fieldsets, patching, selectors
from designer.sandbox.status import ApiError

POD = {
    "metadata": {"name": "p", "labels": {"app": "a"}, "resourceVersion": "7"},
    "spec": {
        "containers": [
            {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}], "args": ["-v"]},
        ],
        "tolerations": [{"key": "k"}],
    },
    "status": {"phase": "Running"},
}
POD_SHAPE = shapes.for_kind("v1", "Pod")


def test_field_set_uses_list_keys_and_skips_server_metadata() -> None:
    paths = {fieldsets.path_str(p) for p in fieldsets.field_set(POD, POD_SHAPE, part="main")}
    assert paths == {
        ".metadata.labels.app",
        '.spec.containers[name="web"]',
        '.spec.containers[name="web"].name',
        '.spec.containers[name="web"].image',
        '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
        '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
        '.spec.containers[name="web"].args',
        ".spec.tolerations",
    }


def test_fields_v1_round_trip() -> None:
    paths = fieldsets.field_set(POD, POD_SHAPE, part="all")
    encoded = fieldsets.encode(paths)
    assert encoded["f:spec"]["f:containers"]['k:{"name":"web"}']["."] == {}
    assert encoded["f:status"] == {"f:phase": {}}
    assert fieldsets.decode(encoded) == paths


def test_custom_resource_lists_are_atomic() -> None:
    obj = {"spec": {"containers": [{"name": "x"}]}, "metadata": {"finalizers": ["a"]}}
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
    }
    paths = {fieldsets.path_str(p) for p in fieldsets.field_set(obj, shapes.for_crd(schema))}
    assert paths == {".spec.containers", '.metadata.finalizers[="a"]'}


def _apply(live: dict[str, object] | None, cfg: dict[str, object], manager: str, force: bool = False):  # type: ignore[no-untyped-def]
    return apply.server_side_apply(
        live,
        cfg,
        manager=manager,
        force=force,
        api_version="v1",
        shape=POD_SHAPE,
        part="all",
        subresource="",
        now="2026-01-01T00:00:00Z",
    )


def test_apply_removes_dropped_list_items_it_alone_owned() -> None:
    two = {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]},
    }
    one = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "1"}]}}
    live = _apply(None, two, "m")
    result = _apply(live, one, "m")
    assert [c["name"] for c in result["spec"]["containers"]] == ["a"]


def test_conflict_message_lists_managers_sorted() -> None:
    live = _apply(None, {"metadata": {"name": "p"}, "data": {"a": "1", "b": "1"}}, "zeta")
    live = _apply(live, {"metadata": {"name": "p"}, "data": {"c": "1"}}, "alpha")
    with pytest.raises(ApiError) as exc:
        _apply(live, {"metadata": {"name": "p"}, "data": {"a": "2", "b": "2", "c": "2"}}, "me")
    assert exc.value.code == 409
    assert exc.value.message == (
        'Apply failed with 3 conflicts: conflicts with "alpha":\n- .data.c\nconflicts with "zeta":\n- .data.a\n- .data.b'
    )
    forced = _apply(live, {"metadata": {"name": "p"}, "data": {"a": "2"}}, "me", force=True)
    owners = {e["manager"]: e["fieldsV1"] for e in forced["metadata"]["managedFields"]}
    assert owners["me"] == {"f:data": {"f:a": {}}}
    assert owners["zeta"] == {"f:data": {"f:b": {}}}


def test_strategic_merge_directives() -> None:
    live = {
        "spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]},
        "metadata": {"finalizers": ["x", "y"]},
    }
    patch = {
        "spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"name": "b", "$patch": "delete"}],
        },
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]},
    }
    result = patching.strategic_merge(live, patch, POD_SHAPE)
    assert result["spec"]["containers"] == [{"name": "a", "image": "1"}]
    assert result["metadata"]["finalizers"] == ["y"]
    assert live["spec"]["containers"][1]["name"] == "b"  # the input is left alone


def test_json_patch_operations_and_failed_test() -> None:
    doc = {"a": {"b": [1, 2]}, "c": 1}
    result = patching.json_patch(
        doc,
        [
            {"op": "add", "path": "/a/b/-", "value": 3},
            {"op": "move", "from": "/c", "path": "/d"},
            {"op": "copy", "from": "/d", "path": "/e"},
            {"op": "test", "path": "/e", "value": 1},
        ],
    )
    assert result == {"a": {"b": [1, 2, 3]}, "d": 1, "e": 1}
    with pytest.raises(ApiError) as exc:
        patching.json_patch(doc, [{"op": "test", "path": "/c", "value": 2}])
    assert exc.value.code == 422


def test_merge_patch_null_deletes() -> None:
    assert patching.merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"a": None, "b": {"c": None}}) == {
        "b": {"d": 2}
    }


def test_label_selector_forms_and_errors() -> None:
    match = selectors.label_selector("env in (prod, staging),!canary,tier")
    assert match is not None
    assert match({"metadata": {"labels": {"env": "prod", "tier": "web"}}})
    assert not match({"metadata": {"labels": {"env": "prod", "tier": "web", "canary": "1"}}})
    assert not match({"metadata": {"labels": {"env": "dev", "tier": "web"}}})
    with pytest.raises(ApiError) as exc:
        selectors.label_selector("env in prod)")
    assert exc.value.code == 400
