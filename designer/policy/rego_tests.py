"""Rego unit tests, run the way ``opa test`` runs them: every ``test_*`` rule must evaluate to true.

Reads the .rego files of the given files and folders through designer.policy.loader (v0 or v1 per
file, the compatibility rewrites, ``--data`` documents, duplicate test names run as ``test_x#01``),
together with, by default, the built-in library so user tests may use ``data.designer.lib.k8s`` and
``data.designer.lib.testing``. Each test runs on its own clone of one prepared engine. A rule that is
undefined or false fails; a rule that raises is an error, reported with the policy's file:line.

Callers: ``design policy test [PATH]`` (designer.cli.policy) and tests/policies/test_rego_library.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from designer import resources
from designer.errors import Location, PolicyError
from designer.policy.engine import UNDEFINED, PolicyEngine, RegoModule
from designer.policy.guard import DEFAULT_TIMEOUT, Guard, progress
from designer.policy.loader import PolicyBundle, RegoTest, engine_for, load_bundle, take_prints

Outcome = Literal["pass", "fail", "error"]

__all__ = ["RegoTest", "RegoTestResult", "collect_modules", "discover", "load_engine", "run", "run_test"]


@dataclass(frozen=True, slots=True)
class RegoTestResult:
    """The outcome of one test; ``message`` explains a failure or an error."""

    test: RegoTest
    outcome: Outcome
    message: str
    seconds: float


def collect_modules(paths: Sequence[Path], *, with_library: bool = True) -> list[RegoModule]:
    """Every .rego file under ``paths`` (files or folders), plus the built-in library when asked.

    Files are read once even when the library and a given path overlap; the order is stable
    (sorted by path) so runs are reproducible.
    """
    files: dict[Path, str] = {}
    for path in paths:
        if not path.exists():
            raise PolicyError(f"no such policy file or folder: {path}", hint="check the PATH argument")
        for file in _rego_files(path):
            files.setdefault(file.resolve(), str(file))
    if with_library:
        library = resources.policies_dir()
        for file in _rego_files(library):
            display = "policies/" + file.relative_to(library).as_posix()
            files.setdefault(file.resolve(), display)
    return [RegoModule.from_file(real, display=shown) for real, shown in sorted(files.items())]


def discover(modules: Iterable[RegoModule], *, only: Sequence[Path] | None = None) -> list[RegoTest]:
    """The ``test_*`` rules of ``modules`` (of the files under ``only`` when given), sorted by id."""
    return select(load_bundle(list(modules)), only=only)


def select(bundle: PolicyBundle, *, only: Sequence[Path] | None = None) -> list[RegoTest]:
    """The bundle's tests defined in the files under ``only`` (every test when None)."""
    # collect_modules names files under the given paths exactly as `str(file)`.
    wanted = None if only is None else {str(f) for p in only for f in _rego_files(p)}
    return [t for t in bundle.tests if wanted is None or t.file in wanted]


def load_engine(modules: Iterable[RegoModule], data: Mapping[str, Any] | None = None) -> PolicyEngine:
    """One prepared engine holding every module (load errors raise PolicyError with file:line)."""
    engine = engine_for(load_bundle(list(modules), data))
    engine.prepare()
    take_prints(engine)  # clones copy what their parent gathered
    return engine


def run_test(engine: PolicyEngine, test: RegoTest) -> RegoTestResult:
    """Evaluate one test on a clone of ``engine`` so a failing test cannot disturb the next."""
    started = time.perf_counter()
    clone = engine.clone()
    try:
        value = clone.eval_rule(test.rule)
        cases = clone.eval_rule(f"data.{test.package}.{test.cases_rule}") if test.cases_rule else None
    except PolicyError as exc:
        return _with_prints(RegoTestResult(test, "error", str(exc), time.perf_counter() - started), clone)
    seconds = time.perf_counter() - started
    if test.cases_rule:
        return _with_prints(_parameterized(test, value, cases, seconds), clone)
    if value is True:
        return RegoTestResult(test, "pass", "", seconds)
    shown = "undefined" if value is UNDEFINED else repr(value)
    return _with_prints(
        RegoTestResult(test, "fail", f"{test.rule} is {shown}, expected true", seconds), clone
    )


def _with_prints(result: RegoTestResult, engine: PolicyEngine) -> RegoTestResult:
    """A failed test's message with the ``print()`` output of its evaluation (as ``opa test`` shows)."""
    printed = take_prints(engine)
    if result.outcome == "pass" or not printed:
        return result
    lines = "\n".join(f"    print: {line}" for line in printed)
    return RegoTestResult(result.test, result.outcome, f"{result.message}\n{lines}", result.seconds)


def _parameterized(test: RegoTest, value: Any, cases: Any, seconds: float) -> RegoTestResult:
    """A ``test_x[name]`` rule passes when every case it tries gives true (``opa test``'s sub-results)."""
    tried = set(cases) if isinstance(cases, list) else set()
    passed = {k for k, v in value.items() if v is True} if isinstance(value, dict) else set()
    failed = sorted(str(c) for c in tried - passed)
    if tried and not failed:
        return RegoTestResult(test, "pass", "", seconds)
    if not tried:
        return RegoTestResult(test, "fail", f"{test.rule} tried no case", seconds)
    return RegoTestResult(test, "fail", f"{test.rule}: cases {', '.join(failed)} failed", seconds)


def run(
    paths: Sequence[Path],
    *,
    with_library: bool = True,
    match: str | None = None,
    data: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    notes: list[str] | None = None,
) -> list[RegoTestResult]:
    """Run the tests defined under ``paths`` (every module there and the library is loaded).

    ``match`` keeps only tests whose ``package.name`` contains that text; ``data`` is the data
    document (``--data``); ``notes`` receives the constructs the loader left as written (each
    differs from OPA, designer.policy.rewrites). Tests run in designer.policy.guard's helper process: one that runs longer
    than ``timeout`` seconds or past the memory bound raises a PolicyError naming it.
    """
    bundle = load_bundle(collect_modules(paths, with_library=with_library), data)
    if notes is not None:
        notes.extend(f"{note.file}:{note.line}: {note.message}" for note in bundle.notes)
    tests = select(bundle, only=paths)
    if match:
        tests = [t for t in tests if match in t.test_id]
    engine = engine_for(bundle)
    engine.prepare()
    take_prints(engine)  # clones copy what their parent gathered
    guard = Guard(_Runner(engine, tests), timeout=timeout)
    try:
        return [guard.call("run", index) for index in range(len(tests))]
    finally:
        guard.close()


class _Runner:
    """The tests and their engine, for the guard's helper process (which calls `run` by index)."""

    def __init__(self, engine: PolicyEngine, tests: list[RegoTest]) -> None:
        self.engine = engine
        self.tests = tests

    def run(self, index: int) -> RegoTestResult:
        test = self.tests[index]
        progress(f"test {test.test_id}", Location(test.file, test.line))
        return run_test(self.engine, test)


def _rego_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == ".rego" else []
    return sorted(p for p in path.rglob("*.rego") if p.is_file())
