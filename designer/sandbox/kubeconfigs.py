"""The kubeconfig files a sandbox writes: one cluster, user and context per entry, all named alike.

Both engines use it: the emulator (a bearer token, plain HTTP) and the real control plane (TLS with
its CA, an admin client certificate, a token user with no rights). ``merge`` adds or replaces entries
in an existing file, keeping everything else in it, the way `kubectl config set-context` would.
Callers: designer.sandbox.runner, designer.sandbox.upstream.controlplane, designer.cli.sandbox.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


def pem_data(path: Path) -> str:
    """A PEM file as kubeconfig ``*-data`` fields want it (base64 of the file)."""
    return base64.b64encode(path.read_bytes()).decode()


@dataclass(frozen=True, slots=True)
class Entry:
    """One context: its server, how it authenticates (a kubeconfig ``user`` body), its namespace."""

    context: str
    server: str
    user: dict[str, Any] = field(default_factory=dict)
    ca_data: str | None = None
    namespace: str = "default"

    def sections(self) -> dict[str, dict[str, Any]]:
        cluster: dict[str, Any] = {"server": self.server}
        if self.ca_data:
            cluster["certificate-authority-data"] = self.ca_data
        return {
            "clusters": {"name": self.context, "cluster": cluster},
            "users": {"name": self.context, "user": dict(self.user)},
            "contexts": {
                "name": self.context,
                "context": {"cluster": self.context, "user": self.context, "namespace": self.namespace},
            },
        }


def document(entries: Sequence[Entry]) -> dict[str, Any]:
    """A kubeconfig with ``entries``; the first is the current context."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [e.sections()["clusters"] for e in entries],
        "users": [e.sections()["users"] for e in entries],
        "contexts": [e.sections()["contexts"] for e in entries],
        "current-context": entries[0].context,
        "preferences": {},
    }


def _save(path: Path, doc: dict[str, Any]) -> Path:
    """Write owner-only: the file holds credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(yaml.safe_dump(doc, sort_keys=False))
    tmp.replace(path)
    return path


def write(path: Path, entries: Sequence[Entry]) -> Path:
    return _save(path, document(entries))


def merge(path: Path, entries: Sequence[Entry]) -> Path:
    """Add or replace ``entries`` (their clusters, users and contexts) in the kubeconfig at ``path``."""
    current: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        current = loaded if isinstance(loaded, dict) else {}
    fresh = document(entries)
    names = {e.context for e in entries}
    merged = {**fresh, **{k: v for k, v in current.items() if k not in ("clusters", "users", "contexts")}}
    for section in ("clusters", "users", "contexts"):
        kept = [e for e in current.get(section) or [] if e.get("name") not in names]
        merged[section] = kept + fresh[section]
    if not current.get("current-context"):
        merged["current-context"] = entries[0].context
    return _save(path, merged)
