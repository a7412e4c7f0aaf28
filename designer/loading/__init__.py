"""YAML design files → `Design`s: format detection, safe bounded parsing, variables, schema checks.

Callers: the CLI commands and every workflow that starts from files (validate, graph, render, diff,
apply, perf, catalog import). One file gives one Design per native Design document, one Design for
all the Kubernetes manifests it holds, or one per Meshery pattern/design document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from designer.designfiles import YAML_SUFFIXES as YAML_SUFFIXES
from designer.designfiles import expand_paths as expand_paths
from designer.errors import DesignError
from designer.gcpause import paused_gc
from designer.loading import kubernetes, meshery, native
from designer.loading.yamlnodes import Document, parse_documents, read_documents
from designer.model import Design


def load_paths(paths: Sequence[str | Path], variables: Mapping[str, str] | None = None) -> list[Design]:
    """Every design in ``paths`` (files, or folders searched recursively for *.yaml / *.yml)."""
    designs: list[Design] = []
    for file in expand_paths(paths):
        designs.extend(load_file(file, variables))
    return designs


def load_file(path: str | Path, variables: Mapping[str, str] | None = None) -> list[Design]:
    """The designs in one file."""
    path = Path(path)
    with paused_gc():
        return load_documents(read_documents(path, str(path)), path.stem, variables)


def load_text(
    text: str | bytes, name: str = "<text>", variables: Mapping[str, str] | None = None
) -> list[Design]:
    """The designs in YAML text (tests and stdin)."""
    raw = text.encode() if isinstance(text, str) else text
    return load_documents(parse_documents(raw, name), Path(name).stem, variables)


def load_documents(
    docs: list[Document], default_name: str, variables: Mapping[str, str] | None = None
) -> list[Design]:
    """Designs from parsed documents; Kubernetes manifests of one file form one design."""
    overrides = dict(variables or {})
    designs: list[Design] = []
    manifests: list[Document] = []
    for doc in docs:
        value = doc.value
        if native.is_native(value):
            designs.append(native.read(doc, overrides))
        elif meshery.is_v1beta1(value):
            designs.append(meshery.read_v1beta1(doc))
        elif meshery.is_pattern(value):
            designs.append(meshery.read_pattern(doc))
        elif kubernetes.is_manifest(value):
            manifests.append(doc)
        else:
            raise DesignError(
                _unrecognised(value),
                location=doc.location(),
                hint="a design starts with `apiVersion: designer/v1` and `kind: Design`; "
                "Kubernetes manifests need apiVersion and kind; Meshery patterns have `services:`",
            )
    if manifests:
        designs.append(kubernetes.read(manifests, default_name))
    return designs


def _unrecognised(value: object) -> str:
    if not isinstance(value, dict):
        return f"document is a {type(value).__name__}, not a mapping: not a design"
    keys: Iterable[str] = list(value)[:5]
    return f"unrecognised document (top-level keys: {', '.join(map(str, keys))})"
