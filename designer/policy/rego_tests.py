"""Rego unit tests, run the way ``opa test`` runs them: every ``test_*`` rule must evaluate to true.

Discovers the ``test_*`` rules of the given .rego files and folders, loads them together with the
policies beside them (and, by default, the built-in library so user tests may use
``data.designer.lib.k8s`` and ``data.designer.lib.testing``), and evaluates each rule on its own
clone of one engine. A rule that is undefined or false fails; a rule that raises is an error, reported
with the policy's file:line.

Callers: ``design policy test [PATH]`` (designer.cli.policy) and tests/policies/test_rego_library.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from designer import resources
from designer.errors import PolicyError
from designer.policy.engine import UNDEFINED, PolicyEngine, RegoModule, new_engine

Outcome = Literal["pass", "fail", "error"]

_PACKAGE_RE = re.compile(r"^package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
# A test rule head at the start of a line: `test_x if {`, `test_x := ...`, `test_x {` (v0).
_TEST_RE = re.compile(r"^(test_\w+)\s*(?:if\b|:=|=|\{|contains\b)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoTest:
    """One ``test_*`` rule: its package, name and where it is defined."""

    package: str
    name: str
    file: str
    line: int

    @property
    def rule(self) -> str:
        """Full rule path, e.g. ``data.designer.checks.privileged_container_test.test_fail_x``."""
        return f"data.{self.package}.{self.name}"

    @property
    def test_id(self) -> str:
        """``package.name``, unique per test (used to select and to report)."""
        return f"{self.package}.{self.name}"


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
    # collect_modules names files under the given paths exactly as `str(file)`.
    wanted = None if only is None else {str(f) for p in only for f in _rego_files(p)}
    found: dict[str, RegoTest] = {}
    for module in modules:
        if wanted is not None and module.path not in wanted:
            continue
        package = _PACKAGE_RE.search(module.text)
        if package is None:
            continue
        for match in _TEST_RE.finditer(module.text):
            line = module.text.count("\n", 0, match.start()) + 1
            test = RegoTest(package=package.group(1), name=match.group(1), file=module.path, line=line)
            found.setdefault(test.test_id, test)
    return sorted(found.values(), key=lambda t: t.test_id)


def load_engine(modules: Iterable[RegoModule]) -> PolicyEngine:
    """One engine holding every module (parse errors raise PolicyError with file:line)."""
    engine = new_engine()
    for module in modules:
        engine.add_module(module)
    engine.prepare()
    return engine


def run_test(engine: PolicyEngine, test: RegoTest) -> RegoTestResult:
    """Evaluate one test on a clone of ``engine`` so a failing test cannot disturb the next."""
    started = time.perf_counter()
    try:
        value = engine.clone().eval_rule(test.rule)
    except PolicyError as exc:
        return RegoTestResult(test, "error", str(exc), time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if value is True:
        return RegoTestResult(test, "pass", "", seconds)
    shown = "undefined" if value is UNDEFINED else repr(value)
    return RegoTestResult(test, "fail", f"{test.rule} is {shown}, expected true", seconds)


def run(
    paths: Sequence[Path], *, with_library: bool = True, match: str | None = None
) -> list[RegoTestResult]:
    """Run the tests defined under ``paths`` (every module there and the library is loaded).

    ``match`` keeps only tests whose ``package.name`` contains that text.
    """
    modules = collect_modules(paths, with_library=with_library)
    tests = discover(modules, only=paths)
    if match:
        tests = [t for t in tests if match in t.test_id]
    engine = load_engine(modules)
    return [run_test(engine, test) for test in tests]


def _rego_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == ".rego" else []
    return sorted(p for p in path.rglob("*.rego") if p.is_file())
