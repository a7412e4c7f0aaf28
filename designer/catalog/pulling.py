"""Writing a verified package to disk: the design file (default) or the archive itself.

Everything is checked in memory first (designer.catalog.sources.base.verified); only then is one
file written, through a temporary name and a rename, so a refused pull leaves nothing behind.
Callers: designer.cli.catalog, tests.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from designer.catalog import packaging
from designer.errors import CatalogError


def write(package: packaging.Package, dest: Path, *, archive: bool = False, force: bool = False) -> Path:
    """Write the design file (or, with ``archive``, the tar.gz) of ``package`` into folder ``dest``."""
    name = package.archive_name if archive else package.info.file
    if PurePosixPath(name).name != name or name in ("", ".", ".."):
        raise CatalogError(f"refusing file name {name!r} from the package", hint="nothing was written")
    target = dest / name
    if target.exists() and not force:
        raise CatalogError(f"{target} already exists", hint="pass --force to overwrite, or pull elsewhere")
    tmp = dest / f".{name}.{os.getpid()}.tmp"
    try:
        dest.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(package.data if archive else package.info.content)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CatalogError(f"cannot write {target}: {exc.strerror}") from exc
    return target
