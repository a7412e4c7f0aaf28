"""The files `design ui` may read: the design files under the PATHs it was started with, and no other.

Every design the API names goes through a `DesignId`: the index of a root (a PATH as given) and a path
relative to it. An id is decoded, then refused unless the file's *real* path (symlinks resolved) lies
under the root's real path, is a regular YAML file, and the relative part holds no ``..`` and is not
absolute. Listing applies the same test, so a link that points out of a folder is neither listed nor
served. Ids are URL-safe base64 (a path has slashes, a URL segment must not). Callers: designer.ui.analysis
and the API handlers.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from designer.designfiles import YAML_SUFFIXES
from designer.errors import DesignerError, Location


class NotServedError(Exception):
    """An id that names no file the UI may read (unknown, malformed, or outside the PATHs)."""


@dataclass(frozen=True, slots=True)
class Root:
    """One PATH given on the command line: as written (for display) and resolved."""

    given: str
    real: Path

    @property
    def is_file(self) -> bool:
        return self.real.is_file()


@dataclass(frozen=True, slots=True)
class DesignFile:
    """A file the UI serves: its id, its real path, and the name people see (root-relative)."""

    id: str
    path: Path
    shown: str


class Workspace:
    """The roots and the files under them."""

    def __init__(self, paths: Sequence[str | Path]) -> None:
        roots: list[Root] = []
        for given in paths:
            real = Path(os.path.realpath(given))
            if not real.exists():
                raise DesignerError(
                    "no such file or folder",
                    location=Location.whole(str(given)),
                    hint="pass design files or folders",
                )
            roots.append(Root(str(given), real))
        if not roots:
            raise DesignerError("no PATH given", hint="e.g. design ui patterns/")
        self.roots = tuple(roots)

    @property
    def real_roots(self) -> tuple[Path, ...]:
        """The folders (or single files' folders' files) reading is confined to."""
        return tuple(root.real for root in self.roots)

    def files(self) -> list[DesignFile]:
        """Every servable design file, root by root, in a stable order."""
        found: list[DesignFile] = []
        for index, root in enumerate(self.roots):
            if root.is_file:
                candidates = [root.real]
            else:
                candidates = sorted(p for p in root.real.rglob("*") if p.suffix in YAML_SUFFIXES)
            for candidate in candidates:
                relative = "." if candidate == root.real else candidate.relative_to(root.real).as_posix()
                try:
                    found.append(self.resolve(encode(index, relative)))
                except NotServedError:
                    continue  # a link out of the folder, a folder named *.yaml, …
        return found

    def resolve(self, design_file_id: str) -> DesignFile:
        """The file an id names, after every containment check; NotServedError otherwise."""
        index, relative = decode(design_file_id)
        if not 0 <= index < len(self.roots):
            raise NotServedError("unknown root")
        root = self.roots[index]
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or "\\" in relative or "\x00" in relative:
            raise NotServedError("not a relative path inside the folder")
        if root.is_file:
            if relative != ".":
                raise NotServedError("a file root has no children")
            real = root.real
        else:
            real = Path(os.path.realpath(root.real / relative))
            if not real.is_relative_to(root.real) or real == root.real:
                raise NotServedError("outside the folder")
        if real.suffix not in YAML_SUFFIXES or not real.is_file():
            raise NotServedError("not a YAML file")
        shown = root.given if root.is_file else str(PurePosixPath(root.given) / relative)
        return DesignFile(design_file_id, real, shown)


def encode(root_index: int, relative: str) -> str:
    """The id of ``relative`` under root ``root_index``."""
    raw = f"{root_index}/{relative}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(design_file_id: str) -> tuple[int, str]:
    """(root index, relative path) of an id; NotServedError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(design_file_id + "=" * (-len(design_file_id) % 4)).decode()
        head, _, relative = raw.partition("/")
        return int(head), relative
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise NotServedError("malformed id") from exc
