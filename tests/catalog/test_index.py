"""The committed catalog index: current, schema-valid, searchable; building and `@latest` resolution."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from designer.catalog import building, entries, indexfile, packaging
from designer.catalog.sources import base, directory
from designer.errors import CatalogError
from tests.catalog.patterns import version_of, with_version
from tests.conftest import PATTERNS, ROOT

CATALOG = ROOT / "catalog"


def test_committed_catalog_is_current() -> None:
    """Fails when a pattern changed without `design catalog build` (index or archives stale)."""
    problems = building.check(PATTERNS, CATALOG)
    assert problems == [], "run `design catalog build`: " + "; ".join(problems)


def test_index_lists_every_pattern_with_metadata_and_digest() -> None:
    index = indexfile.read_index(CATALOG)
    files = sorted(p.name for p in PATTERNS.glob("*.yaml"))
    assert sorted(e.file for e in index.entries) == files
    assert len(files) >= 15
    for entry in index.entries:
        assert entry.description and entry.type and entry.meshes, entry.ref
        data = (CATALOG / entry.archive).read_bytes()
        assert packaging.digest_of(data) == entry.digest
        assert len(data) == entry.size


def test_a_broken_entry_is_skipped_and_named_with_its_key(tmp_path: Path) -> None:
    doc = json.loads((CATALOG / "index.json").read_text())
    broken = doc["entries"][2]
    broken["digest"] = "md5:abc"
    index = indexfile.parse_index(json.dumps(doc), origin="index.json")
    assert len(index.entries) == len(doc["entries"]) - 1
    (skipped,) = index.skipped
    assert skipped.raw == broken
    assert skipped.describe("index.json") == (
        f"index.json: entries[2] ({broken['name']!r}) skipped: digest: 'md5:abc' does not match "
        "'^sha256:[0-9a-f]{64}$'"
    )


def test_a_document_that_is_not_an_index_names_the_offending_key() -> None:
    doc = json.loads((CATALOG / "index.json").read_text())
    doc["kind"] = "Something"
    with pytest.raises(CatalogError) as info:
        indexfile.parse_index(json.dumps(doc), origin="index.json")
    assert info.value.path == "kind"
    assert "catalog.schema.json" in info.value.message


def _index(*refs: str) -> entries.CatalogIndex:
    made = []
    for ref in refs:
        name, _, version = ref.partition("@")
        made.append(
            entries.CatalogEntry.from_json(
                {"name": name, "version": version, "digest": "sha256:" + "1" * 64, "size": 1, "archive": "a"}
            )
        )
    return entries.CatalogIndex.of(made)


def test_resolve_latest_exact_and_missing() -> None:
    index = _index("web@1.2.0", "web@1.10.0", "web@2.0.0-rc.1", "db@0.1.0")
    assert index.resolve("web").version == "1.10.0"
    assert index.resolve("web@latest").version == "1.10.0"
    assert index.resolve("web@v1.2.0").version == "1.2.0"
    assert index.resolve("web@2.0.0-rc.1").version == "2.0.0-rc.1"
    with pytest.raises(CatalogError, match=r"no version 3\.0\.0") as info:
        index.resolve("web@3.0.0")
    assert info.value.hint == "available versions: 1.2.0, 1.10.0, 2.0.0-rc.1"
    with pytest.raises(CatalogError, match="no pattern named 'cache'"):
        index.resolve("cache")


def test_search_by_words_tag_type_and_mesh() -> None:
    index = indexfile.read_index(CATALOG)
    names = [e.name for e in index.search("circuit")]
    assert names[0] == "istio-circuit-breaker"
    assert {e.name for e in index.search("", mesh="linkerd")} >= {
        "linkerd-emojivoto",
        "linkerd-traffic-policy",
    }
    assert all(e.type == "Security" for e in index.search("type:security"))
    assert [e.name for e in index.search("tag:wasm")] == ["istio-wasm-plugin"]
    assert [e.name for e in index.search("prometheus mesh:none type:Observability")] == [
        "prometheus-scraping"
    ]
    assert index.search("no-such-thing-anywhere") == []


def test_folder_source_push_then_pull_latest(tmp_path: Path) -> None:
    """Push two versions into an empty folder catalog; pull resolves @latest; a taken version is immutable."""
    source = directory.DirectorySource("team", tmp_path / "cat")
    v1 = tmp_path / "v1" / "web.yaml"
    v1.parent.mkdir()
    text = (PATTERNS / "hpa-scale-behavior.yaml").read_text()
    v1.write_text(text)
    v2 = tmp_path / "v2" / "web.yaml"
    v2.parent.mkdir()
    v2.write_text(with_version(text, "1.1.0"))
    source.push(packaging.pack(v1))
    source.push(packaging.pack(v2))
    assert source.push(packaging.pack(v1)).version == version_of("hpa-scale-behavior.yaml")  # a no-op
    entry, package = base.pull(source, "hpa-scale-behavior@latest")
    assert entry.version == "1.1.0"
    assert package.info.content == v2.read_bytes()
    v1.write_text(text + "# changed\n")
    taken = re.escape(f"already holds hpa-scale-behavior@{version_of('hpa-scale-behavior.yaml')}")
    with pytest.raises(CatalogError, match=taken) as info:
        source.push(packaging.pack(v1))
    assert info.value.hint is not None and "bump metadata.version" in info.value.hint


def test_wrong_digest_in_the_index_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(CATALOG, folder)
    doc = json.loads((folder / "index.json").read_text())
    victim = doc["entries"][0]
    victim["digest"] = "sha256:" + "f" * 64
    (folder / "index.json").write_text(json.dumps(doc))
    source = directory.DirectorySource("copy", folder)
    with pytest.raises(CatalogError, match="digest mismatch"):
        base.pull(source, victim["name"])


def test_index_archive_paths_cannot_leave_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    shutil.copytree(CATALOG, folder)
    doc = json.loads((folder / "index.json").read_text())
    doc["entries"][0]["archive"] = "../../etc/passwd"
    (folder / "index.json").write_text(json.dumps(doc))
    with pytest.raises(CatalogError, match="leaves the catalog folder"):
        base.pull(directory.DirectorySource("copy", folder), doc["entries"][0]["name"])
