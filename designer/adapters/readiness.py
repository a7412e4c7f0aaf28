"""Readiness of live Kubernetes objects, after kstatus (kubernetes-sigs/cli-utils).

The apply engine asks `status_of(body)` after every write and releases a component's dependents
only when all its objects are `CURRENT`; `FAILED` (ProgressDeadlineExceeded, Job Failed, CrashLoop)
stops the wait at once instead of running out the timeout. Adapters add rules for their own kinds
through `rules` (see designer.adapters.capabilities); the kubernetes built-ins live here. Pure
functions over plain bodies: no I/O, so each rule is unit-tested on literal objects.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from designer.model import KubeObject


class Status(enum.Enum):
    """kstatus results (Unknown is folded into IN_PROGRESS: keep waiting)."""

    IN_PROGRESS = "InProgress"
    CURRENT = "Current"
    FAILED = "Failed"
    TERMINATING = "Terminating"
    NOT_FOUND = "NotFound"


@dataclass(frozen=True, slots=True)
class Readiness:
    """A status and the reason behind it, phrased for a progress line or an error."""

    status: Status
    message: str = ""

    @property
    def ready(self) -> bool:
        return self.status is Status.CURRENT

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED


Rule = Callable[[KubeObject], Readiness]
"""A readiness rule: live body → Readiness."""

CURRENT = Readiness(Status.CURRENT)


def _in_progress(message: str) -> Readiness:
    return Readiness(Status.IN_PROGRESS, message)


def _failed(message: str) -> Readiness:
    return Readiness(Status.FAILED, message)


def conditions(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The object's status conditions keyed by type."""
    found = (body.get("status") or {}).get("conditions") or []
    return {str(c.get("type")): c for c in found if isinstance(c, Mapping)}


def condition_true(body: Mapping[str, Any], name: str) -> bool:
    """True when condition ``name`` has status "True"."""
    cond = conditions(body).get(name)
    return cond is not None and cond.get("status") == "True"


def _stale(body: Mapping[str, Any], *, required: bool = False) -> Readiness | None:
    """In progress while the controller has not seen the latest generation."""
    generation = (body.get("metadata") or {}).get("generation")
    observed = (body.get("status") or {}).get("observedGeneration")
    if observed is None:
        if required:
            return _in_progress("waiting for the controller to observe the object")
        return None
    if generation is not None and int(observed) < int(generation):
        return _in_progress(f"observedGeneration {observed} < generation {generation}")
    return None


def _int(status: Mapping[str, Any], key: str) -> int:
    return int(status.get(key) or 0)


def deployment(body: KubeObject) -> Readiness:
    """Rollout complete: updated, available and ready replicas match, no old pods left."""
    stale = _stale(body)
    if stale:
        return stale
    status = body.get("status") or {}
    progressing = conditions(body).get("Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        return _failed(f"ProgressDeadlineExceeded: {progressing.get('message', 'rollout stalled')}")
    want = int((body.get("spec") or {}).get("replicas", 1))
    updated = _int(status, "updatedReplicas")
    if updated < want:
        return _in_progress(f"{updated}/{want} replicas updated")
    if _int(status, "replicas") > updated:
        return _in_progress(f"{_int(status, 'replicas') - updated} old replicas pending termination")
    if _int(status, "availableReplicas") < updated:
        return _in_progress(f"{_int(status, 'availableReplicas')}/{updated} replicas available")
    if _int(status, "readyReplicas") < want:
        return _in_progress(f"{_int(status, 'readyReplicas')}/{want} replicas ready")
    return CURRENT


def replicaset(body: KubeObject) -> Readiness:
    """All wanted replicas available and ready."""
    stale = _stale(body)
    if stale:
        return stale
    status = body.get("status") or {}
    want = int((body.get("spec") or {}).get("replicas", 1))
    if _int(status, "availableReplicas") < want or _int(status, "readyReplicas") < want:
        return _in_progress(f"{_int(status, 'readyReplicas')}/{want} replicas ready")
    return CURRENT


def statefulset(body: KubeObject) -> Readiness:
    """Ready replicas match; under RollingUpdate the update revision reached its partition."""
    stale = _stale(body, required=True)
    if stale:
        return stale
    spec = body.get("spec") or {}
    status = body.get("status") or {}
    want = int(spec.get("replicas", 1))
    if _int(status, "readyReplicas") < want:
        return _in_progress(f"{_int(status, 'readyReplicas')}/{want} replicas ready")
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") == "OnDelete":
        return CURRENT
    partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
    if partition:
        if _int(status, "updatedReplicas") < want - partition:
            return _in_progress("partitioned rollout in progress")
        return CURRENT
    if status.get("updateRevision") and status.get("currentRevision") != status.get("updateRevision"):
        return _in_progress("waiting for the update revision to roll out")
    return CURRENT


def daemonset(body: KubeObject) -> Readiness:
    """Every scheduled node runs an updated, available, ready pod."""
    stale = _stale(body, required=True)
    if stale:
        return stale
    status = body.get("status") or {}
    desired = _int(status, "desiredNumberScheduled")
    for key in ("currentNumberScheduled", "updatedNumberScheduled", "numberAvailable", "numberReady"):
        if _int(status, key) < desired:
            return _in_progress(f"{key} {_int(status, key)}/{desired}")
    return CURRENT


def job(body: KubeObject) -> Readiness:
    """Complete is ready; Failed is terminal (no point waiting out the timeout)."""
    conds = conditions(body)
    failed = conds.get("Failed")
    if failed is not None and failed.get("status") == "True":
        return _failed(f"Job failed: {failed.get('reason', '')} {failed.get('message', '')}".strip())
    if condition_true(body, "Complete"):
        return CURRENT
    return _in_progress("job running")


def crd(body: KubeObject) -> Readiness:
    """Established; a name conflict (NamesAccepted=False) will never resolve by itself."""
    names = conditions(body).get("NamesAccepted")
    if names is not None and names.get("status") == "False":
        return _failed(f"CRD names not accepted: {names.get('message', '')}")
    if condition_true(body, "Established"):
        return CURRENT
    return _in_progress("CRD not yet Established")


def pvc(body: KubeObject) -> Readiness:
    """Bound to a volume."""
    phase = (body.get("status") or {}).get("phase")
    if phase == "Bound":
        return CURRENT
    if phase == "Lost":
        return _failed("claim lost its volume")
    return _in_progress(f"phase {phase or 'Pending'}")


def service(body: KubeObject) -> Readiness:
    """Ready at once, except a LoadBalancer that has no ingress yet."""
    if (body.get("spec") or {}).get("type") != "LoadBalancer":
        return CURRENT
    ingress = ((body.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    return CURRENT if ingress else _in_progress("waiting for a load balancer address")


def pod(body: KubeObject) -> Readiness:
    """Running and Ready, or Succeeded; Failed and CrashLoopBackOff are terminal."""
    status = body.get("status") or {}
    phase = status.get("phase")
    if phase == "Succeeded":
        return CURRENT
    if phase == "Failed":
        return _failed(f"pod failed: {status.get('reason', '')}".strip())
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"}:
            return _failed(f"container {cs.get('name')}: {waiting['reason']}")
    if phase == "Running" and condition_true(body, "Ready"):
        return CURRENT
    return _in_progress(f"pod {phase or 'Pending'}")


def namespace(body: KubeObject) -> Readiness:
    """Active (Terminating means a previous delete is still draining)."""
    if (body.get("status") or {}).get("phase") == "Terminating":
        return Readiness(Status.TERMINATING, "namespace is terminating")
    return CURRENT


def generic(body: KubeObject) -> Readiness:
    """Any other kind: observedGeneration, then Stalled/Reconciling/Ready conditions (kstatus)."""
    stale = _stale(body)
    if stale:
        return stale
    conds = conditions(body)
    for cond in conds.values():
        observed = cond.get("observedGeneration")
        generation = (body.get("metadata") or {}).get("generation")
        if observed is not None and generation is not None and int(observed) < int(generation):
            return _in_progress(f"condition {cond.get('type')} is stale")
    if condition_true(body, "Stalled"):
        return _failed(f"Stalled: {conds['Stalled'].get('message', '')}".strip())
    if condition_true(body, "Reconciling"):
        return _in_progress("Reconciling")
    ready = conds.get("Ready")
    if ready is not None and ready.get("status") != "True":
        return _in_progress(f"Ready={ready.get('status')}: {ready.get('message', '')}".strip())
    return CURRENT


BUILTIN_RULES: Mapping[str, Rule] = {
    "apps/Deployment": deployment,
    "apps/ReplicaSet": replicaset,
    "apps/StatefulSet": statefulset,
    "apps/DaemonSet": daemonset,
    "batch/Job": job,
    "apiextensions.k8s.io/CustomResourceDefinition": crd,
    "/PersistentVolumeClaim": pvc,
    "/Service": service,
    "/Pod": pod,
    "/Namespace": namespace,
}
"""Rules keyed by ``group/Kind`` (``/Kind`` for the core group)."""


def rule_key(body: Mapping[str, Any]) -> str:
    """``group/Kind`` of a body, the key of `BUILTIN_RULES` and adapter rules."""
    group = str(body.get("apiVersion", "")).rpartition("/")[0]
    return f"{group}/{body.get('kind', '')}"


def status_of(body: KubeObject | None, rules: Mapping[str, Rule] | None = None) -> Readiness:
    """The readiness of a live body; ``rules`` (adapter rules) take precedence over the built-ins."""
    if body is None:
        return Readiness(Status.NOT_FOUND, "object not found")
    if (body.get("metadata") or {}).get("deletionTimestamp"):
        return Readiness(Status.TERMINATING, "object is being deleted")
    key = rule_key(body)
    rule = (rules or {}).get(key) or BUILTIN_RULES.get(key) or generic
    return rule(body)


def condition_rule(name: str) -> Rule:
    """A rule for a ``traits.wait.condition`` override: ready when condition ``name`` is True."""

    def check(body: KubeObject) -> Readiness:
        if condition_true(body, name):
            return CURRENT
        cond = conditions(body).get(name)
        got = cond.get("status") if cond else "absent"
        return _in_progress(f"waiting for condition {name}=True (now {got})")

    return check
