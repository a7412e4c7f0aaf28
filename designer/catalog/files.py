"""Reading a catalog file from disk: regular files only, never more than a limit.

`stat` then `read_bytes` trusts the file: a FIFO reports size 0 and blocks the reader forever, and
``/dev/zero`` (or a symlink to it) reports size 0 and never ends. Here the file is opened without
blocking (and, inside a catalog folder, without following a final symlink), checked with ``fstat``
to be a regular file, and read up to ``limit`` bytes at most. Callers: designer.catalog.metadata,
indexfile, building, sources.directory, designer.cli.catalog.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from designer.errors import CatalogError

_CHUNK = 1 << 20


def read_regular(path: Path, *, limit: int, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file ``path``; CatalogError if it is anything else or over ``limit``."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: no such file", hint="check the path") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise CatalogError(
                f"{path} is a symbolic link", hint="catalog folders hold regular files; refused"
            ) from exc
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CatalogError(f"{path} is a folder", hint="give a file")
        if not stat.S_ISREG(mode):
            raise CatalogError(
                f"{path} is not a regular file (a device, FIFO or socket)", hint="refused; nothing was read"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if total > limit:
        raise CatalogError(f"{path}: larger than {limit} bytes", hint="refused")
    return b"".join(chunks)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename, so readers never see half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CatalogError(f"cannot write {path}: {exc.strerror}") from exc
    return path
