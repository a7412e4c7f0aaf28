"""Property tests (hypothesis) of the two gates of the catalog: name checking and the archive reader.

Names: whatever text a design, archive or index supplies, a name that passes is one plain file name
inside the target folder, and the rules are catalog.schema.json's. Archives: generated hostile
archives (long-name and pax headers, huge or negative or base-256 sizes, links, devices, FIFOs,
folders, absolute and ``..`` paths, damaged checksums, truncation, garbage, byte flips of real
packages) are either read as exactly a design and its metadata or refused with CatalogError, never
another exception, and tarfile never reads a header the gate did not check.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from designer import resources
from designer.catalog import indexfile, names, packaging, unpacking
from designer.errors import CatalogError
from tests.catalog import archives
from tests.catalog.patterns import version_of
from tests.conftest import ROOT

EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# -- names ---------------------------------------------------------------------------------------


def test_the_name_rules_are_the_schemas() -> None:
    entry = json.loads((resources.schemas_dir() / "catalog.schema.json").read_text())["$defs"]["entry"]
    props = entry["properties"]
    assert (props["name"]["pattern"], props["name"]["maxLength"]) == (names.NAME_PATTERN, names.MAX_NAME)
    assert (props["version"]["pattern"], props["version"]["maxLength"]) == (
        names.VERSION_PATTERN,
        names.MAX_VERSION,
    )
    assert (props["file"]["pattern"], props["file"]["maxLength"]) == (names.FILE_PATTERN, names.MAX_FILE)


def _is_plain_file_name(text: str, folder: Path) -> bool:
    return (
        PurePosixPath(text).name == text
        and not text.startswith(".")
        and all(c not in text for c in "/\\\0\n\r")
        and len(text.encode()) <= 255
        and (folder / text).resolve().parent == folder.resolve()
    )


HOSTILE_TEXT = st.one_of(
    st.text(max_size=140),
    st.text(alphabet="./\\-_azAZ09\0\n é", max_size=40),
    st.sampled_from(["..", ".", "../../pwn", "/tmp/x", "a/b", "x\n", "-x", "x-", "C:\\x", "1.0.0\n"]),
)


@EXAMPLES
@given(name=st.one_of(HOSTILE_TEXT, st.from_regex(names.NAME_PATTERN, fullmatch=True)), version=HOSTILE_TEXT)
def test_a_name_that_passes_is_one_plain_file_name_in_the_folder(
    name: str, version: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.getbasetemp() / "names"
    try:
        archive = names.archive_name(name, version, origin="test")
    except CatalogError:
        assert not (names.is_valid("name", name) and names.is_valid("version", version))
        return
    assert names.is_valid("name", name) and names.is_valid("version", version)
    assert _is_plain_file_name(archive, folder)


@EXAMPLES
@given(
    name=st.from_regex(names.NAME_PATTERN, fullmatch=True).filter(lambda n: len(n) <= names.MAX_NAME),
    version=st.from_regex(names.VERSION_PATTERN, fullmatch=True),
    file=st.from_regex(names.FILE_PATTERN, fullmatch=True),
)
def test_every_name_the_schema_allows_is_safe(
    name: str, version: str, file: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.getbasetemp() / "names"
    assume(name.isascii() and version.isascii() and file.isascii() and len(version) <= names.MAX_VERSION)
    assume(len(file) <= names.MAX_FILE)
    assert _is_plain_file_name(names.archive_name(name, version, origin="test"), folder)
    assert _is_plain_file_name(file, folder)


@EXAMPLES
@given(name=HOSTILE_TEXT)
def test_an_index_entry_with_any_name_is_kept_only_when_the_name_passes(name: str) -> None:
    entry = {"name": name, "version": "1.0.0", "digest": "sha256:" + "0" * 64, "size": 1, "archive": "a"}
    document = json.dumps({"schema_version": 1, "kind": "CatalogIndex", "entries": [entry]})
    index = indexfile.parse_index(document, origin="index.json")
    assert len(index.entries) + len(index.skipped) == 1
    assert bool(index.entries) == names.is_valid("name", name)


# -- archives ------------------------------------------------------------------------------------

DESIGN = (ROOT / "patterns" / "httpbin.yaml").read_bytes()
TYPES = [
    b"0",
    b"\0",
    b"1",
    b"2",
    b"3",
    b"4",
    b"5",
    b"6",
    b"7",
    b"L",
    b"K",
    b"x",
    b"g",
    b"S",
    b"V",
    b"M",
    b"Z",
]
NAMES = st.one_of(
    st.sampled_from(
        ["metadata.json", "httpbin.yaml", "x.yaml", "dir/", "../x.yaml", "/etc/x", "a/../../b", "C:\\x"]
    ),
    st.text(alphabet="ab./\\-", min_size=1, max_size=300),
)


RARELY = st.sampled_from([False, False, False, False, True])
META = archives.metadata_json("httpbin", version_of("httpbin.yaml"), "httpbin.yaml", DESIGN)


@st.composite
def _member(draw: st.DrawFn) -> bytes:
    """One raw member: a header (any type, any declared size) and some data (maybe not what it claims)."""
    name = draw(NAMES).encode("utf-8", "surrogateescape")
    typeflag = draw(st.sampled_from(TYPES))
    # Data that is itself a header: a walk that skips data tarfile does not skip would miss it.
    hidden = st.builds(
        lambda kind, payload: archives.raw_header(b"hidden", kind, len(payload)) + archives.padded(payload),
        st.sampled_from(TYPES),
        st.binary(max_size=40),
    )
    data = draw(st.one_of(st.binary(max_size=600), st.just(DESIGN), hidden))
    size_kind = draw(st.sampled_from(["true", "true", "huge", "negative", "base256", "garbage"]))
    size_field = {
        "true": None,
        "huge": b"77777777777\0",
        "negative": b"-0000000001\0",
        "base256": b"\x80" + b"\0" * 7 + b"\x10\0\0\0",
        "garbage": b"zz\0         ",
    }[size_kind]
    header = archives.raw_header(name, typeflag, len(data), linkname=b"/etc/passwd", size_field=size_field)
    if len(name) > 100 and draw(st.booleans()):  # the long name in a GNU or pax extension first
        ext = draw(st.sampled_from([b"L", b"x"]))
        payload = (
            name + b"\0" if ext == b"L" else b"%d path=%s\n" % (len(name) + 8 + len(str(len(name))), name)
        )
        header = archives.raw_header(b"././@LongLink", ext, len(payload)) + archives.padded(payload) + header
    if draw(RARELY):  # a damaged checksum
        header = header[:148] + b"0000000\0" + header[156:]
    return header + archives.padded(data)


def _plain(name: str, data: bytes) -> bytes:
    return archives.raw_header(name.encode(), b"0", len(data)) + archives.padded(data)


@st.composite
def _hostile_archive(draw: st.DrawFn) -> bytes:
    """A package's two members (often), hostile ones before, between or after them, then damage."""
    good = [_plain("metadata.json", META), _plain("httpbin.yaml", DESIGN)] if draw(st.booleans()) else []
    hostile = draw(st.lists(_member(), min_size=0 if good else 1, max_size=4))
    members = draw(st.permutations(good + hostile))
    raw = b"".join(members) + (b"\0" * 1024 if draw(st.booleans()) else b"")
    if draw(RARELY):
        raw = raw[: draw(st.integers(0, len(raw)))]
    if draw(RARELY):
        raw += draw(st.binary(max_size=300))
    return raw if draw(RARELY) else archives.gzip_of(raw)


def _read_or_refuse(data: bytes) -> packaging.Package | None:
    started = time.monotonic()
    try:
        package = packaging.read_package(data, origin="hostile.tar.gz")
    except CatalogError:
        package = None
    assert time.monotonic() - started < 5
    return package


def _assert_exactly_a_design(package: packaging.Package) -> None:
    with tarfile.open(fileobj=io.BytesIO(package.data)) as tar:
        members = tar.getmembers()
    assert sorted(m.name for m in members) == sorted([packaging.METADATA_FILE, package.info.file])
    assert all(m.isfile() and "/" not in m.name for m in members)
    assert names.is_valid("file", package.info.file) and names.is_valid("name", package.info.name)


@EXAMPLES
@given(data=_hostile_archive())
def test_a_hostile_archive_is_read_as_a_design_or_refused(data: bytes) -> None:
    package = _read_or_refuse(data)
    if package is not None:
        _assert_exactly_a_design(package)


@EXAMPLES
@given(data=_hostile_archive())
def test_tarfile_never_reads_a_header_the_gate_did_not_check(data: bytes) -> None:
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    try:
        checked = unpacking.header_offsets(raw, "t", max_members=64)
    except CatalogError:
        return  # refused before tarfile
    assert _tarfile_offsets(raw) <= set(checked)


def _tarfile_offsets(raw: bytes) -> set[int]:
    read: set[int] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            read.update(member.offset for member in tar)
    except tarfile.TarError:
        pass
    return read


@pytest.mark.parametrize("outer", [*TYPES, b"/"], ids=lambda t: repr(t))
def test_the_gate_walks_every_type_as_tarfile_does(outer: bytes) -> None:
    """Every outer type, declaring as its size the header hidden in its data, over every inner type.

    A walk that skips data tarfile does not skip (folders, links, devices, an old-style "name/")
    would never check the hidden header that tarfile then reads.
    """
    name, typeflag = (b"olddir/", b"\0") if outer == b"/" else (b"outer", outer)
    for inner in TYPES:
        hidden = archives.raw_header(b"hidden", inner, 10) + archives.padded(b"0123456789")
        raw = archives.raw_header(name, typeflag, len(hidden)) + hidden + b"\0" * 1024
        try:
            checked = set(unpacking.header_offsets(raw, "t", max_members=64))
        except CatalogError:
            continue
        assert _tarfile_offsets(raw) <= checked, (outer, inner)


def _real_packages() -> list[bytes]:
    return [p.read_bytes() for p in sorted((ROOT / "catalog" / "archives").glob("*.tar.gz"))]


@EXAMPLES
@given(
    which=st.integers(0, 100),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
def test_real_packages_with_flipped_bytes_are_read_or_refused(
    which: int, flips: list[tuple[int, int]], cut: int | None
) -> None:
    packages = _real_packages()
    raw = bytearray(gzip.decompress(packages[which % len(packages)]))
    for where, mask in flips:
        raw[where % len(raw)] ^= mask
    mutated = bytes(raw if cut is None else raw[: cut % (len(raw) + 1)])
    package = _read_or_refuse(archives.gzip_of(mutated))
    if package is not None:
        _assert_exactly_a_design(package)


def test_a_yaml_alias_bomb_in_a_packaged_design_is_refused_at_once() -> None:
    """str() of the metadata would expand 9**9 list items; the reader only accepts strings."""
    levels = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    design = (
        "apiVersion: designer/v1\nkind: Design\nx:\n  l0: &l0 [lol]\n"
        + levels
        + "metadata:\n  name: bomb\n  version: 1.0.0\n  description: *l9\ncomponents: []\n"
    ).encode()
    meta = archives.metadata_json("bomb", "1.0.0", "bomb.yaml", design, "Deployment")
    data = archives.tar_gz([archives.regular("bomb.yaml", design), archives.regular("metadata.json", meta)])
    started = time.monotonic()
    with pytest.raises(CatalogError, match="description must be text"):
        packaging.read_package(data, origin="bomb.tar.gz")
    assert time.monotonic() - started < 2
