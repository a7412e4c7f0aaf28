"""Reads plain Kubernetes manifests (multi-document YAML, List kinds flattened), one component per object.

Component names are ``<kind>-<name>`` in lowercase (``deployment-web``), with the namespace appended
when two objects would collide. An annotation ``designer.dev/depends-on: "a, b"`` adds explicit
edges to other components of the same file. An ``AdmissionReview`` document (designer.loading.admission)
stands for the object it reviews, and its component carries the admission request (``review``).
"""

from __future__ import annotations

from typing import Any

import yaml

from designer.errors import DesignError, Location, UnresolvedReferenceError
from designer.loading import admission
from designer.loading.hints import did_you_mean
from designer.loading.positions import NodePositions, exact, identity
from designer.loading.yamlnodes import Document, locate, node_location
from designer.model import Component, Design

DEPENDS_ON_ANNOTATION = "designer.dev/depends-on"

_META_KEYS = ("name", "namespace", "labels", "annotations")


def is_manifest(value: Any) -> bool:
    """True for a document that looks like a Kubernetes object."""
    return isinstance(value, dict) and "apiVersion" in value and "kind" in value


def read(docs: list[Document], design_name: str) -> Design:
    """One Design holding every object of ``docs``."""
    entries: list[tuple[_Entry, str]] = []
    for doc in docs:
        for entry in _objects(doc):
            entries.append((entry, doc.file))

    components: list[Component] = []
    used: dict[str, str] = {}
    for (body, node, key_path, review), file in entries:
        comp = _component(body, node, key_path, file, review)
        name = comp.name
        if name in used:
            name = f"{name}-{comp.namespace or 'cluster'}"
        if name in used:
            raise DesignError(
                f"{body['kind']} {body['metadata']['name']!r} is defined twice (first at {used[name]})",
                location=comp.location,
                path=key_path,
                hint="remove one of the two objects",
            )
        used[name] = str(comp.location)
        components.append(_renamed(comp, name) if name != comp.name else comp)

    _check_depends_on(components)
    return Design(
        name=design_name,
        source_format="kubernetes",
        location=docs[0].location(),
        components=tuple(components),
    )


# (object body, its YAML node, its key path, the admission request it is reviewed with, if any)
_Entry = tuple[dict[str, Any], yaml.Node, str, dict[str, Any] | None]


def _objects(doc: Document) -> list[_Entry]:
    value = doc.value
    prefix = f"document[{doc.index}]"
    if admission.is_admission_review(value):
        return [_reviewed_object(doc, prefix)]
    if not is_manifest(value):
        raise DesignError(
            "not a Kubernetes object: apiVersion and kind are required",
            location=doc.location(),
            path=prefix,
            hint="every document of a manifest file needs apiVersion, kind and metadata.name",
        )
    if str(value["kind"]).endswith("List") and isinstance(value.get("items"), list):
        items_node = next(v for k, v in doc.node.value if k.value == "items")
        out: list[_Entry] = []
        for i, item in enumerate(value["items"]):
            sub = Document(value=item, node=items_node.value[i], file=doc.file, index=doc.index)
            out.extend((b, n, f"{prefix}.items[{i}]", r) for b, n, _, r in _objects(sub))
        return out
    _check_object(value, doc, prefix)
    return [(value, doc.node, prefix, None)]


def _reviewed_object(doc: Document, prefix: str) -> _Entry:
    """The object an AdmissionReview reviews, with the request (namespace taken from it when unset)."""
    request = admission.read_request(doc.value, doc.node, doc.file, prefix)
    key = admission.reviewed_key(doc.value)
    request_node = _child(doc.node, "request")
    node = _child(request_node, key) if request_node is not None else None
    path = f"{prefix}.request.{key}"
    body = request["object"]
    sub = Document(value=body, node=node or doc.node, file=doc.file, index=doc.index)
    _check_object(body, sub, path)
    if not body["metadata"].get("namespace") and request.get("namespace"):
        body = {**body, "metadata": {**body["metadata"], "namespace": request["namespace"]}}
    return body, sub.node, path, request


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _check_object(value: dict[str, Any], doc: Document, prefix: str) -> None:
    for key in ("apiVersion", "kind"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise DesignError(
                f"{key} must be a non-empty string",
                location=locate(doc.node, key, doc.file) or doc.location(),
                path=f"{prefix}.{key}",
            )
    meta = value.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise DesignError(
            f"{value['kind']} has no metadata.name",
            location=locate(doc.node, "metadata", doc.file) or doc.location(),
            path=f"{prefix}.metadata.name",
            hint="give the object a name (generateName is not supported in designs)",
        )
    for key in ("labels", "annotations"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise DesignError(
                f"metadata.{key} must be a mapping of strings",
                location=locate(doc.node, f"metadata.{key}", doc.file) or doc.location(),
                path=f"{prefix}.metadata.{key}",
            )


def _component(
    body: dict[str, Any], node: yaml.Node, key_path: str, file: str, review: dict[str, Any] | None
) -> Component:
    meta = body["metadata"]
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    depends = annotations.get(DEPENDS_ON_ANNOTATION, "")
    return Component(
        name=f"{body['kind'].lower()}-{meta['name']}",
        kind=body["kind"],
        api_version=body["apiVersion"],
        namespace=meta.get("namespace") or None,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        annotations=annotations,
        depends_on=tuple(d.strip() for d in depends.split(",") if d.strip()),
        settings={k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")},
        object_name=meta["name"],
        location=node_location(node, file),
        key_path=key_path,
        positions=NodePositions(node, file, identity, exact),
        review=review,
    )


def _renamed(comp: Component, name: str) -> Component:
    fields = {f: getattr(comp, f) for f in comp.__dataclass_fields__}
    fields["name"] = name
    return Component(**fields)


def _check_depends_on(components: list[Component]) -> None:
    names = {c.name for c in components}
    for comp in components:
        for dep in comp.depends_on:
            if dep not in names:
                where: Location = comp.locate(f"metadata.annotations.{DEPENDS_ON_ANNOTATION}")
                raise UnresolvedReferenceError(
                    f"{DEPENDS_ON_ANNOTATION} names {dep!r}, which is not an object of this file",
                    location=where,
                    path=f"{comp.key_path}.metadata.annotations",
                    hint=did_you_mean(dep, names)
                    or "names are <kind>-<name> in lowercase, e.g. deployment-web",
                )
