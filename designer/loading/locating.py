"""Key paths → file positions, by walking the YAML nodes a document was built from.

Findings and errors name key paths (``spec.template.spec.containers[0].image``); `locate` finds
where such a path is written. Mapping keys may contain dots (label and annotation keys do), so each
step takes the longest key the remaining path starts with; merge keys (``<<: *base``) are followed,
as the value sees them. A `Walker` keeps a `KeyIndex` per mapping node (each step one dictionary
lookup) and the nodes its prefixes led to: a validate run of 10,000 components locates some 100,000
paths, and scanning every mapping's keys for each step from the root was most of its time.

Callers: the readers in designer.loading and `positions.NodePositions` (one Walker per component).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml

from designer.errors import Location
from designer.loading.nodevalues import MERGE_TAG

KeyNormalizer = Callable[[str], str]
"""Turns a key as written into the key it stands for (identity, or Meshery's de-prettifying)."""

_SEPARATOR = re.compile(r"[.\[]")


def as_written(key: str) -> str:
    """Keys stand for themselves."""
    return key


def node_location(node: yaml.Node, file: str) -> Location:
    """The 1-based file position of a node."""
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


@dataclass(frozen=True, slots=True)
class KeyIndex:
    """The keys of one mapping node (normalized) → (key node, value node); ``dotted`` when a key
    holds a '.' or '[' (then a path step must try longer keys)."""

    keys: dict[str, tuple[yaml.Node, yaml.Node]]
    dotted: bool


class Walker:
    """Locates many key paths under one root node, remembering what each lookup learnt.

    It keeps each mapping's `KeyIndex` and the node every unambiguous path prefix leads to, so the
    findings of one component (``spec.template.spec.containers[0].image``, ``…containers[0].ports``)
    walk the shared part once. A step through a mapping whose keys hold dots is not remembered past:
    there the longest key decides, and a shorter prefix could mislead a later path.
    """

    __slots__ = ("_file", "_indexes", "_normalize", "_prefixes", "_root")

    def __init__(self, root: yaml.Node, file: str, normalize: KeyNormalizer = as_written) -> None:
        self._root = root
        self._file = file
        self._normalize = normalize
        self._indexes: dict[int, KeyIndex] = {}  # by id() of mapping nodes under the root (kept alive)
        self._prefixes: dict[str, tuple[yaml.Node, yaml.Node]] = {}  # prefix -> (node, what to point at)

    def locate(self, path: str) -> Location | None:
        """The position of ``path`` (``a.b[2].c``); None when the path is not written."""
        if not path:
            return node_location(self._root, self._file)
        current, pointed, done = self._resume(path)
        rest = path[done:].removeprefix(".")
        remember = True
        while rest:
            if rest.startswith("["):
                end = rest.find("]")
                if end < 0 or not isinstance(current, yaml.SequenceNode):
                    return None
                try:
                    current = current.value[int(rest[1:end])]
                except (ValueError, IndexError):
                    return None
                pointed = current
                rest = rest[end + 1 :]
            else:
                if not isinstance(current, yaml.MappingNode):
                    return None
                index = self._index(current)
                found = _step(index, rest)
                if found is None:
                    return None
                (pointed, current), consumed = found
                rest = rest[consumed:]
                remember = remember and not index.dotted
            if remember:
                self._prefixes[path[: len(path) - len(rest)]] = (current, pointed)
            rest = rest.removeprefix(".")
        return node_location(pointed, self._file)

    def _resume(self, path: str) -> tuple[yaml.Node, yaml.Node, int]:
        """The node of the longest remembered prefix of ``path`` and the prefix's length."""
        found = self._prefixes.get(path)
        if found is not None:
            return found[0], found[1], len(path)
        end = len(path)
        while end > 0:  # each '.' or '[' from the right: rfind is C, a regex scan per lookup was not
            end = max(path.rfind(".", 0, end), path.rfind("[", 0, end))
            found = self._prefixes.get(path[:end]) if end > 0 else None
            if found is not None:
                return found[0], found[1], end
        return self._root, self._root, 0

    def _index(self, node: yaml.MappingNode) -> KeyIndex:
        found = self._indexes.get(id(node))
        if found is None:
            found = self._indexes[id(node)] = _index(node, self._normalize)
        return found


def locate(node: yaml.Node, path: str, file: str, normalize: KeyNormalizer = as_written) -> Location | None:
    """The position of ``path`` (``a.b[2].c``) under ``node``; None when the path is not written."""
    return Walker(node, file, normalize).locate(path)


def locate_nearest(node: yaml.Node, path: str, file: str) -> Location:
    """The position of ``path`` under ``node``, or of its nearest written parent (a missing key's mapping)."""
    while path:
        found = locate(node, path, file)
        if found is not None:
            return found
        path = path[: path.rindex("[")] if path.endswith("]") else path.rpartition(".")[0]
    return node_location(node, file)


def _step(index: KeyIndex, rest: str) -> tuple[tuple[yaml.Node, yaml.Node], int] | None:
    if not index.dotted:
        match = _SEPARATOR.search(rest)
        end = match.start() if match else len(rest)
        hit = index.keys.get(rest[:end])
        return (hit, end) if hit is not None else None
    ends = [m.start() for m in _SEPARATOR.finditer(rest)] + [len(rest)]
    for end in reversed(ends):  # the longest key the path starts with
        hit = index.keys.get(rest[:end])
        if hit is not None:
            return hit, end
    return None


def _index(node: yaml.MappingNode, normalize: KeyNormalizer) -> KeyIndex:
    written = node.value
    if any(key.tag == MERGE_TAG for key, _ in written):
        written = list(pairs(node))
    # Built from the last pair to the first, so that the first of two equal keys wins (merged ones).
    keys: dict[str, tuple[yaml.Node, yaml.Node]]
    if normalize is as_written:
        keys = {k.value: (k, v) for k, v in reversed(written) if type(k) is yaml.ScalarNode}
    else:
        keys = {normalize(str(k.value)): (k, v) for k, v in reversed(written) if type(k) is yaml.ScalarNode}
    return KeyIndex(keys, any("." in k or "[" in k for k in keys))


def pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) nodes of a mapping as its value sees them: its own keys, then those its merge
    keys (``<<: *base``) bring in (a key already seen wins, as in the value)."""
    merges: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            merges.append(value_node)
        else:
            yield key_node, value_node
    for merged in merges:
        sources = merged.value if isinstance(merged, yaml.SequenceNode) else [merged]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                yield from pairs(source)


def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (merge keys followed), or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in pairs(node) if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def item(node: yaml.Node | None, index: int) -> yaml.Node | None:
    """The ``index``-th node of a sequence node, or None."""
    if isinstance(node, yaml.SequenceNode) and 0 <= index < len(node.value):
        found: yaml.Node = node.value[index]
        return found
    return None
