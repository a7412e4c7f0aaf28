"""Data documents for users' policies (``--data FILE|DIR``), placed the way OPA's loader places them.

``opa test -d`` and ``conftest -d`` read JSON and YAML files: a file given by name is merged at the
root of ``data``; a folder is searched recursively and each file's document is merged at the path
of its folder relative to the one given (``dir/team/x.yaml`` -> ``data.team``). Objects merge key by
key; two files that give different values for the same key are an error naming both, as OPA's
"merge error" is.

Callers: designer.cli.policy (``policy test --data``) and designer.cli.validate (``--data``), through
designer.policy.loader.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from designer.errors import Location, PolicyError

DATA_SUFFIXES = (".json", ".yaml", ".yml")


def read_data(paths: Sequence[Path]) -> dict[str, Any]:
    """The merged data document of every file under ``paths``."""
    merged: dict[str, Any] = {}
    origins: dict[tuple[str, ...], str] = {}
    for root in paths:
        if not root.exists():
            raise PolicyError(f"data path {root} does not exist", hint="check the --data value")
        files: list[tuple[Path, tuple[str, ...]]]
        if root.is_file():
            files = [(root, ())]
        else:
            found = sorted(p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file())
            files = [(p, p.parent.relative_to(root).parts) for p in found]
        for file, prefix in files:
            document = _read(file)
            if not prefix and not isinstance(document, dict):
                raise PolicyError(
                    f"data file {file} holds a {type(document).__name__}, not an object",
                    hint="data merged at the root of `data` must be an object (a mapping)",
                    location=Location(str(file), 1),
                )
            _merge(merged, prefix, document, str(file), origins)
    return merged


def _read(file: Path) -> Any:
    if file.suffix == ".json":
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"cannot read data file {file}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", 1)
            raise PolicyError(
                f"invalid JSON in data file: {exc}",
                hint="fix the JSON syntax",
                location=Location(str(file), line),
            ) from exc
    from designer.policy.yamlfile import read_documents

    documents = read_documents(file)
    if len(documents) > 1:
        raise PolicyError(
            f"data file {file} holds {len(documents)} YAML documents",
            hint="a data file holds one document (OPA reads it the same way); split it into files",
            location=Location(str(file), 1),
        )
    return json.loads(json.dumps(documents[0], default=str)) if documents else {}


def _merge(
    target: dict[str, Any],
    prefix: tuple[str, ...],
    value: Any,
    file: str,
    origins: dict[tuple[str, ...], str],
) -> None:
    """Put ``value`` at ``prefix`` inside ``target``, merging objects key by key."""
    if not prefix:
        if not isinstance(value, dict):
            raise AssertionError("the root document is checked to be an object")
        for key, item in value.items():
            _merge(target, (key,), item, file, origins)
        return
    node = target
    for depth, key in enumerate(prefix[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            _conflict(prefix[: depth + 1], file, origins)
        node = child
    key = prefix[-1]
    if key in node and isinstance(node[key], dict) and isinstance(value, dict):
        for inner, item in value.items():
            _merge(target, (*prefix, inner), item, file, origins)
        return
    if key in node and node[key] != value:
        _conflict(prefix, file, origins)
    node[key] = value
    origins[prefix] = file


def _conflict(path: tuple[str, ...], file: str, origins: dict[tuple[str, ...], str]) -> None:
    earlier = next(
        (origins[p] for p in origins if p[: len(path)] == path or path[: len(p)] == p), "another file"
    )
    raise PolicyError(
        f"data conflict at data.{'.'.join(path)}: {file} and {earlier} both set it",
        hint="each key of `data` may come from one file only (OPA reports a merge error)",
        location=Location(file, 1),
    )
