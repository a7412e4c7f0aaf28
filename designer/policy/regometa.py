"""OPA's ``# METADATA`` comment blocks, read the way OPA reads them for ``rego.metadata.rule()``.

A block is a run of comment lines whose first line is exactly ``# METADATA``; the rest, with the
leading ``#`` and one space removed, is YAML. A block directly above a rule (only comments or blank
lines between) annotates that rule with scope ``rule`` unless it says otherwise; OPA adds the scope
to the object it returns. regorus neither parses these blocks nor defines ``rego.metadata.rule()``,
so designer.policy.rewrites puts each rule's annotations into its source as a literal.

Caller: designer.policy.rewrites.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BLOCK_START = re.compile(r"^\s*#\s*METADATA\s*$")


def annotations_by_line(source: str) -> dict[int, dict[str, Any]]:
    """Annotations of each METADATA block, keyed by the 1-based line of the code that follows it.

    Blocks that are not valid YAML mappings are left out (OPA would refuse the module; regorus
    ignores comments, so the rule simply has no annotations here).
    """
    lines = source.split("\n")
    found: dict[int, dict[str, Any]] = {}
    index = 0
    while index < len(lines):
        if not _BLOCK_START.match(lines[index]):
            index += 1
            continue
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            text = lines[index].lstrip()[1:]
            body.append(text[1:] if text.startswith(" ") else text)
            index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        try:
            parsed = yaml.safe_load("\n".join(body))
        except yaml.YAMLError:
            continue
        if isinstance(parsed, dict):
            parsed.setdefault("scope", "rule")
            found[index + 1] = parsed
    return found
