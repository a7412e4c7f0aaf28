"""Which files a `design` command reads: the YAML files named, and those found in the folders named.

Apart from designer.loading (whose readers import the YAML parser) so that `design validate` can list
its files and find every result in its cache without importing any reader. designer.loading
re-exports both names.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from designer.errors import DesignError, Location

YAML_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """The design files named by ``paths``, folders expanded in a stable (sorted) order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_yaml_files(path))
            if not found:
                raise DesignError(
                    "folder holds no .yaml or .yml file",
                    location=Location.whole(str(path)),
                    hint="pass a design file",
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise DesignError("no such file or folder", location=Location.whole(str(path)))
    return files


_IGNORED = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
"""Errors pathlib reads as "not a file / not a folder" (a dangling link, a link loop)."""


def _yaml_files(folder: Path) -> Iterator[Path]:
    """The files of ``folder`` and its subfolders named *.yaml or *.yml: what
    ``p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()`` gives, with one
    directory listing per folder and no stat of a plain file (rglob lists each folder twice and
    stats every file again: half the time of listing a repository of 400 small files). As rglob:
    linked folders are not entered, linked files are kept, an unreadable folder is skipped."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            name = entry.name
            dot = name.rfind(".")
            if 0 < dot < len(name) - 1 and name[dot:] in YAML_SUFFIXES and _is(entry.is_file):
                yield current / name
            if _is(entry.is_dir) and not entry.is_symlink():
                pending.append(current / name)


def _is(test: Callable[[], bool]) -> bool:
    try:
        return test()
    except OSError as exc:
        if exc.errno not in _IGNORED:
            raise
        return False
