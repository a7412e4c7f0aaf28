"""``sprintf`` with fewer arguments than verbs, made to print what OPA prints instead of failing.

OPA formats with Go's fmt, which writes ``%!v(MISSING)`` for a verb that has no argument and goes on;
regorus raises "no argument specified for format verb N", which ends the evaluation (the library's HPA
template has 6 ``%v`` for 5 arguments, so its violation is lost). When the format is a string literal
and the arguments an array literal, the number of arguments is known from the source, so the verbs past
it are rewritten into the literal text Go would print (``%%!v(MISSING)``): the result is exactly OPA's,
the line layout is unchanged, and nothing costs anything at run time. Calls with a computed format or
argument list, explicit argument indexes (``%[2]v``) or ``*`` widths are left as they are.

Callers: designer.policy.gatekeeper (template Rego, after designer.policy.compat's rewrites).
"""

from __future__ import annotations

import re

_CALL = re.compile(r"\bsprintf\s*\(")
_DIRECTIVE = re.compile(
    r"%(?P<flags>[+\-# 0]*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+)?)?(?P<verb>[a-zA-Z%\[])"
)
_OPEN = "([{"
_CLOSE = ")]}"


def pad_missing_arguments(source: str) -> str:
    """The source with each literal sprintf's argument-less verbs turned into Go's ``%!v(MISSING)``."""
    out: list[str] = []
    position = 0
    for call in _CALL.finditer(source):
        if call.start() < position or _in_comment_or_string(source, call.start()):
            continue
        rewritten = _rewrite_call(source, call.end())
        if rewritten is None:
            continue
        literal_start, literal_end, literal = rewritten
        out.append(source[position:literal_start])
        out.append(literal)
        position = literal_end
    out.append(source[position:])
    return "".join(out)


def _rewrite_call(source: str, index: int) -> tuple[int, int, str] | None:
    start = _skip_space(source, index)
    end = _string_end(source, start)
    if end is None:
        return None
    after = _skip_space(source, end)
    if after >= len(source) or source[after] != ",":
        return None
    array = _skip_space(source, after + 1)
    if array >= len(source) or source[array] != "[":
        return None
    count = _count_elements(source, array)
    if count is None:
        return None
    literal = source[start:end]
    padded = _pad(literal, count)
    if padded is None or padded == literal:
        return None
    return start, end, padded


def _pad(literal: str, arguments: int) -> str | None:
    seen = 0
    pieces: list[str] = []
    last = 0
    for found in _DIRECTIVE.finditer(literal):
        verb = found["verb"]
        if verb == "%":
            continue
        if verb == "[" or found["width"] == "*" or found["precision"] == "*":
            return None  # argument indexes and * widths take arguments in ways not worth modelling
        seen += 1
        if seen > arguments:
            pieces.append(literal[last : found.start()])
            pieces.append(f"%%!{verb}(MISSING)")
            last = found.end()
    if seen <= arguments:
        return literal
    pieces.append(literal[last:])
    return "".join(pieces)


def _skip_space(source: str, index: int) -> int:
    while index < len(source) and source[index] in " \t\r\n":
        index += 1
    return index


def _string_end(source: str, index: int) -> int | None:
    """The index after a string literal starting at ``index`` ("…" with escapes, or `raw`)."""
    if index >= len(source) or source[index] not in '"`':
        return None
    quote = source[index]
    cursor = index + 1
    while cursor < len(source):
        char = source[cursor]
        if quote == '"' and char == "\\":
            cursor += 2
            continue
        if quote == '"' and char == "\n":
            return None
        if char == quote:
            return cursor + 1
        cursor += 1
    return None


def _count_elements(source: str, index: int) -> int | None:
    """How many elements the array literal at ``index`` holds, or None when it is not a closed literal."""
    depth = 0
    elements = 0
    pending = False  # something since the last top-level comma
    cursor = index
    while cursor < len(source):
        char = source[cursor]
        if char in '"`':
            end = _string_end(source, cursor)
            if end is None:
                return None
            pending = True
            cursor = end
            continue
        if char == "#":
            newline = source.find("\n", cursor)
            cursor = len(source) if newline < 0 else newline
            continue
        if char in _OPEN:
            depth += 1
            if depth > 1:
                pending = True
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                if char != "]":
                    return None
                close = _skip_space(source, cursor + 1)
                if close >= len(source) or source[close] != ")":
                    return None  # `[...] + more` or a comprehension: not a plain literal
                return elements + (1 if pending else 0)
        elif char == "," and depth == 1:
            elements += 1
            pending = False
        elif char == "|" and depth == 1:
            return None  # an array comprehension
        elif not char.isspace():
            pending = True
        cursor += 1
    return None


def _in_comment_or_string(source: str, index: int) -> bool:
    line_start = source.rfind("\n", 0, index) + 1
    in_string = False
    cursor = line_start
    while cursor < index:
        char = source[cursor]
        if char == "\\" and in_string:
            cursor += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "#" and not in_string:
            return True
        cursor += 1
    return in_string
