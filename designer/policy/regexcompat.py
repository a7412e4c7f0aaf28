"""RE2's ASCII character classes written out for Rust's regex engine.

OPA compiles patterns with Go's RE2, where ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII. Rust's regex,
which regorus uses, reads them as Unicode: the same pattern matches more (Arabic digits for ``\\d``)
and compiles to a much larger program, large enough to pass its size limit ("compiled regex exceeded
size limit") for patterns such as ``\\b[A-Z]{2}\\d{2} ?\\d{4} …`` that OPA compiles easily. Writing the
ASCII meaning out gives RE2's answer and a small program.

Caller: designer.policy.rewrites (literal patterns of ``regex.*`` builtins).
"""

from __future__ import annotations

# Outside a bracket class, and inside one (where a class cannot nest, so only its members are written).
_OUTSIDE = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
}
_INSIDE = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}


def ascii_classes(pattern: str) -> str:
    """``pattern`` with RE2's ASCII ``\\d \\D \\w \\W \\s \\S`` spelled out.

    Negated classes inside brackets (``[\\D]``) are left as they are: they have no plain-member form.
    ``\\b`` stays: no syntax means an ASCII word boundary in both engines (Rust's ``(?-u:\\b)`` is an
    error in RE2), and the classes alone bring the program far under regorus's size limit.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(escaped, char + escaped))
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            index += 1
            # A `]` (or `^]`) right after the opening bracket is a member, not the end.
            if pattern.startswith("^", index):
                out.append("^")
                index += 1
            if pattern.startswith("]", index):
                out.append("]")
                index += 1
            continue
        if char == "[" and in_class and pattern.startswith("[:", index):
            end = pattern.find(":]", index + 2)
            if end != -1:
                out.append(pattern[index : end + 2])
                index = end + 2
                continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)
