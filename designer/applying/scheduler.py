"""Run a dependency graph of work items on a bounded thread pool, as soon as each is unblocked.

Not waves: a node starts the moment every node it depends on has *finished successfully* (for apply
that means: applied and ready), so a slow branch never holds back an independent one (kapp's
approach, kube-api.md section 2 row 7). On the first failure no new node starts (unless
``keep_going``); nodes that depend, directly or not, on a failed node are reported as skipped with
the failed dependency named; other unstarted nodes are reported as cancelled.

Used by the apply engine (dependencies = graph edges) and by delete (edges reversed). Threads, not
asyncio: the cluster client is blocking, and the work is I/O-bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """How each node ended: ``done`` in completion order, ``failed`` node → error, and the rest."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, BaseException] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # node -> the failed node it depends on
    cancelled: list[str] = field(default_factory=list)


def run_graph(
    nodes: Iterable[str],
    dependencies: Mapping[str, Iterable[str]],
    work: Callable[[str], None],
    *,
    concurrency: int = 8,
    keep_going: bool = False,
) -> Outcome:
    """Run ``work(node)`` for every node after its dependencies; an exception fails the node.

    ``nodes`` order is the tie-break: among unblocked nodes the earlier one starts first, so runs
    are deterministic for a given timing. Dependencies outside ``nodes`` are ignored.
    """
    order = list(dict.fromkeys(nodes))
    position = {name: i for i, name in enumerate(order)}
    deps = {n: {d for d in dependencies.get(n, ()) if d in position and d != n} for n in order}
    dependents: dict[str, list[str]] = {n: [] for n in order}
    for node, its_deps in deps.items():
        for dep in its_deps:
            dependents[dep].append(node)
    waiting = {n: len(d) for n, d in deps.items()}
    ready = [n for n in order if waiting[n] == 0]
    outcome = Outcome()
    blocked: dict[str, str] = {}  # node -> failed ancestor
    stop = False
    running: dict[Future[None], str] = {}

    def block(failed: str) -> None:
        stack = list(dependents[failed])
        while stack:
            node = stack.pop()
            if node not in blocked:
                blocked[node] = failed
                stack.extend(dependents[node])

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="designer-apply") as pool:
        while True:
            ready.sort(key=position.__getitem__)
            while ready and len(running) < concurrency and not stop:
                node = ready.pop(0)
                if node in blocked:
                    continue
                running[pool.submit(work, node)] = node
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: position[running[f]]):
                node = running.pop(future)
                error = future.exception()
                if error is not None:
                    outcome.failed[node] = error
                    block(node)
                    stop = stop or not keep_going
                    continue
                outcome.done.append(node)
                for child in dependents[node]:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        ready.append(child)
    finished_nodes = set(outcome.done) | set(outcome.failed)
    for node in order:
        if node in finished_nodes:
            continue
        if node in blocked:
            outcome.skipped[node] = blocked[node]
        else:
            outcome.cancelled.append(node)
    return outcome
