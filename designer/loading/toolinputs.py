"""Files written for other tools, found among manifests: checked as what they are, or set aside.

A repository keeps, beside its manifests, files that no API server ever sees: kustomize's
kustomization.yaml, istioctl's IstioOperator (no name: istioctl does not need one), a Helm chart's
values.yaml, a kubeadm or kind configuration. Two of them designer recognises and checks against a
schema of their own (schemas/tools/): a Kustomization (its fields, and that the local files it
lists exist) and an unnamed IstioOperator (its spec). The others cannot be checked: `foreign` says
what they are, so the error (or finding) explains itself instead of "unrecognised document".

Callers: designer.loading (document dispatch) and designer.loading.kubernetes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.errors import DesignError, Location
from designer.loading import schema
from designer.loading.locating import child, item, locate
from designer.loading.yamlnodes import Document
from designer.model import ToolInput

KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
_KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_LISTED_FILES = ("resources", "components", "crds", "bases")
_REMOTE = re.compile(r"^(https?://|git@|ssh://|github\.com/|gitlab\.com/)|\?ref=|//")

TOOL_GROUPS = {
    "kubeadm.k8s.io": "kubeadm's configuration",
    "kubelet.config.k8s.io": "the kubelet's configuration",
    "kubeproxy.config.k8s.io": "kube-proxy's configuration",
    "kubescheduler.config.k8s.io": "kube-scheduler's configuration",
    "apiserver.config.k8s.io": "kube-apiserver's configuration",
    "audit.k8s.io": "kube-apiserver's audit policy",
    "kind.x-k8s.io": "kind's cluster configuration",
    "k3d.io": "k3d's cluster configuration",
    "ctlptl.dev": "ctlptl's configuration",
    "kpt.dev": "kpt's package file",
    "fn.kpt.dev": "a kpt function's configuration",
    "config.kubernetes.io": "a KRM function's configuration",
    "skaffold": "skaffold's configuration",
}
"""API groups whose objects are read by a tool, never applied to a cluster."""


def recognise(doc: Document) -> str | None:
    """The tool whose input ``doc`` is and that designer can check ('kustomize', 'istioctl'), or None."""
    value = doc.value
    if not isinstance(value, dict):
        return None
    api_version = str(value.get("apiVersion") or "")
    kind = value.get("kind")
    if api_version.startswith(KUSTOMIZE_GROUP + "/") and kind in ("Kustomization", "Component"):
        return "kustomize"
    if "apiVersion" not in value and "kind" not in value and Path(doc.file).name in _KUSTOMIZATION_FILES:
        return "kustomize"  # kustomize lets a kustomization.yaml leave both out
    if kind == "IstioOperator" and api_version.startswith("install.istio.io/") and not _named(value):
        return "istioctl"
    return None


def check(doc: Document, tool: str, folder: Path | None) -> tuple[ToolInput, list[DesignError]]:
    """Check a recognised tool input; ``folder`` holds the files it lists (None: not on disk)."""

    def where(path: str) -> Location:
        return locate(doc.node, path, doc.file) or doc.location()

    value: dict[str, Any] = doc.value
    reads: tuple[str, ...] = ()
    if tool == "kustomize":
        errors: list[DesignError] = list(
            schema.document_errors("tools/kustomization.schema.json", value, where)
        )
        if folder is not None:
            errors += _missing_files(doc, folder)
            reads = tuple(str(folder / entry) for entry in _local_entries(value))
        kind = str(value.get("kind") or "Kustomization")
    else:
        errors = list(schema.document_errors("tools/istio-operator.schema.json", value, where))
        kind = "IstioOperator"
    errors.sort(key=lambda e: (e.location.line, e.location.column) if e.location else (0, 0))
    return ToolInput(kind, tool, doc.location(), len(value), len(errors), reads), errors


def _local_entries(value: dict[str, Any]) -> list[str]:
    """The local paths a kustomization lists (remote URLs left out)."""
    return [
        entry
        for field in _LISTED_FILES
        if isinstance(value.get(field), list)
        for entry in value[field]
        if isinstance(entry, str) and entry and not _REMOTE.search(entry)
    ]


def _missing_files(doc: Document, folder: Path) -> list[DesignError]:
    errors: list[DesignError] = []
    for field in _LISTED_FILES:
        entries = doc.value.get(field)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, str) or not entry or _REMOTE.search(entry):
                continue
            if not (folder / entry).exists():
                node = item(child(doc.node, field), i)
                errors.append(
                    DesignError(
                        f"{entry!r} does not exist beside the kustomization",
                        location=Location(doc.file, node.start_mark.line + 1, node.start_mark.column + 1)
                        if node is not None
                        else doc.location(),
                        path=f"{field}[{i}]",
                        hint="entries are paths relative to the kustomization's folder (or remote URLs)",
                    )
                )
    return errors


@dataclass(frozen=True, slots=True)
class Foreign:
    """What a document that is no API object is, and what to do about it."""

    what: str
    hint: str


_HELM_HINT = "run `helm template` on the chart and validate its output"


def foreign(file: str, value: Any) -> Foreign | None:
    """What a document of ``file`` that is no API object is, when that can be told (for an error's reason)."""
    path = Path(file)
    if isinstance(value, dict):
        api_version = str(value.get("apiVersion") or "")
        group = api_version.rpartition("/")[0] or api_version
        tool = TOOL_GROUPS.get(group) or TOOL_GROUPS.get(group.partition(".")[2])
        if tool:
            return Foreign(f"{tool}, read by that tool and never applied to a cluster", _ELSEWHERE)
        if api_version == "v1" and value.get("kind") == "Config":
            return Foreign(
                "a kubeconfig, read by kubectl and clients, never applied to a cluster", _ELSEWHERE
            )
    if path.name == "Chart.yaml":
        return Foreign("a Helm chart's Chart.yaml", _HELM_HINT)
    if path.name.startswith("values") and (_chart_folder(path) is not None or isinstance(value, dict)):
        seems = "" if _chart_folder(path) is not None else ", it seems"
        return Foreign(f"a Helm chart's values file{seems}", _HELM_HINT)
    if is_compose(value):
        return Foreign(
            "a Docker Compose file",
            f"import it into a design: design import {path.name} --from compose",
        )
    return None


_COMPOSE_TOP = frozenset({"networks", "volumes", "configs", "secrets", "include", "models", "jobs"})
_PATTERN_SERVICE_KEYS = frozenset({"type", "settings", "traits", "dependsOn", "model", "apiVersion"})


def is_compose(value: Any) -> bool:
    """True for a Docker Compose file: a ``services:`` map whose services carry none of a Meshery
    pattern's keys (``type``, ``settings``, …), with a service or a Compose-only top-level key."""
    if not isinstance(value, dict) or "apiVersion" in value or "kind" in value:
        return False
    services = value.get("services")
    if services is None and "include" in value:
        return True
    if not isinstance(services, dict):
        return False
    entries = [s for s in services.values() if isinstance(s, dict)]
    if any(_PATTERN_SERVICE_KEYS & set(s) for s in entries):
        return False
    return bool(entries) or bool(_COMPOSE_TOP & set(value))


_ELSEWHERE = "keep it out of the paths designer checks, or validate what the tool produces"


def chart_template(file: str) -> Foreign | None:
    """A file inside a Helm chart's templates/ folder: a Go template, not YAML until helm renders it."""
    if "templates" not in file:
        return None  # most files: no folder to look at (listing the parents costs more than parsing)
    path = Path(file)
    if "templates" not in path.parts[:-1]:
        return None
    if any(parent.name == "templates" and _chart_folder(parent) is not None for parent in path.parents):
        return Foreign("a Helm chart template (Go template text, not YAML until helm renders it)", _HELM_HINT)
    return None


def _chart_folder(path: Path) -> Path | None:
    folder = path.parent
    try:
        return folder if (folder / "Chart.yaml").is_file() else None
    except OSError:
        return None


def _named(value: dict[str, Any]) -> bool:
    meta = value.get("metadata")
    return isinstance(meta, dict) and isinstance(meta.get("name"), str) and bool(meta["name"])
