"""The model → native designer/v1 documents, for `design import`.

Names are made DNS-safe (dependsOn follows renames), Meshery's UI-only traits are dropped, and
every ``${`` in imported values is escaped as ``$${`` so shell snippets in ConfigMaps stay literal
instead of becoming design variables. Dependencies: the source's explicit ones are always kept;
``explicit_deps`` also writes the edges designer infers (namespace first, ConfigMap before Pod…),
which freezes today's inference into the file; by default they are left to inference at load time.
The result is loaded back before it is returned, so an import either works or fails here.
Callers: designer.cli.importing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.errors import DesignError
from designer.graph import build_graph
from designer.kinds import mesh_of_group
from designer.loading import load_text
from designer.loading.writing import dump_documents
from designer.model import DESIGNER_API_VERSION, SHARED_METADATA, Design

_TRAITS = ("wait", "prune", "replace")
_INVALID = re.compile(r"[^a-z0-9.-]+")
_SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOptions:
    """How imported designs are written."""

    name: str | None = None
    version: str | None = None  # None: the input's version when it is semver, else 0.1.0
    type: str | None = None
    explicit_deps: bool = False
    origin: str = ""


def dns_name(text: str, fallback: str = "imported") -> str:
    """``text`` as a DNS-1123 name: lowercase, runs of other characters turned into '-'."""
    name = _INVALID.sub("-", text.strip().lower()).strip("-.")[:63].strip("-.")
    return name or fallback


def to_native(design: Design, options: ImportOptions) -> dict[str, Any]:
    """One native Design document for ``design``."""
    renames = _component_names(design)
    inferred: dict[str, list[str]] = {}
    if options.explicit_deps:
        for edge in build_graph(design).edges:
            inferred.setdefault(edge.dependent, []).append(edge.dependency)
    version = options.version or (
        design.version if design.version and _SEMVER.match(design.version) else "0.1.0"
    )
    metadata: dict[str, Any] = {"name": options.name or dns_name(design.name), "version": version}
    for key in SHARED_METADATA:
        if key in design.metadata:
            metadata[key] = design.metadata[key]
    if options.type:
        metadata["type"] = options.type
    if "meshes" not in metadata:
        metadata["meshes"] = _meshes(design)
    if "description" not in metadata:
        origin = f" from {options.origin}" if options.origin else ""
        metadata["description"] = f"{design.name} (imported{origin}, {design.source_format})"
    components: list[dict[str, Any]] = []
    for comp in design.components:
        item: dict[str, Any] = {"name": renames[comp.name], "kind": comp.kind, "apiVersion": comp.api_version}
        object_name = comp.object_name or comp.name
        if object_name != item["name"]:
            item["objectName"] = object_name
        if comp.namespace:
            item["namespace"] = comp.namespace
        if comp.labels:
            item["labels"] = _escaped(dict(comp.labels))
        if comp.annotations:
            item["annotations"] = _escaped(dict(comp.annotations))
        deps = list(comp.depends_on) + [d for d in inferred.get(comp.name, []) if d not in comp.depends_on]
        if deps:
            item["dependsOn"] = [renames[d] for d in deps]
        if comp.settings:
            item["settings"] = _escaped(comp.settings)
        traits = {k: v for k, v in comp.traits.items() if k in _TRAITS}
        if traits:
            item["traits"] = traits
        components.append(item)
    return {
        "apiVersion": DESIGNER_API_VERSION,
        "kind": "Design",
        "metadata": metadata,
        "components": components,
    }


def write_designs(designs: list[Design], options: ImportOptions) -> str:
    """Native YAML for ``designs``, checked by loading it back."""
    names: dict[str, int] = {}
    documents = []
    for design in designs:
        doc = to_native(design, options)
        base = doc["metadata"]["name"]
        names[base] = names.get(base, 0) + 1
        if names[base] > 1:
            doc["metadata"]["name"] = f"{base}-{names[base]}"
        documents.append(doc)
    text = dump_documents(documents)
    try:
        load_text(text, "imported.yaml")
    except DesignError as exc:
        source = designs[0].file if designs else "input"
        raise DesignError(
            f"{source}: the converted design does not load: {exc}",
            hint="the input uses something designer cannot express yet; please report it",
        ) from exc
    return text


def _meshes(design: Design) -> list[str]:
    """The meshes a design needs, from the API groups of its components (for catalog search)."""
    groups = {c.api_version.rpartition("/")[0] for c in design.components}
    return sorted({mesh for g in groups if (mesh := mesh_of_group(g))}) or ["none"]


def _component_names(design: Design) -> dict[str, str]:
    renames: dict[str, str] = {}
    used: set[str] = set()
    for comp in design.components:
        base = dns_name(comp.name, fallback=dns_name(comp.kind))
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        renames[comp.name] = name
    return renames


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value
