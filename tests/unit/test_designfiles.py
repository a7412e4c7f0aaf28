"""Which files a folder gives `design validate`, and the tags of plain scalars as the loader reads them.

Both are shortcuts of designer's own over pathlib and PyYAML (one directory listing per folder instead
of rglob + is_file; remembered tags instead of trying every implicit resolver): each must give exactly
what the long way gives, the odd cases included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from designer.designfiles import YAML_SUFFIXES, expand_paths
from designer.errors import DesignError
from designer.loading.nodevalues import known_plain_tag, plain_tag
from tests.fuzz.mutation import SCALARS


def _rglob(folder: Path) -> list[Path]:
    """What the folder's files were before the shortcut: pathlib's own walk."""
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def _tree(root: Path) -> Path:
    folder = root / "repo"
    for name in ("a/x.yaml", "a/b/y.yml", ".hidden/z.yaml", "a/..yaml", "a/sp ace.yaml", "d.yaml/in.yaml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("kind: x\n")
    for name in (".yaml", "a/w.YAML", "a/e.", "a/notes.txt", "a/yaml"):
        (folder / name).write_text("")
    outside = root / "outside"
    outside.mkdir()
    (outside / "o.yaml").write_text("kind: x\n")
    (folder / "linked-folder").symlink_to(outside)  # listed by rglob, never entered
    (folder / "linked-folder.yaml").symlink_to(outside)  # a folder, not a file
    (folder / "linked.yaml").symlink_to(outside / "o.yaml")  # a file: kept
    (folder / "dangling.yaml").symlink_to(root / "missing.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    os.mkfifo(folder / "pipe.yaml")
    return folder


def test_a_folder_gives_the_yaml_files_rglob_gives(tmp_path: Path) -> None:
    folder = _tree(tmp_path)
    found = expand_paths([folder])
    assert found == _rglob(folder)
    assert [p.relative_to(folder).as_posix() for p in found] == [
        ".hidden/z.yaml",
        "a/..yaml",
        "a/b/y.yml",
        "a/sp ace.yaml",
        "a/x.yaml",
        "d.yaml/in.yaml",
        "linked.yaml",
    ]


def test_a_folder_is_written_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    for given_as in ("repo", "./repo/", str(folder), "repo/a/../a"):
        assert [str(p) for p in expand_paths([given_as])] == [str(p) for p in _rglob(Path(given_as))]


def test_a_folder_without_yaml_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(DesignError, match=r"folder holds no \.yaml or \.yml file"):
        expand_paths([tmp_path])


@given(st.one_of(st.sampled_from(SCALARS), st.text(max_size=80)))
def test_a_remembered_tag_is_the_one_the_resolvers_give(text: str) -> None:
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    assert plain_tag(text) == resolved
    assert plain_tag(text) == resolved  # remembered, or too long to remember
    assert known_plain_tag(text) in (resolved, None)
