"""Reads Meshery's formats into the model: legacy pattern files and v1beta1 designs.

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

from designer.errors import DesignError, UnresolvedReferenceError
from designer.kinds import DEFAULT_API_VERSIONS
from designer.loading.hints import did_you_mean
from designer.loading.native import nearest
from designer.loading.positions import NodePositions, component_layout
from designer.loading.yamlnodes import Document
from designer.model import Component, Design

_REF = re.compile(r"\$\(#ref\.([^)]+)\)")
_VERBATIM_KEYS = frozenset(
    {"labels", "annotations", "matchLabels", "data", "stringData", "selector", "nodeSelector"}
)
_ANNOTATION_MODELS = frozenset({"meshery-core"})


def is_pattern(value: Any) -> bool:
    """True for a legacy pattern file (``services:`` map)."""
    return isinstance(value, dict) and "services" in value and "apiVersion" not in value


def is_v1beta1(value: Any) -> bool:
    """True for a v1beta1-style design (schemaVersion designs.meshery.io/…)."""
    return isinstance(value, dict) and str(value.get("schemaVersion", "")).startswith("designs.meshery.io/")


def deprettify(key: str) -> str:
    """``target Port`` → ``targetPort``; keys without spaces are unchanged."""
    if " " not in key:
        return key
    words = key.split()
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def read_pattern(doc: Document) -> Design:
    """The Design of a legacy pattern file."""
    raw = doc.value
    services = raw.get("services")
    if not isinstance(services, dict):
        raise DesignError(
            "`services` must be a mapping of service name to service",
            location=nearest(doc, "services"),
            path="services",
        )
    services_node = next(v for k, v in doc.node.value if k.value == "services")
    nodes = {str(k.value): v for k, v in services_node.value}
    skipped = {name for name, svc in services.items() if _is_annotation(svc)}
    components = []
    for key, svc in services.items():
        if key in skipped:
            continue
        path = f"services.{key}"
        if not isinstance(svc, dict):
            raise DesignError("a service must be a mapping", location=nearest(doc, path), path=path)
        svc = _resolve_refs(svc, raw, doc, path)
        components.append(_service(doc, key, svc, nodes[key], path, skipped))
    _check_depends_on(components, doc)
    return Design(
        name=str(raw.get("name") or doc.file),
        version=str(raw["version"]) if raw.get("version") is not None else None,
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
    doc: Document, key: str, svc: dict[str, Any], node: yaml.Node, path: str, skipped: set[str]
) -> Component:
    type_name = str(svc.get("type") or "")
    if not type_name:
        raise DesignError("service has no `type`", location=nearest(doc, path), path=f"{path}.type")
    kind = type_name.split(".")[0]
    settings = _deprettified(svc.get("settings") or {})
    object_name = settings.pop("name", None) if isinstance(settings.get("name"), str) else None
    namespace = svc.get("namespace") or settings.pop("namespace", None) or None
    settings.pop("namespace", None)
    if kind == "Application":
        kind, settings = "Deployment", _application(key, settings)
    api_version = svc.get("apiVersion") or DEFAULT_API_VERSIONS.get(kind)
    if not api_version:
        raise DesignError(
            f"cannot tell the apiVersion of type {type_name!r}",
            location=nearest(doc, f"{path}.type"),
            path=f"{path}.apiVersion",
            hint="add `apiVersion:` to the service",
        )
    traits = {k: v for k, v in (svc.get("traits") or {}).items() if k != "meshmap"}
    return Component(
        name=key,
        kind=kind,
        api_version=str(api_version),
        namespace=str(namespace) if namespace else None,
        labels={str(k): str(v) for k, v in (svc.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (svc.get("annotations") or {}).items()},
        depends_on=tuple(d for d in (svc.get("dependsOn") or ()) if d not in skipped),
        settings=settings,
        traits=traits,
        object_name=object_name or (str(svc["name"]) if svc.get("name") else None),
        location=nearest(doc, path),
        key_path=path,
        positions=NodePositions(node, doc.file, component_layout, deprettify),
    )


def _application(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    # Meshery's OAM "Application" workload: containers + replicas (+ advanced.labels) → a Deployment.
    labels = {"app": name, **(settings.get("advanced", {}) or {}).get("labels", {})}
    return {
        "spec": {
            "replicas": settings.get("replicas", 1),
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": settings.get("containers", [])},
            },
        }
    }


def _deprettified(value: Any, verbatim: bool = False) -> Any:
    if isinstance(value, dict):
        return {
            (k if verbatim else deprettify(k)): _deprettified(v, verbatim or k in _VERBATIM_KEYS)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_deprettified(v, verbatim) for v in value]
    return value


def _resolve_refs(value: Any, root: dict[str, Any], doc: Document, path: str) -> Any:
    if isinstance(value, str) and "$(#ref." in value:
        return _REF.sub(lambda m: _ref_value(m.group(1), root, doc, path), value)
    if isinstance(value, dict):
        return {
            k: v if k == "traits" else _resolve_refs(v, root, doc, f"{path}.{k}") for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve_refs(v, root, doc, f"{path}[{i}]") for i, v in enumerate(value)]
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
    return str(current)


def _split_ref(ref: str, root: dict[str, Any]) -> list[str]:
    # Service names may hold dots, so take the longest service key the reference starts with.
    if ref.startswith("services.") and isinstance(root.get("services"), dict):
        rest = ref[len("services.") :]
        for name in sorted(root["services"], key=len, reverse=True):
            if rest == name or rest.startswith(name + "."):
                tail = rest[len(name) + 1 :]
                return ["services", name, *(tail.split(".") if tail else [])]
    return ref.split(".")


def _check_depends_on(components: list[Component], doc: Document) -> None:
    names = {c.name for c in components}
    for comp in components:
        for j, dep in enumerate(comp.depends_on):
            if dep not in names:
                path = f"{comp.key_path}.dependsOn[{j}]"
                raise UnresolvedReferenceError(
                    f"dependsOn names {dep!r}, which is not a service of this pattern",
                    location=nearest(doc, path),
                    path=path,
                    hint=did_you_mean(dep, names) or "use the key of another service",
                )


def read_v1beta1(doc: Document) -> Design:
    """The Design of a Meshery v1beta1 design (``components:`` with component.kind, configuration)."""
    raw = doc.value
    comps = raw.get("components") or []
    if not isinstance(comps, list):
        raise DesignError(
            "`components` must be a list", location=nearest(doc, "components"), path="components"
        )
    comps_node = next((v for k, v in doc.node.value if k.value == "components"), None)
    by_id: dict[str, str] = {}
    names: dict[str, int] = {}
    staged: list[tuple[int, dict[str, Any], str]] = []
    for i, item in enumerate(comps):
        path = f"components[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("component"), dict):
            raise DesignError(
                "a component needs a `component: {kind, version}` block",
                location=nearest(doc, path),
                path=path,
            )
        if (item.get("metadata") or {}).get("isAnnotation") is True:
            continue
        config = item.get("configuration") or {}
        base = str(item.get("displayName") or (config.get("metadata") or {}).get("name") or f"component-{i}")
        name = base if base not in names else f"{base}-{i}"
        names[name] = i
        by_id[str(item.get("id"))] = name
        staged.append((i, item, name))

    components = []
    for i, item, name in staged:
        path = f"components[{i}]"
        config = dict(item.get("configuration") or {})
        meta = config.pop("metadata", None) or {}
        spec = item["component"]
        kind = str(spec.get("kind") or "")
        api_version = str(spec.get("version") or DEFAULT_API_VERSIONS.get(kind, ""))
        if not kind or not api_version:
            raise DesignError(
                "component.kind and component.version are required",
                location=nearest(doc, f"{path}.component"),
                path=f"{path}.component",
            )
        depends = [by_id.get(str(d), str(d)) for d in ((item.get("metadata") or {}).get("dependsOn") or [])]
        node = comps_node.value[i] if comps_node is not None else doc.node
        components.append(
            Component(
                name=name,
                kind=kind,
                api_version=api_version,
                namespace=meta.get("namespace") or None,
                labels=meta.get("labels") or {},
                annotations=meta.get("annotations") or {},
                depends_on=tuple(depends),
                settings=config,
                object_name=meta.get("name") or name,
                location=nearest(doc, path),
                key_path=path,
                positions=NodePositions(
                    node, doc.file, lambda p: f"configuration.{p}" if p else "", deprettify
                ),
            )
        )
    _check_depends_on(components, doc)
    return Design(
        name=str(raw.get("name") or doc.file),
        version=str(raw["version"]) if raw.get("version") is not None else None,
        source_format="meshery-design",
        location=doc.location(),
        components=tuple(components),
    )
