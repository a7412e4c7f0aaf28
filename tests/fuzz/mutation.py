"""Mutators: hostile variants of real files, in bytes, in YAML tokens and in structure.

Every mutator takes the seed's bytes and a `random.Random` and returns new bytes, so a case is
reproduced from (seed index, random seed) alone. `mutate` applies one to three of them. The values
they plant are the classes issue 13 found and their neighbours: scalars that look typed but do not
convert, explicit tags, huge integers, deep nesting, aliases (recursive and exponential), merge
keys, duplicate keys of every scalar type, wrong types in every field, long names.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import yaml

from tests.fuzz.seeds import Seed

Mutator = Callable[[bytes, random.Random, list[Seed]], bytes]

SCALARS = [
    "2024-02-30", "2001-12-14t21:59:43.10-05:00", "2024-13-01 25:61:61", "1" * 4400, "-" + "9" * 5000,
    "0x" + "f" * 4000, "0b" + "1" * 20000, "0o777", "0x1F", "0b1010", "1:30:00", "190:20:30", ".inf",
    "-.inf", ".nan", "1e999", "-0", "0.", "1_000", "!!bool maybe", "!!int 0x", "!!int ''", "!!float abc",
    "!!binary aGVsbG8=", "!!binary ===", "!!timestamp 2024-02-30", "!!timestamp x", "!!null x",
    "!!str 5", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!python/object:os.system x",
    "!custom x", "*nowhere", "~", "null", "yes", "NO", "on", "''", '""', '"\\0"', '"\\ud800"',
    '"\\x85"', "{}", "[]", "[[[[[]]]]]", "{a: {b: {c: {}}}}", '"${undefined}"', '"$${escaped}"',
    '"$(#ref.services.nope.settings)"', "../../etc/passwd", "a/b", "K" * 300, "x" * 70000,
    "Deployment", "designer/v1", "v1", "[x]", "5", "true", "-1", "2147483648", "9223372036854775808",
]  # fmt: skip
"""Scalars (as YAML text) that have broken or nearly broken readers."""

TOKENS = [
    b"<<: ", b"<<: {a: 1}\n", b"<<: [{a: 1}, x]\n", b"&a ", b"*a", b"&a [*a]", b"!!binary ", b"!!int ",
    b"{", b"}", b"[", b"]", b"- ", b": ", b"\t", b"---\n", b"...\n", b"\xff\xfe", b"\x00", b"\r",
    b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"? ", b"|\n", b">-\n", b"'", b'"', b"#", b"\\", b",",
    b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"${x}", b"$(#ref.services.", b"\n  ", b"\n- ", b"!!",
]  # fmt: skip
"""Byte strings that mean something to a YAML scanner or to designer's readers."""

_KEY_LINE = re.compile(rb"^(\s*(?:- )?)([^\s:#'\"][^:#]*?):( +)(\S.*)?$")


def mutate(data: bytes, rng: random.Random, corpus: list[Seed]) -> bytes:
    """One to three mutations of ``data``."""
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        data = rng.choice(MUTATORS)(data, rng, corpus)
    return data


def flip_bytes(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """A few random bytes changed."""
    out = bytearray(data or b" ")
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_token(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """A YAML-significant token inserted anywhere."""
    at = rng.randint(0, len(data))
    return data[:at] + rng.choice(TOKENS) + data[at:]


def cut_or_repeat(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """A span deleted, repeated, or the file truncated."""
    if not data:
        return data
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 200))
    choice = rng.randrange(3)
    if choice == 0:
        return data[:start] + data[end:]
    if choice == 1:
        return data[:end] + data[start:end] * rng.randint(1, 4) + data[end:]
    return data[:start]


def splice(data: bytes, rng: random.Random, corpus: list[Seed]) -> bytes:
    """Lines of another real file inserted among these lines."""
    other = rng.choice(corpus).data.splitlines(keepends=True)
    lines = data.splitlines(keepends=True)
    if not other:
        return data
    start = rng.randrange(len(other))
    chunk = other[start : start + rng.randint(1, 30)]
    at = rng.randint(0, len(lines))
    return b"".join(lines[:at] + chunk + lines[at:])


def replace_scalar(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """The value of a ``key: value`` line replaced by a hostile scalar."""
    lines = data.splitlines(keepends=True)
    candidates = [i for i, line in enumerate(lines) if _KEY_LINE.match(line.rstrip(b"\r\n"))]
    if not candidates:
        return insert_token(data, rng, [])
    i = rng.choice(candidates)
    match = _KEY_LINE.match(lines[i].rstrip(b"\r\n"))
    assert match is not None
    lines[i] = match.group(1) + match.group(2) + b": " + rng.choice(SCALARS).encode() + b"\n"
    return b"".join(lines)


def line_edit(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """A line duplicated (duplicate keys), moved, re-indented, or turned into a merge or an alias."""
    lines = data.splitlines(keepends=True) or [b"\n"]
    i = rng.randrange(len(lines))
    line = lines[i]
    indent = line[: len(line) - len(line.lstrip())]
    choice = rng.randrange(6)
    if choice == 0:
        lines.insert(i, line)
    elif choice == 1:
        lines.insert(rng.randrange(len(lines)), lines.pop(i))
    elif choice == 2:
        lines[i] = (b"  " + line) if rng.random() < 0.5 else line.lstrip(b" ")
    elif choice == 3:
        lines.insert(i, indent + rng.choice((b"<<: {name: m, kind: K}\n", b"<<: *a\n", b"<<: [*a, *a]\n")))
    elif choice == 4:
        match = _KEY_LINE.match(line.rstrip(b"\r\n"))
        if match and match.group(4):
            lines[i] = match.group(1) + match.group(2) + b": &a " + match.group(4) + b"\n"
            later = rng.randrange(i, len(lines))
            lines.insert(later + 1, indent + b"again: *a\n")
    else:
        lines.insert(0, b"<<: {" + rng.choice((b"services: {}", b"components: []", b"items: []")) + b"}\n")
    return b"".join(lines)


def structure(data: bytes, rng: random.Random, corpus: list[Seed]) -> bytes:
    """One value of the parsed file replaced (wrong type, deep, huge, from another file), then dumped."""
    try:
        docs = [d for d in yaml.safe_load_all(data) if d is not None]
    except Exception:  # PyYAML's own constructors fail in many ways on mutants (IndexError, …)
        return replace_scalar(data, rng, corpus)
    if not docs:
        return replace_scalar(data, rng, corpus)
    index = rng.randrange(len(docs))
    docs[index] = _replace_somewhere(docs[index], rng, corpus)
    try:
        text = yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=rng.choice((False, None)))
    except Exception:  # a value PyYAML cannot write back (deep, recursive): keep the bytes
        return data
    return text.encode()


def _replace_somewhere(value: Any, rng: random.Random, corpus: list[Seed]) -> Any:
    if isinstance(value, dict | list) and value and rng.random() < 0.8:
        keys = list(value) if isinstance(value, dict) else list(range(len(value)))
        key = rng.choice(keys)
        if isinstance(value, dict) and rng.random() < 0.15:
            value[_typo(str(key), rng)] = value.pop(key)
            return value
        value[key] = _replace_somewhere(value[key], rng, corpus)
        return value
    return _hostile_value(rng, corpus)


def _typo(key: str, rng: random.Random) -> str:
    if not key:
        return "x"
    i = rng.randrange(len(key))
    return key[:i] + rng.choice("abcdexyz_ ") + key[i + 1 :]


def _hostile_value(rng: random.Random, corpus: list[Seed]) -> Any:
    choice = rng.randrange(9)
    if choice == 0:  # nesting around Python's, libyaml's and the policies' limits
        depth = rng.choice((60, 99, 101, 130, 400, 990, 1200))
        nested: Any = "leaf"
        for _ in range(depth):
            nested = {"k": nested} if rng.random() < 0.5 else [nested]
        return nested
    if choice == 1:
        return rng.choice(([], {}, "", 0, -1, True, None, 1.5, "x" * 300, ["a", 5, None], {"5": [1]}))
    if choice == 2:
        return rng.choice((10**4400, 2**64, -(2**63) - 1, 16**4000))
    if choice == 3:
        return ["same"] * rng.randint(2, 5)
    if choice == 4:
        return [{"name": "dup", "kind": "ConfigMap", "apiVersion": "v1"}] * 2
    if choice == 5:
        return {"labels": "oops", "settings": ["x"], "dependsOn": 5, "metadata": ["x"], "advanced": ["x"]}
    if choice == 6:
        return list(range(rng.choice((1000, 20000))))
    if choice == 7:
        try:
            other = yaml.safe_load(rng.choice(corpus).data)
        except Exception:  # a seed PyYAML cannot read (several documents, odd values)
            other = None
        return other
    return rng.choice(("${nope}", "$(#ref.services.x.y)", "a" * 64, "UPPER", "-bad-", "ok.name"))


def alias_bomb(data: bytes, rng: random.Random, _: list[Seed]) -> bytes:
    """A billion-laughs block (fan-out and depth near the limits) planted under a new key."""
    fan = rng.randint(2, 10)
    depth = rng.randint(3, 9)
    leaf = "x" * rng.choice((1, 50, 300))
    block = [f"bomb0: &b0 [{leaf!r}]"]
    for level in range(1, depth):
        refs = ", ".join([f"*b{level - 1}"] * fan)
        block.append(f"bomb{level}: &b{level} [{refs}]")
    text = "\n".join(block).encode() + b"\n"
    lines = data.splitlines(keepends=True)
    top = [i for i, line in enumerate(lines) if line[:1].isalpha()]
    at = rng.choice(top) if top else 0
    return b"".join([*lines[:at], text, *lines[at:]])


MUTATORS: list[Mutator] = [
    flip_bytes,
    insert_token,
    cut_or_repeat,
    splice,
    replace_scalar,
    replace_scalar,
    line_edit,
    line_edit,
    structure,
    structure,
    structure,
    alias_bomb,
]
