"""gator suite files: finding them under the paths given, reading them, and the ``--run`` filter.

A suite file is YAML whose document is ``kind: Suite`` in the ``test.gatekeeper.sh`` group; gator
ignores any other YAML file in the folders it searches, and so does designer (a file named on the
command line must be a suite). A Suite holds Tests (a ConstraintTemplate, a Constraint, an optional
ExpansionTemplate, Cases, or ``invalid: true`` for a constraint the template must refuse); a Case holds
an object (a Kubernetes object or an AdmissionReview), inventory files and assertions
(``violations: yes|no|N`` — ``yes`` is the default —, ``message``: a regular expression). Paths are
relative to the suite file, as gator requires.

Reading is strict (unknown keys, wrong types, absolute paths, bad regular expressions are refused with
a did-you-mean) but local: a problem in one case is that case's error, at its file and line, and the
other cases still run; only a file that is not readable YAML, or not a mapping with a list of tests,
is broken as a whole.

Callers: designer.policy.gator.running, designer.cli.policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.errors import DesignerError, DesignError, Location
from designer.loading.hints import did_you_mean
from designer.loading.yamlnodes import Document, locate_nearest, read_documents

SUITE_GROUP = "test.gatekeeper.sh"
SUITE_SUFFIXES = (".yaml", ".yml")

_SUITE_KEYS = ("apiVersion", "kind", "metadata", "tests", "skip")
_TEST_KEYS = ("name", "template", "constraint", "expansion", "cases", "invalid", "skip")
_CASE_KEYS = ("name", "object", "inventory", "assertions", "skip")
_ASSERTION_KEYS = ("violations", "message")


@dataclass(frozen=True, slots=True)
class Assertion:
    """``violations``: an exact count, ``"yes"`` (at least one) or ``"no"``; ``message``: a regex or None."""

    violations: int | str
    message: re.Pattern[str] | None


@dataclass(slots=True)
class Case:
    """One object reviewed against the test's constraint, with what must be true of the result."""

    name: str
    location: Location
    object: str = ""
    inventory: list[str] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    skip: bool = False
    problem: DesignerError | None = None  # the case is broken: this is its error


@dataclass(slots=True)
class Test:
    """A template and a constraint, with the cases to run against them."""

    name: str
    location: Location
    template: str = ""
    constraint: str = ""
    expansion: str = ""
    cases: list[Case] = field(default_factory=list)
    invalid: bool = False
    skip: bool = False
    problem: DesignerError | None = None  # the test is broken: every case of it has this error


@dataclass(slots=True)
class Suite:
    """One suite file; ``display`` is its path as shown in reports (as the user named it)."""

    path: Path
    display: str
    tests: list[Test] = field(default_factory=list)
    skip: bool = False
    problem: DesignerError | None = None  # the file cannot be read as a suite at all

    @property
    def folder(self) -> Path:
        """Paths in the suite are relative to this folder."""
        return self.path.parent


def find_suites(paths: Sequence[str]) -> list[Suite]:
    """The suites under ``paths`` (files, or folders searched recursively; gator's ``dir/...`` works).

    Raises DesignError when a path does not exist, a named file is not a suite, or a folder holds none.
    """
    suites: list[Suite] = []
    for raw in paths:
        given = raw.removesuffix("/...") if raw.endswith("/...") else raw
        root = Path(given or ".")
        if root.is_dir():
            found = [
                suite
                for file in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUITE_SUFFIXES)
                if (suite := read_suite(file, str(file))) is not None
            ]
            if not found:
                raise DesignError(
                    "no gator suite file (kind: Suite, apiVersion: test.gatekeeper.sh/v1alpha1) in this folder",
                    location=Location(str(root), 1),
                    hint="pass the folder that holds suite.yaml files, or a suite file",
                )
            suites.extend(found)
        elif root.is_file():
            suite = read_suite(root, str(root))
            if suite is None:
                raise DesignError(
                    "not a gator suite file: it needs kind: Suite and apiVersion: test.gatekeeper.sh/v1alpha1",
                    location=Location(str(root), 1),
                    hint="design policy verify runs gator suite files; pass a suite or a folder of them",
                )
            suites.append(suite)
        else:
            raise DesignError("no such file or folder", location=Location(str(root), 1))
    return suites


def read_suite(path: Path, display: str) -> Suite | None:
    """The suite in ``path``, or None when the file is not a suite file (quietly, as gator does)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DesignError(f"cannot read file: {exc.strerror}", location=Location(display, 1)) from exc
    if SUITE_GROUP not in head or "Suite" not in head:
        return None  # not worth parsing: a suite names both (other YAML may not even parse)
    suite = Suite(path=path, display=display)
    try:
        docs = read_documents(path, display)
    except DesignError as exc:
        suite.problem = exc
        return suite
    doc = docs[0]
    value = doc.value
    if not _is_suite(value):
        return None
    reader = _Reader(doc)
    try:
        reader.keys(value, _SUITE_KEYS, "")
        suite.skip = reader.boolean(value, "skip", "")
        tests = value.get("tests") or []
        if not isinstance(tests, list):
            raise reader.error("tests", "tests must be a list of tests")
    except DesignError as exc:
        suite.problem = exc
        return suite
    suite.tests = [reader.test(item, f"tests[{i}]") for i, item in enumerate(tests)]
    return suite


def _is_suite(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and value.get("kind") == "Suite"
        and str(value.get("apiVersion", "")).partition("/")[0] == SUITE_GROUP
    )


class _Reader:
    """Reads tests, cases and assertions, turning each problem into an error at its line."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def where(self, path: str) -> Location:
        return locate_nearest(self.doc.node, path, self.doc.file) if path else self.doc.location()

    def error(self, path: str, message: str, hint: str | None = None) -> DesignError:
        return DesignError(
            message,
            location=self.where(path),
            path=path or None,
            hint=hint or "see gator's suite format: tests[].cases[].assertions[]",
        )

    def keys(self, value: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in value:
            if key not in allowed:
                raise self.error(
                    f"{path}.{key}" if path else str(key),
                    f"unknown key {key!r}",
                    did_you_mean(str(key), allowed) or f"known keys: {', '.join(allowed)}",
                )

    def mapping(self, value: Any, path: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"a {what} must be a mapping, not {type(value).__name__}")
        return value

    def boolean(self, value: Mapping[str, Any], key: str, path: str) -> bool:
        found = value.get(key, False)
        if not isinstance(found, bool):
            raise self.error(f"{path}.{key}" if path else key, f"{key} must be true or false")
        return found

    def text(self, value: Mapping[str, Any], key: str, path: str) -> str:
        found = value.get(key)
        if found is None:
            return ""
        if not isinstance(found, str | int | float) or isinstance(found, bool):
            raise self.error(f"{path}.{key}", f"{key} must be a string")
        return str(found)

    def relative(self, value: Mapping[str, Any], key: str, path: str) -> str:
        found = self.text(value, key, path)
        if found and Path(found).is_absolute():
            raise self.error(
                f"{path}.{key}",
                f"{key} is an absolute path",
                "paths in a suite are relative to the suite file",
            )
        return found

    def path_item(self, item: Any, path: str) -> str:
        if not isinstance(item, str) or not item:
            raise self.error(path, "must be a file path")
        if Path(item).is_absolute():
            raise self.error(path, "an absolute path", "paths in a suite are relative to the suite file")
        return item

    def test(self, raw: Any, path: str) -> Test:
        test = Test(name="", location=self.where(path))
        try:
            value = self.mapping(raw, path, "test")
            test.name = self.text(value, "name", path)
            self.keys(value, _TEST_KEYS, path)
            test.template = self.relative(value, "template", path)
            test.constraint = self.relative(value, "constraint", path)
            test.expansion = self.relative(value, "expansion", path)
            test.invalid = self.boolean(value, "invalid", path)
            test.skip = self.boolean(value, "skip", path)
            cases = value.get("cases") or []
            if not isinstance(cases, list):
                raise self.error(f"{path}.cases", "cases must be a list of cases")
            if test.invalid and cases:
                raise self.error(
                    f"{path}.invalid", "a test with invalid: true has no cases", "split it into two tests"
                )
            for key, what in (("template", "ConstraintTemplate"), ("constraint", "Constraint")):
                if not getattr(test, key):
                    raise self.error(path, f"the test names no {key}", f"add {key}: <path of the {what}>")
        except DesignError as exc:
            test.problem = exc
            cases = raw.get("cases") if isinstance(raw, Mapping) else None
            cases = cases if isinstance(cases, list) else []
        test.cases = [self.case(item, f"{path}.cases[{i}]") for i, item in enumerate(cases)]
        return test

    def case(self, raw: Any, path: str) -> Case:
        case = Case(name="", location=self.where(path))
        try:
            value = self.mapping(raw, path, "case")
            case.name = self.text(value, "name", path)
            self.keys(value, _CASE_KEYS, path)
            case.skip = self.boolean(value, "skip", path)
            case.object = self.relative(value, "object", path)
            if not case.object:
                raise self.error(
                    path, "the case names no object", "add object: <path of the object to review>"
                )
            inventory = value.get("inventory") or []
            if not isinstance(inventory, list):
                raise self.error(f"{path}.inventory", "inventory must be a list of file paths")
            case.inventory = [
                self.path_item(item, f"{path}.inventory[{i}]") for i, item in enumerate(inventory)
            ]
            assertions = value.get("assertions")
            if not isinstance(assertions, list) or not assertions:
                raise self.error(
                    f"{path}.assertions" if "assertions" in value else path,
                    "a case needs a non-empty list of assertions",
                    "add assertions: [{violations: no}] (or yes, or a count)",
                )
            case.assertions = [
                self.assertion(item, f"{path}.assertions[{i}]") for i, item in enumerate(assertions)
            ]
        except DesignError as exc:
            case.problem = exc
        return case

    def assertion(self, raw: Any, path: str) -> Assertion:
        value = self.mapping(raw, path, "assertion")
        self.keys(value, _ASSERTION_KEYS, path)
        violations: Any = value.get("violations", "yes")
        if isinstance(violations, bool):  # YAML 1.1 reads yes/no as booleans
            violations = "yes" if violations else "no"
        valid_count = isinstance(violations, int) and violations >= 0
        if not valid_count and violations not in ("yes", "no"):
            raise self.error(
                f"{path}.violations",
                f"violations must be a non-negative integer, yes or no, not {violations!r}",
            )
        message = value.get("message")
        pattern: re.Pattern[str] | None = None
        if message not in (None, ""):
            try:
                pattern = re.compile(str(message))
            except re.error as exc:
                raise self.error(
                    f"{path}.message", f"message is not a valid regular expression: {exc}"
                ) from exc
        return Assertion(violations=violations, message=pattern)


@dataclass(frozen=True, slots=True)
class RunFilter:
    """gator's ``--run``: ``REGEX`` (test or case name) or ``TEST_REGEX//CASE_REGEX``."""

    test: re.Pattern[str] | None = None
    case: re.Pattern[str] | None = None
    either: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, text: str | None) -> RunFilter:
        """Raises ValueError for more than one ``//`` or an invalid expression."""
        if not text:
            return cls()
        parts = text.split("//")
        try:
            if len(parts) == 1:
                return cls(either=re.compile(parts[0]))
            if len(parts) == 2:
                return cls(test=re.compile(parts[0]), case=re.compile(parts[1]))
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        raise ValueError('a filter may include at most one "//"')

    def matches_test(self, test: Test) -> bool:
        """Whether any of the test runs."""
        if self.either is not None:
            return bool(self.either.search(test.name)) or any(
                self.matches_case(test.name, c.name) for c in test.cases
            )
        return self.test is None or bool(self.test.search(test.name))

    def matches_case(self, test_name: str, case_name: str) -> bool:
        """Whether the case runs."""
        if self.either is not None:
            return bool(self.either.search(case_name) or self.either.search(test_name))
        if self.test is None or self.case is None:
            return True
        return bool(self.case.search(case_name) and self.test.search(test_name))
