"""Selection of designs for --changed-since (pure function over paths; git itself is exercised in
tests/cli/test_validate_policy.py)."""

from __future__ import annotations

from pathlib import Path

from designer.policy.changed import select_designs


def _tree(tmp_path: Path) -> list[Path]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = tmp_path / "a" / "one.yaml"
    one.write_text("kind: Design\n")
    two = tmp_path / "b" / "two.yaml"
    two.write_text("kind: Design\n# uses shared-values.yaml\n")
    return [one, two]


def test_nothing_changed_selects_nothing(tmp_path: Path) -> None:
    assert select_designs(_tree(tmp_path), set()) == []


def test_same_folder_and_name_mentions_are_references(tmp_path: Path) -> None:
    one, two = _tree(tmp_path)
    assert select_designs([one, two], {(tmp_path / "a" / "x.txt").resolve()}) == [one]
    shared = (tmp_path / "common" / "shared-values.yaml").resolve()
    assert select_designs([one, two], {shared}) == [two]
    assert select_designs([one, two], {two.resolve()}) == [two]


def test_changed_policy_or_waivers_selects_everything(tmp_path: Path) -> None:
    designs = _tree(tmp_path)
    policies = tmp_path / "policies"
    changed = {(policies / "deny.rego").resolve()}
    assert select_designs(designs, changed, always_all=[policies]) == designs
    waivers = tmp_path / "waivers.yaml"
    assert select_designs(designs, {waivers.resolve()}, always_all=[waivers]) == designs
