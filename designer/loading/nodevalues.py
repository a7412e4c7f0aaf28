"""YAML nodes → plain JSON-like values, refusing what would crash or exhaust a later stage.

PyYAML's own constructor would accept silently, or fail with a bare ValueError on, much of what
hostile or mistyped files hold. This builder reads scalars as Kubernetes reads YAML (go-yaml v2 via
sigs.k8s.io/yaml) and bounds everything a small file could blow up:

- scalars: an implicit timestamp keeps the text as written (Kubernetes never turns it into a date,
  so ``2024-02-30`` is simply a string), as does a sexagesimal ``1:30:00``; an explicit tag whose
  text does not convert (``!!bool maybe``, ``!!int 0x``) and an integer too long to print
  (``sys.get_int_max_str_digits``) are errors at their position; so are NaN and infinity (``.nan``,
  ``1e999``), which JSON cannot hold, and a string holding a lone UTF-16 surrogate (``"\\ud800"``),
  which no output could encode;
- nesting: at most `MAX_DEPTH` levels, aliases included, so that no reader, writer or policy
  engine downstream recurses out of its limit (regorus's JSON reader stops at 128 levels);
- aliases: what they add once written out is bounded in bytes (`MAX_ALIAS_EXPANSION`), nested
  indentation counted, and an alias inside the node it names (``&a [*a]``) is refused;
- keys: always the text as written (JSON keys are strings); a duplicate is refused with both
  lines; merge keys (``<<``) take a mapping or a list of mappings, explicit keys win.

Callers: designer.loading.yamlnodes (one builder per document).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from typing import Any

import yaml

from designer.errors import DesignError, Location

MAX_DEPTH = 100
"""Deepest nesting of lists and mappings a document may have. Kubernetes objects stay under 30
levels (CRD schemas included); the policies' input wraps objects in a few more, and regorus refuses
JSON deeper than 128."""

MAX_ALIAS_EXPANSION = 4 * 1024 * 1024
"""The most bytes a document's aliases may add once written out in full (render, import, policies).
The file itself is bounded by its size; aliases are what lets 400 bytes stand for gigabytes."""

MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_SC = yaml.constructor.SafeConstructor
_CONSTRUCTORS: dict[str, Callable[[Any, Any], Any]] = {
    _INT_TAG: _SC.construct_yaml_int,
    "tag:yaml.org,2002:bool": _SC.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SC.construct_yaml_null,
    _FLOAT_TAG: _SC.construct_yaml_float,
    _TIMESTAMP_TAG: _SC.construct_yaml_timestamp,
    "tag:yaml.org,2002:binary": _SC.construct_yaml_binary,
}
_MAX_INT_BITS = int(sys.get_int_max_str_digits() * 3.32) if sys.get_int_max_str_digits() else 0
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_DATA = "designs hold plain data only: strings, numbers, booleans, lists and mappings"


_RESOLVER = yaml.resolver.Resolver()
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 16384
_PLAIN_TAG_TEXT_MAX = 64


known_plain_tag: Callable[[str], str | None] = _PLAIN_TAGS.get
"""The remembered tag of a plain scalar's text, or None (`plain_tag` finds and remembers it); a
built-in lookup, so the composer's hook pays no Python call for the common case."""


def plain_tag(text: str) -> str:
    """The tag YAML gives a plain scalar (no quotes, no tag) written ``text``: int, bool, null, str ….

    Remembered for short texts: a repository's files repeat the same few hundred words (``name``,
    ``v1``, ``true``, ``80``), and trying each implicit resolver's regex on every scalar was a fifth of
    parsing. Bounded in entries and length, so a file of long or unique texts keeps nothing.
    """
    tag = _PLAIN_TAGS.get(text)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if len(text) <= _PLAIN_TAG_TEXT_MAX and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
            _PLAIN_TAGS[text] = tag
    return tag


class Builder:
    """Builds the plain value of one document's node graph (see the module docstring)."""

    def __init__(self, file: str, *, anchors: bool = True) -> None:
        self.file = file
        # Without an anchor in the text there is no alias: plain strings then skip the alias memo,
        # which is a tenth of the load time of a large design.
        self._fast_strings = not anchors
        self.expanded = 0
        self._built: dict[int, Any] = {}
        self._open: set[int] = set()
        self._shape: dict[int, tuple[int, int, int]] = {}  # weight, lines, height of aliased nodes
        self._scalars = _SC()

    def build(self, node: yaml.Node) -> Any:
        """The plain value of ``node`` (a document's root)."""
        return self._build(node, 1)

    def _build(self, node: yaml.Node, depth: int) -> Any:
        key = id(node)
        if key in self._built:
            self._alias(node, depth)
            return self._built[key]
        if key in self._open:
            raise self._error(
                "a YAML alias refers to the node that contains it (a recursive structure)", node
            )
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
        elif node.tag not in _COLLECTION_TAGS:
            raise self._error(f"unsupported YAML tag {node.tag!r}", node, _PLAIN_DATA)
        elif depth > MAX_DEPTH:
            raise self._error(
                f"nesting is deeper than {MAX_DEPTH} levels",
                node,
                "flatten the data; no Kubernetes object nests this deep",
            )
        else:
            self._open.add(key)
            if isinstance(node, yaml.MappingNode):
                value = self._mapping(node, depth)
            else:
                value = [self._child(child, depth + 1) for child in node.value]
            self._open.discard(key)
        self._built[key] = value
        return value

    def _child(self, node: yaml.Node, depth: int) -> Any:
        if self._fast_strings and type(node) is yaml.ScalarNode and node.tag == STR_TAG and node.style != '"':
            return node.value
        return self._build(node, depth)

    def _alias(self, node: yaml.Node, depth: int) -> None:
        """Account for a node written out a second time: its bytes at this depth, and its height."""
        weight, lines, height = self._measure(node)
        if depth + height > MAX_DEPTH:
            raise self._error(
                f"an alias nests the document deeper than {MAX_DEPTH} levels",
                node,
                "use fewer nested aliases",
            )
        self.expanded += weight + 2 * depth * lines
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise self._error(
                f"YAML aliases expand this document by more than {MAX_ALIAS_EXPANSION // 1048576} MiB "
                "once written out (an alias bomb?)",
                node,
                "write the repeated content out, or use fewer nested aliases",
            )

    def _measure(self, node: yaml.Node) -> tuple[int, int, int]:
        """Bytes (block YAML, relative to the node's own indentation), lines and height of a node."""
        found = self._shape.get(id(node))
        if found is not None:
            return found
        if isinstance(node, yaml.ScalarNode):
            shape = (len(node.value) + 2, 1, 0)
        else:
            children = (
                [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
            )
            measured = [self._measure(child) for child in children]
            weight = sum(m[0] + 2 for m in measured)
            lines = max(1, sum(m[1] for m in measured))
            shape = (weight + 2 * lines, lines, 1 + max((m[2] for m in measured), default=0))
        self._shape[id(node)] = shape
        return shape

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        fast_strings = self._fast_strings
        # `_key` and `_child` written inline for the common case (a plain key, a plain string value):
        # a small file's load is mostly this loop, and the two calls were a fifth of it.
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                for source in self._merge_sources(value_node, depth):
                    for k, v in source.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error("mapping keys must be plain strings, not lists or mappings", key_node)
            key = key_node.value
            if key_node.style == '"' or type(key) is not str:
                key = self._key(key_node)
            if key in out:
                self._duplicate(node, key, key_node)
            if (
                fast_strings
                and type(value_node) is yaml.ScalarNode
                and value_node.tag == STR_TAG
                and value_node.style != '"'
            ):
                out[key] = value_node.value
            else:
                out[key] = self._build(value_node, depth + 1)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out

    def _merge_sources(self, value_node: yaml.Node, depth: int) -> list[dict[str, Any]]:
        value = self._build(value_node, depth)
        sources = value if isinstance(value_node, yaml.SequenceNode) else [value]
        if not all(isinstance(source, dict) for source in sources):
            raise self._error(
                "a merge key (<<) takes a mapping or a list of mappings",
                value_node,
                "write `<<: *anchor` where the anchor names a mapping",
            )
        return sources

    def _key(self, node: yaml.ScalarNode) -> str:
        # YAML allows `1: x`, `true: x` or `!!binary …: x`; JSON and Kubernetes know only string keys,
        # so a key is the text as written.
        text = str(node.value)
        if node.style == '"' and _SURROGATE.search(text):
            raise self._error(
                "the key holds an unpaired UTF-16 surrogate", node, "write the character itself"
            )
        return text

    def _duplicate(self, node: yaml.MappingNode, key: str, again: yaml.Node) -> None:
        first = next(
            (k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and str(k.value) == key), again
        )
        raise self._error(
            f"duplicate key {key!r} (first written at line {first.start_mark.line + 1})",
            again,
            "remove one of the two entries; YAML would silently keep only the last",
        )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        text = node.value
        if tag == STR_TAG:
            if node.style == '"' and _SURROGATE.search(text):
                raise self._error(
                    "the string holds an unpaired UTF-16 surrogate", node, "write the character itself"
                )
            return text
        if (tag == _TIMESTAMP_TAG or (tag in (_INT_TAG, _FLOAT_TAG) and ":" in text)) and self._implicit(
            node
        ):
            return text  # Kubernetes keeps timestamps and sexagesimal numbers as the text written
        construct = _CONSTRUCTORS.get(tag)
        if construct is None:
            raise self._error(f"unsupported YAML tag {tag!r}", node, _PLAIN_DATA)
        try:
            value = construct(self._scalars, node)
        except Exception as exc:  # PyYAML's constructors fail in many ways (IndexError on `!!int ''`)
            raise self._unconvertible(node, exc) from exc
        if isinstance(value, int) and _MAX_INT_BITS and value.bit_length() > _MAX_INT_BITS:
            raise self._unconvertible(node, ValueError("the integer is too long to print"))
        if isinstance(value, float) and not math.isfinite(value):
            raise self._error(
                f"{node.value!r} is not a finite number: JSON, and so Kubernetes, has no NaN or infinity",
                node,
                "quote the value to keep it as text",
            )
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if not isinstance(value, str | int | float | bool | None):  # an explicit !!timestamp
            return value.isoformat()
        return value

    def _implicit(self, node: yaml.ScalarNode) -> bool:
        """True when the scalar's tag is what its plain text resolves to (written without a tag).

        Plain scalars have no style (None from PyYAML's composer, '' from libyaml's).
        """
        return not node.style and plain_tag(node.value) == node.tag

    def _unconvertible(self, node: yaml.ScalarNode, exc: Exception) -> DesignError:
        short = node.tag.rpartition(":")[2]
        text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        if "Exceeds the limit" in str(exc) or "too long" in str(exc):
            reason = f"an integer of more than {sys.get_int_max_str_digits():,} digits"
        else:
            reason = f"not a valid {short}"
        return self._error(
            f"{text!r} cannot be read as !!{short}: {reason}", node, "quote the value to keep it as text"
        )

    def _error(self, message: str, node: yaml.Node, hint: str | None = None) -> DesignError:
        mark = node.start_mark
        return DesignError(message, location=Location(self.file, mark.line + 1, mark.column + 1), hint=hint)


class ExpansionBudget:
    """What substitutions (``${var}``, Meshery's ``$(#ref…)``) may add to one document, in bytes.

    Like aliases, a reference is a few bytes that can stand for a long value, written out once per
    use: the same bound applies.
    """

    def __init__(self, limit: int = MAX_ALIAS_EXPANSION) -> None:
        self.left = limit

    def spend(self, size: int, location: Location) -> None:
        """Account for ``size`` more bytes; a DesignError once the document's budget is gone."""
        self.left -= size
        if self.left < 0:
            raise DesignError(
                f"substitutions expand this document by more than {MAX_ALIAS_EXPANSION // 1048576} MiB",
                location=location,
                hint="refer to long values fewer times",
            )
