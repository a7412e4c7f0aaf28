"""Reproducible packages, and refusal of every unsafe or tampered archive before anything is written."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from designer.catalog import packaging, pulling
from designer.errors import CatalogError
from tests.catalog import archives
from tests.catalog.patterns import version_of
from tests.conftest import PATTERNS

DESIGN = PATTERNS / "istio-circuit-breaker.yaml"


def test_same_input_gives_the_same_bytes_whatever_the_file_times(tmp_path: Path) -> None:
    copy = tmp_path / DESIGN.name
    copy.write_bytes(DESIGN.read_bytes())
    first = packaging.pack(copy)
    os.utime(copy, (1_000_000, 1_000_000))
    copy.chmod(0o600)
    second = packaging.pack(copy)
    assert first.data == second.data
    assert first.digest == second.digest
    assert first.digest.startswith("sha256:") and len(first.digest) == 71


def test_archive_entries_are_normalised() -> None:
    package = packaging.pack(DESIGN)
    assert package.data[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(fileobj=__import__("io").BytesIO(package.data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted([DESIGN.name, "metadata.json"])
    assert all((m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) == (0, 0, 0, "", "", 0o644) for m in members)


def test_package_round_trip_keeps_the_design_bytes_and_metadata() -> None:
    package = packaging.pack(DESIGN)
    back = packaging.read_package(package.data, origin="t", expected_digest=package.digest)
    assert back.info.content == DESIGN.read_bytes()
    assert (back.info.name, back.info.version, back.info.type) == (
        "istio-circuit-breaker",
        version_of("istio-circuit-breaker.yaml"),
        "Resiliency",
    )
    assert back.info.meshes == ("istio",)


def test_digest_mismatch_is_refused() -> None:
    package = packaging.pack(DESIGN)
    with pytest.raises(CatalogError, match="digest mismatch") as info:
        packaging.read_package(package.data, origin="src:x@1.0.0", expected_digest="sha256:" + "0" * 64)
    assert info.value.hint is not None and "nothing was written" in info.value.hint


def _meta_for(name: str, content: bytes) -> bytes:
    """metadata.json naming ``name`` as the design file (written by hand: a bad name cannot be packed)."""
    info = packaging.metadata.design_info(content, file="x.yaml", origin=name)
    return json.dumps({**info.as_json(), "file": name}).encode()


CONTENT = DESIGN.read_bytes()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([archives.regular("../evil.yaml", CONTENT)], "leaves the archive"),
        ([archives.regular("a/../../evil.yaml", CONTENT)], "leaves the archive"),
        ([archives.regular("/etc/evil.yaml", CONTENT)], "absolute path"),
        ([archives.special("design.yaml", tarfile.SYMTYPE, "/etc/passwd")], "is a link"),
        ([archives.special("design.yaml", tarfile.LNKTYPE, "metadata.json")], "is a link"),
        ([archives.special("dev", tarfile.CHRTYPE)], "device or FIFO"),
        ([archives.special("fifo", tarfile.FIFOTYPE)], "device or FIFO"),
        ([archives.special("dir", tarfile.DIRTYPE)], "not a regular file"),
        ([archives.regular("sub/design.yaml", CONTENT)], "in a folder"),
        (
            [
                archives.regular("metadata.json", _meta_for("x.yaml", CONTENT)),
                archives.regular("x.yaml", CONTENT),
                archives.regular("x.yaml", CONTENT),
            ],
            "appears twice",
        ),
        ([archives.regular("x.yaml", CONTENT)], "no metadata.json"),
        (
            [
                archives.regular("metadata.json", _meta_for(".bashrc", CONTENT)),
                archives.regular(".bashrc", CONTENT),
            ],
            "file '.bashrc' cannot be used in the catalog",
        ),
        (
            [
                archives.regular("metadata.json", _meta_for("x.yaml", CONTENT)),
                archives.regular("x.yaml", CONTENT),
                archives.regular("extra.sh", b"rm -rf /"),
            ],
            "nothing else",
        ),
        (
            [
                archives.regular("metadata.json", _meta_for("x.yaml", CONTENT)),
                archives.regular("x.yaml", CONTENT.replace(b"maxConnections: 1", b"maxConnections: 9")),
            ],
            "does not match the digest",
        ),
    ],
)
def test_unsafe_archives_are_refused_and_nothing_is_written(
    tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], message: str
) -> None:
    data = archives.tar_gz(members)
    with pytest.raises(CatalogError, match=message):
        package = packaging.read_package(
            data, origin="hostile.tar.gz", expected_digest=packaging.digest_of(data)
        )
        pulling.write(package, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_oversized_and_garbage_archives_are_refused() -> None:
    with pytest.raises(CatalogError, match="larger than"):
        packaging.read_package(b"x" * (packaging.MAX_ARCHIVE_BYTES + 1), origin="big")
    with pytest.raises(CatalogError, match=r"not a readable tar\.gz"):
        packaging.read_package(b"not a tarball", origin="junk")


def test_only_native_semver_designs_can_be_packed(tmp_path: Path) -> None:
    manifest = tmp_path / "plain.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(CatalogError, match="only native designs") as info:
        packaging.pack(manifest)
    assert info.value.hint is not None and "design import" in info.value.hint
    unversioned = tmp_path / "d.yaml"
    unversioned.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: d, version: latest}\ncomponents: []\n"
    )
    with pytest.raises(CatalogError, match="version 'latest' cannot be used in the catalog") as info:
        packaging.pack(unversioned)
    assert "semantic version" in (info.value.hint or "")


def test_pull_write_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    package = packaging.pack(DESIGN)
    target = pulling.write(package, tmp_path)
    assert target.read_bytes() == CONTENT
    with pytest.raises(CatalogError, match="already exists"):
        pulling.write(package, tmp_path)
    assert pulling.write(package, tmp_path, archive=True).read_bytes() == package.data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([DESIGN.name, package.archive_name])
