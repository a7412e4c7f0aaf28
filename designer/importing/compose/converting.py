"""A Compose file → a designer Design, with a note for everything not carried over.

Each service becomes a workload (designer.importing.compose.workloads) and, when it has ports, a
Service of the same name (.networking); named volumes, configs, secrets, env files and bind-mounted
files become PersistentVolumeClaims, ConfigMaps and Secrets (.storage). ``depends_on`` becomes
dependsOn on the dependency's workload and Service (designer waits until they are ready; with a
readiness probe from the healthcheck, "ready" is Compose's ``service_healthy``). Components are
named ``<kind>-<name>`` as manifests' are when designer reads them. ``namespace`` puts everything
in that namespace and adds it to the design. Callers: designer.importing.reading.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.errors import DesignError, raise_all
from designer.importing.compose import canonical
from designer.importing.compose.document import ComposeFile, read_compose
from designer.importing.compose.networking import service_body
from designer.importing.compose.notes import Note, Notes
from designer.importing.compose.storage import Objects
from designer.importing.compose.workloads import Workload, workload
from designer.importing.converting import dns_name
from designer.model import Component, Design

SOURCE_FORMAT = "compose"
_TOP_HANDLED = frozenset({"name", "services", "volumes", "secrets", "configs", "networks"})


@dataclass(frozen=True)
class ComposeImport:
    """The design a Compose file becomes and what could not be converted, in file order."""

    design: Design
    notes: list[Note]


def import_compose(
    raw: bytes,
    file: str,
    *,
    folder: Path | None,
    environ: dict[str, str] | None = None,
    project: str | None = None,
    namespace: str | None = None,
) -> ComposeImport:
    """Convert one Compose file; raises every input error at once (YAML, interpolation, schema, references)."""
    compose = read_compose(raw, file, folder=folder, environ=environ, project=project)
    notes = Notes(compose.locate)
    top = compose.value
    services: dict[str, Any] = top.get("services") or {}
    _check_references(compose, services)
    _note_top_level(compose, notes)
    objects = Objects()
    part_of = dns_name(compose.project)
    built: list[tuple[str, Workload | None, str, dict[str, Any], dict[str, str]]] = []
    workload_of: dict[str, list[str]] = {}
    for name, service in services.items():
        service = dict(service or {})
        built_image = None if service.get("image") else f"{compose.project}-{name}"
        service["image"] = service.get("image") or built_image
        object_name = _service_name(name, notes)
        selector = {"app.kubernetes.io/name": object_name, "app.kubernetes.io/part-of": part_of}
        made = workload(
            name,
            service,
            top,
            selector,
            objects,
            notes,
            compose.folder,
            dict(compose.environment),
            built_image,
        )
        built.append((name, made, object_name, made.body, made.labels or selector))
        workload_of[name] = [f"{made.kind.lower()}-{object_name}"]
        body = service_body(name, service, selector, notes, reached=_reached_by_name(name, services))
        if body is not None:
            built.append((name, None, object_name, body, selector))
            workload_of[name].append(f"service-{object_name}")
    components: list[Component] = []
    if namespace:
        components.append(_component(compose, "Namespace", "v1", namespace, {}, {}, None, "", None))
    for (kind, name), (body, path) in objects.made.items():
        made_by = {"app.kubernetes.io/part-of": part_of}
        components.append(_component(compose, kind, "v1", name, body, made_by, None, path, namespace))
    for service_name, made_as, object_name, body, labels in built:
        path = f"services.{service_name}"
        if made_as is None:
            components.append(
                _component(compose, "Service", "v1", object_name, body, labels, None, path, namespace)
            )
            continue
        deps = _dependencies(services[service_name], service_name, workload_of, notes)
        component = _component(
            compose, made_as.kind, made_as.api_version, object_name, body, labels, deps, path, namespace
        )
        components.append(dataclasses.replace(component, annotations=made_as.annotations))
    design = Design(
        name=compose.project,
        source_format=SOURCE_FORMAT,
        location=compose.document.location(),
        components=tuple(components),
        metadata={"description": f"{compose.project} (imported from the Compose file {Path(file).name})"},
    )
    return ComposeImport(design, notes.sorted())


def _component(
    compose: ComposeFile,
    kind: str,
    api_version: str,
    name: str,
    body: dict[str, Any],
    labels: dict[str, str],
    depends_on: tuple[str, ...] | None,
    path: str,
    namespace: str | None,
) -> Component:
    return Component(
        name=f"{kind.lower()}-{name}",
        kind=kind,
        api_version=api_version,
        namespace=namespace if kind != "Namespace" else None,
        labels=labels,
        depends_on=depends_on or (),
        settings=body,
        object_name=name,
        location=compose.locate(path),
        key_path=path or "(top level)",
    )


def _service_name(name: str, notes: Notes) -> str:
    """The Kubernetes name of a Compose service (a Service name must start with a letter)."""
    object_name = dns_name(name)
    if object_name[:1].isalpha():
        return object_name
    notes.add(
        f"services.{name}",
        f"{object_name!r} is no Service name (it must start with a letter): the Service is named "
        f"s-{object_name}, so other services must use that name",
    )
    return f"s-{object_name}"[:63]


def _dependencies(
    service: dict[str, Any], name: str, workload_of: dict[str, list[str]], notes: Notes
) -> tuple[str, ...]:
    deps: list[str] = []
    for other, spec in canonical.depends_on(service.get("depends_on")).items():
        where = (
            f"services.{name}.depends_on.{other}"
            if isinstance(service.get("depends_on"), dict)
            else f"services.{name}.depends_on"
        )
        deps.extend(d for d in workload_of.get(other, []) if d not in deps)
        condition = spec.get("condition")
        dependency_kind = workload_of.get(other, [""])[0].partition("-")[0]
        if condition == "service_completed_successfully" and dependency_kind != "job":
            notes.add(
                where,
                f"service_completed_successfully: designer waits until {other} is ready, not until it "
                "exits (make it a Job with deploy.mode: replicated-job)",
            )
        if spec.get("required") is False:
            notes.add(where, "required: false: the dependency is kept as a required one")
        if spec.get("restart") is True:
            notes.dropped(
                f"{where}.restart", "Kubernetes does not restart dependents when a dependency restarts"
            )
    return tuple(deps)


def _reached_by_name(name: str, services: dict[str, Any]) -> bool:
    """True when another service names ``name``: in depends_on, links, or as a host in its environment."""
    host = re.compile(rf"(^|[/@=:,\s]){re.escape(name)}($|[:/,\s])")
    for other, service in services.items():
        if other == name or not isinstance(service, dict):
            continue
        if name in canonical.depends_on(service.get("depends_on")) or name in canonical.string_list(
            service.get("links")
        ):
            return True
        if any(
            value and host.search(value) for value in canonical.mapping(service.get("environment")).values()
        ):
            return True
    return False


def _check_references(compose: ComposeFile, services: dict[str, Any]) -> None:
    """Compose's consistency checks: what a service names must be defined in the file."""
    errors: list[DesignError] = []
    top = compose.value
    for name, service in services.items():
        service = service or {}
        path = f"services.{name}"
        if not service.get("image") and not service.get("build"):
            errors.append(
                DesignError(
                    "the service has neither an image nor a build context",
                    location=compose.locate(path),
                    path=path,
                    hint="add `image:`",
                )
            )
        for other in canonical.depends_on(service.get("depends_on")):
            if other not in services:
                errors.append(_undefined(compose, f"{path}.depends_on", "service", other, services))
        for i, volume in enumerate(canonical.volumes(service.get("volumes"))):
            source = volume.get("source")
            if (
                volume.get("type", "volume") == "volume"
                and source
                and source not in (top.get("volumes") or {})
            ):
                errors.append(
                    _undefined(
                        compose, f"{path}.volumes[{i}]", "volume", str(source), top.get("volumes") or {}
                    )
                )
        for section in ("secrets", "configs"):
            for i, ref in enumerate(canonical.file_refs(service.get(section))):
                if ref.get("source") not in (top.get(section) or {}):
                    errors.append(
                        _undefined(
                            compose,
                            f"{path}.{section}[{i}]",
                            section[:-1],
                            str(ref.get("source")),
                            top.get(section) or {},
                        )
                    )
    raise_all(errors)


def _undefined(compose: ComposeFile, path: str, what: str, name: str, defined: dict[str, Any]) -> DesignError:
    from designer.loading.hints import did_you_mean

    return DesignError(
        f"refers to the undefined {what} {name!r}",
        location=compose.locate(path),
        path=path,
        hint=did_you_mean(name, list(defined)) or f"define it under the top-level `{what}s:` key"
        if what != "service"
        else did_you_mean(name, list(defined)) or "name a service of this file",
    )


def _note_top_level(compose: ComposeFile, notes: Notes) -> None:
    for variable, path in sorted(compose.unset.items()):
        notes.add(
            path,
            f"variable {variable} is not set: an empty string is used, as Compose does "
            "(set it in the environment or in .env and import again)",
        )
    for key in compose.value:
        if key in _TOP_HANDLED:
            continue
        if key == "version":
            notes.add("version", "obsolete and ignored, as Compose ignores it")
        elif key.startswith("x-"):
            notes.dropped(
                key,
                "an extension field: Compose itself ignores it (what services merge from it "
                "with `<<:` is converted with them)",
            )
        else:
            notes.dropped(
                key,
                "run `docker compose config > flat.yaml` and import that"
                if key == "include"
                else "no Kubernetes counterpart designer knows",
            )
    networks = compose.value.get("networks") or {}
    if len(networks) > 1 or any(spec for spec in networks.values()):
        notes.dropped(
            "networks",
            "every pod can reach every other on the cluster network, so the isolation of "
            "Compose networks is lost (add NetworkPolicies)",
        )
