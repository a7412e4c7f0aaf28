"""The Plan: what applying a design would do to a cluster, one `Step` per object.

`design diff` builds it (designer.diffing compares each rendered object with the live one) and
renders it; the apply engine executes the same Plan (kapp's diff-then-apply), so what a user saw
is what gets done. Pure data, no I/O: `Plan.to_json()` is the stable ``--output json`` document.

Secret values never reach `Change` (diffing masks them when it builds changes); ``desired`` and
``live`` keep the real bodies because apply needs them, and are left out of the JSON.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.model import KubeObject, ObjectRef

if TYPE_CHECKING:
    from designer.cluster.access import Refusal

SCHEMA_VERSION = 1


class Action(enum.StrEnum):
    """What happens to one object."""

    CREATE = "create"  # absent from the cluster
    UPDATE = "update"  # present, and applying changes it
    NOOP = "noop"  # present and already as designed
    DELETE = "delete"  # designer applied it before (inventory) and it left the design
    REPLACE = "replace"  # an immutable field changed: delete, then create


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One field that differs between the live object and the applied result.

    ``path`` is a dotted key path with list items by key, e.g.
    ``spec.template.spec.containers[name=web].image`` or ``metadata.labels["app.kubernetes.io/name"]``.
    ``before``/``after`` are None when the field is added/removed (masked for Secrets).
    ``manager`` is the field manager that owns the live field, when known (drift: who changed it).
    """

    path: str
    before: Any = None
    after: Any = None
    manager: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of a change."""
        return {"path": self.path, "before": self.before, "after": self.after, "manager": self.manager}


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One object's planned action.

    Attributes:
        action: what apply will do.
        component: the design component the object came from (None for deletes of objects whose
            component left the design).
        ref: the object (namespace defaulted for namespaced kinds, None for cluster-scoped).
        desired: the body designer would apply (None for delete).
        live: the live body from the cluster (None for create).
        changes: field-level differences (empty for create/delete/noop).
        reason: why this action, in words (e.g. "CRD widgets.example.com is created by this design").
        server_validated: False when the server did not dry-run this object (its CRD is not
            installed yet, or dry run was refused and diff compared locally: less precise).
        predicted: what the server's dry run returned (None without server validation).
        refusal: the RBAC refusal of the dry run, when the user may read the object but not write
            it (the diff is then less precise, and `design apply` stops before writing anything).
    """

    action: Action
    component: str | None
    ref: ObjectRef
    desired: KubeObject | None = None
    live: KubeObject | None = None
    changes: tuple[Change, ...] = ()
    reason: str = ""
    server_validated: bool = True
    predicted: KubeObject | None = None
    refusal: Refusal | None = None

    @property
    def changed(self) -> bool:
        """True unless this step is a noop."""
        return self.action is not Action.NOOP

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of a step (no bodies: they may hold secrets)."""
        return {
            "action": self.action.value,
            "component": self.component,
            "object": self.ref.as_json(),
            "changes": [c.as_json() for c in self.changes],
            "reason": self.reason,
            "server_validated": self.server_validated,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Every step for one design against one cluster, in apply order (deletes last, reversed).

    ``context`` is the kubeconfig context the plan was made against; ``design`` the design name.
    """

    steps: tuple[Step, ...]
    context: str | None = None
    design: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        """True when applying would change anything (drives ``--exit-code``)."""
        return any(step.changed for step in self.steps)

    def counts(self) -> dict[str, int]:
        """Number of steps per action, every action listed (stable for reports)."""
        counter = Counter(step.action for step in self.steps)
        return {action.value: counter.get(action, 0) for action in Action}

    def steps_for(self, action: Action) -> tuple[Step, ...]:
        """The steps with ``action``, in plan order."""
        return tuple(step for step in self.steps if step.action is action)

    def to_json(self) -> dict[str, Any]:
        """The ``--output json`` document (schema_version 1)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "design": self.design,
            "context": self.context,
            "summary": self.counts(),
            "notes": list(self.notes),
            "steps": [step.as_json() for step in self.steps],
        }
