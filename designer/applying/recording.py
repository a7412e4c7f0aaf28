"""The apply run's bookkeeping of its inventory: record what may be created before, and what is, after.

Before its first write a run records the objects it is about to create (the previous inventory plus
the plan's new refs), so nothing it creates can miss the inventory, whatever happens later (a
failed inventory write at the end, a lost answer, an interrupted process): a later prune or delete
still finds every object designer made. If that first record fails, the run must not start. After
the run the final record replaces it: what was applied (or may have been), plus, after a failure,
everything recorded before that was not re-recorded, plus what prune kept; after a rollback, the
previous record plus what could not be undone (or no inventory at all, when there was none before).
Nothing is written when the inventory already holds exactly the refs, so re-applying an unchanged
design sends no write. Failures become ``(inventory)`` entries of the run's result.
Called by the apply engine (designer.applying.engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from designer.applying.events import Failure, RunResult
from designer.cluster.base import Cluster
from designer.cluster.inventory import Inventory, write_inventory
from designer.errors import ClusterError
from designer.model import ObjectRef
from designer.planning import Action, Plan

Refs = tuple[ObjectRef, ...]


def leftovers(plan: Plan, previous: Inventory) -> Iterable[ObjectRef]:
    """Refs recorded before that left the design (the prune candidates), in delete order."""
    current = {s.ref for s in plan.steps if s.action is not Action.DELETE}
    seen: set[ObjectRef] = set()
    for ref in [*(s.ref for s in plan.steps if s.action is Action.DELETE), *previous.left_design(current)]:
        if ref not in seen:
            seen.add(ref)
            yield ref


@dataclass(frozen=True, slots=True)
class InventoryRecord:
    """Writes one run's inventory of ``design``; ``previous`` is the inventory the run started from."""

    cluster: Cluster
    design: str
    namespace: str
    previous: Inventory
    result: RunResult

    def intent(self, plan: Plan) -> Refs | None:
        """Record the objects ``plan`` may create; the refs now recorded, or None when that failed."""
        planned = [s.ref for s in plan.steps if s.action not in (Action.DELETE, Action.NOOP)]
        new = [ref for ref in dict.fromkeys(planned) if ref not in self.previous.refs]
        if not new:
            return self.previous.refs if self.previous.exists else ()
        refs = (*self.previous.refs, *new)
        try:
            write_inventory(self.cluster, self.design, refs, namespace=self.namespace)
        except ClusterError as exc:
            self._failed(exc, "nothing was applied: the objects to create could not be recorded first: ")
            return None
        return refs

    def after_run(self, plan: Plan, stored: Refs, kept: Sequence[ObjectRef]) -> None:
        """The final record of a run without rollback (``kept``: prune candidates still there)."""
        result = self.result
        done = set(result.applied) | set(result.unchanged) | set(result.uncertain)
        current = [s.ref for s in plan.steps if s.action is not Action.DELETE and s.ref in done]
        if not result.ok:
            # keep everything recorded before that is not re-recorded: prune must still know it
            current += [r for r in self.previous.refs if r not in done and r not in kept]
        self._store(stored, [*current, *(r for r in reversed(kept))])

    def after_rollback(self, stored: Refs, left: Sequence[ObjectRef]) -> None:
        """The previous record plus ``left`` (what rollback could not undo), or none as before."""
        extra = [ref for ref in left if ref not in self.previous.refs]
        if self.previous.exists or extra:
            self._store(stored, [*self.previous.refs, *extra])
            return
        if stored:
            try:
                self.cluster.delete(self.previous.ref)
            except ClusterError as exc:
                self._failed(exc)

    def _store(self, stored: Refs, refs: Sequence[ObjectRef]) -> None:
        unique = list(dict.fromkeys(refs))
        if stored and list(stored) == unique:
            return
        try:
            write_inventory(self.cluster, self.design, unique, namespace=self.namespace)
        except ClusterError as exc:
            self._failed(exc)

    def _failed(self, exc: ClusterError, prefix: str = "") -> None:
        self.result.add(
            "failed",
            Failure(
                component="(inventory)",
                ref=None,
                message=f"{prefix}{exc.message}",
                reason=exc.reason,
                status=exc.status,
                hint=exc.hint,
            ),
        )
