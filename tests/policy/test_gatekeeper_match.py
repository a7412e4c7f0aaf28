"""Gatekeeper `spec.match` semantics over design objects (pure functions, no engine needed)."""

from __future__ import annotations

from typing import Any

import pytest

from designer.policy.gatekeeper import review_request
from designer.policy.gatekeeper_inventory import build_inventory
from designer.policy.gatekeeper_match import effective_namespace, matches, selector_matches

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web", "tier": "front"}},
}
DEPLOY: dict[str, Any] = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
NS: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {"name": "shop", "labels": {"env": "prod"}},
}
ROLE: dict[str, Any] = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "r"},
}
NAMESPACES = {"shop": NS}


@pytest.mark.parametrize(
    ("match", "obj", "expected"),
    [
        ({}, POD, True),
        ({"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}, POD, True),
        ({"kinds": [{"apiGroups": ["apps"], "kinds": ["Pod"]}]}, POD, False),
        ({"kinds": [{"apiGroups": ["*"], "kinds": ["*"]}]}, DEPLOY, True),
        ({"namespaces": ["shop"]}, POD, True),
        ({"namespaces": ["sh*"]}, POD, True),
        ({"namespaces": ["kube-system"]}, POD, False),
        ({"namespaces": ["default"]}, DEPLOY, True),  # no namespace = default
        ({"excludedNamespaces": ["*op"]}, POD, False),
        ({"namespaces": ["kube-system"]}, ROLE, True),  # cluster-scoped: namespace criteria do not apply
        ({"namespaces": ["shop"]}, NS, True),  # a Namespace matches by its own name
        ({"scope": "Cluster"}, POD, False),
        ({"scope": "Cluster"}, ROLE, True),
        ({"scope": "Namespaced"}, ROLE, False),
        ({"name": "web-*"}, POD, True),
        ({"name": "api"}, POD, False),
        ({"labelSelector": {"matchLabels": {"app": "web"}}}, POD, True),
        (
            {
                "labelSelector": {
                    "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]
                }
            },
            POD,
            False,
        ),
        ({"namespaceSelector": {"matchLabels": {"env": "prod"}}}, POD, True),
        ({"namespaceSelector": {"matchLabels": {"env": "dev"}}}, POD, False),
        (
            {"namespaceSelector": {"matchLabels": {"env": "prod"}}},
            DEPLOY,
            False,
        ),  # 'default' not in the design
    ],
)
def test_match(match: dict[str, Any], obj: dict[str, Any], expected: bool) -> None:
    assert matches(match, obj, NAMESPACES) is expected


def test_selector_operators() -> None:
    labels = {"a": "1", "b": "2"}
    assert selector_matches(
        {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "3"]}]}, labels
    )
    assert selector_matches({"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "c", "operator": "Exists"}]}, labels)
    assert not selector_matches({"matchLabels": {"a": "1", "b": "3"}}, labels)


def test_review_and_inventory_shapes() -> None:
    request = review_request(DEPLOY)
    assert request["kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert (request["name"], request["namespace"], request["operation"]) == ("web", "default", "CREATE")
    assert "namespace" not in review_request(ROLE)
    inventory = build_inventory([POD, DEPLOY, ROLE])
    assert inventory["namespace"]["shop"]["v1"]["Pod"]["web-1"] is POD
    assert inventory["namespace"]["default"]["apps/v1"]["Deployment"]["web"] is DEPLOY
    assert inventory["cluster"]["rbac.authorization.k8s.io/v1"]["ClusterRole"]["r"] is ROLE
    assert effective_namespace(ROLE) == ""
