"""Safe, bounded YAML reading that remembers where every value came from.

The loader composes YAML into nodes with libyaml when available (safe: no object construction from
tags), then builds plain JSON-like values itself (designer.loading.nodevalues) so that it can refuse
what PyYAML would accept silently or crash on: duplicate keys, alias bombs, recursive aliases, deep
nesting, values that do not convert, non-JSON tags. Nodes are kept so that any key path can be
located later (designer.loading.locating), without precomputing positions for every value.

Callers: the format readers in designer/loading/.
"""

from __future__ import annotations

import operator
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from designer.errors import DesignError, Location
from designer.loading.locating import locate, locate_nearest, node_location
from designer.loading.nodevalues import Builder, known_plain_tag, plain_tag

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Larger design files are refused before they are read (100,000 generated components take 19 MiB)."""

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "Parsed",
    "locate",  # where a key path is written: designer.loading.locating, re-exported for other readers
    "locate_nearest",
    "node_location",
    "parse_documents",
    "read_documents",
    "scan_bytes",
    "scan_file",
]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, with plain scalars' tags remembered across documents (`plain_tag`).

    It has no path resolvers (``yaml_path_resolvers`` is empty, asserted below), so the resolver
    hooks the composer calls around every node do nothing: built-in no-ops take the place of
    PyYAML's Python methods, a tenth of composing a repository's small files.
    """

    descend_resolver = staticmethod(operator.is_)  # (parent, index) -> ignored
    ascend_resolver = staticmethod(tuple)  # () -> ignored

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            # The loader has no path resolvers: a plain scalar's tag depends on its text alone.
            return known_plain_tag(value) or plain_tag(value)
        tag: str = super().resolve(kind, value, implicit)
        return tag


assert not _Loader.yaml_path_resolvers, "path resolvers would need descend_resolver/ascend_resolver"


_ANCHOR = re.compile(rb"(?:^|[\s\[{,:\x85\xa8\xa9\xbf])&[^\s\[\]{},]")
"""An anchor property (``&name``); a file without one has no alias. libyaml also breaks lines at
NEL, LS and PS (UTF-8 ``c2 85``, ``e2 80 a8``, ``e2 80 a9``) and skips a byte order mark (``ef bb
bf``): an ``&`` after their last byte counts too (a needless careful build at worst; a missed anchor
would let its aliases' strings go unbounded)."""


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value, its root node, and the file it came from."""

    value: Any
    node: yaml.Node
    file: str
    index: int  # position of the document in its file, from 0
    references: bool = True  # False when the file holds no "${" (nothing to substitute or escape)

    def location(self) -> Location:
        """Where the document starts."""
        return node_location(self.node, self.file)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The documents of a file that could be read, and the errors of those that could not.

    A document whose values are wrong (a duplicate key, a value that does not convert) is an error
    of its own; the documents around it are still read. A YAML syntax error ends the stream: the
    documents before it are kept.
    """

    documents: list[Document]
    errors: list[DesignError]


def read_documents(path: Path, display: str | None = None) -> list[Document]:
    """Every non-empty YAML document in ``path``; the first problem of the file raised."""
    return _whole(scan_file(path, display))


def parse_documents(raw: bytes, name: str) -> list[Document]:
    """Every non-empty YAML document in ``raw``; the first problem raised."""
    return _whole(scan_bytes(raw, name))


def _whole(parsed: Parsed) -> list[Document]:
    if parsed.errors:
        raise parsed.errors[0]
    return parsed.documents


def scan_file(path: Path, display: str | None = None) -> Parsed:
    """Every non-empty YAML document in ``path``, and what is wrong with the rest."""
    name = display or str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DesignError(
                "not a regular file", location=Location.whole(name), hint="pass a YAML file or a folder"
            )
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise DesignError(
                f"file is {size / 1048576:.1f} MiB; designs larger than {MAX_FILE_BYTES // 1048576} MiB "
                "are refused",
                location=Location.whole(name),
                hint="split the design into several files",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise DesignError(f"cannot read file: {exc.strerror}", location=Location.whole(name)) from exc
    return scan_bytes(raw, name)


def scan_bytes(raw: bytes, name: str) -> Parsed:
    """Parse YAML bytes into documents; see `scan_file`. Whole-file problems are raised."""
    if b"\x00" in raw[:8192]:
        raise DesignError(
            "file is binary, not YAML", location=Location.whole(name), hint="pass a YAML design file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DesignError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            location=Location(name, line),
            hint="save the file as UTF-8",
        ) from exc
    anchors = b"&" in raw and _ANCHOR.search(raw) is not None
    references = b"${" in raw
    parsed = Parsed([], [])
    try:
        nodes: Iterator[yaml.Node | None] = yaml.compose_all(text, Loader=_Loader)
        for index, node in enumerate(nodes):
            if node is None:
                continue
            try:
                value = Builder(name, anchors=anchors).build(node)
            except DesignError as exc:
                parsed.errors.append(exc)
                continue
            if value is not None:
                parsed.documents.append(Document(value, node, name, index, references))
    except yaml.YAMLError as exc:
        parsed.errors.append(_syntax_error(exc, text, name))
    if not parsed.documents and not parsed.errors:
        raise DesignError(
            "file is empty: it holds no YAML document",
            location=Location.whole(name),
            hint="add a design (apiVersion: designer/v1, kind: Design) or Kubernetes manifests",
        )
    return parsed


def _syntax_error(exc: yaml.YAMLError, text: str, name: str) -> DesignError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        location = Location(name, mark.line + 1, mark.column + 1) if mark else Location.whole(name)
        problem = exc.problem or exc.context or "invalid YAML"
        return DesignError(
            f"invalid YAML: {problem}", location=location, hint="check indentation and quoting"
        )
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        location = Location(name, before.count("\n") + 1, len(before) - before.rfind("\n"))
        char = exc.character
        code = char if isinstance(char, int) else ord(char[:1] or "\0")
        return DesignError(
            f"invalid YAML: {exc.reason} (#x{code:04x})",
            location=location,
            hint="remove the control character, or write it as an escape in a double-quoted string",
        )
    return DesignError(f"invalid YAML: {exc}", location=Location.whole(name))
