"""The evaluation half of designer.policy.conftest: conftest's queries over objects, on one engine.

`RuleRunner` holds the prepared engine of users' policies and answers, for each input document, the
value of every deny/violation/warn rule (queried one by one, in the package that defines it), the
rule names the package's ``exception`` rule waives, the errors rules raised and the ``print()``
output. Its answers are plain values, because it may run in designer.policy.guard's helper process
(deadline, memory bound) and send them back pickled; the findings are made by the caller.

Caller: designer.policy.conftest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from designer.errors import PolicyError
from designer.policy.engine import UNDEFINED, PolicyEngine
from designer.policy.guard import progress
from designer.policy.loader import PolicyBundle, RuleQuery, take_prints


@dataclass(slots=True)
class ObjectAnswer:
    """What the rules gave for one input: values of defined rules, waived rule names per package,
    ``(rule path, error)`` for rules that raised, and ``print()`` lines."""

    values: dict[str, Any] = field(default_factory=dict)
    excepted: dict[str, set[str]] = field(default_factory=dict)
    errors: list[tuple[str, PolicyError]] = field(default_factory=list)
    prints: list[str] = field(default_factory=list)


class RuleRunner:
    """Queries the conftest rules of a bundle over input documents."""

    def __init__(self, bundle: PolicyBundle, engine: PolicyEngine) -> None:
        self.bundle = bundle
        self.base = engine
        self.rules: dict[str, list[RuleQuery]] = defaultdict(list)
        for rule in bundle.rules:
            self.rules[rule.package].append(rule)

    def answer(self, inputs: list[tuple[str, str]]) -> list[ObjectAnswer]:
        """One answer per ``(input JSON, what the input is)`` pair, in order."""
        return [self._answer(text, shown) for text, shown in inputs]

    def _answer(self, text: str, shown: str) -> ObjectAnswer:
        result = ObjectAnswer()
        session = _Session(self.base, text, result)
        for package, rules in self.rules.items():
            if package in self.bundle.exception_packages:
                progress(f"{package}.exception on {shown}")
                result.excepted[package] = _exception_names(session.value(f"{package}.exception"))
            for rule in rules:
                progress(f"{rule.path} on {shown}", rule.location)
                value = session.value(rule.path)
                if value is not UNDEFINED:
                    result.values[rule.path] = value
        session.finish()
        return result


class _Session:
    """The queries of one input on a clone of the prepared engine; a clone that raised is replaced
    (a regorus failure can leave an engine in a state that changes later answers)."""

    def __init__(self, base: PolicyEngine, text: str, result: ObjectAnswer) -> None:
        self.base = base
        self.text = text
        self.result = result
        self.engine: PolicyEngine | None = None

    def value(self, path: str) -> Any:
        if self.engine is None:
            self.engine = self.base.clone()
            self.engine.set_input_json(self.text)
        try:
            value = self.engine.eval_rule(path)
        except PolicyError as error:
            self.finish()
            # Kept without its traceback, whose frames (this one included) would make a reference cycle.
            self.result.errors.append((path, error.with_traceback(None)))
            return UNDEFINED
        # OPA reads a failing builtin as undefined where it struck; it is reported as regorus's are.
        self.result.errors.extend((path, failure) for failure in self.engine.take_builtin_errors())
        return value

    def finish(self) -> None:
        if self.engine is not None:
            self.result.prints.extend(take_prints(self.engine))
            self.engine = None


def _exception_names(value: Any) -> set[str]:
    """Rule names an ``exception`` rule's value lists (``[["latest"]]``)."""
    names: set[str] = set()
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, list):
            names.update(str(x) for x in entry)
        elif isinstance(entry, str):
            names.add(entry)
    return names
