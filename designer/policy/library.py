"""The files of the built-in check library: which .rego files a run compiles.

Separate from designer.policy.builtin (which compiles them) so that the result cache can key a run on
the library's content without importing the Rego engine. Callers: designer.policy.builtin,
designer.cli.validate (the cache key).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def library_files(roots: Iterable[Path], extra: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """The .rego files of the library (tests excluded) and extra files (adapters' contributions),
    each once, with the name errors show."""
    found: dict[Path, str] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.rego")):
            if not path.name.endswith("_test.rego"):
                found.setdefault(path.resolve(), f"{root.name}/{path.relative_to(root).as_posix()}")
    for path in extra:
        if not path.name.endswith("_test.rego"):
            found.setdefault(path.resolve(), str(path))
    return list(found.items())
