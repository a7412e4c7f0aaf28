"""Decompression bombs and special files: every read of a package is bounded before it happens.

An archive is refused at the same small cost whatever its headers claim (GNU long names, pax
records, sizes), and a catalog folder's archive or index that is a FIFO, a device or a symlink to
one is refused instead of read. Each example here is first proved against the archive reader; the
generated hostile archives of test_archive_properties.py prove the class.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.catalog import packaging
from designer.catalog.sources import directory
from designer.cli.main import run
from designer.errors import CatalogError
from tests.catalog import archives
from tests.conftest import PATTERNS, ROOT

BOMB_BYTES = 96 * 1024 * 1024
"""A header this large costs tarfile that much memory (and more) if it reads it whole."""
PEAK_LIMIT = 24 * 1024 * 1024
"""What reading any archive may cost: a few times the unpacked limit, far below the bomb."""


def _regular_tail() -> bytes:
    return archives.raw_header(b"design.yaml", b"0", 3) + archives.padded(b"abc")


def _peak_of(func: object) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    caught: BaseException | None = None
    try:
        func()  # type: ignore[operator]
    except BaseException as exc:
        caught = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, caught


@pytest.mark.parametrize(
    "typeflag", [b"L", b"K", b"x", b"g"], ids=["gnu-longname", "gnu-longlink", "pax", "pax-global"]
)
def test_huge_extended_headers_are_refused_without_reading_them(typeflag: bytes) -> None:
    data = archives.streamed_bomb(typeflag, BOMB_BYTES, tail=_regular_tail())
    assert len(data) < packaging.MAX_ARCHIVE_BYTES  # small on the wire, huge unpacked
    started = time.monotonic()
    peak, caught = _peak_of(lambda: packaging.read_package(data, origin="bomb.tar.gz"))
    assert isinstance(caught, CatalogError), caught
    assert peak < PEAK_LIMIT, f"reading cost {peak / 2**20:.0f} MiB"
    assert time.monotonic() - started < 5


def test_unpacked_bytes_are_bounded_headers_and_padding_included() -> None:
    """Many blocks of zeros after a valid header: the bound counts every unpacked byte."""
    head = archives.raw_header(b"metadata.json", b"0", packaging.MAX_UNPACKED_BYTES)
    data = archives.gzip_of(head + b"\0" * (packaging.MAX_UNPACKED_BYTES + 4096))
    with pytest.raises(CatalogError, match="unpacks to more than"):
        packaging.read_package(data, origin="zeros.tar.gz")


def test_a_regular_package_stays_readable() -> None:
    package = packaging.pack(PATTERNS / "istio-bookinfo.yaml")
    back = packaging.read_package(package.data, origin="ok", expected_digest=package.digest)
    assert back.info.content == (PATTERNS / "istio-bookinfo.yaml").read_bytes()


def _catalog_copy(tmp_path: Path) -> tuple[Path, str, Path]:
    """A copy of catalog/ and one entry's name and archive path."""
    import shutil

    folder = tmp_path / "cat"
    shutil.copytree(ROOT / "catalog", folder)
    archive = next((folder / "archives").glob("httpbin-*.tar.gz"))
    return folder, "httpbin", archive


@pytest.mark.timeout(20)
def test_folder_archive_symlinked_to_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    folder, name, archive = _catalog_copy(tmp_path)
    archive.unlink()
    archive.symlink_to("/dev/zero")
    with pytest.raises(CatalogError, match=r"symbolic link|not a regular file"):
        directory.DirectorySource("copy", folder).fetch(
            directory.DirectorySource("copy", folder).resolve(name)
        )


@pytest.mark.timeout(20)
def test_folder_archive_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    folder, name, archive = _catalog_copy(tmp_path)
    archive.unlink()
    os.mkfifo(archive)
    source = directory.DirectorySource("copy", folder)
    with pytest.raises(CatalogError, match="not a regular file"):
        source.fetch(source.resolve(name))


@pytest.mark.timeout(20)
def test_folder_index_that_is_a_fifo_or_dev_zero_is_refused(tmp_path: Path) -> None:
    folder, _, _ = _catalog_copy(tmp_path)
    (folder / "index.json").unlink()
    os.mkfifo(folder / "index.json")
    with pytest.raises(CatalogError, match="not a regular file"):
        directory.DirectorySource("copy", folder).index()
    (folder / "index.json").unlink()
    (folder / "index.json").symlink_to("/dev/zero")
    with pytest.raises(CatalogError, match=r"symbolic link|not a regular file"):
        directory.DirectorySource("copy", folder).index()


@pytest.mark.timeout(20)
def test_pack_and_push_refuse_fifos_and_devices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "design.yaml"
    os.mkfifo(fifo)
    assert run(["catalog", "pack", str(fifo), "-o", str(tmp_path / "out")]) == 3
    assert "not a regular file" in capsys.readouterr().err
    zero = tmp_path / "zero.tar.gz"
    zero.symlink_to("/dev/zero")
    assert run(["catalog", "push", str(zero), "--source", "local"]) == 3
    assert "not a regular file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@settings(max_examples=8, deadline=None)
@given(
    typeflag=st.sampled_from([b"L", b"K", b"x", b"g"]),
    size=st.integers(packaging.MAX_UNPACKED_BYTES // 2, 32 * 1024 * 1024),
    fill=st.sampled_from([b"a", b"\0", b"7 path=", b"\xff"]),
)
def test_extended_headers_of_any_size_and_content_cost_the_same(
    typeflag: bytes, size: int, fill: bytes
) -> None:
    data = archives.streamed_bomb(typeflag, size, fill=fill, tail=_regular_tail())
    peak, caught = _peak_of(lambda: packaging.read_package(data, origin="bomb.tar.gz"))
    assert isinstance(caught, CatalogError), caught
    assert peak < PEAK_LIMIT, f"reading cost {peak / 2**20:.0f} MiB"
