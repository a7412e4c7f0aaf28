"""Safe, bounded YAML reading that remembers where every value came from.

The loader composes YAML into nodes with libyaml when available (safe: no object construction from
tags), then builds plain JSON-like values itself so that it can refuse what PyYAML would accept
silently: duplicate keys, alias bombs (billion laughs), non-JSON tags. Nodes are kept so that any key
path can be located later (`locate`), without precomputing positions for every value.

Callers: the format readers in designer/loading/.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from designer.errors import DesignError, Location

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Larger design files are refused before they are read (100,000 generated components take 19 MiB)."""

MAX_ALIAS_EXPANSION = 2_000_000
"""The most values a document's aliases may stand for once expanded (the file size bounds the rest)."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_SC = yaml.constructor.SafeConstructor
# Direct calls for the common scalar tags skip construct_object's bookkeeping (a third of load time).
_FAST_SCALARS: dict[str, Callable[[Any, Any], Any]] = {
    "tag:yaml.org,2002:int": _SC.construct_yaml_int,
    "tag:yaml.org,2002:bool": _SC.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SC.construct_yaml_null,
    "tag:yaml.org,2002:float": _SC.construct_yaml_float,
}


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value, its root node, and the file it came from."""

    value: Any
    node: yaml.Node
    file: str
    index: int  # position of the document in its file, from 0

    def location(self) -> Location:
        """Where the document starts."""
        return node_location(self.node, self.file)


def node_location(node: yaml.Node, file: str) -> Location:
    """The 1-based file position of a node."""
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def read_documents(path: Path, display: str | None = None) -> list[Document]:
    """Every non-empty YAML document in ``path``, or a DesignError that says what is wrong."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DesignError(
                f"file is {size / 1048576:.1f} MiB; designs larger than {MAX_FILE_BYTES // 1048576} MiB "
                "are refused",
                location=Location(name, 1),
                hint="split the design into several files",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise DesignError(f"cannot read file: {exc.strerror}", location=Location(name, 1)) from exc
    return parse_documents(raw, name)


def parse_documents(raw: bytes, name: str) -> list[Document]:
    """Parse YAML bytes into documents; see `read_documents`."""
    if b"\x00" in raw[:8192]:
        raise DesignError(
            "file is binary, not YAML", location=Location(name, 1), hint="pass a YAML design file"
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
    docs: list[Document] = []
    try:
        nodes: Iterator[yaml.Node | None] = yaml.compose_all(text, Loader=_Loader)
        for index, node in enumerate(nodes):
            if node is None:
                continue
            builder = _Builder(name)
            value = builder.build(node)
            if value is None:
                continue
            docs.append(Document(value=value, node=node, file=name, index=index))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise DesignError(
            f"invalid YAML: {problem}", location=location, hint="check indentation and quoting"
        ) from exc
    except yaml.YAMLError as exc:
        raise DesignError(f"invalid YAML: {exc}", location=Location(name, 1)) from exc
    if not docs:
        raise DesignError(
            "file is empty: it holds no YAML document",
            location=Location(name, 1),
            hint="add a design (apiVersion: designer/v1, kind: Design) or Kubernetes manifests",
        )
    return docs


class _Builder:
    """Builds JSON-like values from nodes, refusing duplicate keys and runaway alias expansion."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.expanded = 0
        self._built: dict[int, tuple[Any, int]] = {}
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        value, _ = self._build(node)
        return value

    def _build(self, node: yaml.Node) -> tuple[Any, int]:
        seen = self._built.get(id(node))
        if seen is not None:
            # An alias: the value is shared, but later copies will write it out in full.
            self.expanded += seen[1]
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise DesignError(
                    f"YAML aliases expand this document past {MAX_ALIAS_EXPANSION:,} values (an alias bomb?)",
                    location=node_location(node, self.file),
                    hint="write the repeated content out, or use fewer nested aliases",
                )
            return seen
        result: tuple[Any, int]
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            raise DesignError(
                f"unsupported YAML tag {node.tag!r}",
                location=node_location(node, self.file),
                hint="designs hold plain data only: strings, numbers, booleans, lists and mappings",
            )
        if isinstance(node, yaml.MappingNode):
            result = self._mapping(node)
        elif isinstance(node, yaml.SequenceNode):
            values = []
            size = 1
            for child in node.value:
                value, child_size = self._child(child)
                values.append(value)
                size += child_size
            result = (values, size)
        else:
            result = (self._scalar(node), 1)
        self._built[id(node)] = result
        return result

    def _child(self, node: yaml.Node) -> tuple[Any, int]:
        # Plain scalars (most nodes) skip the alias memo: only collections can make an alias bomb.
        if type(node) is yaml.ScalarNode and node.tag == _STR_TAG:
            return node.value, 1
        return self._build(node)

    def _mapping(self, node: yaml.MappingNode) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        size = 1
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                value, vsize = self._build(value_node)
                sources = value if isinstance(value, list) else [value]
                for source in sources:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            merged.setdefault(k, v)
                size += vsize
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise DesignError(
                    "mapping keys must be plain strings, not lists or mappings",
                    location=node_location(key_node, self.file),
                )
            key = key_node.value if key_node.tag == _STR_TAG else self._scalar(key_node)
            key = key if isinstance(key, str) else _key_text(key, key_node)
            if key in out:
                self._duplicate(node, key, key_node)
            value, vsize = self._child(value_node)
            out[key] = value
            size += vsize
        for k, v in merged.items():
            out.setdefault(k, v)
        return out, size

    def _duplicate(self, node: yaml.MappingNode, key: str, again: yaml.Node) -> None:
        first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and str(k.value) == key)
        raise DesignError(
            f"duplicate key {key!r} (first written at line {first.start_mark.line + 1})",
            location=node_location(again, self.file),
            hint="remove one of the two entries; YAML would silently keep only the last",
        )

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        fast = _FAST_SCALARS.get(tag)
        if fast is not None:
            return fast(self._scalars, node)
        try:
            value = self._scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise DesignError(
                f"unsupported YAML tag {node.tag!r}",
                location=node_location(node, self.file),
                hint="designs hold plain data only: strings, numbers, booleans, lists and mappings",
            ) from exc
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value


def _key_text(key: Any, node: yaml.Node) -> str:
    # YAML allows `1: x` or `true: x`; JSON and Kubernetes only know string keys.
    text = node.value if isinstance(node.value, str) else str(key)
    return str(text)


KeyNormalizer = Callable[[str], str]
"""Turns a key as written into the key it stands for (identity, or Meshery's de-prettifying)."""


def _as_written(key: str) -> str:
    return key


def locate(node: yaml.Node, path: str, file: str, normalize: KeyNormalizer = _as_written) -> Location | None:
    """The position of ``path`` (``a.b[2].c``) under ``node``; None when the path is not written.

    Keys may contain dots (label and annotation keys do), so each step takes the longest key of the
    mapping that the remaining path starts with.
    """
    current = node
    rest = path
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0 or not isinstance(current, yaml.SequenceNode):
                return None
            try:
                index = int(rest[1:end])
                current = current.value[index]
            except (ValueError, IndexError):
                return None
            rest = rest[end + 1 :].removeprefix(".")
            continue
        if not isinstance(current, yaml.MappingNode):
            return None
        found = _match_key(current, rest, normalize)
        if found is None:
            return None
        key_node, value_node, consumed = found
        rest = rest[consumed:].removeprefix(".")
        if not rest:
            return node_location(key_node, file)
        current = value_node
    return node_location(current, file)


def locate_nearest(node: yaml.Node, path: str, file: str) -> Location:
    """The position of ``path`` under ``node``, or of its nearest written parent (a missing key's mapping)."""
    while path:
        found = locate(node, path, file)
        if found is not None:
            return found
        path = path[: path.rindex("[")] if path.endswith("]") else path.rpartition(".")[0]
    return node_location(node, file)


def _match_key(
    node: yaml.MappingNode, rest: str, normalize: KeyNormalizer
) -> tuple[yaml.Node, yaml.Node, int] | None:
    # The candidate keys are the prefixes of the path up to each '.' or '[': usually one or two.
    candidates = {rest[:end]: end for end in _segment_ends(rest)}
    best: tuple[yaml.Node, yaml.Node, int] | None = None
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        end = candidates.get(normalize(str(key_node.value)))
        if end is not None and (best is None or end > best[2]):
            best = (key_node, value_node, end)
    return best


def _segment_ends(rest: str) -> list[int]:
    return [m.start() for m in _SEPARATOR.finditer(rest)] + [len(rest)]


_SEPARATOR = re.compile(r"[.\[]")
