"""Semver parsing, precedence and `@latest` resolution of catalog versions."""

from __future__ import annotations

import pytest

from designer.catalog import versions
from designer.errors import CatalogError


def test_precedence_follows_semver() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.2.0",
        "1.10.0",
        "2.0.0",
    ]
    shuffled = [ordered[i] for i in (5, 0, 9, 3, 7, 1, 8, 2, 6, 4)]
    assert sorted(shuffled, key=lambda v: versions.parse(v).sort_key()) == ordered


def test_latest_prefers_the_highest_release_over_prereleases() -> None:
    assert versions.latest(["1.2.0", "1.10.0", "1.9.9", "2.0.0-rc.1"]) == "1.10.0"
    assert versions.latest(["2.0.0-rc.1", "2.0.0-rc.2"]) == "2.0.0-rc.2"
    assert versions.latest([]) is None


def test_leading_v_and_build_metadata_name_the_same_version() -> None:
    assert versions.same("v1.2.3", "1.2.3")
    assert versions.same("1.2.3+build.7", "1.2.3")
    assert not versions.same("1.2.3", "1.2.4")


@pytest.mark.parametrize("bad", ["1.2", "01.2.3", "latest", "1.2.3.4", "", "1.2.3-"])
def test_non_semver_is_refused_with_a_hint(bad: str) -> None:
    with pytest.raises(CatalogError) as info:
        versions.parse(bad)
    assert "is not a semantic version" in info.value.message
    assert info.value.hint is not None and "MAJOR.MINOR.PATCH" in info.value.hint
