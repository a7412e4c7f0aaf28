"""The evaluation half of Gatekeeper templates: review requests on compiled templates, guarded.

A template's Rego is users' Rego like conftest policies: it may loop without end, allocate without
bound or crash regorus. So its ``violation`` rule is evaluated in designer.policy.guard's helper process
(a deadline per review, ``--policy-timeout``; the memory bound), and a review that passes a bound ends
with a PolicyError naming the constraint, the object and the template's file:line.

`TemplateReviews` is what the helper runs: it holds the templates by key (compiled in the parent before
the helper forks, so the helper inherits them ready; one compiled later is compiled where it is first
needed) and answers `Batch`es of review requests with their violations, plain values that cross the
pipe pickled. Which constraint matches which object is decided by the caller, in the parent.

Callers: designer.policy.gatekeeper (``design validate``), designer.policy.gator.running (``design
policy verify``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from designer.policy.engine import PolicyEngine
from designer.policy.guard import DEFAULT_TIMEOUT, Guard, progress

if TYPE_CHECKING:
    from designer.policy.gatekeeper import Template  # which imports this module


@dataclass(frozen=True, slots=True)
class Batch:
    """Requests reviewed against one template with one constraint's parameters; ``labels`` name each
    review in a timeout's message (``K8sRequiredLabels.must-have-owner on Deployment/shop/web``)."""

    template: str
    parameters: Mapping[str, Any]
    requests: Sequence[Mapping[str, Any]] = ()
    labels: Sequence[str] = field(default=())


Violations = list[dict[str, Any]]


class TemplateReviews:
    """Templates by key, and the guarded reviews of requests against them."""

    def __init__(self, templates: Mapping[str, Template], *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.templates = templates  # the owner's mapping: what it holds when the helper forks is inherited
        # The guard's target is a separate object: a guard whose target held the guard would make a
        # reference cycle, left to the garbage collector (its helper process alive until then).
        self._guard = Guard(_Reviewer(templates), timeout=timeout)

    def review(
        self, batches: Sequence[Batch], inventory: Mapping[str, Any] | None = None
    ) -> list[list[Violations]]:
        """For each batch, the violations of each of its requests (guarded). ``inventory`` is
        ``data.inventory`` for the templates that read it."""
        if not any(batch.requests for batch in batches):
            return [[] for _ in batches]
        answer: list[list[Violations]] = self._guard.call("answer", batches, inventory)
        return answer

    def close(self) -> None:
        """Stop the helper process (a later review starts a new one)."""
        self._guard.close()


class _Reviewer:
    """What the guard's helper runs: the reviews themselves."""

    def __init__(self, templates: Mapping[str, Template]) -> None:
        self.templates = templates

    def answer(self, batches: Sequence[Batch], inventory: Mapping[str, Any] | None) -> list[list[Violations]]:
        """`TemplateReviews.review`'s work, where it runs (the helper, or this process when forking
        is unsafe)."""
        engines: dict[str, tuple[PolicyEngine, str]] = {}
        found: list[list[Violations]] = []
        for batch in batches:
            template = self.templates[batch.template]
            if batch.template not in engines:
                base, package = template.engine()
                engine = base.clone()
                if inventory is not None and template.reads_inventory:
                    engine.add_data({"inventory": inventory})
                engines[batch.template] = (engine, package)
            engine, package = engines[batch.template]
            where = template.location
            answers = []
            for request, label in zip(batch.requests, batch.labels, strict=True):
                progress(f"{package}.violation of {label}", where)
                answers.append(violations(engine, package, request, batch.parameters))
            found.append(answers)
        return found


def violations(
    engine: PolicyEngine, package: str, request: Mapping[str, Any], parameters: Mapping[str, Any]
) -> Violations:
    """The ``violation`` set of a template for one review request (the engine holds the inventory)."""
    engine.set_input({"review": request, "parameters": parameters})
    value = engine.eval_rule(f"{package}.violation")
    if not isinstance(value, list):
        return []
    return [v if isinstance(v, dict) else {"msg": str(v)} for v in value]
