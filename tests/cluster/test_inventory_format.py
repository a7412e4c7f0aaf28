"""The ownership labels and the inventory ConfigMap format (pure functions, no server)."""

from __future__ import annotations

import pytest

from designer.cluster import inventory
from designer.errors import ClusterError
from designer.model import ObjectRef

WEB = ObjectRef("apps/v1", "Deployment", "shop", "web")
NS = ObjectRef("v1", "Namespace", None, "shop")


def test_with_ownership_keeps_other_labels_and_does_not_mutate() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}}}
    labelled = inventory.with_ownership(body, "shop")
    assert labelled["metadata"]["labels"] == {
        "a": "b",
        "app.kubernetes.io/managed-by": "designer",
        "designer.dev/design": "shop",
    }
    assert body["metadata"]["labels"] == {"a": "b"}


def test_label_value_is_valid_for_odd_design_names() -> None:
    assert inventory.label_value("my shop/v2") == "my-shop-v2"
    assert len(inventory.label_value("x" * 100)) == 63
    assert inventory.label_value("///") == "unnamed"


def test_inventory_body_round_trips_and_dedups() -> None:
    body = inventory.inventory_body("shop", [NS, WEB, NS], namespace="ops")
    assert body["metadata"]["name"] == "designer-inventory-shop"
    assert body["metadata"]["namespace"] == "ops"
    parsed = inventory.parse_inventory(body, design="shop", namespace="ops")
    assert parsed.refs == (NS, WEB)
    assert parsed.exists


def test_left_design_is_reverse_apply_order() -> None:
    db = ObjectRef("apps/v1", "StatefulSet", "shop", "db")
    inv = inventory.Inventory(design="shop", namespace="default", refs=(NS, db, WEB), exists=True)
    assert inv.left_design([NS]) == (WEB, db)
    assert inv.left_design([NS, db, WEB]) == ()


def test_corrupt_inventory_is_a_cluster_error() -> None:
    body = {"data": {"objects.json": "{not json"}}
    with pytest.raises(ClusterError, match="corrupt"):
        inventory.parse_inventory(body, design="shop", namespace="default")
