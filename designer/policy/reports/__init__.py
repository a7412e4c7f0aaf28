"""Renderers of a policy `Report`, one module per ``--output`` format: text, json, sarif, junit, github.

Each has ``render(report, context) -> str``; `RenderContext` carries what a report alone does not know
(exit code, tool version, the folder file paths are made relative to). Caller: designer.cli.validate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from designer.policy.findings import Report


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderContext:
    """Facts about the run that renderers print."""

    exit_code: int = 0
    tool_version: str = "0"
    base: Path = field(default_factory=Path.cwd)

    def relative(self, file: str | None) -> str | None:
        """``file`` relative to the base folder (POSIX separators) when it lies below it."""
        if not file:
            return None
        return _relative(file, str(self.base), os.getcwd())  # noqa: PTH109 (a str: no Path per finding)


@lru_cache(maxsize=4096)
def _relative(file: str, base: str, cwd: str) -> str:
    # Cached: a report names its files thousands of times, and resolving asks the file system. The
    # working folder is part of the key because relative paths resolve against it; the key is made of
    # strings because hashing Paths (or asking Path.cwd()) for every finding cost more than the lookup.
    folder, name = os.path.split(os.path.join(cwd, file))  # noqa: PTH118 (strings: no Path per file)
    if name in ("", ".", ".."):
        real = os.path.realpath(os.path.join(folder, name))  # noqa: PTH118
    else:
        # The folder's links resolved once for all its files (a repository has many files per
        # folder), then the file's own link if it is one: what Path.resolve() gives, with a stat or
        # two per file instead of one per component.
        real = os.path.join(_real_folder(folder), name)  # noqa: PTH118
        if os.path.islink(real):  # noqa: PTH114
            real = os.path.realpath(real)
    root = str(_resolved(base, cwd))
    if real == root:
        return "."
    below = root if root.endswith(os.sep) else root + os.sep
    if real.startswith(below):
        return real[len(below) :].replace(os.sep, "/")
    return Path(file).as_posix()


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


@lru_cache(maxsize=16)
def _resolved(folder: str, cwd: str) -> Path:
    return Path(folder).resolve()


FORMATS = ("text", "json", "sarif", "junit", "github")


def renderer(name: str) -> Callable[[Report, RenderContext], str]:
    """The render function of an output format."""
    if name == "json":
        from designer.policy.reports import json_report

        return json_report.render
    if name == "sarif":
        from designer.policy.reports import sarif

        return sarif.render
    if name == "junit":
        from designer.policy.reports import junit

        return junit.render
    if name == "github":
        from designer.policy.reports import github

        return github.render
    from designer.policy.reports import text

    return text.render
