"""Helpers that build hostile or unusual archives for the tampering tests (test code only)."""

from __future__ import annotations

import gzip
import io
import tarfile


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
