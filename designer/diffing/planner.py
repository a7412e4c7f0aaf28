"""Build the `Plan` for a design against a cluster: the engine of `design diff` (read-only).

For each rendered object in graph order: discover its kind, read the live object, server-side
apply it with ``dryRun=All`` (force, so the prediction shows what apply would take over), compare
(`designer.diffing.comparing`) and decide create / update / noop / replace. Live objects come from
one LIST per (apiVersion, kind, namespace) group of several objects (`designer.diffing.snapshot`,
which also keeps resourceVersions honest), else from a GET; the dry run stays per object (it gives
server defaults and validation). Then the inventory says which objects designer applied earlier
that left the design: those are deletes. The only requests are GET/LIST and dry-run PATCHes, so a
diff never changes the cluster.

Special cases (kube-api.md sections 2 and 7): a custom resource whose CRD (or a namespaced object
whose Namespace) is created by the same design cannot be dry-run yet, so it is a create without
server validation; a 422 "field is immutable" is a replace; when the server refuses dry runs (a
webhook without dry-run support, or RBAC: a user who may read but not write) the object is compared
locally and labelled less precise, with the reason (for RBAC: which user lacks which verb).
Callers: `designer.cli.diff`, `design apply` (via the same Plan), benchmarks/diff_bench.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from designer.cluster import errors
from designer.cluster.access import Refusal
from designer.cluster.base import FIELD_MANAGER, Cluster, namespaced_ref
from designer.cluster.inventory import DEFAULT_NAMESPACE, read_inventory, with_ownership
from designer.diffing import snapshot
from designer.diffing.comparing import compare
from designer.diffing.unserved import unserved_kinds_error
from designer.model import KubeObject, ObjectRef, RenderedObject
from designer.planning import Action, Change, Plan, Step

LESS_PRECISE = "less precise"
UNVALIDATED = "not validated by the server"
FORBIDDEN_FOR = "the dry run is forbidden for user"


def local_note(step: Step, *, short: bool = False) -> str:
    """The label of a step the server did not dry-run, "" otherwise; ``short`` leaves the user out
    (diff's summary table, where every row would repeat it)."""
    if step.server_validated:
        return ""
    if LESS_PRECISE not in step.reason:
        return UNVALIDATED
    if step.refusal is None:
        return LESS_PRECISE
    return f"{LESS_PRECISE}: dry run forbidden" + ("" if short else f" for {step.refusal.user}")


def _local_notes(steps: Sequence[Step]) -> list[str]:
    """The plan's notes on objects compared locally: why, and what would make the diff exact."""
    local = [s for s in steps if not s.server_validated and LESS_PRECISE in s.reason]
    refused = [s.refusal for s in local if s.refusal is not None]
    notes = []
    if refused:
        users = " and ".join(sorted({r.user for r in refused}))
        notes.append(
            f"{len(refused)} object(s) compared locally because {users} may read but not write them "
            "(a server-side dry run needs the create or patch verb): their diff is less precise "
            "(server defaults, webhooks' changes and removed fields may not show); with those verbs "
            "the server predicts it exactly"
        )
    if len(local) > len(refused):
        notes.append(
            "some objects were compared locally because the server refused the dry run; "
            "their diff is less precise (defaults and removed fields may not show)"
        )
    return notes


@dataclass(frozen=True, slots=True)
class _DesignScope:
    """What the design itself will create: CRD kinds (group, kind) and namespaces."""

    crds: dict[tuple[str, str], tuple[str, bool]]  # (group, kind) -> (CRD name, namespaced)
    namespaces: frozenset[str]

    @classmethod
    def of(cls, objects: Sequence[RenderedObject]) -> _DesignScope:
        crds: dict[tuple[str, str], tuple[str, bool]] = {}
        namespaces: set[str] = set()
        for obj in objects:
            body = obj.body
            name = str((body.get("metadata") or {}).get("name", ""))
            if body.get("kind") == "CustomResourceDefinition":
                spec = body.get("spec") or {}
                kind = str((spec.get("names") or {}).get("kind", ""))
                namespaced = spec.get("scope", "Namespaced") == "Namespaced"
                crds[(str(spec.get("group", "")), kind)] = (name, namespaced)
            elif body.get("kind") == "Namespace" and body.get("apiVersion") == "v1":
                namespaces.add(name)
        return cls(crds=crds, namespaces=frozenset(namespaces))


def plan_design(
    cluster: Cluster,
    design: str,
    objects: Sequence[RenderedObject],
    *,
    inventory_namespace: str = DEFAULT_NAMESPACE,
    field_manager: str = FIELD_MANAGER,
    concurrency: int = 8,
) -> Plan:
    """The Plan for ``objects`` (rendered, in graph order) of ``design`` on ``cluster``.

    Objects are independent reads and dry runs, so up to ``concurrency`` are in flight at once
    (kubectl diff's --concurrency); the steps keep the graph order whatever finishes first.

    Raises:
        designer.errors.ClusterError: the cluster cannot be read, kinds are not served and not
            created by the design (all of them named, with what to install), or the server rejects
            an object as invalid.
    """
    scope = _DesignScope.of(objects)
    notes: list[str] = []
    # Discovery in this thread, object after object: it is cached per kind, and an unreachable
    # cluster fails once, on the first object, after its retries (not once per worker).
    scoped: list[Step | _Scoped] = []
    unserved: dict[tuple[str, str], list[str]] = {}
    for obj in objects:
        try:
            scoped.append(_scope(cluster, design, obj, scope))
        except errors.NotFoundError as exc:
            if exc.missing != "kind":
                raise
            ref = ObjectRef.of(obj.body)
            unserved.setdefault((ref.api_version, ref.kind), []).append(obj.component.name)
    if unserved:  # every kind the cluster lacks at once, with what to install first
        raise unserved_kinds_error(unserved)
    with _parallel(concurrency) as run:
        listed = snapshot.take(cluster, (s.ref for s in scoped if isinstance(s, _Scoped)), run)

        def plan_one(item: Step | _Scoped) -> Step:
            if isinstance(item, Step):
                return item
            return _plan_scoped(cluster, item, listed, scope, field_manager)

        steps = list(run(plan_one, scoped))
    notes.extend(_local_notes(steps))
    try:
        inventory = read_inventory(cluster, design, namespace=inventory_namespace)
    except errors.ForbiddenError as exc:
        # Least-privilege users can still see creates and updates; say what is missing.
        notes.append(f"deletes are not shown: designer's inventory cannot be read ({exc.message})")
        return Plan(steps=tuple(steps), context=cluster.context_name, design=design, notes=tuple(notes))
    current = [s.ref for s in steps]
    for ref in inventory.left_design(current):
        live = _get_live(cluster, ref, listed)
        if live is not None:
            steps.append(
                Step(
                    action=Action.DELETE,
                    component=None,
                    ref=ref,
                    live=live,
                    reason=f"applied by designer for {design!r} and no longer in the design",
                )
            )
    return Plan(steps=tuple(steps), context=cluster.context_name, design=design, notes=tuple(notes))


def _get_live(cluster: Cluster, ref: ObjectRef, listed: snapshot.Snapshot) -> KubeObject | None:
    in_list, live = listed.lookup(ref)
    if in_list:  # its group was listed: no dry run follows, so the LIST's answer is as good as a GET
        return live
    try:
        return cluster.get(ref)
    except errors.NotFoundError:  # its kind is gone (CRD removed): nothing left to delete
        return None


@contextmanager
def _parallel(concurrency: int) -> Iterator[snapshot.Mapper]:
    """An ordered map over one pool of ``concurrency`` threads (a plain loop when 1): the planner's
    whole request concurrency (LISTs, GETs and dry runs share it)."""
    if concurrency <= 1:
        yield lambda fn, items: [fn(item) for item in items]
        return
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="designer-diff") as pool:
        yield lambda fn, items: list(pool.map(fn, items))


@dataclass(frozen=True, slots=True)
class _Scoped:
    """An object whose kind the server serves: its ref (namespace set for its scope) and body."""

    component: str
    ref: ObjectRef
    body: KubeObject


def _scope(cluster: Cluster, design: str, obj: RenderedObject, scope: _DesignScope) -> Step | _Scoped:
    """Discover the object's kind; a kind whose CRD this design creates is an unvalidated create."""
    body = with_ownership(obj.body, design)
    raw_ref = ObjectRef.of(body)
    component = obj.component.name
    try:
        info = cluster.resource_info(raw_ref.api_version, raw_ref.kind)
    except errors.NotFoundError as exc:
        crd = scope.crds.get((raw_ref.group, raw_ref.kind))
        if crd is None:
            raise
        crd_name, namespaced = crd
        ref = namespaced_ref(raw_ref, cluster.default_namespace, namespaced=namespaced)
        return _unvalidated_create(
            component,
            ref,
            body,
            f"{UNVALIDATED}: its CRD {crd_name} is created by this design ({exc.message})",
        )
    ref = namespaced_ref(raw_ref, cluster.default_namespace, namespaced=info.namespaced)
    if ref.namespace:
        body["metadata"] = {**body["metadata"], "namespace": ref.namespace}
    return _Scoped(component, ref, body)


def _plan_scoped(
    cluster: Cluster, item: _Scoped, live_objects: snapshot.Snapshot, scope: _DesignScope, field_manager: str
) -> Step:
    listed, live = live_objects.lookup(item.ref)
    if not listed:
        live = cluster.get(item.ref)
    outcome = _dry_run(cluster, item, live, scope, field_manager)
    if listed and isinstance(outcome, dict) and not snapshot.matches(live, outcome):
        # created, changed or deleted since the LIST: read it again, as without a LIST
        live = cluster.get(item.ref)
        outcome = _dry_run(cluster, item, live, scope, field_manager)
    if isinstance(outcome, Step):
        return outcome
    predicted = outcome
    component, ref, body = item.component, item.ref, item.body
    if live is None:
        return Step(action=Action.CREATE, component=component, ref=ref, desired=body, predicted=predicted)
    changes = compare(live, predicted, field_manager=field_manager).changes
    return _compared_step(component, ref, body, live, changes, predicted=predicted)


def _dry_run(
    cluster: Cluster, item: _Scoped, live: KubeObject | None, scope: _DesignScope, field_manager: str
) -> KubeObject | Step:
    """The server's prediction for ``item``, or the Step when the dry run cannot give one."""
    component, ref, body = item.component, item.ref, item.body
    try:
        return cluster.apply(body, field_manager=field_manager, dry_run=True, force=True)
    except errors.InvalidError as exc:
        if not exc.immutable or live is None:
            raise
        result = compare(live, body, local=True, field_manager=field_manager)
        return Step(
            action=Action.REPLACE,
            component=component,
            ref=ref,
            desired=body,
            live=live,
            changes=result.changes,
            reason=f"an immutable field changed, the object must be recreated: {exc.message}",
            server_validated=True,
        )
    except errors.NotFoundError as exc:
        if exc.missing != "namespace" or live is not None or ref.namespace not in scope.namespaces:
            raise
        return _unvalidated_create(
            component, ref, body, f"{UNVALIDATED}: namespace {ref.namespace} is created by this design"
        )
    except (errors.DryRunUnsupportedError, errors.ForbiddenError) as exc:
        return _local_step(component, ref, body, live, exc, field_manager)


def _local_step(
    component: str,
    ref: ObjectRef,
    body: KubeObject,
    live: KubeObject | None,
    exc: errors.ApiError,
    field_manager: str,
) -> Step:
    refusal = exc.refusal if isinstance(exc, errors.ForbiddenError) else None
    if refusal is not None:
        reason = (
            f"{LESS_PRECISE}: compared locally, {FORBIDDEN_FOR} {refusal.user} (a dry run needs the write "
            f"verb: {refusal.verb} on {refusal.resource_name} {refusal.where()})"
        )
    else:
        reason = f"{LESS_PRECISE}: compared locally, the server refused the dry run ({exc.message})"
    if live is None:
        return _unvalidated_create(component, ref, body, reason, refusal=refusal)
    changes = compare(live, body, local=True, field_manager=field_manager).changes
    return _compared_step(
        component, ref, body, live, changes, reason=reason, server_validated=False, refusal=refusal
    )


def _compared_step(
    component: str,
    ref: ObjectRef,
    body: KubeObject,
    live: KubeObject,
    changes: tuple[Change, ...],
    *,
    predicted: KubeObject | None = None,
    reason: str = "",
    server_validated: bool = True,
    refusal: Refusal | None = None,
) -> Step:
    """UPDATE when the comparison found changes, NOOP otherwise."""
    return Step(
        action=Action.UPDATE if changes else Action.NOOP,
        component=component,
        ref=ref,
        desired=body,
        live=live,
        changes=changes,
        reason=reason,
        server_validated=server_validated,
        predicted=predicted,
        refusal=refusal,
    )


def _unvalidated_create(
    component: str | None, ref: ObjectRef, body: KubeObject, reason: str, *, refusal: Refusal | None = None
) -> Step:
    """A create the server did not dry-run (its CRD or namespace comes with this design, or it refused)."""
    return Step(
        action=Action.CREATE,
        component=component,
        ref=ref,
        desired=body,
        reason=reason,
        server_validated=False,
        refusal=refusal,
    )
