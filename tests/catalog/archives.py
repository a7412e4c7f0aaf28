"""Helpers that build hostile or unusual archives for the tampering tests (test code only).

`tar_gz` goes through tarfile (well-formed archives with unsafe members); `raw_header` and
`streamed_bomb` write tar headers byte by byte, so a test can claim any size, type or name, and
build a header far larger than memory should hold without holding it itself.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import zlib

BLOCK = 512


def tar_gz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    """A tar.gz holding exactly ``members`` (data None for links and devices)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return gzip.compress(raw.getvalue(), mtime=0)


def regular(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    """A regular-file member."""
    return tarfile.TarInfo(name), data


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    """A non-regular member: tarfile.SYMTYPE, LNKTYPE, CHRTYPE, FIFOTYPE or DIRTYPE."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def raw_header(
    name: bytes, typeflag: bytes, size: int, *, linkname: bytes = b"", size_field: bytes | None = None
) -> bytes:
    """One 512-byte ustar header with a correct checksum; ``size_field`` overrides the octal size."""
    block = bytearray(BLOCK)
    block[0:100] = name[:100].ljust(100, b"\0")
    block[100:108] = b"0000644\0"
    block[108:116] = b"0000000\0"
    block[116:124] = b"0000000\0"
    block[124:136] = size_field if size_field is not None else b"%011o\0" % size
    block[136:148] = b"00000000000\0"
    block[156:157] = typeflag
    block[157:257] = linkname[:100].ljust(100, b"\0")
    block[257:265] = b"ustar\x0000"
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def padded(data: bytes) -> bytes:
    """``data`` padded with NULs to a whole number of blocks."""
    return data + b"\0" * (-len(data) % BLOCK)


def gzip_of(raw: bytes) -> bytes:
    """``raw`` compressed as a gzip stream."""
    return gzip.compress(raw, mtime=0)


def streamed_bomb(typeflag: bytes, size: int, *, fill: bytes = b"a", tail: bytes = b"") -> bytes:
    """A tar.gz whose first header (GNU long name 'L', pax 'x', …) carries ``size`` bytes of payload.

    The payload is compressed as it is produced, so a 256 MiB header costs the test a few hundred
    KiB. ``tail`` (whole blocks) follows the payload, e.g. a regular member the long name applies to.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [compressor.compress(raw_header(b"././@LongLink", typeflag, size))]
    left = size
    if typeflag == b"x":  # one pax record, "<length> path=<value>\n", whose length counts itself
        prefix = b"%d path=" % size
        out.append(compressor.compress(prefix))
        left -= len(prefix) + 1
    chunk = fill * (1 << 20)
    while left > 0:
        piece = chunk[: min(len(chunk), left)]
        out.append(compressor.compress(piece))
        left -= len(piece)
    trailer = b"\n" if typeflag == b"x" else b""
    out.append(compressor.compress(trailer + b"\0" * (-size % BLOCK)))
    out.append(compressor.compress(tail + b"\0" * (2 * BLOCK)))
    out.append(compressor.flush())
    return b"".join(out)


def metadata_json(name: str, version: str, file: str, design: bytes, type: str = "Workloads") -> bytes:
    """A package's metadata.json, written by hand so a test can make it say anything."""
    document = {
        "schema_version": 1,
        "name": name,
        "version": version,
        "description": "",
        "type": type,
        "tags": [],
        "meshes": [],
        "file": file,
        "design_digest": "sha256:" + hashlib.sha256(design).hexdigest(),
    }
    return json.dumps(document).encode()
