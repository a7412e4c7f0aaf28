"""Running gator suites: each test compiles its template once, each case reviews one object, as gator does.

For a test, the ConstraintTemplate is compiled (designer.policy.gatekeeper, regorus in v0 mode with
the compatibility rewrites) and the Constraint read; its kind must be the template's, and its
``parameters`` must fit the template's schema (an ``invalid: true`` test asserts the opposite). For a
case, a fresh clone of the compiled engine gets the case's inventory as ``data.inventory`` (gator's
layout: objects are filed under the namespace written on them, none means cluster-scoped), and the
object is reviewed:

* a Kubernetes object with gator's audit-style request: ``kind``, ``name``, ``namespace``, ``object``
  and the zero values of the other AdmissionRequest fields (no operation, no user);
* an ``AdmissionReview`` with its own request (designer.loading.admission: operation, oldObject,
  userInfo; DELETE reviews the old object).

The constraint's ``match`` decides first (object or old object; a namespaceSelector needs the
Namespace in the inventory, as in gator); with an ExpansionTemplate, the generated object is reviewed
too and its violations are added with the ``[Implied by …]`` prefix. Every assertion must hold; the
first that does not is the failure, worded as gator words it.

A problem with the inputs (a missing file, a template that does not compile, a policy error at run
time) is the case's *error*, not a failure; `CaseResult.status` keeps the two apart.

Every template of the run is compiled once, before the first case (a recursive one is refused with
its file:line, as the loader refuses it everywhere), and the reviews run in designer.policy.guard's
helper process (designer.policy.gatekeeper_run), which inherits them compiled: a review that runs past
``--policy-timeout`` or the memory bound is its case's error, named, and the next case gets a new helper.

Caller: designer.cli.policy (``verify``).
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from designer.errors import DesignerError, DesignError, Location, PolicyError
from designer.loading.admission import is_admission_review, read_request
from designer.loading.yamlnodes import read_documents
from designer.policy.gatekeeper import (
    CONSTRAINT_GROUP,
    TEMPLATE_GROUP,
    Constraint,
    Template,
    parse_constraint,
    parse_template,
    request_matches,
)
from designer.policy.gatekeeper_inventory import (
    build_inventory,
    namespaces_by_name,
    read_inventory_file,
    written_namespace,
)
from designer.policy.gatekeeper_run import Batch, TemplateReviews
from designer.policy.gatekeeper_schema import parameter_errors
from designer.policy.gator.expansion import ExpansionTemplate, is_expansion_template, parse_expansion_template
from designer.policy.gator.suites import Assertion, Case, RunFilter, Suite, Test
from designer.policy.guard import DEFAULT_TIMEOUT
from designer.policy.yamlfile import read_documents as read_policy_documents

Status = Literal["pass", "fail", "error", "skip"]
INVALID_CASE = "(invalid constraint)"
WHOLE_TEST = "(template and constraint)"


@dataclass(slots=True)
class CaseResult:
    """One case: its status, the number of violations the object had, and what went wrong."""

    name: str
    status: Status
    violations: int | None = None
    message: str | None = None  # the failed assertion, or the error
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when the case ran and every assertion held."""
        return self.status == "pass"


@dataclass(slots=True)
class TestResult:
    """One test's cases (a broken test gives each case its error)."""

    name: str
    cases: list[CaseResult] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0

    def failed(self) -> bool:
        """Whether any case failed or errored."""
        return any(c.status in ("fail", "error") for c in self.cases)


@dataclass(slots=True)
class SuiteResult:
    """One suite file's tests; ``error`` when the file could not be read as a suite."""

    suite: Suite
    tests: list[TestResult] = field(default_factory=list)
    error: DesignerError | None = None
    skipped: bool = False
    seconds: float = 0.0

    def failed(self) -> bool:
        """Whether anything in the file failed or errored."""
        return self.error is not None or any(t.failed() for t in self.tests)


def run_suites(
    suites: Sequence[Suite], run: RunFilter | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> list[SuiteResult]:
    """Run every suite in order. Every template is compiled once, before the first case: the
    reviews run in one guarded helper process (``timeout``: seconds per review), which inherits them."""
    run = run or RunFilter()
    templates = _Templates(timeout)
    for suite in suites:
        if suite.problem is None and not suite.skip:
            for test in suite.tests:
                if test.problem is None and not test.skip and run.matches_test(test):
                    with contextlib.suppress(DesignerError):  # the test's error, when it runs
                        templates.compile(suite, test)
    try:
        return [run_suite(suite, run, templates) for suite in suites]
    finally:
        templates.reviews.close()


class _Templates:
    """The run's templates by file, compiled (or the error that stopped them), and their reviews."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.compiled: dict[str, Template] = {}
        self.failed: dict[str, DesignerError] = {}
        self.reviews = TemplateReviews(self.compiled, timeout=timeout)

    def compile(self, suite: Suite, test: Test) -> str:
        """The key of the test's template, compiled on first use; its error when it does not compile."""
        key = str((suite.folder / test.template).resolve())
        if key not in self.compiled and key not in self.failed:
            try:
                self.compiled[key] = _compile_template(suite, test)
            except DesignerError as exc:
                self.failed[key] = exc.with_traceback(None)  # its frames would make a reference cycle
        if key in self.failed:
            raise copy.copy(self.failed[key])  # each test its own error (and traceback)
        return key


def run_suite(suite: Suite, run: RunFilter, templates: _Templates | None = None) -> SuiteResult:
    """Run the tests of one suite file (``templates``: the run's, shared by its suites)."""
    templates = _Templates() if templates is None else templates
    started = time.perf_counter()
    result = SuiteResult(suite=suite, error=suite.problem, skipped=suite.skip)
    if suite.problem is None and not suite.skip:
        for test in suite.tests:
            if test.skip or not run.matches_test(test):
                result.tests.append(TestResult(name=test.name, skipped=True))
                continue
            result.tests.append(_run_test(suite, test, run, templates))
    result.seconds = time.perf_counter() - started
    return result


@dataclass(slots=True)
class _Prepared:
    key: str  # the template's, in the run's `_Templates`
    template: Template
    constraint: Constraint
    expansions: list[ExpansionTemplate]
    reviews: TemplateReviews


def _run_test(suite: Suite, test: Test, run: RunFilter, templates: _Templates) -> TestResult:
    started = time.perf_counter()
    result = TestResult(name=test.name)
    prepared: _Prepared | None = None
    problem = test.problem
    if problem is None:
        try:
            prepared = _prepare(suite, test, templates)
        except DesignerError as exc:
            problem = exc
    if test.invalid:
        result.cases.append(_invalid_case(problem, prepared))
    elif problem is not None or prepared is None:
        wanted = [c for c in test.cases if not c.skip and run.matches_case(test.name, c.name)]
        for case in wanted or [Case(name=WHOLE_TEST, location=test.location)]:
            result.cases.append(CaseResult(name=case.name, status="error", message=_describe(problem)))
    else:
        for case in test.cases:
            if case.skip or not run.matches_case(test.name, case.name):
                result.cases.append(CaseResult(name=case.name, status="skip"))
                continue
            result.cases.append(_run_case(suite, prepared, case))
    result.seconds = time.perf_counter() - started
    return result


def _invalid_case(problem: DesignerError | None, prepared: _Prepared | None) -> CaseResult:
    if isinstance(problem, _SchemaRefusalError):
        return CaseResult(name=INVALID_CASE, status="pass")
    if problem is not None:
        return CaseResult(name=INVALID_CASE, status="error", message=_describe(problem))
    assert prepared is not None
    return CaseResult(
        name=INVALID_CASE,
        status="fail",
        message="the constraint fits the template's parameter schema, but the test says invalid: true",
    )


class _SchemaRefusalError(PolicyError):
    """The constraint's parameters break the template's schema (what ``invalid: true`` expects)."""


def _prepare(suite: Suite, test: Test, templates: _Templates) -> _Prepared:
    key = templates.compile(suite, test)
    template = templates.compiled[key]
    constraint_doc, _, constraint_file = _read_one(
        suite, test.constraint, "Constraint", lambda d: _group(d) == CONSTRAINT_GROUP
    )
    constraint = parse_constraint(constraint_doc, constraint_file)
    if constraint.kind != template.kind:
        raise PolicyError(
            f"the constraint is a {constraint.kind}, but the template defines {template.kind}",
            hint="a test's constraint must be an instance of its template",
            location=Location(constraint_file, 1),
        )
    errors = parameter_errors(template.parameters_schema, constraint.parameters)
    if errors:
        raise _SchemaRefusalError(
            "the constraint's parameters break the template's schema: " + "; ".join(errors),
            hint="fix spec.parameters (the API server would refuse this constraint)",
            location=Location(constraint_file, 1),
        )
    expansions: list[ExpansionTemplate] = []
    if test.expansion:
        path = suite.folder / test.expansion
        for doc in read_policy_documents(path, display=_shown(suite, test.expansion)):
            if is_expansion_template(doc):
                try:
                    expansions.append(parse_expansion_template(doc))
                except ValueError as exc:
                    raise PolicyError(str(exc), location=Location(_shown(suite, test.expansion), 1)) from exc
        if not expansions:
            raise PolicyError(
                f"{test.expansion} holds no ExpansionTemplate",
                hint="expansion: names a file with kind ExpansionTemplate (expansion.gatekeeper.sh)",
                location=Location(_shown(suite, test.expansion), 1),
            )
    return _Prepared(
        key=key, template=template, constraint=constraint, expansions=expansions, reviews=templates.reviews
    )


def _compile_template(suite: Suite, test: Test) -> Template:
    template_doc, template_text, template_file = _read_one(
        suite, test.template, "ConstraintTemplate", lambda d: _group(d) == TEMPLATE_GROUP
    )
    template = parse_template(template_doc, template_file, template_text)
    if template is None:
        raise PolicyError(
            f"template {test.template} has no Rego (CEL only)",
            hint="designer runs the Rego of ConstraintTemplates; CEL-only templates are not supported",
            location=Location(template_file, 1),
        )
    template.prepare()  # compile now: a template that does not compile breaks the whole test
    return template


def _read_one(suite: Suite, relative: str, what: str, wanted: Any) -> tuple[dict[str, Any], str, str]:
    path = suite.folder / relative
    shown = _shown(suite, relative)
    if not path.is_file():
        raise DesignError(
            f"the {what} file {relative} does not exist",
            location=Location(shown, 1),
            hint="paths in a suite are relative to the suite file",
        )
    docs = [d for d in read_policy_documents(path, display=shown) if isinstance(d, dict) and wanted(d)]
    if len(docs) != 1:
        raise PolicyError(
            f"{relative} holds {len(docs)} {what} documents, not one",
            hint=f"a test's {what.lower()} file holds exactly one {what}",
            location=Location(shown, 1),
        )
    return docs[0], path.read_text(encoding="utf-8"), shown


def _run_case(suite: Suite, prepared: _Prepared, case: Case) -> CaseResult:
    started = time.perf_counter()
    try:
        if case.problem is not None:
            raise case.problem
        messages = _review(suite, prepared, case)
        failure = _first_failure(case.assertions, messages)
        status: Status = "fail" if failure else "pass"
        result = CaseResult(name=case.name, status=status, violations=len(messages), message=failure)
    except DesignerError as exc:
        result = CaseResult(name=case.name, status="error", message=_describe(exc))
    result.seconds = time.perf_counter() - started
    return result


def _review(suite: Suite, prepared: _Prepared, case: Case) -> list[str]:
    request = _case_request(suite, case.object)
    inventory: list[Mapping[str, Any]] = []
    for relative in case.inventory:
        path = suite.folder / relative
        if not path.is_file():
            raise DesignError(
                f"the inventory file {relative} does not exist",
                location=case.location,
                hint="paths in a suite are relative to the suite file",
            )
        inventory.extend(read_inventory_file(path))
    namespaces = namespaces_by_name(inventory)
    constraint = prepared.constraint
    requests: list[Mapping[str, Any]] = []
    implied_by: list[ExpansionTemplate | None] = []  # per request: the expansion that generated it
    namespace = _reviewed_namespace(request, namespaces)
    if request_matches(constraint, request, namespaces, namespace=namespace, strict=True):
        requests.append(request)
        implied_by.append(None)
    reviewed = request.get("object")
    for expansion in prepared.expansions:
        if not isinstance(reviewed, Mapping) or not expansion.applies_to(reviewed):
            continue
        try:
            generated = expansion.expand(reviewed)
        except ValueError as exc:
            raise DesignError(
                str(exc), location=case.location, hint="check the ExpansionTemplate's templateSource"
            ) from exc
        generated_request = audit_request(generated)
        ns = _reviewed_namespace(generated_request, namespaces)
        if request_matches(
            constraint, generated_request, namespaces, namespace=ns, strict=True
        ) and _generated_ok(constraint):
            requests.append(generated_request)
            implied_by.append(expansion)
    data = build_inventory(inventory, written_namespace) if prepared.template.reads_inventory else None
    label = f"{constraint.check_id}, case {case.name!r} of {suite.display}"
    batch = Batch(prepared.key, constraint.parameters, requests, [label] * len(requests))
    (answers,) = prepared.reviews.review([batch], data)
    messages: list[str] = []
    for source, found in zip(implied_by, answers, strict=True):
        shown = _messages(found)
        messages.extend(shown if source is None else [source.implied(m) for m in shown])
    return messages


def _generated_ok(constraint: Constraint) -> bool:
    return str(constraint.match.get("source") or "All") != "Original"


def audit_request(obj: Mapping[str, Any]) -> dict[str, Any]:
    """gator's review of a plain object: an AdmissionRequest with only kind, name, namespace and object."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    meta = obj.get("metadata") or {}
    request: dict[str, Any] = {
        "uid": "",
        "kind": {"group": group, "version": version, "kind": str(obj.get("kind", ""))},
        "resource": {"group": "", "version": "", "resource": ""},
        "operation": "",
        "userInfo": {},
        "object": obj,
    }
    if meta.get("name"):
        request["name"] = str(meta["name"])
    if meta.get("namespace"):
        request["namespace"] = str(meta["namespace"])
    return request


def _case_request(suite: Suite, relative: str) -> dict[str, Any]:
    path = suite.folder / relative
    shown = _shown(suite, relative)
    if not path.is_file():
        raise DesignError(
            f"the object file {relative} does not exist",
            location=Location(shown, 1),
            hint="paths in a suite are relative to the suite file",
        )
    docs = read_documents(path, shown)
    if len(docs) != 1:
        raise DesignError(
            f"{relative} defines {len(docs)} objects; a case reviews exactly one",
            location=Location(shown, 1),
            hint="put each object in its own file, or the others in the case's inventory",
        )
    doc = docs[0]
    if is_admission_review(doc.value):
        return read_request(doc.value, doc.node, shown, "document[0]")
    value = doc.value
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str) or not value.get("kind"):
        raise DesignError(
            "the object has no kind", location=doc.location(), hint="a case reviews a Kubernetes object"
        )
    return audit_request(value)


def _reviewed_namespace(request: Mapping[str, Any], namespaces: Mapping[str, Any]) -> str:
    """Gatekeeper's: the request's Namespace when the inventory has it, else what the object says."""
    requested = str(request.get("namespace") or "")
    if requested and requested in namespaces:
        return requested
    reviewed = request.get("object") or request.get("oldObject") or {}
    return written_namespace(reviewed) if isinstance(reviewed, Mapping) else ""


def _messages(found: list[dict[str, Any]]) -> list[str]:
    return [str(v.get("msg", "")) for v in found]


def _first_failure(assertions: Sequence[Assertion], messages: Sequence[str]) -> str | None:
    for assertion in assertions:
        failure = _check(assertion, messages)
        if failure is not None:
            return failure
    return None


def _check(assertion: Assertion, messages: Sequence[str]) -> str | None:
    """gator's assertion: count the matching messages, compare with violations (yes, no or N)."""
    pattern = assertion.message
    matching = sum(1 for m in messages if pattern is None or pattern.search(m))
    containing = f" containing {pattern.pattern!r}" if pattern is not None else ""
    wanted = assertion.violations
    if wanted == "yes":
        problem = None if matching else f"got {matching} violations{containing} but want at least 1"
    elif wanted == "no":
        problem = None if not matching else f"got {matching} violations{containing} but want none"
    else:
        problem = (
            None if matching == wanted else f"got {matching} violations{containing} but want exactly {wanted}"
        )
    if problem is None:
        return None
    shown = ", ".join(repr(m) for m in messages)
    return f"{problem}: got messages [{shown}]"


def _describe(exc: DesignerError | None) -> str:
    if exc is None:
        return "the test could not run"
    text = str(exc)
    return f"{text} (hint: {exc.hint})" if exc.hint else text


def _group(doc: Mapping[str, Any]) -> str:
    return str(doc.get("apiVersion", "")).partition("/")[0]


def _shown(suite: Suite, relative: str) -> str:
    """A path of the suite's folder as reports show it (beside the suite file's shown path)."""
    return str(Path(suite.display).parent / relative)
