"""Reads Meshery's legacy pattern files into the model (v1beta1 designs: designer.loading.meshery_design).

Legacy patterns (a ``services:`` map) carry quirks that real files still have (see the research
notes, meshery.md 1a/1c): keys "prettified" for the UI (``target Port`` for ``targetPort``),
``$(#ref.<path>)`` references, ``Type.Model`` type strings, canvas-only traits, the ``Application``
workload, and meshery-core annotation components that are not deployable (skipped, as Meshery's own
provisioner drops them).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from designer.errors import DesignError, UnresolvedReferenceError, raise_all
from designer.kinds import DEFAULT_API_VERSIONS
from designer.loading.fields import Fields, scalar_text
from designer.loading.hints import did_you_mean
from designer.loading.locating import child, pairs
from designer.loading.native import nearest
from designer.loading.nodevalues import ExpansionBudget
from designer.loading.positions import NodePositions, component_layout
from designer.loading.toolinputs import is_compose
from designer.loading.yamlnodes import Document
from designer.model import Component, Design

_REF = re.compile(r"\$\(#ref\.([^)]+)\)")
_VERBATIM_KEYS = frozenset(
    {"labels", "annotations", "matchLabels", "data", "stringData", "selector", "nodeSelector"}
)
_LABEL_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_ANNOTATION_MODELS = frozenset({"meshery-core"})


def is_pattern(value: Any) -> bool:
    """True for a legacy pattern file (``services:`` map), not a Docker Compose file (also ``services:``)."""
    return (
        isinstance(value, dict)
        and "services" in value
        and "apiVersion" not in value
        and not is_compose(value)
    )


def deprettify(key: str) -> str:
    """``target Port`` → ``targetPort``; keys without spaces are unchanged."""
    if " " not in key:
        return key
    words = key.split()
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def read_pattern(doc: Document) -> Design:
    """The Design of a legacy pattern file; raises every error found (a `CombinedDesignError` for several)."""
    raw = doc.value
    errors: list[DesignError] = []
    fields = Fields(lambda p: nearest(doc, p), errors)
    services = raw.get("services")
    if not isinstance(services, dict):
        raise DesignError(
            "`services` must be a mapping of service name to service",
            location=nearest(doc, "services"),
            path="services",
        )
    services_node = child(doc.node, "services")
    nodes = (
        {str(k.value): v for k, v in pairs(services_node)}
        if isinstance(services_node, yaml.MappingNode)
        else {}
    )
    skipped = {name for name, svc in services.items() if _is_annotation(svc)}
    budget = ExpansionBudget()
    components = []
    for key, svc in services.items():
        if key in skipped:
            continue
        path = f"services.{key}"
        if not isinstance(svc, dict):
            fields.wrong(path, "a service must be a mapping")
            continue
        svc = _resolve_refs(svc, raw, doc, path, errors, budget)
        comp = _service(doc, key, svc, nodes.get(key, doc.node), path, skipped, fields)
        if comp is not None:
            components.append(comp)
    known = {str(k) for k in services} - skipped
    check_depends_on(
        components, known, doc, errors, "service of this pattern", "use the key of another service"
    )
    raise_all(errors)
    return Design(
        name=str(raw.get("name") or doc.file),
        version=scalar_text(raw["version"]) if raw.get("version") is not None else None,
        source_format="meshery-pattern",
        location=doc.location(),
        components=tuple(components),
        metadata={"skipped_annotations": sorted(skipped)} if skipped else {},
    )


def _is_annotation(svc: Any) -> bool:
    return isinstance(svc, dict) and (
        svc.get("isAnnotation") is True or svc.get("model") in _ANNOTATION_MODELS
    )


def _service(
    doc: Document,
    key: str,
    svc: dict[str, Any],
    node: yaml.Node,
    path: str,
    skipped: set[str],
    fields: Fields,
) -> Component | None:
    before = len(fields.errors)
    type_name = fields.text(svc.get("type"), f"{path}.type", required=True) or ""
    settings = _deprettified(fields.mapping(svc.get("settings"), f"{path}.settings"))
    labels = fields.string_map(svc.get("labels"), f"{path}.labels")
    annotations = fields.string_map(svc.get("annotations"), f"{path}.annotations")
    depends_on = fields.texts(svc.get("dependsOn"), f"{path}.dependsOn")
    traits = fields.mapping(svc.get("traits"), f"{path}.traits")
    namespace = fields.text(svc.get("namespace"), f"{path}.namespace")
    api_version = fields.text(svc.get("apiVersion"), f"{path}.apiVersion")
    object_name = fields.text(svc.get("name"), f"{path}.name")
    kind = type_name.split(".")[0]
    name_setting = settings.pop("name", None)
    ns_setting = settings.pop("namespace", None)
    object_name = name_setting if isinstance(name_setting, str) and name_setting else object_name
    namespace = namespace or (ns_setting if isinstance(ns_setting, str) and ns_setting else None)
    if kind == "Application" and (not api_version or api_version.startswith("core.oam.dev/")):
        kind, settings = "Deployment", _application(key, settings, fields, f"{path}.settings")
    api_version = api_version or DEFAULT_API_VERSIONS.get(kind)
    if kind and not api_version:
        fields.errors.append(
            DesignError(
                f"cannot tell the apiVersion of type {type_name!r}",
                location=nearest(doc, f"{path}.type"),
                path=f"{path}.apiVersion",
                hint="add `apiVersion:` to the service",
            )
        )
    if len(fields.errors) > before or not api_version:
        return None
    return Component(
        name=key,
        kind=kind,
        api_version=api_version,
        namespace=namespace,
        labels=labels,
        annotations=annotations,
        depends_on=tuple(d for d in depends_on if d not in skipped),
        settings=settings,
        traits={k: v for k, v in traits.items() if k != "meshmap"},
        object_name=object_name,
        location=nearest(doc, path),
        key_path=path,
        positions=NodePositions(node, doc.file, component_layout, deprettify),
    )


def _application(name: str, settings: dict[str, Any], fields: Fields, path: str) -> dict[str, Any]:
    # Meshery's OAM "Application" workload: containers + replicas (+ advanced.labels) → a Deployment.
    advanced = fields.mapping(settings.get("advanced"), f"{path}.advanced")
    labels = {"app": name, **fields.string_map(advanced.get("labels"), f"{path}.advanced.labels")}
    containers = settings.get("containers")
    if containers is not None and not isinstance(containers, list):
        fields.wrong(f"{path}.containers", "expected a list of containers")
    return {
        "spec": {
            "replicas": settings.get("replicas", 1),
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": containers if isinstance(containers, list) else []},
            },
        }
    }


def _deprettified(value: Any, verbatim: bool = False) -> Any:
    if isinstance(value, dict):
        return {
            (k if verbatim else deprettify(k)): _deprettified(
                v, verbatim or _verbatim_below(deprettify(k), v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_deprettified(v, verbatim) for v in value]
    return value


def _verbatim_below(key: str, value: Any) -> bool:
    """True when the keys below ``key`` are data (label names), not prettified field names. A
    workload's ``selector`` is a label selector (``match Labels`` is its ``matchLabels``), a Service's
    a map of labels: label names hold no spaces, so the two cannot be confused."""
    if key == "selector" and isinstance(value, dict) and value:
        return not all(deprettify(str(k)) in _LABEL_SELECTOR_FIELDS for k in value)
    return key in _VERBATIM_KEYS


def _resolve_refs(
    value: Any,
    root: dict[str, Any],
    doc: Document,
    path: str,
    errors: list[DesignError],
    budget: ExpansionBudget,
) -> Any:
    if isinstance(value, str) and "$(#ref." in value:

        def resolved(match: re.Match[str]) -> str:
            try:
                return _ref_value(match.group(1), root, doc, path)
            except DesignError as exc:
                errors.append(exc)
                return match.group(0)

        text = _REF.sub(resolved, value)
        budget.spend(max(0, len(text) - len(value)), nearest(doc, path))
        return text
    if isinstance(value, dict):
        return {
            k: v if k == "traits" else _resolve_refs(v, root, doc, f"{path}.{k}", errors, budget)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve_refs(v, root, doc, f"{path}[{i}]", errors, budget) for i, v in enumerate(value)]
    return value


def _ref_value(ref: str, root: dict[str, Any], doc: Document, path: str) -> str:
    current: Any = root
    walked = []
    for part in _split_ref(ref, root):
        if isinstance(current, dict) and part in current:
            current = current[part]
            walked.append(part)
            continue
        choices = current.keys() if isinstance(current, dict) else ()
        raise UnresolvedReferenceError(
            f"$(#ref.{ref}) does not resolve: {'.'.join(walked) or 'the pattern'} has no {part!r}",
            location=nearest(doc, path),
            path=path,
            hint=did_you_mean(part, choices) or "check the referenced path",
        )
    if current is None or isinstance(current, dict | list):
        raise UnresolvedReferenceError(
            f"$(#ref.{ref}) refers to a missing or non-scalar value", location=nearest(doc, path), path=path
        )
    return scalar_text(current)


def _split_ref(ref: str, root: dict[str, Any]) -> list[str]:
    # Service names may hold dots, so take the longest service key the reference starts with.
    if ref.startswith("services.") and isinstance(root.get("services"), dict):
        rest = ref[len("services.") :]
        for name in sorted(root["services"], key=len, reverse=True):
            if rest == name or rest.startswith(name + "."):
                tail = rest[len(name) + 1 :]
                return ["services", name, *(tail.split(".") if tail else [])]
    return ref.split(".")


def check_depends_on(
    components: list[Component],
    names: set[str],
    doc: Document,
    errors: list[DesignError],
    noun: str,
    hint: str,
) -> None:
    for comp in components:
        for j, dep in enumerate(comp.depends_on):
            if dep not in names:
                path = f"{comp.key_path}.dependsOn[{j}]"
                errors.append(
                    UnresolvedReferenceError(
                        f"dependsOn names {dep!r}, which is not a {noun}",
                        location=nearest(doc, path),
                        path=path,
                        hint=did_you_mean(dep, names) or hint,
                    )
                )
