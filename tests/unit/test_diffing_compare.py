"""Field-level changes: paths, owners from managedFields, and Secret masking (pure, no server)."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from designer.diffing.comparing import compare
from designer.diffing.masking import MASK, MASK_AFTER, MASK_BEFORE, mask_pair
from designer.diffing.normalizing import ListKey
from designer.diffing.ownership import Owners
from designer.diffing.text import object_file_name, unified_diff
from designer.model import ObjectRef
from designer.planning import Action, Plan, Step

MANAGED = [
    {
        "manager": "designer",
        "operation": "Apply",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:tier": {}}},
            "f:spec": {
                "f:template": {
                    "f:spec": {"f:containers": {'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}}
                }
            },
        },
    },
    {
        "manager": "kubectl-edit",
        "operation": "Update",
        "fieldsV1": {"f:metadata": {"f:labels": {"f:tier": {}}}},
    },
    {
        "manager": "kubectl",
        "operation": "Update",
        "subresource": "scale",
        "fieldsV1": {"f:spec": {"f:replicas": {}}},
    },
]


def _deployment(
    replicas: int, image: str, tier: str, managed: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web", "namespace": "shop", "labels": {"tier": tier}}
    if managed is not None:
        meta["managedFields"] = managed
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }


def test_changes_name_the_owner_of_the_live_field() -> None:
    live = _deployment(5, "nginx:1", "hacked", MANAGED)
    after = _deployment(2, "nginx:2", "web")
    changes = {c.path: c for c in compare(live, after).changes}
    assert set(changes) == {
        "metadata.labels.tier",
        "spec.replicas",
        "spec.template.spec.containers[name=web].image",
    }
    assert changes["spec.replicas"].manager == "kubectl"
    assert (changes["spec.replicas"].before, changes["spec.replicas"].after) == (5, 2)
    # shared ownership: the manager that is not designer is the interesting one
    assert changes["metadata.labels.tier"].manager == "kubectl-edit"
    assert changes["spec.template.spec.containers[name=web].image"].manager == "designer"


def test_added_fields_have_no_owner() -> None:
    live = _deployment(2, "nginx:1", "web", MANAGED)
    after = copy.deepcopy(live)
    after["metadata"]["labels"]["new"] = "x"
    (change,) = compare(live, after).changes
    assert (change.path, change.before, change.after, change.manager) == (
        "metadata.labels.new",
        None,
        "x",
        None,
    )


def test_owners_parse_every_segment_kind() -> None:
    owners = Owners(
        [
            {
                "manager": "m1",
                "fieldsV1": {"f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {"f:targetPort": {}}}}},
            },
            {
                "manager": "m2",
                "fieldsV1": {
                    "f:metadata": {"f:finalizers": {'v:"a"': {}}},
                    "f:spec": {"f:args": {"i:0": {}}},
                },
            },
        ]
    )
    assert owners.manager_of(("spec", "ports", ListKey("port=80,protocol=TCP"), "targetPort")) == "m1"
    assert owners.manager_of(("spec", "args", 0)) == "m2"
    assert owners.manager_of(("spec",)) == "m1"  # a subtree: who owns something below it
    assert owners.manager_of(("nothing",)) is None
    assert owners.managers() == ("m1", "m2")


def _secret(data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop"},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


def test_secret_changes_are_masked() -> None:
    live = _secret({"user": "admin", "password": "old-pass", "gone": "x"})
    after = _secret({"user": "admin", "password": "new-pass", "token": "t0k"})
    changes = {c.path: (c.before, c.after) for c in compare(live, after).changes}
    assert changes == {
        "data.password": (MASK_BEFORE, MASK_AFTER),
        "data.token": (None, MASK),
        "data.gone": (MASK, None),
    }
    text = json.dumps(
        Plan(
            steps=(
                Step(
                    action=Action.UPDATE,
                    component="db",
                    ref=ObjectRef.of(live),
                    changes=compare(live, after).changes,
                ),
            )
        ).to_json()
    )
    for value in ("old-pass", "new-pass", "t0k", live["data"]["password"], after["data"]["password"]):
        assert value not in text


def test_secret_whole_data_added_is_masked() -> None:
    live = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}}
    after = _secret({"pw": "s3cret"})
    (change,) = compare(live, after).changes
    assert (change.path, change.before, change.after) == ("data", None, {"pw": MASK})


def test_mask_pair_like_kubectl() -> None:
    before, after = mask_pair(
        {"data": {"a": "1", "b": "2", "c": "3"}}, {"data": {"a": "1", "b": "9", "d": "4"}}
    )
    assert before == {"data": {"a": MASK, "b": MASK_BEFORE, "c": MASK}}
    assert after == {"data": {"a": MASK, "b": MASK_AFTER, "d": MASK}}


def test_unified_diff_masks_secrets_and_names_files_like_kubectl() -> None:
    live = _secret({"password": "old-pass"})
    after = _secret({"password": "new-pass"})
    step = Step(
        action=Action.UPDATE,
        component="db",
        ref=ObjectRef.of(live),
        live=live,
        predicted=after,
        desired=after,
    )
    text = unified_diff(step)
    assert "--- LIVE/v1.Secret.shop.db" in text
    assert "+++ MERGED/v1.Secret.shop.db" in text
    assert "-  password: '*** (before)'" in text
    assert "+  password: '*** (after)'" in text
    assert "old-pass" not in text and live["data"]["password"] not in text


def test_unified_diff_of_an_update_and_a_create() -> None:
    live = _deployment(5, "nginx:1", "web", MANAGED)
    after = _deployment(2, "nginx:1", "web")
    ref = ObjectRef.of(live)
    text = unified_diff(Step(action=Action.UPDATE, component="web", ref=ref, live=live, predicted=after))
    assert "-  replicas: 5\n" in text and "+  replicas: 2\n" in text
    assert "managedFields" not in text
    created = unified_diff(Step(action=Action.CREATE, component="web", ref=ref, desired=after))
    assert created.count("\n+") > 5 and "\n-  " not in created
    assert unified_diff(Step(action=Action.NOOP, component="web", ref=ref, live=live)) == ""
    assert object_file_name(ObjectRef("v1", "Namespace", None, "shop")) == "v1.Namespace.shop"
    assert object_file_name(ref) == "apps.v1.Deployment.shop.web"
