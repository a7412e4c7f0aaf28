"""Validation of design files (load, graph, render, evaluate the policies), spread over the CPUs.

Why processes: regorus keeps the GIL while it evaluates, so threads never overlap two evaluations, and
Rego evaluation plus loading is most of `design validate`'s time on a large repository. The file list
is cut into contiguous chunks of about equal size; forked children (which inherit the imported
modules and the compiled policies, so they start in a few milliseconds) each validate one chunk while
this process validates the first, and send back a small pickled result: a summary per design, the
errors per file, and the policy report. Nothing else crosses: designs and rendered objects stay where
they were built.

A child that fails for any reason (an internal bug, a policy error, a crash) sends nothing; its chunk
is then validated again in this process, so the failure surfaces exactly as in a serial run. The
result is the same, order included, whatever the number of jobs; tests check that.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from designer.adapters.registry import AdapterRegistry
from designer.errors import DesignerError
from designer.gcpause import paused_gc
from designer.graph import build_graph
from designer.loading import load_file
from designer.policy.evaluator import PolicySet, merge
from designer.policy.findings import Report
from designer.rendering import render

# Below this many bytes per chunk a fork costs more than it saves (about 0.8 ms of work per KiB of
# YAML against a few milliseconds to fork and collect a child; measured by benchmarks/policy_bench.py).
MIN_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class DesignSummary:
    """What reports say about one design that loaded, graphed and rendered."""

    name: str
    file: str
    source_format: str
    components: int
    edges: int
    waves: int
    objects: int


@dataclass
class Validation:
    """Everything `validate` found: the designs that rendered, the errors per file, the findings."""

    designs: list[DesignSummary] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)
    report: Report = field(default_factory=lambda: merge([]))


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
    chunks = split_by_size(files, _job_count(files, jobs))
    with paused_gc():  # loading, rendering and evaluation build no reference cycles worth collecting
        children = [_fork_child(chunk, variables, policies, registry) for chunk in chunks[1:]]
        parts = [validate_chunk(chunks[0] if chunks else [], variables, policies, registry)]
        for pid, reader, chunk in children:
            parts.append(_collect(pid, reader) or validate_chunk(chunk, variables, policies, registry))
    return _combine(parts)


def validate_chunk(
    files: Sequence[Path], variables: dict[str, str], policies: PolicySet, registry: AdapterRegistry
) -> Validation:
    """Validate ``files`` in this process, in order."""
    result = Validation()
    reports = []
    for file in files:
        try:
            for design in load_file(file, variables):
                graph = build_graph(design)
                objects = render(design, graph, registry)
                reports.append(policies.evaluate(objects, graph.edges))
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
        except DesignerError as exc:
            result.errors.append(exc)
    result.report = merge(reports)
    return result


def split_by_size(files: Sequence[Path], parts: int) -> list[list[Path]]:
    """Contiguous chunks of ``files`` with about equal bytes each (at most ``parts``, none empty)."""
    if parts <= 1 or len(files) <= 1:
        return [list(files)] if files else []
    sizes = [_size(f) for f in files]
    target = sum(sizes) / parts
    chunks: list[list[Path]] = [[]]
    filled = 0
    for file, size in zip(files, sizes, strict=True):
        # Close a chunk once it reached its share, keeping one file at least for each remaining chunk.
        if chunks[-1] and filled >= target * len(chunks) and len(chunks) < parts:
            chunks.append([])
        chunks[-1].append(file)
        filled += size
    return chunks


def _job_count(files: Sequence[Path], jobs: int | None) -> int:
    # Forking a process that runs other threads can leave a lock held forever in the child (designer
    # embedded in a server, tests with a sandbox thread): such callers validate serially.
    if not hasattr(os, "fork") or threading.active_count() > 1 or len(files) < 2:
        return 1
    if jobs is not None:
        return max(1, jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    total = sum(_size(f) for f in files)
    return max(1, min(cpus, len(files), total // MIN_CHUNK_BYTES))


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # the loader reports it


def _fork_child(
    chunk: list[Path], variables: dict[str, str], policies: PolicySet, registry: AdapterRegistry
) -> tuple[int, int, list[Path]]:
    """Start a child validating ``chunk``; returns its pid, the read end of its pipe, and the chunk."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: validate, send the pickled result, leave without running any cleanup
        status = 1
        try:
            os.close(reader)
            payload = pickle.dumps(validate_chunk(chunk, variables, policies, registry), protocol=-1)
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader, chunk


def _collect(pid: int, reader: int) -> Validation | None:
    """The child's result, or None when it failed (its chunk is then validated here)."""
    with os.fdopen(reader, "rb") as source:
        payload = source.read()  # read before waiting: a large result would block the child's write
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not payload:
        return None
    result: Validation = pickle.loads(payload)
    return result


def _combine(parts: Sequence[Validation]) -> Validation:
    combined = Validation()
    for part in parts:
        combined.designs.extend(part.designs)
        combined.errors.extend(part.errors)
    combined.report = merge([part.report for part in parts])
    return combined
