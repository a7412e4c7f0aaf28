"""Key paths → file positions, by walking the YAML nodes a document was built from.

Findings and errors name key paths (``spec.template.spec.containers[0].image``); `locate` finds
where such a path is written. Mapping keys may contain dots (label and annotation keys do), so each
step takes the longest key the remaining path starts with; merge keys (``<<: *base``) are followed,
as the value sees them. A `KeyIndex` per mapping node makes each step a dictionary lookup: a
validate run of 10,000 components locates some 100,000 paths, and scanning every mapping's keys
for each step was most of its time.

Callers: the readers in designer.loading and `positions.NodePositions` (which keeps the indexes).
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


IndexCache = dict[int, KeyIndex]
"""Indexes by id() of their mapping node; whoever keeps one keeps the nodes alive."""


def locate(
    node: yaml.Node,
    path: str,
    file: str,
    normalize: KeyNormalizer = as_written,
    cache: IndexCache | None = None,
) -> Location | None:
    """The position of ``path`` (``a.b[2].c``) under ``node``; None when the path is not written."""
    current = node
    rest = path
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0 or not isinstance(current, yaml.SequenceNode):
                return None
            try:
                current = current.value[int(rest[1:end])]
            except (ValueError, IndexError):
                return None
            rest = rest[end + 1 :].removeprefix(".")
            continue
        if not isinstance(current, yaml.MappingNode):
            return None
        found = _step(_index(current, normalize, cache), rest)
        if found is None:
            return None
        (key_node, value_node), consumed = found
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


def _index(node: yaml.MappingNode, normalize: KeyNormalizer, cache: IndexCache | None) -> KeyIndex:
    found = cache.get(id(node)) if cache is not None else None
    if found is not None:
        return found
    keys: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in pairs(node):
        if isinstance(key_node, yaml.ScalarNode):
            keys.setdefault(normalize(str(key_node.value)), (key_node, value_node))
    index = KeyIndex(keys, any("." in k or "[" in k for k in keys))
    if cache is not None:
        cache[id(node)] = index
    return index


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
