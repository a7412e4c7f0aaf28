"""Designs → Meshery's formats: v1beta1 designs (``schemaVersion: designs.meshery.io/v1beta1``) and
legacy patterns (a ``services:`` map), as ../shared/reference/meshery.md documents them.

v1beta1: each component gets a stable id (a UUIDv5 of the design and component names, so the same
design exports to the same bytes), ``displayName`` (designer's component name), ``component: {kind,
version}`` (the apiVersion), ``model`` (designer.exporting.models), ``configuration`` (the object body
with its metadata: name, namespace, labels, annotations) and ``metadata`` (``isNamespaced``,
``dependsOn`` by id, designer's traits under ``traits``). Patterns key services by component name
with ``type``, ``apiVersion``, ``model``, ``name`` (the object name), ``namespace``, labels,
annotations, ``dependsOn`` by name, ``settings`` and ``traits``.

What a format cannot hold is refused with the component's name and a hint, never written lossily: a
pattern's reader turns ``target Port``-style keys back into camelCase, takes ``name``/``namespace``
in settings as the object's, and resolves ``$(#ref…)`` text, so a design using those exports only as
v1beta1. Callers: designer.cli.exporting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from designer.errors import DesignerError
from designer.exporting.models import DESIGNER_MODEL, model_name, registrant
from designer.kinds import CLUSTER_SCOPED
from designer.model import SHARED_METADATA, Component, Design

_ID_NAMESPACE = uuid.UUID("5b4c2a8e-8c1f-4d0e-9a55-6f1f2d7c9e31")
_VERBATIM = frozenset(
    {"labels", "annotations", "matchLabels", "data", "stringData", "selector", "nodeSelector"}
)
FORMATS = ("v1beta1", "pattern")


def component_id(design: Design, name: str) -> str:
    """A stable id for a component (the same design and name give the same id)."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{design.name}/{name}"))


def to_v1beta1(design: Design) -> dict[str, Any]:
    """The Meshery v1beta1 design document of ``design``."""
    ids = {c.name: component_id(design, c.name) for c in design.components}
    return {
        "id": str(uuid.uuid5(_ID_NAMESPACE, design.name)),
        "name": design.name,
        "schemaVersion": "designs.meshery.io/v1beta1",
        "version": design.version or "0.0.1",
        "metadata": _design_metadata(design),
        "components": [_v1beta1_component(c, ids) for c in design.components],
        "relationships": [],
        "preferences": {"layers": {}},
    }


def _v1beta1_component(comp: Component, ids: Mapping[str, str]) -> dict[str, Any]:
    model = model_name(comp.api_version)
    metadata: dict[str, Any] = {"isNamespaced": comp.kind not in CLUSTER_SCOPED, "isAnnotation": False}
    if comp.depends_on:
        metadata["dependsOn"] = [ids[d] for d in comp.depends_on]
    if comp.traits:
        metadata["traits"] = dict(comp.traits)
    configuration = comp.to_object()
    del configuration["apiVersion"], configuration["kind"]
    return {
        "id": ids[comp.name],
        "schemaVersion": "components.meshery.io/v1beta1",
        "version": "v1.0.0",
        "displayName": comp.name,
        "description": "",
        "format": "JSON",
        "model": {
            "name": model,
            "displayName": model,
            "schemaVersion": "models.meshery.io/v1beta1",
            "version": "v1.0.0",
            "registrant": {"kind": registrant(model)},
        },
        "modelReference": {"name": model, "version": "v1.0.0"},
        "component": {"kind": comp.kind, "version": comp.api_version, "schema": ""},
        "configuration": _plain(configuration),
        "metadata": metadata,
        "styles": {},
        "capabilities": [],
        "status": "enabled",
    }


def to_pattern(design: Design) -> dict[str, Any]:
    """The legacy Meshery pattern document of ``design``; DesignerError when a component cannot be one."""
    services: dict[str, Any] = {}
    for comp in design.components:
        _check_pattern(comp)
        service: dict[str, Any] = {
            "name": comp.object_name or comp.name,
            "type": comp.kind,
            "apiVersion": comp.api_version,
            "model": model_name(comp.api_version),
        }
        if comp.namespace:
            service["namespace"] = comp.namespace
        if comp.labels:
            service["labels"] = dict(comp.labels)
        if comp.annotations:
            service["annotations"] = dict(comp.annotations)
        if comp.depends_on:
            service["dependsOn"] = list(comp.depends_on)
        service["settings"] = _plain(comp.settings)
        if comp.traits:
            service["traits"] = dict(comp.traits)
        services[comp.name] = service
    pattern: dict[str, Any] = {"name": design.name}
    if design.version:
        pattern["version"] = design.version
    pattern["services"] = services
    return pattern


def _check_pattern(comp: Component) -> None:
    for key in ("name", "namespace"):
        if key in comp.settings:
            raise _lossy(
                comp, f"its settings have a top-level {key!r}, which a pattern reads as the object's {key}"
            )
    for path, text in _walk(comp.settings, ""):
        if text is not None and "$(#ref." in text:
            raise _lossy(comp, f"{path} holds '$(#ref.', which a pattern's reader resolves as a reference")
        if text is None and " " in path.rpartition(".")[2]:
            raise _lossy(comp, f"the key {path!r} has a space, which a pattern's reader turns into camelCase")
    if comp.kind == "Application" and comp.api_version.startswith("core.oam.dev/"):
        raise _lossy(comp, "an OAM Application is read from a pattern as a Deployment")


def _walk(value: Any, path: str, verbatim: bool = False) -> list[tuple[str, str | None]]:
    """(path, text) for each string value, (path, None) for each key (unless verbatim)."""
    found: list[tuple[str, str | None]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if not verbatim:
                found.append((child, None))
            found.extend(_walk(item, child, verbatim or key in _VERBATIM))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found.extend(_walk(item, f"{path}[{i}]", verbatim))
    elif isinstance(value, str):
        found.append((path, value))
    return found


def _lossy(comp: Component, why: str) -> DesignerError:
    return DesignerError(
        f"component {comp.name!r} cannot be written as a Meshery pattern: {why}",
        location=comp.location,
        hint="export it as a v1beta1 design (--format v1beta1), which keeps it as it is",
    )


def _design_metadata(design: Design) -> dict[str, Any]:
    metadata = {k: design.metadata[k] for k in SHARED_METADATA if k in design.metadata}
    if design.description and "description" not in metadata:
        metadata["description"] = design.description
    plain: dict[str, Any] = _plain(metadata)
    return plain


def _plain(value: Any) -> Any:
    """Mappings and tuples as plain dicts and lists (for the YAML writer)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def unknown_models(design: Design) -> list[str]:
    """Components Meshery has no model for (designer's own kinds)."""
    return [c.name for c in design.components if model_name(c.api_version) == DESIGNER_MODEL]
