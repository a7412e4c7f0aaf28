"""Dependency edges the design does not spell out, each with the reason a person would give.

Rules (dependency → dependent):
  Namespace → every object in it;
  CustomResourceDefinition → every resource of the kind it defines;
  ServiceAccount / ConfigMap / Secret / PersistentVolumeClaim → workloads that reference them
    (volumes, projected volumes, env, envFrom, serviceAccountName, imagePullSecrets);
  Role / ClusterRole → the bindings that refer to them;
  IstioMesh / LinkerdMesh → that mesh's resources and the namespaces marked for its injection;
  every component named in a PerformanceProfile's targets → the profile.

Everything is indexed first, so inference is linear in the size of the design. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from designer.kinds import (
    MESH_INSTALL_KINDS,
    MESH_NAMESPACE_MARKERS,
    PROFILE_KIND,
    WORKLOAD_KINDS,
    mesh_of_group,
)
from designer.model import Component, Edge

Key = tuple[str, str | None, str]  # (kind, namespace, object name)


def infer_edges(components: tuple[Component, ...]) -> list[Edge]:
    """Every inferred edge between ``components`` (no self-edges; duplicates possible)."""
    index: dict[Key, str] = {}
    crd_kinds: dict[tuple[str, str], str] = {}
    meshes: dict[str, list[str]] = {}
    for comp in components:
        ref = comp.ref
        index[(comp.kind, comp.namespace, ref.name)] = comp.name
        if comp.kind == "CustomResourceDefinition":
            spec = comp.settings.get("spec") or {}
            names = spec.get("names") or {}
            if isinstance(names, Mapping) and spec.get("group") and names.get("kind"):
                crd_kinds[(str(spec["group"]), str(names["kind"]))] = comp.name
        elif comp.kind in MESH_INSTALL_KINDS and comp.is_designer_kind:
            meshes.setdefault(MESH_INSTALL_KINDS[comp.kind], []).append(comp.name)

    edges: list[Edge] = []
    for comp in components:
        edges.extend(_edges_for(comp, index, crd_kinds, meshes))
    return [e for e in edges if e.dependency != e.dependent]


def _edges_for(
    comp: Component,
    index: dict[Key, str],
    crd_kinds: dict[tuple[str, str], str],
    meshes: dict[str, list[str]],
) -> Iterator[Edge]:
    ref = comp.ref
    if comp.namespace:
        ns = index.get(("Namespace", None, comp.namespace))
        if ns:
            yield Edge(ns, comp.name, f"{comp.kind} {ref.name} lives in namespace {comp.namespace}")
    crd = crd_kinds.get((ref.group, comp.kind))
    if crd:
        yield Edge(crd, comp.name, f"CustomResourceDefinition {crd} defines kind {comp.kind}")
    mesh = mesh_of_group(ref.group)
    for installer in meshes.get(mesh or "", ()):
        yield Edge(installer, comp.name, f"{comp.kind} is a {mesh} resource, served once {mesh} is installed")
    if comp.kind == "Namespace":
        yield from _namespace_mesh_edges(comp, meshes)
    if comp.kind in WORKLOAD_KINDS:
        yield from _workload_edges(comp, index)
    if comp.kind in ("RoleBinding", "ClusterRoleBinding"):
        role_ref = comp.settings.get("roleRef") or {}
        if isinstance(role_ref, Mapping):
            role_kind = str(role_ref.get("kind", ""))
            role_ns = comp.namespace if role_kind == "Role" else None
            role = index.get((role_kind, role_ns, str(role_ref.get("name", ""))))
            if role:
                yield Edge(
                    role, comp.name, f"{comp.kind} {ref.name} binds {role_kind} {role_ref.get('name')}"
                )
    if comp.kind == PROFILE_KIND and comp.is_designer_kind:
        yield from _profile_edges(comp)


def _namespace_mesh_edges(comp: Component, meshes: dict[str, list[str]]) -> Iterator[Edge]:
    marks = {**comp.labels, **comp.annotations}
    for mesh, keys in MESH_NAMESPACE_MARKERS.items():
        marked = [k for k in keys if k in marks and marks[k] not in ("disabled", "false")]
        if marked:
            for installer in meshes.get(mesh, ()):
                yield Edge(
                    installer, comp.name, f"namespace {comp.ref.name} is marked {marked[0]} for {mesh}"
                )


_REFERENCE_KINDS = {
    "serviceAccount": "ServiceAccount",
    "configMap": "ConfigMap",
    "secret": "Secret",
    "claim": "PersistentVolumeClaim",
}


def _workload_edges(comp: Component, index: dict[Key, str]) -> Iterator[Edge]:
    pod = pod_spec(comp.kind, comp.settings)
    if pod is None:
        return
    seen: set[str] = set()
    for what, name, via in pod_references(pod):
        kind = _REFERENCE_KINDS[what]
        target = index.get((kind, comp.namespace, name))
        if target and target not in seen:
            seen.add(target)
            yield Edge(target, comp.name, f"{comp.kind} {comp.ref.name} uses {kind} {name} ({via})")


def pod_spec(kind: str, settings: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec inside a workload's body, or None."""
    spec = settings.get("spec")
    if not isinstance(spec, Mapping):
        return None
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template") if isinstance(spec, Mapping) else None
    inner = template.get("spec") if isinstance(template, Mapping) else None
    return inner if isinstance(inner, Mapping) else None


def pod_references(pod: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(what, name, via) for every object a pod spec refers to by name."""
    sa = pod.get("serviceAccountName") or pod.get("serviceAccount")
    if isinstance(sa, str) and sa:
        yield "serviceAccount", sa, "serviceAccountName"
    for secret in _list(pod.get("imagePullSecrets")):
        if isinstance(secret, Mapping) and secret.get("name"):
            yield "secret", str(secret["name"]), "imagePullSecrets"
    for volume in _list(pod.get("volumes")):
        if not isinstance(volume, Mapping):
            continue
        yield from _volume_references(volume)
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for container in _list(pod.get(group)):
            if isinstance(container, Mapping):
                yield from _container_references(container)


def _volume_references(volume: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    vname = volume.get("name", "?")
    if isinstance(volume.get("configMap"), Mapping) and volume["configMap"].get("name"):
        yield "configMap", str(volume["configMap"]["name"]), f"volume {vname}"
    if isinstance(volume.get("secret"), Mapping) and volume["secret"].get("secretName"):
        yield "secret", str(volume["secret"]["secretName"]), f"volume {vname}"
    claim = volume.get("persistentVolumeClaim")
    if isinstance(claim, Mapping) and claim.get("claimName"):
        yield "claim", str(claim["claimName"]), f"volume {vname}"
    projected = volume.get("projected")
    if isinstance(projected, Mapping):
        for source in _list(projected.get("sources")):
            if not isinstance(source, Mapping):
                continue
            for key, what in (("configMap", "configMap"), ("secret", "secret")):
                if isinstance(source.get(key), Mapping) and source[key].get("name"):
                    yield what, str(source[key]["name"]), f"projected volume {vname}"


def _container_references(container: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    cname = container.get("name", "?")
    for env in _list(container.get("env")):
        source = env.get("valueFrom") if isinstance(env, Mapping) else None
        if not isinstance(source, Mapping):
            continue
        for key, what in (("configMapKeyRef", "configMap"), ("secretKeyRef", "secret")):
            if isinstance(source.get(key), Mapping) and source[key].get("name"):
                yield what, str(source[key]["name"]), f"env of container {cname}"
    for env_from in _list(container.get("envFrom")):
        if not isinstance(env_from, Mapping):
            continue
        for key, what in (("configMapRef", "configMap"), ("secretRef", "secret")):
            if isinstance(env_from.get(key), Mapping) and env_from[key].get("name"):
                yield what, str(env_from[key]["name"]), f"envFrom of container {cname}"


def _profile_edges(comp: Component) -> Iterator[Edge]:
    for target in _list(comp.settings.get("targets")):
        if isinstance(target, Mapping) and isinstance(target.get("component"), str):
            yield Edge(target["component"], comp.name, f"performance profile {comp.name} measures it")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
