"""Quantities compare by value: the server's canonical form must not look like a change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from designer.diffing.comparing import compare
from designer.quantities import parse_quantity, same_quantity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1000m", "1"),
        ("1", 1),
        ("0.1", "100m"),
        ("1Gi", "1024Mi"),
        ("1Gi", "1073741824"),
        ("1k", "1000"),
        ("1e3", "1k"),
        ("500Mi", "512000Ki"),
        ("1.5Gi", "1536Mi"),
        (".5", "500m"),
    ],
)
def test_equal_quantities(a: object, b: object) -> None:
    assert same_quantity(a, b)
    assert same_quantity(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("1", "2"), ("1Gi", "1G"), ("100m", "100"), ("1Mi", "1M"), ("abc", "abc"), (True, 1), (None, None)],
)
def test_different_or_not_quantities(a: object, b: object) -> None:
    assert not same_quantity(a, b)


def test_parse_values() -> None:
    assert parse_quantity("250m") == Decimal("0.25")
    assert parse_quantity("2Ki") == 2048
    assert parse_quantity("1.5") == Decimal("1.5")
    assert parse_quantity("12x") is None
    assert parse_quantity("") is None


def _pod(cpu: object, memory: object, port: object = 80) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "ports": [{"containerPort": port}],
                    "resources": {"limits": {"cpu": cpu, "memory": memory}, "requests": {"cpu": cpu}},
                }
            ]
        },
    }


def test_compare_ignores_quantity_spelling_but_not_value() -> None:
    assert compare(_pod("1", "1Gi"), _pod("1000m", "1024Mi")).changes == ()
    changes = compare(_pod("1", "1Gi"), _pod("2", "1Gi")).changes
    assert [c.path for c in changes] == [
        "spec.containers[name=c].resources.limits.cpu",
        "spec.containers[name=c].resources.requests.cpu",
    ]
    assert (changes[0].before, changes[0].after) == ("1", "2")


def test_quantity_equality_only_in_quantity_places() -> None:
    # containerPort 80 vs "80" is a real difference in the API (intOrString elsewhere); keep it.
    changes = compare(_pod("1", "1Gi", port=80), _pod("1", "1Gi", port="80")).changes
    assert [c.path for c in changes] == [
        "spec.containers[name=c].ports[containerPort=80,protocol=TCP].containerPort"
    ]
