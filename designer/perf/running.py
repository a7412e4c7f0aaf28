"""Run performance profiles end to end: resolve targets, load, build the record, store it.

The entry points for other layers:

- `run_profile(profile, context)`: one profile → one result record (used by `design perf run --url`).
- `run_design_profiles(design, …)`: every PerformanceProfile component of a design, in design order
  → list of records. `design perf run PATH` uses it, and so does `design apply --perf` once the
  design is ready (pass a ``resolver`` that maps component targets to reachable URLs, e.g. through
  a port-forward; the default uses in-cluster Service DNS names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from designer.errors import ProfileError
from designer.kinds import MESH_INSTALL_KINDS, PROFILE_KIND
from designer.model import Component, Design
from designer.perf import slo
from designer.perf.engine.builtin import ProgressFn
from designer.perf.engine.select import run_engine
from designer.perf.history import History
from designer.perf.profile import Profile, Target, profile_from_settings
from designer.perf.results import Record, RunContext, build_record

TargetResolver = Callable[[Component, Target], str]
"""Maps a component target (a Service of the design plus port and path) to a reachable URL."""


def run_profile(
    profile: Profile,
    context: RunContext | None = None,
    *,
    progress: ProgressFn | None = None,
    history: History | None = None,
) -> Record:
    """Run one profile and return its record (saved to ``history`` when given)."""
    for expr in profile.slos:
        slo.parse(expr)  # a typo in an SLO fails before the load, not after
    measurement = run_engine(profile, progress)
    record = build_record(measurement, profile, context or RunContext())
    if history is not None:
        history.save(record)
    return record


def profiles_of(design: Design, overrides: Mapping[str, Any] | None = None) -> list[Profile]:
    """The design's PerformanceProfile components as profiles, with CLI overrides applied."""
    found = []
    for comp in design.components:
        if comp.kind != PROFILE_KIND:
            continue
        try:
            profile = profile_from_settings(comp.name, comp.settings)
        except ProfileError as exc:
            exc.location = exc.location or comp.location
            exc.path = exc.path or comp.design_path("settings")
            raise
        found.append(profile.with_overrides(**(overrides or {})))
    return found


def design_context(
    design: Design,
    labels: Mapping[str, str] | None = None,
    *,
    version: str | None = None,
    mesh: str | None = None,
) -> RunContext:
    """Design name, version and mesh (from metadata.meshes or a mesh component) of a run.

    ``version`` and ``mesh`` override what the design says (e.g. ``--version`` on the CLI).
    """
    found_mesh = None
    meshes = design.metadata.get("meshes")
    if isinstance(meshes, list | tuple) and meshes:
        found_mesh = str(meshes[0])
    for comp in design.components:
        if comp.kind in MESH_INSTALL_KINDS:
            found_mesh = MESH_INSTALL_KINDS[comp.kind]
    return RunContext(
        design=design.name,
        version=version or design.version,
        mesh=mesh or found_mesh,
        labels=dict(labels or {}),
    )


def resolve_targets(profile: Profile, design: Design, resolver: TargetResolver | None = None) -> Profile:
    """Give every component target a URL, through ``resolver`` or in-cluster DNS."""
    resolved = []
    for target in profile.targets:
        if target.url:
            resolved.append(target)
            continue
        try:
            comp = design.component(target.component or "")
        except KeyError:
            raise ProfileError(
                f"profile {profile.name!r}: target component {target.component!r} is not in design "
                f"{design.name!r}",
                hint="name a component of the design, or give the target a url",
            ) from None
        url = (resolver or cluster_dns_url)(comp, target)
        resolved.append(replace(target, url=url))
    return replace(profile, targets=tuple(resolved))


def cluster_dns_url(comp: Component, target: Target) -> str:
    """``http://<service>.<namespace>.svc.cluster.local:<port><path>``: reachable from inside the cluster."""
    port = target.port
    if port is None:
        ports = (comp.settings.get("spec") or {}).get("ports") or []
        if comp.kind != "Service" or not ports:
            raise ProfileError(
                f"target component {comp.name!r} needs a port",
                hint="add port: to the target (the Service port to load)",
            )
        port = int(ports[0].get("port"))
    name = comp.object_name or comp.name
    namespace = comp.namespace or "default"
    return f"http://{name}.{namespace}.svc.cluster.local:{port}{target.path}"


def run_design_profiles(
    design: Design,
    *,
    overrides: Mapping[str, Any] | None = None,
    resolver: TargetResolver | None = None,
    history: History | None = None,
    progress: ProgressFn | None = None,
    labels: Mapping[str, str] | None = None,
    only: str | None = None,
    version: str | None = None,
    mesh: str | None = None,
) -> list[Record]:
    """Run every PerformanceProfile of ``design`` (or just ``only``) and return their records.

    This is the API behind ``design apply --perf``: call it after the design's components are
    ready. A record's ``slo_passed`` is False when an SLO failed (the caller decides the exit code).
    """
    context = design_context(design, labels, version=version, mesh=mesh)
    profiles = profiles_of(design, overrides)
    if only is not None:
        profiles = [p for p in profiles if p.name == only]
    if not profiles:
        raise ProfileError(
            f"design {design.name!r} has no PerformanceProfile component"
            + (f" named {only!r}" if only else ""),
            hint="add a component with apiVersion: designer/v1 and kind: PerformanceProfile, or use --url",
        )
    return [
        run_profile(resolve_targets(p, design, resolver), context, progress=progress, history=history)
        for p in profiles
    ]
