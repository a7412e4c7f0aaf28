"""Adapter discovery through its cache, with real distributions (dist-info folders) put on sys.path:
a cache hit is used, installing or removing a package invalidates it, a corrupt or unwritable cache
falls back to scanning."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from designer.adapters.discovery import AdapterInfo, installed_adapters, scan


def install(site: Path, dist: str, adapter: str, target: str) -> None:
    """A minimal installed distribution declaring one designer adapter, as pip would leave it."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[designer.adapters]\n{adapter} = {target}\n")
    _tick(site)


def _tick(folder: Path) -> None:
    # Folder mtimes come from a coarse clock: two changes within one tick could share a value, which
    # real installs (seconds apart) never do. Move the mtime on explicitly.
    stat = folder.stat()
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def names(found: list[AdapterInfo]) -> set[str]:
    return {info.name for info in found}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DESIGNER_NO_CACHE", raising=False)
    return folder


def test_first_run_scans_and_writes_the_cache(site: Path, tmp_path: Path) -> None:
    install(site, "designer_fake", "fake", "fake_adapter:Adapter")
    found = installed_adapters()
    assert "fake" in names(found) and {"kubernetes", "istio", "linkerd", "performance"} <= names(found)
    doc = json.loads((tmp_path / "cache" / "designer" / "adapters.json").read_text())
    assert {a["name"] for a in doc["adapters"]} == names(found)


def test_a_matching_cache_is_used_without_scanning(site: Path, tmp_path: Path) -> None:
    installed_adapters()
    cache = tmp_path / "cache" / "designer" / "adapters.json"
    doc = json.loads(cache.read_text())
    doc["adapters"].append({"name": "from-cache", "target": "x:y", "distribution": "d", "version": "1"})
    cache.write_text(json.dumps(doc))
    assert "from-cache" in names(installed_adapters())  # only the cache could have said so
    assert "from-cache" not in names(installed_adapters(fresh=True))  # `design adapters` rescans
    assert "from-cache" not in names(installed_adapters())  # ... and rewrites the cache


def test_installing_and_removing_a_package_invalidates_the_cache(site: Path) -> None:
    assert "fake" not in names(installed_adapters())
    install(site, "designer_fake", "fake", "fake_adapter:Adapter")
    assert "fake" in names(installed_adapters())
    for file in (site / "designer_fake-1.0.dist-info").iterdir():
        file.unlink()
    (site / "designer_fake-1.0.dist-info").rmdir()
    _tick(site)
    assert "fake" not in names(installed_adapters())


def test_corrupt_or_unwritable_cache_falls_back_to_scanning(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(site, "designer_fake", "fake", "fake_adapter:Adapter")
    cache = tmp_path / "cache" / "designer" / "adapters.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("{not json")
    assert names(installed_adapters()) == names(scan())
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert names(installed_adapters()) == names(scan())


def test_no_cache_variable_always_scans(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "designer" / "adapters.json"
    monkeypatch.setenv("DESIGNER_NO_CACHE", "1")
    installed_adapters()
    assert not cache.exists()  # nothing written
    monkeypatch.delenv("DESIGNER_NO_CACHE")
    installed_adapters()
    doc = json.loads(cache.read_text())
    doc["adapters"].append({"name": "from-cache", "target": "x:y", "distribution": "d", "version": "1"})
    cache.write_text(json.dumps(doc))
    monkeypatch.setenv("DESIGNER_NO_CACHE", "1")
    assert "from-cache" not in names(installed_adapters())  # the (poisoned) cache is not read
    assert json.loads(cache.read_text())["adapters"][-1]["name"] == "from-cache"  # nor rewritten


def test_rewritten_entry_points_invalidate_the_cache(site: Path) -> None:
    # A legacy `setup.py develop` rewrites entry_points.txt inside its existing .egg-info folder:
    # no folder of sys.path changes, the file's own mtime does.
    install(site, "designer_fake", "fake", "fake_adapter:Adapter")
    assert "second" not in names(installed_adapters())
    entry_points = site / "designer_fake-1.0.dist-info" / "entry_points.txt"
    entry_points.write_text("[designer.adapters]\nfake = fake_adapter:Adapter\nsecond = fake_adapter:Other\n")
    _tick(entry_points)
    assert "second" in names(installed_adapters())


def test_no_home_folder_means_scanning(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    install(site, "designer_fake", "fake", "fake_adapter:Adapter")
    assert "fake" in names(installed_adapters())
