"""`design catalog …` end to end through the CLI's error funnel: exit codes, JSON and text output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designer.catalog import indexfile
from designer.cli.main import run
from tests.catalog.patterns import version_of
from tests.conftest import PATTERNS, ROOT


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own sources file (never the user's)."""
    path = tmp_path / "config"
    monkeypatch.setenv("DESIGNER_CONFIG_DIR", str(path))
    return path


def test_build_writes_a_catalog_and_check_detects_staleness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patterns = tmp_path / "patterns"
    shutil.copytree(PATTERNS, patterns)
    out = tmp_path / "catalog"
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(out), "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema_version"] == 1
    assert len(report["entries"]) == len(list(PATTERNS.glob("*.yaml")))
    assert (out / "index.json").read_bytes() == (ROOT / "catalog" / "index.json").read_bytes()
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(out), "--check"]) == 0
    capsys.readouterr()
    edited = patterns / "istio-fault-injection.yaml"
    edited.write_text(edited.read_text().replace("5s", "7s"))
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(out), "--check"]) == 1
    assert (
        f"istio-fault-injection-{version_of('istio-fault-injection.yaml')}.tar.gz differs"
        in capsys.readouterr().out
    )


def test_pack_is_reproducible_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for out in ("a", "b"):
        assert (
            run(["catalog", "pack", str(PATTERNS / "istio-zero-trust.yaml"), "-o", str(tmp_path / out)]) == 0
        )
    archive = f"istio-zero-trust-{version_of('istio-zero-trust.yaml')}.tar.gz"
    first = (tmp_path / "a" / archive).read_bytes()
    assert first == (tmp_path / "b" / archive).read_bytes()
    assert first == (ROOT / "catalog" / "archives" / archive).read_bytes()


def test_list_show_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "list", "--output", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["source"] == "local" and len(listed["entries"]) >= 15
    assert run(["catalog", "show", "istio-wasm-plugin@latest", "--output", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["entry"]["type"] == "Security" and shown["versions"] == [
        version_of("istio-wasm-plugin.yaml")
    ]
    assert run(["catalog", "search", "retries", "mesh:istio"]) == 0
    assert "istio-retries-timeouts" in capsys.readouterr().out


def test_pull_writes_the_identical_design(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "pull", "prometheus-scraping", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "prometheus-scraping.yaml").read_bytes() == (
        PATTERNS / "prometheus-scraping.yaml"
    ).read_bytes()
    assert run(["catalog", "pull", "prometheus-scraping", "-o", str(tmp_path)]) == 3
    assert "already exists" in capsys.readouterr().err


def test_verify_reports_a_modified_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(ROOT / "catalog", folder)
    assert run(["catalog", "add-source", "copy", str(folder)]) == 0
    assert run(["catalog", "verify", "--source", "copy"]) == 0
    capsys.readouterr()
    (archive,) = (folder / "archives").glob("httpbin-*.tar.gz")
    version = archive.name.removeprefix("httpbin-").removesuffix(".tar.gz")
    data = bytearray(archive.read_bytes())
    data[-20] ^= 0xFF
    archive.write_bytes(bytes(data))
    assert run(["catalog", "verify", "--source", "copy", "--output", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    failed = [r for r in report["results"] if not r["ok"]]
    assert [r["ref"] for r in failed] == [f"httpbin@{version}"]
    assert "digest mismatch" in failed[0]["error"]
    out = tmp_path / "pulled"
    assert run(["catalog", "pull", "httpbin", "--source", "copy", "-o", str(out)]) == 3
    assert "digest mismatch" in capsys.readouterr().err
    assert not out.exists()


def test_sources_are_kept_in_the_config_dir(
    _config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["catalog", "add-source", "team", "oci://127.0.0.1:5000/designs"]) == 0
    assert run(["catalog", "add-source", "web", "https://example.com/catalog/"]) == 0
    capsys.readouterr()
    assert run(["catalog", "sources", "--output", "json"]) == 0
    listed = {s["name"]: s["kind"] for s in json.loads(capsys.readouterr().out)["sources"]}
    assert listed == {"local": "folder", "team": "oci", "web": "http"}
    assert (
        json.loads((_config_dir / "sources.json").read_text())["sources"]["team"]["url"]
        == "oci://127.0.0.1:5000/designs"
    )
    assert run(["catalog", "remove-source", "web"]) == 0
    assert run(["catalog", "add-source", "local", str(tmp_path)]) == 3
    assert run(["catalog", "add-source", "Bad_Name", str(tmp_path)]) == 3
    assert run(["catalog", "list", "--source", "nope"]) == 3
    err = capsys.readouterr().err
    assert "no catalog source named 'nope'" in err and "add-source" in err


def test_push_to_a_read_only_http_source_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "add-source", "web", "http://127.0.0.1:9/catalog"]) == 0
    assert run(["catalog", "push", str(PATTERNS / "httpbin.yaml"), "--source", "web"]) == 3
    assert "read-only HTTP index" in capsys.readouterr().err


def test_the_built_in_catalog_is_not_pushed_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "push", str(PATTERNS / "httpbin.yaml")]) == 3
    err = capsys.readouterr().err
    assert "is not pushed to" in err and "design catalog build" in err


def test_search_cuts_long_descriptions_at_a_word(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "search", "istio"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    index = {e.name: e for e in indexfile.read_index(ROOT / "catalog").entries}
    cut = 0
    for row in rows:
        name = row.split()[0]
        full = " ".join(index[name].description.split())
        shown = row[row.index(index[name].type) :].split(None, 2)[2]  # TYPE MESHES DESCRIPTION
        if shown.endswith(" …"):
            cut += 1
            kept = shown.removesuffix(" …")
            assert full.startswith(kept) and full[len(kept)] == " ", (kept, full)
        else:
            assert shown == full
    assert cut >= 3  # the catalog's descriptions are long: the rule was exercised


def test_build_check_names_the_real_catalog_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert run(["catalog", "build", "--check"]) == 0
    assert capsys.readouterr().out == "catalog: current\n"
    monkeypatch.chdir(tmp_path)
    assert run(["catalog", "build", "--check", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["catalog"] == str((ROOT / "catalog").resolve())
    out = tmp_path / "cat"
    shutil.copytree(ROOT / "catalog", out)
    (out / "index.json").write_text("{}")
    assert run(["catalog", "build", "--check", "--out", "cat"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "stale: cat/index.json is stale\n"
    assert "design catalog build --out cat" in captured.err
    assert "catalog_data" not in captured.out + captured.err
