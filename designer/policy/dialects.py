"""Builtins that one tool adds to Rego and real suites call: conftest's config parsers, Trivy's result.

* ``parse_config(parser, text)``: the text parsed as ``yaml``/``yml`` or ``json`` (conftest's other
  parsers, HCL, nginx, TOML…, are not supported: the call fails, which OPA's default treats as undefined).
* ``parse_config_file(path)``: the file parsed by its suffix. conftest resolves the path against the
  calling policy's folder; designer.policy.rewrites writes that folder into the argument.
* ``parse_combined_config_files(paths)``: ``[{"path", "contents"}, …]``, one entry per document, as
  conftest's ``--combine`` input.
* ``result.new(msg, cause)``: Trivy's result object, ``{"msg": msg}`` plus the source position Trivy
  keeps in ``cause.__defsec_metadata``.
* ``net.lookup_ip_addr(name)``: an OPA builtin regorus lacks; it always fails here (no name lookups
  while evaluating), so OPA's default makes the expression undefined, not the policy unloadable.

A YAML stream of several documents parses to the list of them, one document to itself (conftest).

Caller: designer.policy.loader (registered on the engine of users' policies).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from designer.policy.backend import RegoEngine

_RESULT_FIELDS = (
    "startline",
    "endline",
    "filepath",
    "explicit",
    "managed",
    "fskey",
    "resource",
    "sourceprefix",
)


def register(engine: RegoEngine) -> None:
    """Make the dialect builtins callable from the engine's policies."""
    engine.add_extension("parse_config", 2, parse_config)
    engine.add_extension("parse_config_file", 1, parse_config_file)
    engine.add_extension("parse_combined_config_files", 1, parse_combined_config_files)
    engine.add_extension("result.new", 2, result_new)
    engine.add_extension("net.lookup_ip_addr", 1, lookup_ip_addr)


def parse_config(parser: str, text: str) -> Any:
    """conftest's ``parse_config`` for YAML and JSON."""
    name = str(parser).lower()
    if name in ("yaml", "yml"):
        return _yaml(str(text))
    if name == "json":
        return json.loads(str(text))
    raise ValueError(f"parser {parser!r} is not supported by designer (yaml and json are)")


def parse_config_file(path: str) -> Any:
    """conftest's ``parse_config_file``: the parser follows the suffix."""
    file = Path(os.path.normpath(str(path)))
    suffix = file.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ValueError(f"cannot parse {file.name}: designer reads YAML and JSON configuration files")
    return parse_config(suffix.lstrip("."), file.read_text(encoding="utf-8"))


def parse_combined_config_files(paths: list[str]) -> list[dict[str, Any]]:
    """conftest's ``parse_combined_config_files``: every document with the path it came from."""
    combined: list[dict[str, Any]] = []
    for path in paths:
        shown = os.path.normpath(str(path))
        parsed = parse_config_file(shown)
        documents = parsed if isinstance(parsed, list) else [parsed]
        combined.extend({"path": shown, "contents": document} for document in documents)
    return combined


def result_new(message: Any, cause: Any) -> dict[str, Any]:
    """Trivy's ``result.new``: the message plus where the cause sits, when the input says so."""
    result: dict[str, Any] = {"msg": message}
    metadata = cause.get("__defsec_metadata") if isinstance(cause, dict) else None
    if isinstance(metadata, dict):
        result.update({key: metadata[key] for key in _RESULT_FIELDS if key in metadata})
    return result


def lookup_ip_addr(name: str) -> Any:
    """OPA's ``net.lookup_ip_addr`` (missing in regorus): designer does not resolve names while it
    evaluates policies, so the call fails, which OPA's default reads as undefined."""
    raise ValueError(f"designer does not resolve names while it evaluates policies ({name!r})")


def _yaml(text: str) -> Any:
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    # Rego values are JSON: dates and other YAML-only scalars become text.
    documents = json.loads(json.dumps(documents, default=str))
    if len(documents) == 1:
        return documents[0]
    return documents
