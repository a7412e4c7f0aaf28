"""Which files a `design` command reads: the YAML files named, and those found in the folders named.

Apart from designer.loading (whose readers import the YAML parser) so that `design validate` can list
its files and find every result in its cache without importing any reader. designer.loading
re-exports both names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from designer.errors import DesignError, Location

YAML_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """The design files named by ``paths``, folders expanded in a stable (sorted) order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            if not found:
                raise DesignError(
                    "folder holds no .yaml or .yml file",
                    location=Location.whole(str(path)),
                    hint="pass a design file",
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise DesignError("no such file or folder", location=Location.whole(str(path)))
    return files
