"""Reads plain Kubernetes manifests (multi-document YAML, List kinds flattened), one component per object.

Component names are ``<kind>-<name>`` in lowercase (``deployment-web``), with the namespace (then the
API group, then a number) appended when two objects would collide. An annotation
``designer.dev/depends-on: "a, b"`` adds explicit edges to other components of the same file. An
``AdmissionReview`` document (designer.loading.admission) stands for the object it reviews, and its
component carries the admission request (``review``).

A repository's manifest files hold objects a design cannot hold: one without a name, a second copy
of an object, another tool's configuration. Each is set aside with its reason (an
`UncheckedObjectError` at its position) and the file's other objects still make the design; an
object with a wrong type in a field is an error of its own, and it too leaves the others alone.
Every problem of the file is returned, none raised, so one run reports them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import yaml

from designer.errors import (
    NOT_AN_OBJECT,
    NOT_HELD,
    DesignError,
    Location,
    UncheckedObjectError,
    UnresolvedReferenceError,
)
from designer.loading import admission, apifields
from designer.loading.fields import Fields
from designer.loading.hints import did_you_mean
from designer.loading.locating import as_written, child, item, locate, node_location
from designer.loading.positions import NodePositions, identity
from designer.loading.toolinputs import foreign
from designer.loading.yamlnodes import Document
from designer.model import Component, Design

DEPENDS_ON_ANNOTATION = "designer.dev/depends-on"


def is_manifest(value: Any) -> bool:
    """True for a document that looks like a Kubernetes object."""
    return isinstance(value, dict) and "apiVersion" in value and "kind" in value


@dataclass(frozen=True, slots=True)
class _Object:
    body: dict[str, Any]
    node: yaml.Node
    key_path: str
    file: str
    review: dict[str, Any] | None = None  # the admission request of an AdmissionReview document

    def where(self, path: str) -> Location:
        return locate(self.node, path, self.file) or node_location(self.node, self.file)


def read(
    docs: list[Document], design_name: str, *, check_fields: bool = True
) -> tuple[Design | None, list[DesignError]]:
    """One Design holding every object of ``docs`` that a design can hold, and every problem found
    (``check_fields``: its metadata's fields too; designer.loading.apifields checks the rest)."""
    problems: list[DesignError] = []
    components: list[Component] = []
    names: set[str] = set()
    identities: dict[tuple[str, str, str | None, str], Location] = {}
    metadata: list[_Metadata] = []
    for obj in (o for doc in docs for o in _objects(doc, problems)):
        comp = _component(obj, problems, metadata if check_fields else None)
        if comp is None:
            continue
        group = comp.api_version.rpartition("/")[0]  # comp.ref's, without making the ref
        object_name = comp.object_name or comp.name
        identity_key = (group, comp.kind, comp.namespace, object_name)
        if identity_key in identities:
            problems.append(
                UncheckedObjectError(
                    f"{comp.kind} {object_name!r} is defined twice (first at {identities[identity_key]}); "
                    "this copy is not checked",
                    check_id=NOT_HELD,
                    location=comp.location,
                    path=obj.key_path,
                    hint="remove one of the two objects: kubectl apply would keep only the last",
                )
            )
            continue
        identities[identity_key] = comp.location
        name = _unique_name(comp, group, names)
        names.add(name)
        components.append(replace(comp, name=name) if name != comp.name else comp)

    if metadata:
        problems.extend(_metadata_errors(metadata, components))
    components = _check_depends_on(components, problems)
    if not components:
        return None, problems
    design = Design(
        name=design_name,
        source_format="kubernetes",
        location=docs[0].location(),
        components=tuple(components),
    )
    return design, problems


@dataclass(frozen=True, slots=True)
class _Metadata:
    """An object's own ``metadata``, kept to be checked once the design's CRDs are known."""

    api_version: str
    kind: str
    value: dict[str, Any]
    where: Callable[[str], Location]
    key_path: str


def _metadata_errors(metadata: list[_Metadata], components: list[Component]) -> list[DesignError]:
    """The problems of the objects' metadata, for the kinds whose shape is known (a built-in kind, a
    custom resource whose CRD is in the design); other kinds' objects are left alone."""
    known = apifields.Kinds(components)
    out: list[DesignError] = []
    for meta in metadata:
        if known.has_shape(meta.api_version, meta.kind):
            out.extend(apifields.metadata_errors(meta.value, meta.where, meta.key_path))
    return out


def _unique_name(comp: Component, group: str, taken: set[str]) -> str:
    base = comp.name
    if base not in taken:
        return base
    candidates = [base, f"{base}-{comp.namespace or 'cluster'}"]
    if group:
        candidates.append(f"{candidates[1]}-{group}")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    n = 2
    while f"{candidates[-1]}-{n}" in taken:
        n += 1
    return f"{candidates[-1]}-{n}"


def _objects(doc: Document, problems: list[DesignError]) -> list[_Object]:
    return _flatten(doc.value, doc.node, f"document[{doc.index}]", doc, problems)


def _flatten(
    value: Any, node: yaml.Node, prefix: str, doc: Document, problems: list[DesignError]
) -> list[_Object]:
    obj = _Object(value, node, prefix, doc.file)
    if admission.is_admission_review(value):
        try:
            return [_reviewed_object(value, node, prefix, doc.file)]
        except DesignError as exc:
            problems.append(exc)
            return []
    if not is_manifest(value):
        known = foreign(doc.file, value)
        problems.append(
            UncheckedObjectError(
                f"not a Kubernetes object ({known.what if known else 'apiVersion and kind are required'}); "
                "not checked",
                check_id=NOT_AN_OBJECT,
                location=node_location(node, doc.file),
                path=prefix,
                hint=known.hint
                if known
                else "every document of a manifest file needs apiVersion, kind and metadata.name",
            )
        )
        return []
    kind = value["kind"]
    if isinstance(kind, str) and kind.endswith("List") and isinstance(value.get("items"), list):
        items_node = child(node, "items")
        out: list[_Object] = []
        for i, entry in enumerate(value["items"]):
            sub = item(items_node, i)
            out.extend(
                _flatten(entry, sub if sub is not None else node, f"{prefix}.items[{i}]", doc, problems)
            )
        return out
    return [obj]


def _reviewed_object(value: dict[str, Any], node: yaml.Node, prefix: str, file: str) -> _Object:
    """The object an AdmissionReview reviews, with the request (namespace taken from it when unset)."""
    request = admission.read_request(value, node, file, prefix)
    key = admission.reviewed_key(value)
    reviewed_node = child(child(node, "request"), key) or node
    path = f"{prefix}.request.{key}"
    body = request["object"]
    if not is_manifest(body):
        raise DesignError(
            "the reviewed object needs apiVersion and kind",
            location=node_location(reviewed_node, file),
            path=path,
            hint="write the object as it would reach the API server",
        )
    meta = body.get("metadata")
    if isinstance(meta, dict) and not meta.get("namespace") and request.get("namespace"):
        body = {**body, "metadata": {**meta, "namespace": request["namespace"]}}
    return _Object(body, reviewed_node, path, file, request)


def _component(
    obj: _Object, problems: list[DesignError], metadata: list[_Metadata] | None
) -> Component | None:
    """The component of one object, or None when it is set aside (its problem recorded). Its
    metadata goes to ``metadata`` to be checked, unless that is None."""
    errors: list[DesignError] = []
    fields = Fields(obj.where, errors, prefix=obj.key_path)
    body = obj.body
    api_version = fields.text(body["apiVersion"], "apiVersion", required=True)
    kind = fields.text(body["kind"], "kind", required=True)
    meta = fields.mapping(body.get("metadata"), "metadata")
    name = fields.text(meta.get("name"), "metadata.name")
    namespace = fields.text(meta.get("namespace"), "metadata.namespace")
    labels = fields.string_map(meta.get("labels"), "metadata.labels")
    annotations = fields.string_map(meta.get("annotations"), "metadata.annotations")
    if errors or api_version is None or kind is None:
        problems.extend(errors)
        return None
    if metadata is not None and meta and obj.review is None and not apifields.ignored(annotations):
        # Only name, namespace, labels and annotations reach the component: the rest is checked here.
        metadata.append(_Metadata(api_version, kind, meta, obj.where, obj.key_path))
    if name is None:
        problems.append(_unnamed(obj, kind, api_version, meta))
        return None
    depends = annotations.get(DEPENDS_ON_ANNOTATION, "")
    return Component(
        name=f"{kind.lower()}-{name}",
        kind=kind,
        api_version=api_version,
        namespace=namespace,
        labels=labels,
        annotations=annotations,
        depends_on=tuple(d.strip() for d in depends.split(",") if d.strip()) if depends else (),
        settings={k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")},
        object_name=name,
        location=node_location(obj.node, obj.file),
        key_path=obj.key_path,
        review=obj.review,
        positions=NodePositions(
            obj.node,
            obj.file,
            identity,
            as_written,
            dependencies=f"metadata.annotations.{DEPENDS_ON_ANNOTATION}",
        ),
    )


def _unnamed(obj: _Object, kind: str, api_version: str, meta: dict[str, Any]) -> UncheckedObjectError:
    tool = foreign(obj.file, obj.body)
    if tool:
        reason, check_id, hint = (
            f"{kind} is {tool}; not checked",
            NOT_AN_OBJECT,
            "keep it out of the manifests designer checks",
        )
    elif meta.get("generateName"):
        reason, check_id = f"{kind} has generateName but no name; not checked", NOT_HELD
        hint = "give the object a fixed metadata.name (kubectl apply needs one; generateName is for create)"
    else:
        reason, check_id = f"{kind} has no metadata.name; not checked", NOT_HELD
        hint = "give the object a name (kubectl apply refuses an object without one)"
    return UncheckedObjectError(
        reason,
        check_id=check_id,
        location=obj.where("metadata"),
        path=f"{obj.key_path}.metadata.name",
        hint=hint,
    )


def _check_depends_on(components: list[Component], problems: list[DesignError]) -> list[Component]:
    """Components with their unknown depends-on names dropped, each one an error."""
    names = {c.name for c in components}
    out = []
    for comp in components:
        unknown = [dep for dep in comp.depends_on if dep not in names]
        for dep in unknown:
            problems.append(
                UnresolvedReferenceError(
                    f"{DEPENDS_ON_ANNOTATION} names {dep!r}, which is not an object of this file",
                    location=comp.locate(f"metadata.annotations.{DEPENDS_ON_ANNOTATION}"),
                    path=f"{comp.key_path}.metadata.annotations",
                    hint=did_you_mean(dep, names)
                    or "names are <kind>-<name> in lowercase, e.g. deployment-web",
                )
            )
        if unknown:
            comp = replace(comp, depends_on=tuple(d for d in comp.depends_on if d in names))
        out.append(comp)
    return out
