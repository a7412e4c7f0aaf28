"""Reads Meshery v1beta1 designs (``schemaVersion: designs.meshery.io/v1beta1``) into the model.

Components carry ``component: {kind, version}``, the object body in ``configuration`` (its metadata
there too), ``metadata.dependsOn`` by name or by id and, in designs designer exported,
``metadata.traits``; annotation components (canvas-only) are skipped. The design's free-form
``metadata`` keeps the keys a native design's metadata also has (description, type, tags, …). Every
mistake of a design is reported in one run; keys are de-prettified as in patterns.
"""

from __future__ import annotations

from typing import Any

import yaml

from designer.errors import DesignError, raise_all
from designer.kinds import DEFAULT_API_VERSIONS
from designer.loading.fields import Fields, scalar_text
from designer.loading.locating import child, item
from designer.loading.meshery import check_depends_on, deprettify
from designer.loading.native import nearest
from designer.loading.positions import NodePositions
from designer.loading.yamlnodes import Document
from designer.model import SHARED_METADATA, Component, Design


def is_v1beta1(value: Any) -> bool:
    """True for a v1beta1-style design (schemaVersion designs.meshery.io/…)."""
    return isinstance(value, dict) and str(value.get("schemaVersion", "")).startswith("designs.meshery.io/")


def read_v1beta1(doc: Document) -> Design:
    """The Design of a Meshery v1beta1 design (``components:`` with component.kind, configuration).

    Raises every error found (a `CombinedDesignError` for several).
    """
    raw = doc.value
    errors: list[DesignError] = []
    fields = Fields(lambda p: nearest(doc, p), errors)
    comps = raw.get("components") or []
    if not isinstance(comps, list):
        raise DesignError(
            "`components` must be a list", location=nearest(doc, "components"), path="components"
        )
    comps_node = child(doc.node, "components")
    by_id: dict[str, str] = {}
    names: dict[str, int] = {}
    staged: list[tuple[int, dict[str, Any], str]] = []
    for i, entry in enumerate(comps):
        path = f"components[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("component"), dict):
            fields.wrong(path, "a component needs a `component: {kind, version}` block")
            continue
        item_meta = entry.get("metadata")
        if isinstance(item_meta, dict) and item_meta.get("isAnnotation") is True:
            continue
        config = entry.get("configuration")
        meta = config.get("metadata") if isinstance(config, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        display = entry.get("displayName")
        base = (
            (display if isinstance(display, str) and display else None)
            or (meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else None)
            or f"component-{i}"
        )
        name = base if base not in names else f"{base}-{i}"
        names[name] = i
        by_id[scalar_text(entry.get("id"))] = name
        staged.append((i, entry, name))

    components = []
    for i, entry, name in staged:
        comp = _v1beta1_component(doc, i, entry, name, by_id, item(comps_node, i), fields)
        if comp is not None:
            components.append(comp)
    check_depends_on(
        components,
        set(names),
        doc,
        errors,
        "component of this design",
        "use the name or id of another component",
    )
    raise_all(errors)
    design_meta = raw.get("metadata")
    kept = (
        {k: v for k, v in design_meta.items() if k in SHARED_METADATA}
        if isinstance(design_meta, dict)
        else {}
    )
    description = kept.get("description")
    return Design(
        name=scalar_text(raw.get("name")) or doc.file,
        version=scalar_text(raw["version"]) if raw.get("version") is not None else None,
        source_format="meshery-design",
        location=doc.location(),
        components=tuple(components),
        description=description if isinstance(description, str) else None,
        metadata=kept,
    )


def _v1beta1_component(
    doc: Document,
    i: int,
    entry: dict[str, Any],
    name: str,
    by_id: dict[str, str],
    node: yaml.Node | None,
    fields: Fields,
) -> Component | None:
    path = f"components[{i}]"
    before = len(fields.errors)
    config = dict(fields.mapping(entry.get("configuration"), f"{path}.configuration"))
    meta = fields.mapping(config.pop("metadata", None), f"{path}.configuration.metadata")
    spec = entry["component"]
    kind = fields.text(spec.get("kind"), f"{path}.component.kind") or ""
    api_version = fields.text(spec.get("version"), f"{path}.component.version") or DEFAULT_API_VERSIONS.get(
        kind, ""
    )
    item_meta = fields.mapping(entry.get("metadata"), f"{path}.metadata")
    depends_on = fields.texts(item_meta.get("dependsOn"), f"{path}.metadata.dependsOn")
    traits = fields.mapping(item_meta.get("traits"), f"{path}.metadata.traits")
    namespace = fields.text(meta.get("namespace"), f"{path}.configuration.metadata.namespace")
    labels = fields.string_map(meta.get("labels"), f"{path}.configuration.metadata.labels")
    annotations = fields.string_map(meta.get("annotations"), f"{path}.configuration.metadata.annotations")
    object_name = fields.text(meta.get("name"), f"{path}.configuration.metadata.name")
    fields.text(entry.get("displayName"), f"{path}.displayName")
    if not kind or not api_version:
        fields.wrong(f"{path}.component", "component.kind and component.version are required")
    if len(fields.errors) > before:
        return None
    return Component(
        name=name,
        kind=kind,
        api_version=api_version,
        namespace=namespace,
        labels=labels,
        annotations=annotations,
        depends_on=tuple(by_id.get(d, d) for d in depends_on),
        settings=config,
        traits=traits,
        object_name=object_name or name,
        location=nearest(doc, path),
        key_path=path,
        positions=NodePositions(
            node if node is not None else doc.node,
            doc.file,
            _v1beta1_layout,
            deprettify,
            dependencies="metadata.dependsOn[{}]",
        ),
    )


def _v1beta1_layout(path: str) -> str:
    return f"configuration.{path}" if path else ""
