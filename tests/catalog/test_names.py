"""Names that become paths: every writer checks them first, and a bad index entry breaks nothing else.

A design's metadata.name (and version, and file name) becomes a file in a folder, an index entry and a
registry path. Each path that makes a file name is driven here with hostile names (CLI pack, push to a
folder, pull, pull --archive, the library writers behind build and the OCI push) and must refuse before
writing anything; an index that already lists a bad name (an older designer wrote it) is reported and the
entry skipped, while every other entry keeps working.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designer.catalog import building, metadata, packaging, pulling
from designer.catalog.sources import directory, oci
from designer.cli.main import run
from designer.errors import CatalogError
from tests.catalog import archives
from tests.catalog.patterns import with_version
from tests.conftest import PATTERNS, ROOT

HOSTILE_NAMES = ["../../pwn", "../pwn", "a/b", "..", ".hidden", "x\n", "UPPER", "pwn\0x", "-dash", "é"]


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNER_CONFIG_DIR", str(tmp_path / "config"))


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def _design_named(tmp_path: Path, name: str, version: str = "1.0.0") -> Path:
    text = (PATTERNS / "httpbin.yaml").read_text()
    text = text.replace("  name: httpbin\n", f"  name: {json.dumps(name)}\n", 1)
    text = with_version(text, json.dumps(version))
    path = tmp_path / "in" / "design.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "ABSOLUTE"])
def test_pack_refuses_a_name_that_would_leave_the_folder(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if name == "ABSOLUTE":
        name = str(tmp_path / "elsewhere" / "x")
    design = _design_named(tmp_path, name)
    before = _files(tmp_path)
    out = tmp_path / "out" / "deep"
    assert run(["catalog", "pack", str(design), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "metadata.name" in err and "cannot be used in the catalog" in err
    assert _files(tmp_path) == before


@pytest.mark.parametrize("version", ["1.0.0/../../x", "1.0.0\n", " 1.0.0", "1.0.0+" + "a" * 80])
def test_pack_refuses_a_version_that_is_not_a_plain_semver(version: str, tmp_path: Path) -> None:
    design = _design_named(tmp_path, "fine", version)
    before = _files(tmp_path)
    assert run(["catalog", "pack", str(design), "-o", str(tmp_path / "out")]) == 3
    assert _files(tmp_path) == before


def test_push_to_a_folder_refuses_a_bad_name_and_the_source_keeps_working(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = tmp_path / "team"
    assert run(["catalog", "add-source", "team", str(team)]) == 0
    assert run(["catalog", "push", str(PATTERNS / "httpbin.yaml"), "--source", "team"]) == 0
    index_before = (team / "index.json").read_bytes()
    before = _files(tmp_path)
    assert run(["catalog", "push", str(_design_named(tmp_path, "../../pwn")), "--source", "team"]) == 3
    assert _files(tmp_path) - before <= {tmp_path / "in" / "design.yaml"}
    assert (team / "index.json").read_bytes() == index_before
    capsys.readouterr()
    assert run(["catalog", "list", "--source", "team", "--output", "json"]) == 0
    assert [e["name"] for e in json.loads(capsys.readouterr().out)["entries"]] == ["httpbin"]


def _index_with_bad_entries(tmp_path: Path) -> Path:
    """A copy of catalog/ whose index also lists what an older designer could have written."""
    folder = tmp_path / "cat"
    shutil.copytree(ROOT / "catalog", folder)
    doc = json.loads((folder / "index.json").read_text())
    good = doc["entries"][0]
    doc["entries"].insert(1, {**good, "name": "../../pwn", "archive": "archives/../../pwn-1.0.0.tar.gz"})
    doc["entries"].append({**good, "name": "/tmp/x", "file": "../x.yaml"})
    doc["entries"].append({"name": "half-an-entry"})
    (folder / "index.json").write_text(json.dumps(doc, indent=2))
    return folder


def test_an_index_holding_bad_names_is_reported_and_the_rest_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _index_with_bad_entries(tmp_path)
    assert run(["catalog", "add-source", "old", str(folder)]) == 0
    capsys.readouterr()
    expected = {e.name for e in directory.DirectorySource("local", ROOT / "catalog").index().entries}
    assert run(["catalog", "list", "--source", "old", "--output", "json"]) == 0
    captured = capsys.readouterr()
    assert {e["name"] for e in json.loads(captured.out)["entries"]} == expected
    assert (
        captured.err.count("skipped") == 3 and "'../../pwn'" in captured.err and "entries[1]" in captured.err
    )
    assert run(["catalog", "search", "httpbin", "--source", "old"]) == 0
    assert run(["catalog", "show", "httpbin", "--source", "old"]) == 0
    assert run(["catalog", "pull", "httpbin", "--source", "old", "-o", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "httpbin.yaml").read_bytes() == (PATTERNS / "httpbin.yaml").read_bytes()
    capsys.readouterr()
    assert run(["catalog", "verify", "--source", "old", "--output", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert sum(not r["ok"] for r in report["results"]) == 3


def test_push_keeps_skipped_entries_as_they_were(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _index_with_bad_entries(tmp_path)
    bad = [
        e
        for e in json.loads((folder / "index.json").read_text())["entries"]
        if "/" in e["name"] or "digest" not in e
    ]
    text = with_version((PATTERNS / "httpbin.yaml").read_text(), "9.0.0")
    newer = tmp_path / "httpbin.yaml"
    newer.write_text(text)
    assert run(["catalog", "add-source", "old", str(folder)]) == 0
    assert run(["catalog", "push", str(newer), "--source", "old"]) == 0
    after = json.loads((folder / "index.json").read_text())["entries"]
    assert [e for e in after if "/" in e["name"] or "digest" not in e] == bad
    assert any(e["name"] == "httpbin" and e["version"] == "9.0.0" for e in after)


def _package_named(name: str, version: str = "1.0.0", file: str = "design.yaml") -> packaging.Package:
    """A package whose metadata skipped every check (as a bug upstream, or a hand-made object, would)."""
    info = metadata.DesignInfo(
        name=name,
        version=version,
        description="",
        type="Deployment",
        tags=(),
        meshes=(),
        file=file,
        content=b"apiVersion: designer/v1\nkind: Design\n",
    )
    return packaging.Package(b"\x1f\x8b not checked", info)


WRITERS = {
    "write_package": lambda p, d: packaging.write_package(p, d),
    "pull": lambda p, d: pulling.write(p, d),
    "pull --archive": lambda p, d: pulling.write(p, d, archive=True),
    "folder push": lambda p, d: directory.DirectorySource("t", d).push(p),
    "build entry": lambda p, d: building.entry_for(p, f"archives/{p.archive_name}"),
}


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize(
    ("name", "version", "file"),
    [
        ("../../pwn", "1.0.0", "design.yaml"),
        ("ok", "1.0.0/../x", "design.yaml"),
        ("ok", "1.0.0", "../x.yaml"),
    ],
)
def test_every_writer_checks_names_itself(
    writer: str, name: str, version: str, file: str, tmp_path: Path
) -> None:
    dest = tmp_path / "a" / "b"
    with pytest.raises(CatalogError, match=r"cannot be used in the catalog|refusing file name"):
        WRITERS[writer](_package_named(name, version, file), dest)
    assert _files(tmp_path) == set()


def test_pull_refuses_an_archive_whose_design_has_a_bad_name(tmp_path: Path) -> None:
    """The index entry is fine and the digest matches: the design inside names itself ../../pwn."""
    content = _design_named(tmp_path, "../../pwn").read_bytes()
    meta = archives.metadata_json("../../pwn", "1.0.0", "httpbin.yaml", content)
    data = archives.tar_gz(
        [
            archives.regular("httpbin.yaml", content),
            archives.regular("metadata.json", meta),
        ]
    )
    with pytest.raises(CatalogError, match="cannot be used in the catalog"):
        packaging.read_package(data, origin="evil.tar.gz", expected_digest=packaging.digest_of(data))


@pytest.mark.parametrize("ref", ["../../pwn", "ns/../other", "/abs", "x@1.0.0/../../y"])
def test_an_oci_source_builds_no_registry_path_from_a_bad_name(ref: str) -> None:
    """Refused before any request: the registry here is not even running (port 9 is discard)."""
    source = oci.OciSource("reg", "oci://127.0.0.1:9/ns")
    with pytest.raises(CatalogError, match="cannot be used in the catalog"):
        source.resolve(ref)
    name, _, version = ref.partition("@")
    with pytest.raises(CatalogError, match="cannot be used in the catalog"):
        source.reference(name, version or "1.0.0")
