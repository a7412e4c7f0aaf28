"""Reads designer's own format (apiVersion: designer/v1, kind: Design) into the model.

Every independent mistake of a design is reported in one run, as a compiler does: each unknown
variable, each schema error (unknown key, wrong type, bad pattern), each duplicate component name,
each unknown ``dependsOn`` name, each bad setting of designer's own kinds. The checks that follow the
schema read only what is well-typed, so one mistake never hides or garbles another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designer.errors import DesignError, Location, UnresolvedReferenceError, raise_all
from designer.loading import apifields, schema, variables
from designer.loading.hints import did_you_mean
from designer.loading.locating import as_written, child, item, locate_nearest, node_location
from designer.loading.positions import NodePositions, component_layout
from designer.loading.yamlnodes import Document
from designer.model import DESIGNER_API_VERSION, Component, Design


def is_native(value: Any) -> bool:
    """True for a designer/v1 Design document."""
    return (
        isinstance(value, dict)
        and value.get("apiVersion") == DESIGNER_API_VERSION
        and (value.get("kind") == "Design")
    )


def read(doc: Document, overrides: Mapping[str, str], *, check_fields: bool = False) -> Design:
    """The Design in ``doc``, with variables substituted and every reference checked.

    Raises every error found (a `CombinedDesignError` when there are several). With ``check_fields``,
    those include the field problems of the components that are well-formed despite the other errors
    (`apifields`; the caller checks a design without errors itself), so a wrong dependsOn name does
    not hide a wrong field type until the next run.
    """

    def where(path: str) -> Location:
        return nearest(doc, path)

    errors: list[DesignError] = []
    raw = doc.value
    values = variables.resolve(raw.get("variables"), overrides, where, errors)
    substitute = variables.Substitution(values, where, errors)
    # Without "${" in the file there is nothing to substitute (walking 100,000 components costs).
    data = (
        {k: (v if k == "variables" else substitute(v, k)) for k, v in raw.items()} if doc.references else raw
    )

    errors += [e for e in schema.design_errors(data, where) if e.path not in substitute.failed]
    components = data.get("components")
    specs: list[Any] = components if isinstance(components, list) else []
    _check_names(specs, where, errors)
    _check_depends_on(specs, where, errors)
    for i, spec in enumerate(specs):
        settings = (spec.get("settings") or {}) if isinstance(spec, dict) else None
        if isinstance(settings, dict) and spec.get("apiVersion") == DESIGNER_API_VERSION:
            errors += schema.kind_settings_errors(
                str(spec.get("kind")), settings, where, f"components[{i}].settings"
            )
    if errors and check_fields:
        errors += _field_errors(doc, specs, errors)
    raise_all(errors)

    components_node = child(doc.node, "components")
    components = tuple(
        _component(doc, spec, item(components_node, i), f"components[{i}]") for i, spec in enumerate(specs)
    )
    meta = data["metadata"]
    return Design(
        name=meta["name"],
        version=meta.get("version"),
        description=meta.get("description"),
        source_format="designer/v1",
        location=doc.location(),
        components=components,
        metadata=meta,
        variables={k: str(v) for k, v in values.items()},
    )


def _component(doc: Document, spec: dict[str, Any], node: Any, key_path: str) -> Component:
    node = node if node is not None else doc.node
    return Component(
        name=spec["name"],
        kind=spec["kind"],
        api_version=spec["apiVersion"],
        namespace=spec.get("namespace"),
        labels=spec.get("labels") or {},
        annotations=spec.get("annotations") or {},
        depends_on=tuple(spec.get("dependsOn") or ()),
        settings=spec.get("settings") or {},
        traits=spec.get("traits") or {},
        object_name=spec.get("objectName"),
        location=node_location(node, doc.file),
        key_path=key_path,
        positions=NodePositions(node, doc.file, component_layout, as_written),
    )


def _field_errors(doc: Document, specs: list[Any], errors: list[DesignError]) -> list[DesignError]:
    """The field problems of the components whose only errors are dependsOn names: those still read as
    written, while a component with any other error (an unknown key, an undeclared variable) is left
    for the run after it is fixed."""
    broken = {_component_index(e.path) for e in errors if e.path and ".dependsOn[" not in e.path}
    components_node = child(doc.node, "components")
    readable: list[Component] = []
    for i, spec in enumerate(specs):
        if i in broken or not isinstance(spec, dict):
            continue
        try:
            readable.append(_component(doc, spec, item(components_node, i), f"components[{i}]"))
        except (KeyError, TypeError):  # a shape the schema reported at the design level
            continue
    return apifields.component_errors(readable)


def _component_index(path: str) -> int | None:
    """``i`` of a key path under ``components[i]``, else None."""
    if not path.startswith("components["):
        return None
    number = path[len("components[") :].partition("]")[0]
    return int(number) if number.isdigit() else None


def _names(specs: list[Any]) -> dict[str, int]:
    """Component name → index of its first use, for the well-typed names."""
    first: dict[str, int] = {}
    for i, spec in enumerate(specs):
        name = spec.get("name") if isinstance(spec, dict) else None
        if isinstance(name, str):
            first.setdefault(name, i)
    return first


def _check_names(specs: list[Any], where: Any, errors: list[DesignError]) -> None:
    first = _names(specs)
    for i, spec in enumerate(specs):
        name = spec.get("name") if isinstance(spec, dict) else None
        if isinstance(name, str) and first[name] != i:
            errors.append(
                DesignError(
                    f"duplicate component name {name!r} (first used by components[{first[name]}], "
                    f"{where(f'components[{first[name]}].name')})",
                    location=where(f"components[{i}].name"),
                    path=f"components[{i}].name",
                    hint="component names must be unique within a design",
                )
            )


def _check_depends_on(specs: list[Any], where: Any, errors: list[DesignError]) -> None:
    names = set(_names(specs))
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict) or not isinstance(spec.get("dependsOn"), list):
            continue
        for j, dep in enumerate(spec["dependsOn"]):
            path = f"components[{i}].dependsOn[{j}]"
            if not isinstance(dep, str):
                continue  # the schema reported it
            if dep == spec.get("name"):
                errors.append(
                    UnresolvedReferenceError(
                        f"component {dep!r} depends on itself", location=where(path), path=path
                    )
                )
            elif dep not in names:
                errors.append(
                    UnresolvedReferenceError(
                        f"dependsOn names {dep!r}, which is not a component of this design",
                        location=where(path),
                        path=path,
                        hint=did_you_mean(dep, names) or "use the `name` of another component",
                    )
                )


def nearest(doc: Document, path: str) -> Location:
    """The location of ``path`` in ``doc``, or of its nearest written parent."""
    return locate_nearest(doc.node, path, doc.file)
