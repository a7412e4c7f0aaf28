"""designer.validation: the same result whatever the number of forked workers, errors carried back from
workers intact, and a worker that dies or fails handled in the parent (never a silently lost chunk)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import designer.validation as validation
from designer.adapters.registry import AdapterRegistry
from designer.errors import CycleError, DesignError, PolicyError
from designer.forking import Pending
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.validation import Validation, split_by_size, validate_files
from tests.conftest import PATTERNS

POLICIES = PolicySet.load(PolicyOptions())
REGISTRY = AdapterRegistry.from_entry_points()

CYCLE = """\
apiVersion: designer/v1
kind: Design
metadata: {name: loop}
components:
  - {name: a, kind: ConfigMap, apiVersion: v1, namespace: x, dependsOn: [b]}
  - {name: b, kind: ConfigMap, apiVersion: v1, namespace: x, dependsOn: [a]}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """Every shipped pattern, plus a file with a cycle and one with broken YAML in the middle."""
    found = sorted(PATTERNS.glob("*.yaml"))
    (tmp_path / "cycle.yaml").write_text(CYCLE)
    (tmp_path / "broken.yaml").write_text("name: x\ncomponents: [\n")
    middle = len(found) // 2
    return [*found[:middle], tmp_path / "cycle.yaml", tmp_path / "broken.yaml", *found[middle:]]


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the workers validate_files forks (recorded in the parent), so each test can
    assert that it really forked: it validates serially when another thread is alive."""
    started: list[int] = []
    real_fork = validation._fork_child

    def recording(*args: object) -> tuple[Pending, list[Path]]:
        child = real_fork(*args)
        started.append(child[0].pid)
        return child

    monkeypatch.setattr(validation, "_fork_child", recording)
    return started


def _sizes(files: list[Path]) -> list[int]:
    return [f.stat().st_size for f in files]


def _view(result: Validation) -> tuple[object, ...]:
    """Everything a report shows, in a comparable form."""
    report = result.report
    return (
        result.designs,
        [(type(e), str(e), e.hint, e.location, e.path) for e in result.errors],
        report.findings,
        sorted(c.id for c in report.checks),
        report.objects,
        report.notes,
    )


def test_forked_workers_give_the_serial_result(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = validate_files(files, {}, POLICIES, REGISTRY, jobs=1)
    assert len(serial.designs) == len(files) - 2
    assert [type(e) for e in serial.errors] == [CycleError, DesignError]
    assert serial.report.findings  # the comparison below is not between two empty reports
    pids = tmp_path / "pids"
    real_load = validation.read_file

    def load_noting_pid(file: Path, variables: dict[str, str]) -> object:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real_load(file, variables)

    monkeypatch.setattr(validation, "read_file", load_noting_pid)
    for jobs in (2, 3, 7):
        pids.unlink(missing_ok=True)
        assert _view(validate_files(files, {}, POLICIES, REGISTRY, jobs=jobs)) == _view(serial)
        assert len(set(pids.read_text().split())) == jobs  # the work really was spread


def test_errors_come_back_from_a_worker_whole(files: list[Path], forks: list[int]) -> None:
    result = validate_files(files, {}, POLICIES, REGISTRY, jobs=4)
    assert len(forks) == 3
    cycle = next(e for e in result.errors if isinstance(e, CycleError))
    assert sorted(cycle.chain) == [("a", "b", "dependsOn"), ("b", "a", "dependsOn")]
    broken = next(e for e in result.errors if not isinstance(e, CycleError))
    assert broken.location is not None and broken.location.file.endswith("broken.yaml")


def test_a_worker_that_dies_has_its_chunk_validated_by_the_parent(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    serial = validate_files(files, {}, POLICIES, REGISTRY, jobs=1)
    parent = os.getpid()
    real_load = validation.read_file

    def load_or_die(file: Path, variables: dict[str, str]) -> object:
        if os.getpid() != parent:
            os._exit(9)  # a worker killed mid-chunk: no result reaches the parent
        return real_load(file, variables)

    monkeypatch.setattr(validation, "read_file", load_or_die)
    assert _view(validate_files(files, {}, POLICIES, REGISTRY, jobs=3)) == _view(serial)
    assert len(forks) == 2


def test_an_internal_error_in_a_worker_surfaces_in_the_parent(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    real_load = validation.read_file
    parent = os.getpid()
    last = files[-1]
    redone: list[Path] = []

    def failing(file: Path, variables: dict[str, str]) -> object:
        if file == last:  # in the last chunk, which a worker validates
            if os.getpid() == parent:
                redone.append(file)  # the parent redoing the failed worker's chunk
            raise RuntimeError("bug in a reader")
        return real_load(file, variables)

    monkeypatch.setattr(validation, "read_file", failing)
    with pytest.raises(RuntimeError, match="bug in a reader"):
        validate_files(files, {}, POLICIES, REGISTRY, jobs=2)
    assert len(forks) == 1 and redone == [last]  # the worker failed; the parent redid its chunk


def test_workers_reaped_by_the_kernel_still_deliver(files: list[Path], forks: list[int]) -> None:
    # A parent that ignores SIGCHLD (inherited through exec) leaves no exit status to wait for.
    serial = validate_files(files, {}, POLICIES, REGISTRY, jobs=1)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        forked = validate_files(files, {}, POLICIES, REGISTRY, jobs=3)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert _view(forked) == _view(serial) and len(forks) == 2


def test_a_broken_policy_stops_the_run_once(files: list[Path], tmp_path: Path, forks: list[int]) -> None:
    policy = tmp_path / "broken.rego"
    policy.write_text('package main\n\nimport rego.v1\n\ndeny contains "x" if to_number("abc") == 1\n')
    # A builtin error is a warning by default (OPA reads it as undefined); --strict makes it stop.
    broken = PolicySet.load(PolicyOptions(policy_paths=(policy,), builtin=False, strict=True))
    for jobs in (1, 3):
        with pytest.raises(PolicyError) as err:
            validate_files(files, {}, broken, REGISTRY, jobs=jobs)
        assert "broken.rego" in str(err.value)
    assert len(forks) == 2  # the jobs=3 run did fork


def test_a_failing_parent_stops_and_reaps_its_workers(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    parent = os.getpid()
    real_load = validation.read_file

    def parent_fails(file: Path, variables: dict[str, str]) -> object:
        if os.getpid() == parent:
            raise RuntimeError("bug in the parent's chunk")
        return real_load(file, variables)

    monkeypatch.setattr(validation, "read_file", parent_fails)
    with pytest.raises(RuntimeError):
        validate_files(files, {}, POLICIES, REGISTRY, jobs=3)
    assert len(forks) == 2
    for pid in forks:  # each one stopped and reaped: no process, no zombie
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_one_big_file_gets_a_chunk_of_its_own(tmp_path: Path) -> None:
    files = []
    for i, size in enumerate([10, 10, 10, 70]):
        path = tmp_path / f"f{i}.yaml"
        path.write_bytes(b"x" * size * 1000)
        files.append(path)
    assert split_by_size(files, _sizes(files), 2) == [files[:3], files[3:]]


def test_split_keeps_order_and_balances_bytes(tmp_path: Path) -> None:
    sizes = [5, 1, 1, 1, 8, 2, 2, 4, 1, 7]
    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.yaml"
        path.write_bytes(b"x" * size * 1000)
        files.append(path)
    for parts in (1, 2, 3, 4, 10, 20):
        chunks = split_by_size(files, _sizes(files), parts)
        assert [f for chunk in chunks for f in chunk] == files
        assert all(chunks) and len(chunks) <= parts
    halves = split_by_size(files, _sizes(files), 2)
    weights = [sum(f.stat().st_size for f in chunk) for chunk in halves]
    assert len(halves) == 2 and max(weights) - min(weights) <= 8000  # at most one file's worth apart
    assert split_by_size([], [], 4) == []


def test_auto_mode_forks_only_for_enough_bytes(files: list[Path]) -> None:
    # Auto mode forks only when every worker gets MIN_CHUNK_BYTES at least.
    few = files[:3]
    assert sum(f.stat().st_size for f in few) < 2 * validation.MIN_CHUNK_BYTES
    assert validation._job_count(_sizes(few), None) == 1
    assert validation._job_count(_sizes(few), 3) == 3  # asked for explicitly
    assert validation._job_count(_sizes(files[:1]), 3) == 1  # one file cannot be split
