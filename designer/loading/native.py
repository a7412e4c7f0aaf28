"""Reads designer's own format (apiVersion: designer/v1, kind: Design) into the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designer.errors import DesignError, Location, UnresolvedReferenceError
from designer.loading import schema, variables
from designer.loading.hints import did_you_mean
from designer.loading.positions import NodePositions, component_layout, exact
from designer.loading.yamlnodes import Document, locate, node_location
from designer.model import DESIGNER_API_VERSION, Component, Design


def is_native(value: Any) -> bool:
    """True for a designer/v1 Design document."""
    return (
        isinstance(value, dict)
        and value.get("apiVersion") == DESIGNER_API_VERSION
        and (value.get("kind") == "Design")
    )


def read(doc: Document, overrides: Mapping[str, str]) -> Design:
    """The Design in ``doc``, with variables substituted and every reference checked."""

    def where(path: str) -> Location:
        return nearest(doc, path)

    raw = doc.value
    values = variables.resolve(raw.get("variables"), overrides, where)
    data = {k: (v if k == "variables" else variables.substitute(v, values, where, k)) for k, v in raw.items()}
    schema.validate_design(data, where)

    components: list[Component] = []
    first: dict[str, int] = {}
    components_node = next(v for k, v in doc.node.value if k.value == "components")
    for i, spec in enumerate(data["components"]):
        key_path = f"components[{i}]"
        name = spec["name"]
        if name in first:
            raise DesignError(
                f"duplicate component name {name!r} (first used by components[{first[name]}], "
                f"{where(f'components[{first[name]}].name')})",
                location=where(f"{key_path}.name"),
                path=f"{key_path}.name",
                hint="component names must be unique within a design",
            )
        first[name] = i
        components.append(_component(doc, spec, components_node.value[i], key_path, where))

    _check_depends_on(components, where)
    meta = data["metadata"]
    return Design(
        name=meta["name"],
        version=meta.get("version"),
        description=meta.get("description"),
        source_format="designer/v1",
        location=doc.location(),
        components=tuple(components),
        metadata=meta,
        variables={k: str(v) for k, v in values.items()},
    )


def _component(doc: Document, spec: dict[str, Any], node: Any, key_path: str, where: Any) -> Component:
    api_version = spec["apiVersion"]
    settings = spec.get("settings") or {}
    if api_version == DESIGNER_API_VERSION:
        schema.validate_kind_settings(spec["kind"], settings, where, f"{key_path}.settings")
    return Component(
        name=spec["name"],
        kind=spec["kind"],
        api_version=api_version,
        namespace=spec.get("namespace"),
        labels=spec.get("labels") or {},
        annotations=spec.get("annotations") or {},
        depends_on=tuple(spec.get("dependsOn") or ()),
        settings=settings,
        traits=spec.get("traits") or {},
        object_name=spec.get("objectName"),
        location=node_location(node, doc.file),
        key_path=key_path,
        positions=NodePositions(node, doc.file, component_layout, exact),
    )


def _check_depends_on(components: list[Component], where: Any) -> None:
    names = {c.name for c in components}
    for comp in components:
        for j, dep in enumerate(comp.depends_on):
            path = f"{comp.key_path}.dependsOn[{j}]"
            if dep == comp.name:
                raise UnresolvedReferenceError(
                    f"component {comp.name!r} depends on itself", location=where(path), path=path
                )
            if dep not in names:
                raise UnresolvedReferenceError(
                    f"dependsOn names {dep!r}, which is not a component of this design",
                    location=where(path),
                    path=path,
                    hint=did_you_mean(dep, names) or "use the `name` of another component",
                )


def nearest(doc: Document, path: str) -> Location:
    """The location of ``path`` in ``doc``, or of its nearest written parent."""
    while path:
        found = locate(doc.node, path, doc.file)
        if found is not None:
            return found
        path = path[: path.rindex("[")] if path.endswith("]") else path.rpartition(".")[0]
    return doc.location()
