"""Plain data → YAML text, for `design render` and exports. Keys keep their order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_documents(documents: Iterable[Any]) -> str:
    """Multi-document YAML (``---`` between documents)."""
    return yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )


def dump(value: Any) -> str:
    """One YAML document."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)
