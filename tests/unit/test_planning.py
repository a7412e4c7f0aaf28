"""The Plan's JSON document and summary helpers."""

from __future__ import annotations

import json

from designer.model import ObjectRef
from designer.planning import Action, Change, Plan, Step

WEB = ObjectRef("apps/v1", "Deployment", "shop", "web")
NS = ObjectRef("v1", "Namespace", None, "shop")


def _plan() -> Plan:
    return Plan(
        steps=(
            Step(action=Action.NOOP, component="ns", ref=NS),
            Step(
                action=Action.UPDATE,
                component="web",
                ref=WEB,
                changes=(Change(path="spec.replicas", before=5, after=2, manager="kubectl"),),
                reason="live differs",
            ),
        ),
        context="sandbox",
        design="shop",
    )


def test_to_json_has_the_documented_shape() -> None:
    doc = _plan().to_json()
    assert doc["schema_version"] == 1
    assert doc["steps"][1] == {
        "action": "update",
        "component": "web",
        "object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
        "changes": [{"path": "spec.replicas", "before": 5, "after": 2, "manager": "kubectl"}],
        "reason": "live differs",
        "server_validated": True,
    }
    assert doc["steps"][0]["object"]["namespace"] is None
    json.dumps(doc)  # serialisable as is


def test_counts_and_has_changes() -> None:
    plan = _plan()
    assert plan.has_changes
    assert plan.counts() == {"create": 0, "update": 1, "noop": 1, "delete": 0, "replace": 0}
    assert plan.steps_for(Action.UPDATE)[0].ref == WEB
    quiet = Plan(steps=(Step(action=Action.NOOP, component="ns", ref=NS),))
    assert not quiet.has_changes


def test_bodies_never_reach_the_json() -> None:
    secret = ObjectRef("v1", "Secret", "shop", "db")
    step = Step(
        action=Action.CREATE,
        component="db",
        ref=secret,
        desired={"apiVersion": "v1", "kind": "Secret", "data": {"password": "c2VjcmV0"}},
    )
    assert "c2VjcmV0" not in json.dumps(Plan(steps=(step,)).to_json())
