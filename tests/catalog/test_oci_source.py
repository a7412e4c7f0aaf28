"""OCI sources against a real docker-registry: round trip of every pattern, tampering, immutability."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.catalog import indexfile, packaging, pulling
from designer.catalog.sources import base, oci
from designer.cli.main import run
from designer.errors import CatalogError
from tests.catalog.patterns import version_of, with_version
from tests.catalog.registry import Registry, free_port, running_registry
from tests.conftest import PATTERNS, ROOT


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


def _catalog_packages() -> list[packaging.Package]:
    index = indexfile.read_index(ROOT / "catalog")
    return [
        packaging.read_package(
            (ROOT / "catalog" / e.archive).read_bytes(), origin=e.ref, expected_digest=e.digest
        )
        for e in index.entries
    ]


def test_push_every_pattern_then_pull_each_byte_identical(registry: Registry, tmp_path: Path) -> None:
    source = oci.OciSource("reg", f"oci://{registry.host}/patterns")
    packages = _catalog_packages()
    for package in packages:
        entry = source.push(package)
        assert entry.digest == package.digest
    listed = source.index()
    assert [e.ref for e in listed.entries] == [f"{p.info.name}@{p.info.version}" for p in packages]
    assert [e.name for e in listed.search("tag:wasm")] == ["istio-wasm-plugin"]
    for package in packages:
        out = tmp_path / package.info.name
        out.mkdir()
        entry, pulled = base.pull(source, f"{package.info.name}@latest")
        pulling.write(pulled, out)
        pulling.write(pulled, out, archive=True)
        assert (out / package.info.file).read_bytes() == (PATTERNS / package.info.file).read_bytes()
        assert (out / package.archive_name).read_bytes() == package.data


def test_artifact_uses_designer_media_types(registry: Registry) -> None:
    source = oci.OciSource("reg", f"oci://{registry.host}/media")
    package = packaging.pack(PATTERNS / "httpbin.yaml")
    source.push(package)
    url = f"http://{registry.host}/v2/media/httpbin/manifests/{package.info.version}"
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": oci.OCI_MANIFEST})
    with urllib.request.urlopen(request, timeout=5) as response:
        manifest = json.load(response)
    assert manifest["config"]["mediaType"] == "application/vnd.designer.config.v1+json"
    assert [layer["mediaType"] for layer in manifest["layers"]] == [
        "application/vnd.designer.design.v1.tar+gzip"
    ]
    assert manifest["layers"][0]["digest"] == package.digest
    assert manifest["annotations"]["org.opencontainers.image.version"] == package.info.version


def test_modified_blob_is_refused_and_nothing_written(registry: Registry, tmp_path: Path) -> None:
    source = oci.OciSource("reg", f"oci://{registry.host}/tamper")
    package = packaging.pack(PATTERNS / "istio-fault-injection.yaml")
    source.push(package)
    blob = registry.blob_path(package.digest)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    out = tmp_path / "out"
    with pytest.raises(CatalogError, match="digest mismatch") as info:
        _entry, pulled = base.pull(
            source, f"istio-fault-injection@{version_of('istio-fault-injection.yaml')}"
        )
        pulling.write(pulled, out)
    assert "nothing was written" in (info.value.hint or "")
    assert not out.exists()


def test_published_versions_are_immutable_and_latest_is_highest(registry: Registry, tmp_path: Path) -> None:
    source = oci.OciSource("reg", f"oci://{registry.host}/versions")
    text = (PATTERNS / "hpa-scale-behavior.yaml").read_text()
    own = version_of("hpa-scale-behavior.yaml")
    for version in (own, "1.10.0", "1.9.0", "2.0.0-rc.1"):
        path = tmp_path / version / "hpa.yaml"
        path.parent.mkdir()
        path.write_text(with_version(text, version))
        source.push(packaging.pack(path))
    assert source.resolve("hpa-scale-behavior").version == "1.10.0"
    assert source.resolve("hpa-scale-behavior@2.0.0-rc.1").version == "2.0.0-rc.1"
    changed = tmp_path / "changed.yaml"
    changed.write_text(text + "# edited\n")
    with pytest.raises(CatalogError, match="already holds"):
        source.push(packaging.pack(changed))
    with pytest.raises(CatalogError, match="no version 3"):
        source.resolve("hpa-scale-behavior@3.0.0")


def test_cli_push_pull_through_a_configured_oci_source(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESIGNER_CONFIG_DIR", str(tmp_path / "config"))
    assert run(["catalog", "add-source", "team", f"oci://{registry.host}/cli"]) == 0
    assert run(["catalog", "push", str(PATTERNS / "linkerd-traffic-policy.yaml"), "--source", "team"]) == 0
    assert run(["catalog", "search", "linkerd", "--source", "team", "--output", "json"]) == 0
    capsys.readouterr()
    assert run(["catalog", "list", "--source", "team", "--output", "json"]) == 0
    assert [e["name"] for e in json.loads(capsys.readouterr().out)["entries"]] == ["linkerd-traffic-policy"]
    assert (
        run(["catalog", "pull", "linkerd-traffic-policy", "--source", "team", "-o", str(tmp_path / "o")]) == 0
    )
    pulled = tmp_path / "o" / "linkerd-traffic-policy.yaml"
    assert pulled.read_bytes() == (PATTERNS / "linkerd-traffic-policy.yaml").read_bytes()
    assert run(["catalog", "verify", "--source", "team"]) == 0


def test_unreachable_registry_fails_fast_with_a_clear_error() -> None:
    source = oci.OciSource("gone", f"oci://127.0.0.1:{free_port()}/x")
    started = time.monotonic()
    with pytest.raises(CatalogError, match="cannot reach OCI registry") as info:
        source.index()
    assert time.monotonic() - started < 10
    assert "registry running" in (info.value.hint or "")


def test_artifact_metadata_breaking_the_schema_is_refused(registry: Registry, tmp_path: Path) -> None:
    """An artifact pushed by another tool with designer's media types but bad metadata is refused."""
    import oras.provider

    archive = tmp_path / "x-1.0.0.tar.gz"
    archive.write_bytes(packaging.pack(PATTERNS / "httpbin.yaml").data)
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps({"type": "NotAType", "tags": "oops", "file": "../../etc/passwd"}))
    oras.provider.Registry(hostname=registry.host, insecure=True).push(
        target=f"{registry.host}/foreign/httpbin:1.0.0",
        files=[f"{archive}:{packaging.MEDIA_TYPE}"],
        manifest_config=f"{config_file}:{packaging.CONFIG_MEDIA_TYPE}",
        disable_path_validation=True,
        quiet=True,
    )
    source = oci.OciSource("reg", f"oci://{registry.host}/foreign")
    with pytest.raises(CatalogError, match=r"metadata breaks catalog\.schema\.json"):
        source.resolve("httpbin")
    source.push(packaging.pack(PATTERNS / "istio-zero-trust.yaml"))
    # Listing skips the broken artifact and says so; the good one stays listed.
    listed = oci.OciSource("reg", f"oci://{registry.host}/foreign")
    assert [e.name for e in listed.index().entries] == ["istio-zero-trust"]
    (skipped,) = listed.skipped()
    assert "foreign/httpbin:1.0.0" in skipped and "catalog.schema.json" in skipped


def test_show_lists_versions_from_the_registry_tags(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESIGNER_CONFIG_DIR", str(tmp_path / "config"))
    text = (PATTERNS / "istio-retries-timeouts.yaml").read_text()
    for version in ("0.9.0", "1.0.0"):
        path = tmp_path / version / "retries.yaml"
        path.parent.mkdir()
        path.write_text(with_version(text, version))
        assert run(["catalog", "add-source", "show", f"oci://{registry.host}/show"]) == 0
        assert run(["catalog", "push", str(path), "--source", "show"]) == 0
    capsys.readouterr()
    assert run(["catalog", "show", "istio-retries-timeouts", "--source", "show", "--output", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["entry"]["version"] == "1.0.0" and shown["versions"] == ["0.9.0", "1.0.0"]
    assert shown["entry"]["type"] == "Resiliency"
