"""Source rewrites that make users' Rego mean under regorus what it means under OPA.

Applied to users' policies (Gatekeeper templates, conftest files) before compiling, never to the built-in
library. Each rewrite keeps every line where it was, so regorus's error lines still point into the file,
and each only touches a construct regorus rejects or misreads:

* `split_multibody`: Rego v0 multi-body rules (``head { a } { b }``) are rejected by regorus ("else
  cannot be used with set rules"); the second body gets its own copy of the head on the same line.
* `separate_paren_lines`: a body line starting with ``(`` after a line ending in a reference is read by
  regorus as a call (``input.x`` newline ``(a - b) > 0`` -> "could not find function input.x"); OPA reads
  the newline as a separator, so a ``;`` is appended to the previous line.

Callers: designer.policy.gatekeeper, designer.policy.conftest.
"""

from __future__ import annotations

import re

# A top-level rule head ending with the `{` of its body; the head may hold braces (`violation[{"msg": m}]`).
_HEAD_RE = re.compile(r"^(?P<head>[A-Za-z_].*?)\s*\{\s*(#.*)?$")
_NEXT_BODY_RE = re.compile(r"^\}\s*\{\s*(#.*)?$")
_ENDS_WITH_TERM_RE = re.compile(r"[A-Za-z0-9_\])\"`]$")


def make_compatible(source: str) -> str:
    """Every rewrite, in order."""
    return separate_paren_lines(split_multibody(source))


def split_multibody(source: str) -> str:
    """``head { a } { b }`` -> ``head { a } head { b }`` for top-level lines that are exactly ``} {``."""
    lines = source.split("\n")
    head: str | None = None
    for number, line in enumerate(lines):
        if _NEXT_BODY_RE.match(line) and head is not None:
            lines[number] = f"}} {head} {{"
            continue
        found = _HEAD_RE.match(line)
        if found and not line.startswith((" ", "\t", "}")):
            head = found["head"]
    return "\n".join(lines)


def separate_paren_lines(source: str) -> str:
    """Append ``;`` to a line ending in a term when the next code line starts with ``(``."""
    lines = source.split("\n")
    previous: int | None = None
    for number, line in enumerate(lines):
        code = _strip_comment(line).strip()
        if not code:
            continue
        if code.startswith("(") and previous is not None:
            before = _strip_comment(lines[previous]).rstrip()
            if _ENDS_WITH_TERM_RE.search(before) and not before.lstrip().startswith(("package", "import")):
                lines[previous] = before + ";" + lines[previous][len(before) :]
        previous = number
    return "\n".join(lines)


def _strip_comment(line: str) -> str:
    # A '#' outside a string starts a comment; strings with '#' are rare in bodies, so stay simple.
    in_string = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            in_string = not in_string
        elif char == "#" and not in_string:
            return line[:index]
    return line
