"""Parsing of the apply traits (wait, prune, replace) and durations."""

from __future__ import annotations

from typing import Any

import pytest

from designer.applying.traits import ApplyTraits, parse_duration, traits_of
from designer.errors import DesignError, Location
from designer.model import Component


def _comp(**traits: Any) -> Component:
    return Component(
        name="c",
        kind="Job",
        api_version="batch/v1",
        traits=traits,
        location=Location("d.yaml", 3),
        key_path="components[0]",
    )


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(90, 90.0), ("90s", 90.0), ("2m", 120.0), ("500ms", 0.5), ("1h", 3600.0), ("1.5", 1.5)],
)
def test_durations(raw: Any, seconds: float) -> None:
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["soon", True, "5 days"])
def test_bad_durations(raw: Any) -> None:
    with pytest.raises(DesignError, match="duration"):
        parse_duration(raw)


def test_traits() -> None:
    assert traits_of(None) == ApplyTraits()
    assert traits_of(_comp(wait="none")).wait is False
    assert traits_of(_comp(wait=False)).wait is False
    got = traits_of(_comp(wait={"timeout": "2m", "condition": "Complete"}, prune=False, replace=True))
    assert got == ApplyTraits(wait=True, timeout=120.0, condition="Complete", prune=False, replace=True)
    with pytest.raises(DesignError) as err:
        traits_of(_comp(wait="forever"))
    assert err.value.path == "components[0].traits.wait"
    assert err.value.location == Location("d.yaml", 3)
