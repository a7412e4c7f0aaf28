"""One object's write: server-side apply with retries, conflicts and replace.

Transient failures (5xx, 429, connection errors) are retried by the cluster client itself; a kind
that is not served yet (its CRD was just Established) triggers re-discovery and a retry. Everything
else fails the component with the API's reason and causes: a 409 lists each conflicting field and
its manager (``--force-conflicts`` takes them), a 422 on an immutable field becomes a replace
(delete, wait gone, create) only if the component opted in (``traits.replace``). A failure after
which the object may have changed all the same (a lost answer, or a replace that had deleted it) is
raised with ``maybe_written``, so the engine re-reads the object. Called by the engine's workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from designer.applying.events import Event, EventKind, EventSink, Failure, NodeFailedError
from designer.applying.waiting import delete_and_wait
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.cluster.errors import ConflictError, InvalidError, NotFoundError, UnreachableError
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef

KIND_RETRIES = 4
FIRST_BACKOFF_S = 0.1


def failure_of(component: str, ref: ObjectRef, exc: ClusterError, prefix: str = "") -> Failure:
    """A `Failure` carrying the API's status, reason, causes and the hint of what to do."""
    message = exc.message
    hint = exc.hint
    if isinstance(exc, ConflictError) and exc.conflicts:
        fields = "; ".join(f"{c.field} (owned by {c.manager})" for c in exc.conflicts)
        message = f"conflict with other field managers: {fields}"
        hint = "re-run with --force-conflicts to take these fields from their managers"
    return Failure(
        component=component,
        ref=ref,
        message=f"{prefix}{message}",
        reason=exc.reason,
        status=exc.status,
        causes=exc.causes,
        hint=hint,
    )


def outcome_unknown(exc: BaseException) -> bool:
    """True when a failed write may have been carried out (see UnreachableError.outcome_unknown)."""
    return isinstance(exc, UnreachableError) and exc.outcome_unknown


def with_retries(
    call: Callable[[], KubeObject],
    *,
    cluster: Cluster,
    component: str,
    ref: ObjectRef,
    emit: EventSink,
    transient_retries: int = 0,
) -> KubeObject:
    """``call()``, retried on a kind not served yet (and on transient errors if asked).

    The cluster client already retries 5xx/429/timeouts with backoff (KubeCluster), so by default
    the engine does not retry those again: an `UnreachableError` here means the retries ran out.
    """
    delay = FIRST_BACKOFF_S
    for attempt in range(max(KIND_RETRIES, transient_retries) + 1):
        try:
            return call()
        except UnreachableError as exc:
            if attempt >= transient_retries:
                raise
            emit(Event(kind=EventKind.RETRY, component=component, ref=ref, message=exc.message))
        except NotFoundError as exc:
            if getattr(exc, "missing", "") != "kind" or attempt >= KIND_RETRIES:
                raise
            cluster.invalidate_discovery()
            emit(Event(kind=EventKind.RETRY, component=component, ref=ref, message="kind not served yet"))
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def write(
    cluster: Cluster,
    body: KubeObject,
    *,
    component: str,
    replace: bool,
    allow_replace: bool,
    force: bool,
    emit: EventSink,
    timeout: float,
) -> KubeObject:
    """Apply ``body`` (or replace it when ``replace``); raises NodeFailedError with the API's reason."""
    ref = ObjectRef.of(body)
    deleting: list[bool] = []  # set once a replace sent its delete: the old object may be gone

    def apply() -> KubeObject:
        return cluster.apply(body, field_manager=FIELD_MANAGER, force=force)

    try:
        if replace:
            return _replace(cluster, body, component, allow_replace, emit, timeout, apply, deleting)
        try:
            return with_retries(apply, cluster=cluster, component=component, ref=ref, emit=emit)
        except InvalidError as exc:
            if not exc.immutable:
                raise
            return _replace(cluster, body, component, allow_replace, emit, timeout, apply, deleting)
    except NodeFailedError as exc:
        exc.maybe_written = exc.maybe_written or bool(deleting)
        raise
    except ClusterError as exc:
        raise NodeFailedError(
            failure_of(component, ref, exc), maybe_written=outcome_unknown(exc) or bool(deleting)
        ) from exc


def _replace(
    cluster: Cluster,
    body: KubeObject,
    component: str,
    allow_replace: bool,
    emit: EventSink,
    timeout: float,
    apply: Callable[[], KubeObject],
    deleting: list[bool],
) -> KubeObject:
    ref = ObjectRef.of(body)
    if not allow_replace:
        raise NodeFailedError(
            Failure(
                component=component,
                ref=ref,
                message="an immutable field changed: the object must be deleted and re-created; "
                "set traits.replace: true on the component to allow it",
                reason="Invalid",
                status=422,
            )
        )
    deleting.append(True)
    left = delete_and_wait(cluster, ref, timeout=timeout, propagation="Foreground")
    if left is not None:
        raise NodeFailedError(
            Failure(component=component, ref=ref, message=f"replace: {ref} was not deleted in {timeout:g}s")
        )
    emit(Event(kind=EventKind.DELETED, component=component, ref=ref, message="replaced (immutable field)"))
    return with_retries(apply, cluster=cluster, component=component, ref=ref, emit=emit)
