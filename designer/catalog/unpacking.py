"""Opening an untrusted tar.gz with every cost bounded before tarfile sees a byte.

tarfile trusts its input: a GNU long-name or pax header of 1 GiB is read whole into memory (and
parsed with regular expressions) before any caller can look at the member. So the gzip stream is
read here through a limit on the total unpacked bytes (headers and padding included), then every
512-byte header is walked and checked the way tarfile will walk it: only plain USTAR members of the
types designer's packages can hold, or the ones the member checks explain (links, devices,
folders); extended headers (pax, GNU long names, sparse files) are refused unread. Only then does
tarfile parse what is left, and each member is checked again. Callers: designer.catalog.packaging.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from pathlib import PurePosixPath

from designer.errors import CatalogError

BLOCK = 512
_ALLOWED_TYPES = frozenset(b"\x000123456")
"""Regular files ('0', NUL), and the kinds the member checks refuse by name: hard link '1',
symlink '2', character '3' and block '4' devices, folder '5', FIFO '6'."""
_DATALESS_TYPES = frozenset(b"123456")
"""Types whose size field tarfile ignores when walking (no data blocks follow them)."""


def members(
    data: bytes, *, origin: str, unpacked_limit: int, max_members: int, max_size: int
) -> dict[str, bytes]:
    """The regular files of the tar.gz ``data`` by name; CatalogError for anything unsafe or too large."""
    raw = _gunzip(data, origin, unpacked_limit)
    header_offsets(raw, origin, max_members)
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                check_member(member, origin)
                if member.name in files:
                    raise CatalogError(f"{origin}: entry {member.name!r} appears twice", hint="refused")
                if member.size > max_size:
                    raise CatalogError(f"{origin}: entry {member.name!r} is too large", hint="refused")
                handle = tar.extractfile(member)
                assert handle is not None  # regular files always have a handle
                files[member.name] = handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CatalogError(f"{origin}: not a readable tar.gz archive: {exc}", hint="refused") from exc
    return files


def _gunzip(data: bytes, origin: str, limit: int) -> bytes:
    """The unpacked bytes of gzip ``data``: at most ``limit``, never more held in memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            # GzipFile.read(n) inflates incrementally and stops at n bytes: a bomb costs limit + 1.
            raw = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise CatalogError(f"{origin}: not a readable tar.gz archive: {exc}", hint="refused") from exc
    if len(raw) > limit:
        raise CatalogError(
            f"{origin}: archive unpacks to more than {limit} bytes", hint="refused; a package is one design"
        )
    return raw


def header_offsets(raw: bytes, origin: str, max_members: int) -> list[int]:
    """Check each header tarfile will read, at the offsets it will read them, before it reads any.

    Returns those offsets (a property test holds tarfile to them).
    """
    offsets: list[int] = []
    offset = count = 0
    while offset + BLOCK <= len(raw):
        header = raw[offset : offset + BLOCK]
        if header.count(0) == BLOCK:
            break  # end of archive: tarfile stops here too
        if not _checksum_ok(header):
            raise CatalogError(f"{origin}: damaged tar header at byte {offset}", hint="refused")
        count += 1
        if count > max_members:
            raise CatalogError(f"{origin}: archive has more than {max_members} entries", hint="refused")
        typeflag = header[156]
        if typeflag not in _ALLOWED_TYPES:
            raise CatalogError(
                f"{origin}: tar header type {chr(typeflag)!r} at byte {offset} is not allowed",
                hint="packages hold plain USTAR files (no pax or GNU long names); refused unread",
            )
        # tarfile reads an old-style NUL-typed "name/" as a folder, and skips no data after it.
        old_folder = typeflag == 0 and header[:100].split(b"\0", 1)[0].endswith(b"/")
        dataless = typeflag in _DATALESS_TYPES or old_folder
        size = 0 if dataless else _octal(header[124:136], origin, offset)
        offsets.append(offset)
        offset += BLOCK + size + (-size % BLOCK)
    return offsets


def _checksum_ok(header: bytes) -> bool:
    try:
        stored = int(header[148:156].split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        return False
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:])
    signed = sum(b - 256 if b > 127 else b for b in header[:148] + header[156:]) + 8 * 32
    return stored in (unsigned, signed)


def _octal(field: bytes, origin: str, offset: int) -> int:
    """A size field as tarfile reads it; base-256 (for files over 8 GiB) is refused."""
    if field[:1] in (b"\x80", b"\xff"):
        raise CatalogError(f"{origin}: tar header at byte {offset} claims a size over 8 GiB", hint="refused")
    try:
        size = int(field.split(b"\0", 1)[0].strip() or b"0", 8)  # what tarfile's nti() computes
    except ValueError:
        size = -1
    if size < 0:
        raise CatalogError(f"{origin}: tar header at byte {offset} has a bad size", hint="refused")
    return size


def check_member(member: tarfile.TarInfo, origin: str) -> None:
    """Refuse any member but a plain, flat, regular file."""
    name = member.name
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise CatalogError(f"{origin}: entry {name!r} has an absolute path", hint="refused; nothing written")
    if ".." in path.parts or "\\" in name:
        raise CatalogError(
            f"{origin}: entry {name!r} leaves the archive (..)", hint="refused; nothing written"
        )
    if member.issym() or member.islnk():
        raise CatalogError(f"{origin}: entry {name!r} is a link", hint="refused; nothing written")
    if member.isdev():
        raise CatalogError(f"{origin}: entry {name!r} is a device or FIFO", hint="refused; nothing written")
    if not member.isfile() or member.pax_headers:
        raise CatalogError(f"{origin}: entry {name!r} is not a regular file", hint="refused; nothing written")
    if len(path.parts) != 1:
        raise CatalogError(f"{origin}: entry {name!r} is in a folder; packages are flat", hint="refused")
