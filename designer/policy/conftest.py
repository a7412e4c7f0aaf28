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

The queries run in designer.policy.guard's helper process (designer.policy.conftest_run): a rule that
runs past ``timeout`` or past the memory bound ends the run with a PolicyError naming it (exit 3).

Caller: designer.policy.evaluator.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from designer.errors import PolicyError
from designer.model import RenderedObject
from designer.policy.conftest_run import ObjectAnswer, RuleRunner
from designer.policy.engine import RegoModule
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.policy.guard import DEFAULT_TIMEOUT, Guard
from designer.policy.loader import RuleQuery, engine_for, load_bundle, take_prints


class ConftestPolicies:
    """Compiled conftest policies and the checks they define."""

    def __init__(
        self,
        modules: Sequence[RegoModule],
        data: Mapping[str, Any] | None = None,
        *,
        strict: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.bundle = load_bundle(modules, data, conftest=True)
        self.strict = strict
        engine = engine_for(self.bundle)
        engine.prepare()
        take_prints(engine)  # clones copy what their parent gathered
        self._runner = RuleRunner(self.bundle, engine)
        self._guard = Guard(self._runner, timeout=timeout)
        self._rules = {rule.path: rule for rule in self.bundle.rules}
        self.checks: dict[str, CheckInfo] = {}
        self._warnings: dict[tuple[str, str], list[str]] = {}
        self._prints: dict[str, None] = {}
        self._notes = [f"{n.file}:{n.line}: {n.message}" for n in self.bundle.notes]  # reported once

    @property
    def packages(self) -> list[str]:
        """The packages of the modules (``data.main``…), sorted."""
        return list(self.bundle.packages)

    def take_warnings(self) -> list[str]:
        """Since the last call: one line per rule that raised (where, what, on which objects), then
        the policies' ``print()`` output (conftest shows it as ``PRNT``)."""
        lines, self._notes = self._notes, []
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
        inputs = [(json.dumps(item.body), str(item.ref)) for item in objects]
        answers: list[ObjectAnswer] = self._guard.call("answer", inputs)
        findings: list[Finding] = []
        for item, answer in zip(objects, answers, strict=True):
            for path, error in answer.errors:
                self._record_error(path, error, item)
            self._prints.update(dict.fromkeys(answer.prints))
            for rule in self.bundle.rules:
                found = self._findings(rule, answer.values.get(rule.path), item)
                if rule.exception_name in answer.excepted.get(rule.package, ()):
                    reason = f"conftest exception for {rule.name!r} in {rule.package.removeprefix('data.')}"
                    found = [f.waive(reason, "conftest-exception") for f in found]
                findings.extend(found)
        return findings

    def close(self) -> None:
        """Stop the helper process (a later evaluation starts a new one)."""
        self._guard.close()

    def _record_error(self, path: str, error: PolicyError, item: RenderedObject) -> None:
        """A rule raised on one object: stop (strict, or an error OPA raises too) or remember it."""
        if self.strict or is_fatal(error):
            raise error
        rule = self._rules.get(path)
        where = str(error.location) if error.location else (str(rule.location) if rule else path)
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
