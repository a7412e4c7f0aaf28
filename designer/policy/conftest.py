"""Users' conftest-style Rego policies, evaluated unchanged, one object at a time.

Conventions (those of conftest): rules named ``deny``, ``violation`` or ``warn``, optionally with a
suffix (``deny_latest``), in any package; set form (``deny contains msg``) or boolean form
(``deny if …``); messages are strings or objects with ``msg``. Each object of the design is the
``input`` of one evaluation. Severity: ``deny``/``violation`` -> high, ``warn`` -> medium; a message
object may override it with ``severity`` and name its check with ``id``; otherwise the check id is
``<package>.<rule>`` (e.g. ``main.deny``). conftest ``exception`` rules are honoured: the findings
of the rules they name (``deny_<name>``; ``""`` for plain ``deny``) are reported as waived.

Modules get designer.policy.compat's line-preserving rewrites, then are read as Rego v1; when one only parses as v0 (``deny[msg] { … }``), the whole set is read
in regorus's v0 mode instead (v1 modules then need ``import rego.v1``, as with OPA 0.x).

Caller: designer.policy.evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from designer.errors import PolicyError
from designer.model import RenderedObject
from designer.policy.compat import make_compatible
from designer.policy.engine import PolicyEngine, RegoModule, new_engine
from designer.policy.findings import CheckInfo, Finding, Severity

_RULE_RE = re.compile(r"^(deny|violation|warn)(_[A-Za-z0-9_]+)?$")
_V0_HINTS = ("keyword is required", "`contains` keyword")


def load_engine(modules: Sequence[RegoModule]) -> PolicyEngine:
    """A compiled engine for ``modules``: v1 first, v0 when a module is written in v0 syntax."""
    engine = new_engine()
    try:
        for module in modules:
            engine.add_module(module)
        engine.prepare()
        return engine
    except PolicyError as v1_error:
        if not any(h in v1_error.message for h in _V0_HINTS):
            raise
    engine = new_engine(v0=True)
    for module in modules:
        engine.add_module(module)
    engine.prepare()
    return engine


class ConftestPolicies:
    """Compiled conftest policies and the checks they define."""

    def __init__(self, modules: Sequence[RegoModule]) -> None:
        self.modules = [RegoModule(m.path, make_compatible(m.text)) for m in modules]
        self._engine = load_engine(self.modules)
        self._files = _package_files(self.modules)
        self.checks: dict[str, CheckInfo] = {}

    @property
    def packages(self) -> list[str]:
        """The packages of the modules (``data.main``…), sorted."""
        return sorted(set(self._engine.packages))

    def evaluate(self, objects: Sequence[RenderedObject]) -> list[Finding]:
        """Findings of every deny/violation/warn rule of every package, for every object."""
        findings: list[Finding] = []
        packages = self.packages
        for item in objects:
            self._engine.set_input(item.body)
            for package in packages:
                values = self._engine.eval_query(package)
                if not values or not isinstance(values[0], dict):
                    continue
                excepted = _exceptions(values[0].get("exception"))
                for rule, value in sorted(values[0].items()):
                    if _RULE_RE.match(rule):
                        found = self._findings(package, rule, value, item)
                        suffix = rule.partition("_")[2]
                        if suffix in excepted:
                            reason = f"conftest exception for {rule!r} in {package.removeprefix('data.')}"
                            found = [f.waive(reason, "conftest-exception") for f in found]
                        findings.extend(found)
        return findings

    def _findings(self, package: str, rule: str, value: Any, item: RenderedObject) -> list[Finding]:
        name = package.removeprefix("data.")
        if value is True:
            messages: list[Any] = [f"{name}.{rule} failed"]
        elif isinstance(value, list):
            messages = value
        elif isinstance(value, str | dict):
            messages = [value]
        else:
            return []  # false, numbers: not a failure in conftest either
        base = Severity.MEDIUM if rule.startswith("warn") else Severity.HIGH
        found = []
        for raw in messages:
            body = raw if isinstance(raw, dict) else {"msg": raw}
            check_id = str(body.get("id") or f"{name}.{rule}")
            severity = Severity.parse(str(body.get("severity", "")), default=base)
            message = body.get("msg")
            text = message if isinstance(message, str) else str(message if message is not None else raw)
            if check_id not in self.checks:
                self.checks[check_id] = CheckInfo(
                    id=check_id,
                    title=str(body.get("title") or f"{rule} rule of package {name}"),
                    severity=severity,
                    source="conftest",
                    policy_file=self._files.get(package),
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


def _exceptions(value: Any) -> set[str]:
    """Rule suffixes a conftest ``exception`` rule names (``[""]`` stands for plain deny/warn)."""
    names: set[str] = set()
    items = value if isinstance(value, list) else []
    for item in items:
        if isinstance(item, list):
            names.update(str(x) for x in item)
        elif isinstance(item, str):
            names.add(item)
    return names


def _package_files(modules: Sequence[RegoModule]) -> dict[str, str]:
    found: dict[str, str] = {}
    for module in modules:
        match = re.search(r"^\s*package\s+([\w.]+)", module.text, re.MULTILINE)
        if match:
            found.setdefault(f"data.{match.group(1)}", module.path)
    return found
