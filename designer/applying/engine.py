"""The apply engine: executes a `Plan` against one cluster, in dependency order, with readiness gates.

Each design component is a node; it starts as soon as every component it depends on is applied
*and ready* (designer.applying.scheduler), up to ``concurrency`` at once. A node applies its
objects in two phases (namespaces and CRDs, waited for, then the rest), sends nothing for noop
steps, then waits for every object's readiness (kstatus rules + adapter rules + ``traits.wait``).
A write that fails but may have happened all the same (its answer was lost) is not taken as
"not applied": the object is re-read, and counted as applied when it changed (so rollback undoes it)
or, when it cannot be re-read, reported as uncertain (possibly changed; rollback re-reads it too).
After the run: on failure, optionally roll back (rollback.py); on success, optionally prune what
left the design (pruning.py); then record the inventory — only if it changed, so re-applying an
unchanged design sends no write at all; before its first write the run records what it is about to
create, so nothing it creates can miss the inventory (recording.py).
A component that renders no objects (a PerformanceProfile) is a node of the graph but is not
"ready": it reports ``no_objects``. Callers: `design apply` (designer.cli.apply), benchmarks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from designer.adapters.kindorder import phases
from designer.adapters.readiness import Rule
from designer.applying.events import Event, EventKind, EventSink, Failure, NodeFailedError, RunResult, discard
from designer.applying.limiting import limit_requests, workers
from designer.applying.pruning import prune
from designer.applying.recording import InventoryRecord, leftovers
from designer.applying.rollback import Applied, changed_since_plan, roll_back
from designer.applying.scheduler import run_graph
from designer.applying.traits import ApplyTraits, traits_of
from designer.applying.waiting import PollSchedule, wait_ready
from designer.applying.writing import write
from designer.cluster.base import Cluster
from designer.cluster.inventory import (
    DEFAULT_NAMESPACE,
    Inventory,
    read_inventory,
    with_ownership,
)
from designer.errors import ClusterError
from designer.kinds import PROFILE_KIND
from designer.model import Component, KubeObject, ObjectRef
from designer.planning import Action, Plan, Step
from designer.rendering import PRUNE_ANNOTATION

AfterReady = Callable[[str, Sequence[KubeObject]], None]
"""Hook run when a component is ready: (component name, its live objects). `--perf` plugs in here."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyOptions:
    """Knobs of one run (the `design apply` flags)."""

    concurrency: int = 8  # API requests in flight at once (components waiting for readiness hold none)
    timeout: float = 300.0  # default readiness timeout per component (traits.wait.timeout overrides)
    wait: bool = True
    force_conflicts: bool = False
    prune: bool = False
    rollback_on_failure: bool = False
    keep_going: bool = False
    inventory_namespace: str = DEFAULT_NAMESPACE
    after_ready: AfterReady | None = None


@dataclass
class _Run:
    cluster: Cluster
    plan: Plan
    design: str
    components: Mapping[str, Component]
    rules: Mapping[str, Rule]
    options: ApplyOptions
    emit: EventSink
    result: RunResult
    applied: list[Applied] = field(default_factory=list)
    schedule: PollSchedule = field(default_factory=PollSchedule)


def prepare_body(body: KubeObject, design: str, ref: ObjectRef) -> KubeObject:
    """The body designer sends: ownership labels and the namespace from the ref.

    (Prune protection is already on the rendered object: see designer.rendering.)
    """
    prepared = with_ownership(body, design)
    meta = prepared["metadata"]
    if ref.namespace and not meta.get("namespace"):
        meta["namespace"] = ref.namespace
    return prepared


def apply_plan(
    cluster: Cluster,
    plan: Plan,
    *,
    design: str,
    components: Sequence[Component],
    dependencies: Mapping[str, Iterable[str]],
    rules: Mapping[str, Rule] | None = None,
    options: ApplyOptions | None = None,
    emit: EventSink = discard,
) -> RunResult:
    """Execute ``plan``; never raises for a failed step (failures are in the result).

    Args:
        cluster: where to apply.
        plan: from designer.diffing (steps in apply order, deletes last).
        design: the design name (ownership labels, inventory).
        components: the design's components in graph order (the nodes).
        dependencies: component → the components it waits for (graph edges + adapter hints).
        rules: adapter readiness rules (designer.adapters.capabilities.readiness_rules).
        options: concurrency, timeouts, prune, rollback, force.
        emit: receives progress events.
    """
    options = options or ApplyOptions()
    cluster = limit_requests(cluster, options.concurrency)
    started = time.monotonic()
    run = _Run(
        cluster=cluster,
        plan=plan,
        design=design,
        components={c.name: c for c in components},
        rules=rules or {},
        options=options,
        emit=emit,
        result=RunResult(cluster=plan.context or cluster.context_name),
    )
    by_component: dict[str, list[Step]] = {c.name: [] for c in components}
    for step in plan.steps:
        if step.action is not Action.DELETE and step.component is not None:
            by_component.setdefault(step.component, []).append(step)
    previous = read_inventory(cluster, design, namespace=options.inventory_namespace)
    record = InventoryRecord(cluster, design, options.inventory_namespace, previous, run.result)
    stored = record.intent(plan)
    if stored is None:  # not recorded: nothing may be created that a later prune could not find
        run.result.cancelled.extend(by_component)
        return _finish(run, started)

    outcome = run_graph(
        list(by_component),
        dependencies,
        lambda name: _apply_component(run, name, by_component[name]),
        concurrency=workers(options.concurrency),
        keep_going=options.keep_going,
    )
    result = run.result
    for name, error in outcome.failed.items():
        failure = error.failure if isinstance(error, NodeFailedError) else _internal(name, error)
        result.add("failed", failure)
        emit(
            Event(
                kind=EventKind.FAILED,
                component=name,
                ref=failure.ref,
                message=failure.message,
                data={"reason": failure.reason, "status": failure.status, "causes": list(failure.causes)},
            )
        )
    for name, because in outcome.skipped.items():
        result.skipped[name] = because
        emit(Event(kind=EventKind.SKIPPED, component=name, message=f"depends on {because}, which failed"))
    for name in outcome.cancelled:
        result.cancelled.append(name)
        emit(Event(kind=EventKind.CANCELLED, component=name, message="not started: the run stopped"))

    if not result.ok and options.rollback_on_failure:
        left = roll_back(cluster, run.applied, result=result, emit=emit, timeout=options.timeout)
        record.after_rollback(stored, left)
    else:
        kept = _prune(run, previous) if result.ok and options.prune else list(leftovers(plan, previous))
        record.after_run(plan, stored, kept)
    return _finish(run, started)


def _finish(run: _Run, started: float) -> RunResult:
    run.result.elapsed = time.monotonic() - started
    run.emit(Event(kind=EventKind.SUMMARY, data=run.result.summary()))
    return run.result


def _apply_component(run: _Run, name: str, steps: list[Step]) -> None:
    component = run.components.get(name)
    traits = traits_of(component)
    run.emit(Event(kind=EventKind.STARTED, component=name))
    if not steps:
        message = "renders no Kubernetes objects: nothing applied"
        if component is not None and component.is_designer_kind and component.kind == PROFILE_KIND:
            message += " (a PerformanceProfile runs with `design apply --perf` or `design perf run`)"
        run.emit(Event(kind=EventKind.NO_OBJECTS, component=name, message=message))
        return
    live: list[KubeObject] = []
    for phase in phases(steps, lambda s: s.ref.kind):
        written = _write_phase(run, name, component, traits, phase)
        for step, body in written:
            live.append(_wait(run, name, traits, step, body) if traits.wait and run.options.wait else body)
        if any(s.ref.kind == "CustomResourceDefinition" and s.action is not Action.NOOP for s in phase):
            run.cluster.invalidate_discovery()  # the new kinds are served now: look again, once per phase
    if run.options.after_ready is not None:
        run.options.after_ready(name, live)
    run.result.add("ready", name)
    run.emit(Event(kind=EventKind.READY, component=name))


def _write_phase(
    run: _Run, name: str, component: Component | None, traits: ApplyTraits, phase: list[Step]
) -> list[tuple[Step, KubeObject]]:
    """Write one phase's objects, in parallel when there are several (a mesh renders dozens)."""
    if len(phase) == 1:
        return [_write_step(run, name, component, traits, phase[0])]
    with ThreadPoolExecutor(max_workers=min(len(phase), run.options.concurrency)) as pool:
        return list(pool.map(lambda step: _write_step(run, name, component, traits, step), phase))


def _write_step(
    run: _Run, name: str, component: Component | None, traits: ApplyTraits, step: Step
) -> tuple[Step, KubeObject]:
    if step.action is Action.NOOP:
        run.result.add("unchanged", step.ref)
        run.emit(Event(kind=EventKind.UNCHANGED, component=name, ref=step.ref))
        return step, step.live or {}
    assert step.desired is not None, f"{step.action} step without a desired body"
    body = prepare_body(step.desired, run.design, step.ref)
    try:
        stored = write(
            run.cluster,
            body,
            component=name,
            replace=step.action is Action.REPLACE,
            allow_replace=traits.replace,
            force=run.options.force_conflicts,
            emit=run.emit,
            timeout=traits.timeout or run.options.timeout,
        )
    except NodeFailedError as exc:
        if exc.maybe_written:
            _settle(run, name, step)
        raise
    _record_applied(run, name, step, created=step.action is Action.CREATE)
    return step, stored


def _record_applied(run: _Run, name: str, step: Step, *, created: bool, message: str = "") -> None:
    """Count ``step``'s write as applied (rollback undoes it) and tell the event sink."""
    run.applied.append(Applied(step=step, component=name))  # list.append is atomic
    run.result.add("applied", step.ref)
    if created:
        run.result.add("created", step.ref)
    run.emit(
        Event(
            kind=EventKind.APPLIED,
            component=name,
            ref=step.ref,
            message=message,
            data={"action": step.action.value},
        )
    )


def _settle(run: _Run, name: str, step: Step) -> None:
    """A write failed but may have happened: re-read the object and record what it shows."""
    try:
        now = run.cluster.get(step.ref)
    except ClusterError as exc:
        run.applied.append(Applied(step=step, component=name))
        run.result.add("uncertain", step.ref)
        run.emit(
            Event(
                kind=EventKind.UNCERTAIN,
                component=name,
                ref=step.ref,
                message=f"the write's answer was lost and the object cannot be re-read ({exc.message}): "
                "it may have changed",
            )
        )
        return
    if not changed_since_plan(step, now):
        return  # the write did not happen: nothing to undo, nothing to report beyond the failure
    _record_applied(
        run,
        name,
        step,
        created=now is not None and step.live is None,
        message="the write's answer was lost, but the object changed: counted as applied",
    )


def _wait(run: _Run, name: str, traits: ApplyTraits, step: Step, body: KubeObject) -> KubeObject:
    timeout = traits.timeout or run.options.timeout
    outcome = wait_ready(
        run.cluster,
        step.ref,
        timeout=timeout,
        rules=run.rules,
        condition=traits.condition,
        first=body or None,
        schedule=run.schedule,
        on_progress=lambda r: run.emit(
            Event(kind=EventKind.WAITING, component=name, ref=step.ref, message=r.message)
        ),
    )
    if outcome.readiness.failed:
        raise NodeFailedError(
            Failure(component=name, ref=step.ref, message=outcome.readiness.message, reason="ReadinessFailed")
        )
    if outcome.timed_out:
        raise NodeFailedError(
            Failure(
                component=name,
                ref=step.ref,
                reason="Timeout",
                message=f"not ready after {timeout:g}s: {outcome.readiness.message}",
            )
        )
    run.emit(Event(kind=EventKind.READY, component=name, ref=step.ref))
    return outcome.body or body


def _prune(run: _Run, previous: Inventory) -> list[ObjectRef]:
    return prune(
        run.cluster,
        list(leftovers(run.plan, previous)),
        design=run.design,
        result=run.result,
        emit=run.emit,
        timeout=run.options.timeout,
        protect_annotation=PRUNE_ANNOTATION,
    )


def _internal(name: str, error: BaseException) -> Failure:
    if isinstance(error, ClusterError):
        return Failure(
            component=name,
            ref=None,
            message=error.message,
            reason=error.reason,
            status=error.status,
            causes=error.causes,
            hint=error.hint,
        )
    return Failure(component=name, ref=None, message=f"internal error: {type(error).__name__}: {error}")
