"""One large evaluation of the built-in checks, its check packages shared out over forked children.

Why: regorus holds the GIL and runs one evaluation on one CPU, and a single design of many thousands
of components (100,000 in issue 13's goal) is one evaluation: a file cannot be split between
`design validate`'s workers, so only this process's CPU would work. Check packages are independent
of each other, so each child evaluates some of them (its own copy of the engine and of the input,
inherited at the fork) and turns their raw findings into `Finding` values, which come back pickled;
this process evaluates the first group meanwhile. The helpers of policies/lib/ are computed once per
group (a few percent of the whole at 10,000 objects), so two CPUs give about 1.6 times the speed.

Small evaluations stay in one process (`SPLIT_OBJECTS`): there the fork and the repeated helpers
would cost more than they save, and validate's workers already share out the files of a repository.
A child that fails sends nothing; its group is then evaluated here, so a failure surfaces exactly as
in a serial run.

Callers: designer.policy.builtin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from designer.forking import Pending, abandon, collect_pickled, fork_is_safe, fork_pickled

# Objects in one evaluation from which its packages are split: at 10,000 objects the built-in library
# takes ~2.8 s on one CPU against ~1.8 s for the slower of two halves; at a few hundred objects the
# whole evaluation costs less than the helpers computed again in each child and a fork.
SPLIT_OBJECTS = 2000

T = TypeVar("T")


def package_groups(packages: Sequence[str], objects: int, jobs: int) -> list[list[str]]:
    """``packages`` dealt round-robin into at most ``jobs`` groups (one group: no split).

    Round-robin over the sorted names spreads the costly families (containers' checks, references)
    over the groups without knowing their costs beforehand.
    """
    parts = min(jobs, len(packages), objects // SPLIT_OBJECTS)
    if parts <= 1 or not fork_is_safe():
        return [list(packages)]
    ordered = sorted(packages)
    return [ordered[start::parts] for start in range(parts)]


def evaluate_groups(groups: Sequence[list[str]], work: Callable[[list[str]], dict[str, T]]) -> dict[str, T]:
    """``work`` over every group, the first in this process and the others in forked children;
    their results merged (package name -> value)."""
    children: list[tuple[Pending, list[str]]] = []
    merged: dict[str, T] = {}
    try:
        for group in groups[1:]:
            children.append((fork_pickled(partial(work, group)), group))
        merged.update(work(groups[0]))
        while children:
            child, group = children.pop(0)
            found: dict[str, T] | None = collect_pickled(child)
            merged.update(found if found is not None else work(group))
    finally:
        for child, _ in children:  # only left when this process failed
            abandon(child)
    return merged
