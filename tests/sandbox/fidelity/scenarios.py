"""Scenario files: scenarios/*.yaml, each a list of scenarios, each a list of request steps.

A step is one request, written with its method as the key::

    - name: apply again                     # optional; steps are named "#<n>" otherwise
      PATCH: /api/v1/namespaces/{ns}/configmaps/web?fieldManager=alice
      as: apply                             # content type: apply, merge, json-patch, strategic
      body: {apiVersion: v1, kind: ConfigMap, metadata: {name: web}, data: {a: "1"}}
      save: {first: body.metadata.resourceVersion}
      compare: [status, body]               # default: status, body, warnings

``raw:`` sends a literal text body instead of ``body`` (YAML, or JSON with duplicate keys). ``WATCH:``
is a GET with ``watch=1`` whose events (until the server's timeoutSeconds ends the stream) are the body.
``until: {status: 404, body.status.phase: Active}`` repeats the request until the answer matches (for
what controllers do eventually; ``"*"`` matches any value that is there) within ``timeout`` seconds, and ``setup: true`` runs a step without comparing it. ``{ns}`` is the
scenario's own namespace (created before its first step unless ``namespace: false``), ``{id}`` a unique
suffix for cluster-scoped names, ``{name}`` a value saved by an earlier step. Errors in these files are
reported with the file, the scenario and the step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parent / "scenarios"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "WATCH")
CONTENT_TYPES = {
    "apply": "application/apply-patch+yaml",
    "merge": "application/merge-patch+json",
    "json-patch": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json",
}
PARTS = ("status", "body", "warnings")
_STEP_KEYS = {
    "name",
    "as",
    "body",
    "raw",
    "save",
    "compare",
    "until",
    "setup",
    "headers",
    "timeout",
    *METHODS,
}


class ScenarioError(ValueError):
    """A scenario file that cannot be run: says where and what is wrong."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    method: str
    path: str
    content_type: str = ""
    body: Any = None
    raw: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    save: dict[str, str] = field(default_factory=dict)
    compare: tuple[str, ...] = PARTS
    until: dict[str, Any] = field(default_factory=dict)
    setup: bool = False
    timeout: float = 45.0


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    about: str
    steps: tuple[Step, ...]
    source: str
    namespace: bool = True


def _step(raw: Any, index: int, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: step {index} must be a mapping")
    unknown = set(raw) - _STEP_KEYS
    methods = [m for m in METHODS if m in raw]
    name = str(raw.get("name") or f"#{index}")
    here = f"{where}, step {name!r}"
    if unknown:
        raise ScenarioError(f"{here}: unknown keys {sorted(unknown)} (allowed: {sorted(_STEP_KEYS)})")
    if len(methods) != 1:
        raise ScenarioError(f"{here}: give exactly one of {', '.join(METHODS)} with the request path")
    method = methods[0]
    kind = raw.get("as", "json" if method in ("POST", "PUT") or "body" in raw else "")
    if kind and kind not in CONTENT_TYPES:
        raise ScenarioError(f"{here}: 'as: {kind}' is not one of {sorted(CONTENT_TYPES)}")
    if method == "PATCH" and not kind:
        raise ScenarioError(f"{here}: a PATCH needs 'as:' ({', '.join(sorted(CONTENT_TYPES))})")
    compare = tuple(raw.get("compare") or PARTS)
    for part in compare:
        if part.split(".")[0] not in PARTS:
            raise ScenarioError(f"{here}: compare part {part!r} must start with one of {PARTS}")
    if "body" in raw and "raw" in raw:
        raise ScenarioError(f"{here}: give 'body' or 'raw', not both")
    return Step(
        name=name,
        method=method,
        path=str(raw[method]),
        content_type=CONTENT_TYPES[kind] if kind else "",
        body=raw.get("body"),
        raw=raw.get("raw"),
        headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
        save={str(k): str(v) for k, v in (raw.get("save") or {}).items()},
        compare=compare,
        until=dict(raw.get("until") or {}),
        setup=bool(raw.get("setup", False)),
        timeout=float(raw.get("timeout", 45.0)),
    )


def load_file(path: Path) -> list[Scenario]:
    try:
        documents = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not YAML: {exc}") from exc
    if not isinstance(documents, list):
        raise ScenarioError(f"{path.name}: must be a list of scenarios")
    scenarios = []
    for n, raw in enumerate(documents, 1):
        if not isinstance(raw, dict) or not raw.get("scenario") or not isinstance(raw.get("steps"), list):
            raise ScenarioError(f"{path.name}: entry {n} needs 'scenario: <name>' and 'steps: [...]'")
        where = f"{path.name}: scenario {raw['scenario']!r}"
        steps = tuple(_step(s, i, where) for i, s in enumerate(raw["steps"], 1))
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ScenarioError(f"{where}: step names repeat: {names}")
        scenarios.append(
            Scenario(
                name=str(raw["scenario"]),
                about=str(raw.get("about", "")),
                steps=steps,
                source=path.name,
                namespace=bool(raw.get("namespace", True)),
            )
        )
    return scenarios


def load_all(folder: Path = FOLDER) -> list[Scenario]:
    """Every scenario, in file order; names are unique across files."""
    scenarios = [s for path in sorted(folder.glob("*.yaml")) for s in load_file(path)]
    seen: dict[str, str] = {}
    for s in scenarios:
        if s.name in seen:
            raise ScenarioError(f"scenario {s.name!r} is in both {seen[s.name]} and {s.source}")
        seen[s.name] = s.source
    return scenarios
