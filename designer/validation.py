"""Validation of design files (load, graph, render, evaluate the policies), spread over the CPUs.

Within a process, the rendered designs of many files are evaluated together (`BATCH_OBJECTS` objects
at a time): one evaluation of the built-in library costs a few milliseconds whatever it holds, which a
repository of small files would otherwise pay per file (`PolicySet.evaluate_many` keeps each design's
cross-object checks to its own objects).

Why processes: regorus keeps the GIL while it evaluates, so threads never overlap two evaluations, and
Rego evaluation plus loading is most of `design validate`'s time on a large repository. The file list
is cut into contiguous chunks of about equal size; forked children (which inherit the imported
modules and the compiled policies, so they start in a few milliseconds) each validate one chunk while
this process validates the first, and send back a small pickled result per file: a summary per
design, the file's errors, and its policy report. Nothing else crosses: designs and rendered objects stay where
they were built.

A child that fails for any reason (an internal bug, a policy error, a crash) sends nothing; its chunk
is then validated again in this process, so the failure surfaces exactly as in a serial run. When
this process fails first, its children are stopped and reaped. The result is the same, order
included, whatever the number of jobs; tests check that.

A design that does not load, graph or render is an error of its file and the other files go on; a
policy that fails to evaluate stops the run (exit 3), as a broken policy must never pass for clean.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from designer.adapters import installers
from designer.adapters.registry import AdapterRegistry
from designer.errors import DesignerError
from designer.forking import Pending, abandon, collect_pickled, fork_is_safe, fork_pickled
from designer.gcpause import paused_gc
from designer.graph import DesignGraph, build_graph
from designer.loading import read_file
from designer.model import Design, RenderedObject
from designer.policy.builtin import DesignObjects
from designer.policy.evaluator import PolicySet
from designer.policy.findings import Report, merge
from designer.rendering import render
from designer.validation_results import DesignSummary as DesignSummary
from designer.validation_results import FileResult as FileResult
from designer.validation_results import Validation as Validation
from designer.validation_results import combine as combine

# Below this many bytes per chunk a fork costs more than it saves (about 0.8 ms of work per KiB of
# YAML against a few milliseconds to fork and collect a child; measured by benchmarks/policy_bench.py).
MIN_CHUNK_BYTES = 64 * 1024

# The work a file costs beside its bytes (reading it, starting its parse, its result), counted as bytes
# of YAML when the files are split between processes: split by bytes alone, the process that drew a
# repository's many small files did a third more work than the one with fewer, larger files, and the
# run waited for it (benchmarks/policy_bench.py's repository corpus: 0.27 s against 0.20 s of CPU).
FILE_OVERHEAD_BYTES = 512

# Rendered objects held for one evaluation: enough that the per-evaluation cost vanishes (a few ms per
# batch against ~0.2 ms per object), few enough that a batch's input and results stay small.
BATCH_OBJECTS = 1000

Keep = Callable[[list[FileResult]], None]
"""Called with each chunk's results where they were made (see `validate_each`)."""


def validate_files(
    files: Sequence[Path],
    variables: dict[str, str],
    policies: PolicySet,
    registry: AdapterRegistry,
    *,
    jobs: int | None = None,
) -> Validation:
    """Validate every file; each file is checked even when an earlier one fails.

    ``jobs`` caps the processes (``None``: the CPUs this process may run on; 1: no fork).
    """
    return combine(validate_each(files, variables, policies, registry, jobs=jobs))


def validate_each(
    files: Sequence[Path],
    variables: dict[str, str],
    policies: PolicySet,
    registry: AdapterRegistry,
    *,
    jobs: int | None = None,
    keep: Keep | None = None,
) -> list[FileResult]:
    """The result of each file, in the order of ``files`` (see `validate_files`). ``keep`` is given
    each chunk's results in the process that made them (a worker too: the result cache stores them
    there, so encoding and writing them is spread over the workers as well)."""
    sizes = [_size(f) for f in files]
    chunks = split_by_size(files, sizes, _job_count(sizes, jobs))
    # One chunk (a single large file, often): its evaluations may use the CPUs the files could not.
    evaluation_jobs = (_cpus() if jobs is None else max(1, jobs)) if len(chunks) == 1 else 1
    children: list[tuple[Pending, list[Path]]] = []
    with paused_gc():  # loading, rendering and evaluation build no reference cycles worth collecting
        try:
            for chunk in chunks[1:]:
                children.append(_fork_child(chunk, variables, policies, registry, keep))
            results = validate_chunk(
                chunks[0] if chunks else [], variables, policies, registry, keep, jobs=evaluation_jobs
            )
            while children:
                child, chunk = children.pop(0)
                results.extend(
                    collect_pickled(child) or validate_chunk(chunk, variables, policies, registry, keep)
                )
        finally:
            for child, _ in children:  # only left when this process failed
                abandon(child)
    return results


def validate_chunk(
    files: Sequence[Path],
    variables: dict[str, str],
    policies: PolicySet,
    registry: AdapterRegistry,
    keep: Keep | None = None,
    *,
    jobs: int = 1,
) -> list[FileResult]:
    """Validate ``files`` in this process, in order; the designs of many files are evaluated together
    (``jobs``: processes a large evaluation may share its checks out over)."""
    results: list[FileResult] = []
    reports: list[list[Report]] = []  # per file
    batch: list[DesignObjects] = []
    owners: list[int] = []  # the file (position in results) of each design of the batch

    def evaluate() -> None:
        for owner, report in zip(owners, policies.evaluate_many(batch, jobs=jobs), strict=True):
            reports[owner].append(report)  # a PolicyError ends the run
        batch.clear()
        owners.clear()

    held = 0
    for file in files:
        result = FileResult(file=str(file))
        results.append(result)
        reports.append([])
        with installers.external_inputs() as external:
            for design, graph, objects in _rendered(file, variables, registry, result):
                batch.append((objects, graph.edges))
                owners.append(len(results) - 1)
                held += len(objects)
                result.designs.append(
                    DesignSummary(
                        name=design.name,
                        file=str(Path(design.file)),
                        source_format=design.source_format,
                        components=len(design.components),
                        edges=len(graph.edges),
                        waves=len(graph.waves()),
                        objects=len(objects),
                    )
                )
        result.external = (*result.external, *external)
        if held >= BATCH_OBJECTS:
            evaluate()
            held = 0
    evaluate()
    for result, file_reports in zip(results, reports, strict=True):
        result.report = merge(file_reports)
    if keep is not None:
        keep(results)
    return results


def _rendered(
    file: Path, variables: dict[str, str], registry: AdapterRegistry, result: FileResult
) -> Iterator[tuple[Design, DesignGraph, list[RenderedObject]]]:
    """Each design of ``file`` that loads, graphs and renders. Every problem of the file goes to
    ``result.errors`` (each one: a file may have many) and the file's other designs go on."""
    reading = read_file(file, variables)
    result.errors.extend(reading.errors)
    result.tool_inputs.extend(reading.tool_inputs)
    result.external += tuple(path for checked in reading.tool_inputs for path in checked.reads)
    for design in reading.designs:
        try:
            graph = build_graph(design)
            objects = render(design, graph, registry)
        except DesignerError as exc:
            result.errors.extend(exc.each())
            continue
        yield design, graph, objects


def split_by_size(files: Sequence[Path], sizes: Sequence[int], parts: int) -> list[list[Path]]:
    """Contiguous chunks of ``files`` (of ``sizes`` bytes) with about equal bytes each (at most
    ``parts``, none empty)."""
    if parts <= 1 or len(files) <= 1:
        return [list(files)] if files else []
    target = sum(sizes) / parts
    chunks: list[list[Path]] = [[]]
    filled = 0
    for file, size in zip(files, sizes, strict=True):
        # A file goes to the next chunk when more than half of it would lie past this chunk's share.
        if chunks[-1] and len(chunks) < parts and filled + size / 2 > target * len(chunks):
            chunks.append([])
        chunks[-1].append(file)
        filled += size
    return chunks


def _job_count(sizes: Sequence[int], jobs: int | None) -> int:
    """Processes for files of ``sizes`` bytes."""
    # Forking a process that runs other threads can leave a lock held forever in the child (designer
    # embedded in a server, tests with a sandbox thread): such callers validate serially.
    if not fork_is_safe() or len(sizes) < 2:
        return 1
    if jobs is not None:
        return max(1, jobs)
    return max(1, min(_cpus(), len(sizes), sum(sizes) // MIN_CHUNK_BYTES))


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _size(file: Path) -> int:
    """What ``file`` weighs when files are split between processes (`FILE_OVERHEAD_BYTES`)."""
    try:
        return file.stat().st_size + FILE_OVERHEAD_BYTES
    except OSError:
        return 0  # the loader reports it


def _fork_child(
    chunk: list[Path],
    variables: dict[str, str],
    policies: PolicySet,
    registry: AdapterRegistry,
    keep: Keep | None,
) -> tuple[Pending, list[Path]]:
    """Start a child validating ``chunk`` (it sends back its pickled results); returns it and the chunk."""
    return fork_pickled(lambda: validate_chunk(chunk, variables, policies, registry, keep)), chunk
