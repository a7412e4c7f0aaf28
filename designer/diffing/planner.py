"""Build the `Plan` for a design against a cluster: the engine of `design diff` (read-only).

For each rendered object in graph order: discover its kind, GET the live object, server-side
apply it with ``dryRun=All`` (force, so the prediction shows what apply would take over), compare
(`designer.diffing.comparing`) and decide create / update / noop / replace. Then the inventory
says which objects designer applied earlier that left the design: those are deletes. The only
requests are GET/LIST and dry-run PATCHes, so a diff never changes the cluster.

Special cases (kube-api.md sections 2 and 7): a custom resource whose CRD (or a namespaced object
whose Namespace) is created by the same design cannot be dry-run yet, so it is a create without
server validation; a 422 "field is immutable" is a replace; when the server refuses dry runs (a
webhook without dry-run support, or RBAC) the object is compared locally and labelled less precise.
Callers: `designer.cli.diff`, `design apply` (via the same Plan), benchmarks/diff_bench.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from designer.cluster import errors
from designer.cluster.base import FIELD_MANAGER, Cluster, namespaced_ref
from designer.cluster.inventory import DEFAULT_NAMESPACE, read_inventory, with_ownership
from designer.diffing.comparing import compare
from designer.model import KubeObject, ObjectRef, RenderedObject
from designer.planning import Action, Plan, Step

LESS_PRECISE = "less precise"


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
        designer.errors.ClusterError: the cluster cannot be read, a kind is unknown and not
            created by the design, or the server rejects an object as invalid.
    """
    scope = _DesignScope.of(objects)
    notes: list[str] = []

    def plan_one(obj: RenderedObject) -> Step:
        return _plan_object(cluster, design, obj, scope, field_manager)

    # The first object alone: it warms discovery up and, if the cluster is unreachable, fails
    # once after its retries instead of once per worker.
    steps = [plan_one(obj) for obj in objects[:1]]
    if concurrency <= 1:
        steps += [plan_one(obj) for obj in objects[1:]]
    else:
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="designer-diff") as pool:
            steps += list(pool.map(plan_one, objects[1:]))
    if any(not s.server_validated and LESS_PRECISE in s.reason for s in steps):
        notes.append(
            "some objects were compared locally because the server refused the dry run; "
            "their diff is less precise (defaults and removed fields may not show)"
        )
    try:
        inventory = read_inventory(cluster, design, namespace=inventory_namespace)
    except errors.ForbiddenError as exc:
        # Least-privilege users can still see creates and updates; say what is missing.
        notes.append(f"deletes are not shown: designer's inventory cannot be read ({exc.message})")
        return Plan(steps=tuple(steps), context=cluster.context_name, design=design, notes=tuple(notes))
    current = [s.ref for s in steps]
    for ref in inventory.left_design(current):
        live = _get_live(cluster, ref)
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


def _get_live(cluster: Cluster, ref: ObjectRef) -> KubeObject | None:
    try:
        return cluster.get(ref)
    except errors.NotFoundError:  # its kind is gone (CRD removed): nothing left to delete
        return None


def _plan_object(
    cluster: Cluster, design: str, obj: RenderedObject, scope: _DesignScope, field_manager: str
) -> Step:
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
        return Step(
            action=Action.CREATE,
            component=component,
            ref=ref,
            desired=body,
            reason=f"not validated by the server: its CRD {crd_name} is created by this design ({exc.message})",
            server_validated=False,
        )
    ref = namespaced_ref(raw_ref, cluster.default_namespace, namespaced=info.namespaced)
    if ref.namespace:
        body["metadata"] = {**body["metadata"], "namespace": ref.namespace}
    live = cluster.get(ref)
    try:
        predicted = cluster.apply(body, field_manager=field_manager, dry_run=True, force=True)
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
        return Step(
            action=Action.CREATE,
            component=component,
            ref=ref,
            desired=body,
            reason=f"not validated by the server: namespace {ref.namespace} is created by this design",
            server_validated=False,
        )
    except (errors.DryRunUnsupportedError, errors.ForbiddenError) as exc:
        return _local_step(component, ref, body, live, exc, field_manager)
    if live is None:
        return Step(action=Action.CREATE, component=component, ref=ref, desired=body, predicted=predicted)
    result = compare(live, predicted, field_manager=field_manager)
    return Step(
        action=Action.UPDATE if result.changes else Action.NOOP,
        component=component,
        ref=ref,
        desired=body,
        live=live,
        predicted=predicted,
        changes=result.changes,
    )


def _local_step(
    component: str,
    ref: ObjectRef,
    body: KubeObject,
    live: KubeObject | None,
    exc: errors.ApiError,
    field_manager: str,
) -> Step:
    reason = f"{LESS_PRECISE}: compared locally, the server refused the dry run ({exc.message})"
    if live is None:
        return Step(
            action=Action.CREATE,
            component=component,
            ref=ref,
            desired=body,
            reason=reason,
            server_validated=False,
        )
    result = compare(live, body, local=True, field_manager=field_manager)
    return Step(
        action=Action.UPDATE if result.changes else Action.NOOP,
        component=component,
        ref=ref,
        desired=body,
        live=live,
        changes=result.changes,
        reason=reason,
        server_validated=False,
    )
