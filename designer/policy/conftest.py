"""Users' conftest-style Rego policies, evaluated as conftest evaluates them, one object at a time.

Loading goes through designer.policy.loader (Rego v0 or v1 per file, the compatibility rewrites,
``--data`` documents), exactly as ``design policy test`` loads. Then, as conftest's engine does:

* each rule named ``deny``, ``violation`` or ``warn`` (optionally with ``_suffix``es) is queried on its
  own in the package that defines it (``data.main.deny_latest``), so an error in an unrelated rule or
  in a library package does not hide the others;
* only a set or array counts: each string is a failure, each object with ``msg`` is a failure (its
  ``id``/``severity``/``title`` name the check); a boolean ``deny if {…}`` is not a failure
  (conftest counts it as a success); v1's ``deny[msg] if {…}`` defines an object and is refused at load
  time, as conftest refuses it;
* ``exception`` rules name the rules they waive (``deny_<name>`` -> ``"<name>"``); those findings are
  reported waived, as conftest reports exceptions;
* a rule whose builtin call raises at run time is undefined for that object, as OPA's default
  (non-strict) builtin errors are, and becomes a policy warning with its file:line in the report's
  notes; with ``strict`` it is a PolicyError (exit 3) instead. Errors OPA raises in any mode
  (conflicting values, unknown functions) are PolicyErrors.

Severity: ``deny``/``violation`` -> high, ``warn`` -> medium; check id ``<package>.<rule>``.

Caller: designer.policy.evaluator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from designer.errors import PolicyError
from designer.model import RenderedObject
from designer.policy.engine import UNDEFINED, PolicyEngine, RegoModule
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.policy.loader import RuleQuery, engine_for, load_bundle, take_prints


class ConftestPolicies:
    """Compiled conftest policies and the checks they define."""

    def __init__(
        self, modules: Sequence[RegoModule], data: Mapping[str, Any] | None = None, *, strict: bool = False
    ) -> None:
        self.bundle = load_bundle(modules, data, conftest=True)
        self.strict = strict
        self._base = engine_for(self.bundle)
        self._base.prepare()
        take_prints(self._base)  # clones copy what their parent gathered
        self._rules: dict[str, list[RuleQuery]] = defaultdict(list)
        for rule in self.bundle.rules:
            self._rules[rule.package].append(rule)
        self.checks: dict[str, CheckInfo] = {}
        self._warnings: dict[tuple[str, str], list[str]] = {}
        self._prints: dict[str, None] = {}

    @property
    def packages(self) -> list[str]:
        """The packages of the modules (``data.main``…), sorted."""
        return list(self.bundle.packages)

    def take_warnings(self) -> list[str]:
        """Since the last call: one line per rule that raised (where, what, on which objects), then
        the policies' ``print()`` output (conftest shows it as ``PRNT``)."""
        lines = []
        for (where, message), objects in self._warnings.items():
            shown = ", ".join(objects[:3]) + (f" and {len(objects) - 3} more" if len(objects) > 3 else "")
            lines.append(
                f"policy warning: {where}: {message} (on {shown}); the rule was read as undefined, as OPA "
                "does by default (--strict stops instead)"
            )
        lines.extend(f"print: {line}" for line in self._prints)
        self._warnings.clear()
        self._prints.clear()
        return lines

    def evaluate(self, objects: Sequence[RenderedObject]) -> list[Finding]:
        """Findings of every deny/violation/warn rule of every package, for every object."""
        findings: list[Finding] = []
        for item in objects:
            evaluation = _Evaluation(self, item)
            for package, rules in self._rules.items():
                excepted = evaluation.exceptions(package)
                for rule in rules:
                    found = self._findings(rule, evaluation.value(rule.path, rule), item)
                    if rule.exception_name in excepted:
                        reason = f"conftest exception for {rule.name!r} in {package.removeprefix('data.')}"
                        found = [f.waive(reason, "conftest-exception") for f in found]
                    findings.extend(found)
            evaluation.finish()
        return findings

    def record_error(
        self, rule: RuleQuery | None, path: str, error: PolicyError, item: RenderedObject
    ) -> None:
        """A rule raised on one object: stop (strict, or an error OPA raises too) or remember it."""
        if self.strict or is_fatal(error):
            raise error
        where = str(error.location) if error.location else (f"{rule.file}:{rule.line}" if rule else path)
        message = error.message.removeprefix("policy error: ")
        self._warnings.setdefault((f"{where} ({path})", message), []).append(str(item.ref))

    def _findings(self, rule: RuleQuery, value: Any, item: RenderedObject) -> list[Finding]:
        if not isinstance(value, list):
            return []  # undefined, booleans, objects: no failure in conftest either
        name = rule.package.removeprefix("data.")
        base = Severity.HIGH if rule.failure else Severity.MEDIUM
        found = []
        for raw in value:
            if isinstance(raw, str):
                body: dict[str, Any] = {"msg": raw}
            elif isinstance(raw, dict):
                body = raw
            else:
                continue  # conftest reads strings and objects only
            check_id = str(body.get("id") or f"{name}.{rule.name}")
            severity = Severity.parse(str(body.get("severity", "")), default=base)
            message = body.get("msg")
            text = message if isinstance(message, str) else str(message if message is not None else raw)
            if check_id not in self.checks:
                self.checks[check_id] = CheckInfo(
                    id=check_id,
                    title=str(body.get("title") or f"{rule.name} rule of package {name}"),
                    severity=severity,
                    source="conftest",
                    policy_file=rule.file,
                )
            where = item.component.location
            found.append(
                Finding(
                    id=check_id,
                    severity=severity,
                    message=text,
                    component=item.component.name,
                    object=item.ref,
                    file=where.file,
                    line=where.line,
                )
            )
        return found


# Errors OPA raises whatever its strictness (conflicts, compile errors): only builtin errors are undefined.
_FATAL = ("multiple outputs", "conflict", "recursion", "could not find function", "unsafe", "undefined rule")


def is_fatal(error: PolicyError) -> bool:
    """Whether OPA would stop on this error too (not a builtin error, which it reads as undefined)."""
    return any(marker in error.message for marker in _FATAL)


class _Evaluation:
    """The queries of one object, on a clone of the prepared engine (replaced after an error, since a
    regorus failure can leave an engine in a state that changes later answers)."""

    def __init__(self, policies: ConftestPolicies, item: RenderedObject) -> None:
        self.policies = policies
        self.item = item
        self._engine: PolicyEngine | None = None

    def engine(self) -> PolicyEngine:
        if self._engine is None:
            self._engine = self.policies._base.clone()
            self._engine.set_input(self.item.body)
        return self._engine

    def value(self, path: str, rule: RuleQuery | None) -> Any:
        """The rule's value, UNDEFINED when it has none or raised (non-strict)."""
        try:
            return self.engine().eval_rule(path)
        except PolicyError as error:
            self.finish()
            self.policies.record_error(rule, path, error, self.item)
            return UNDEFINED

    def finish(self) -> None:
        """Keep the engine's ``print()`` output and let the engine go."""
        if self._engine is not None:
            self.policies._prints.update(dict.fromkeys(take_prints(self._engine)))
            self._engine = None

    def exceptions(self, package: str) -> set[str]:
        """Rule names a package's ``exception`` rule waives for this object (``[["latest"]]``)."""
        if package not in self.policies.bundle.exception_packages:
            return set()
        value = self.value(f"{package}.exception", None)
        names: set[str] = set()
        for entry in value if isinstance(value, list) else []:
            if isinstance(entry, list):
                names.update(str(x) for x in entry)
            elif isinstance(entry, str):
                names.add(entry)
        return names
