"""Users' Gatekeeper ConstraintTemplates and Constraints, evaluated unchanged over a design.

A template's Rego (``spec.targets[].rego`` + ``libs``, or the ``Rego`` engine entry of ``code``) is
compiled in its own engine (the one ``--engine`` chose), read by the loader of users' Rego
(designer.policy.loader: Rego v0 or v1 per module, the rewrites that make regorus answer as OPA does).
Each module is padded with blank lines so that error lines are lines of the YAML file. Each Constraint
selects objects through its ``spec.match`` (designer.policy.gatekeeper_match); each selected object is
reviewed with the admission input ``{"review": {"object", "kind", "name", "namespace", "operation":
"CREATE", …}, "parameters"}``, or, for an object that came from an ``AdmissionReview`` document
(designer.loading.admission), with that document's request (operation, oldObject, userInfo …), as
Gatekeeper's webhook would. ``data.inventory`` (designer.policy.gatekeeper_inventory) holds the objects
that stand for the cluster (`GatekeeperPolicies.cluster_objects`: ``--inventory`` files, a live
cluster) with the design's own objects merged over them; it is given only to templates that read it.

Compatibility: besides the loader's rewrites, designer.policy.sprintf_args makes a literal ``sprintf``
with fewer arguments than verbs print ``%!v(MISSING)`` as under OPA; every rewrite keeps the lines.

Findings: id ``<ConstraintKind>.<constraint name>``; severity from ``enforcementAction``: deny (the
default) -> high, warn -> medium, dryrun -> info. Templates that only carry CEL are skipped with a note.

Each template is compiled when the policies are loaded (`GatekeeperPolicies.prepare`), as Gatekeeper
compiles it when it is created: a broken or recursive one fails the run with its file:line. Reviews
run in designer.policy.guard's helper process (designer.policy.gatekeeper_run): one that runs past
``--policy-timeout`` or the memory bound ends the run with exit 3 naming the constraint and object.

Callers: designer.policy.evaluator (``design validate``), designer.policy.gator (``design policy
verify``, which drives `Template`, the reviews and the parsers directly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designer.errors import Location, PolicyError
from designer.model import RenderedObject
from designer.policy.engine import PolicyEngine, RegoModule
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.policy.gatekeeper_inventory import build_inventory, namespaces_by_name
from designer.policy.gatekeeper_match import effective_namespace, is_namespaced, matches
from designer.policy.gatekeeper_run import Batch, TemplateReviews
from designer.policy.guard import DEFAULT_TIMEOUT
from designer.policy.sprintf_args import pad_missing_arguments

TEMPLATE_GROUP = "templates.gatekeeper.sh"
CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
CONFIG_GROUP = "config.gatekeeper.sh"  # kind Config: spec.sync.syncOnly (designer.policy.gatekeeper_sync)
SYNCSET_GROUP = "syncset.gatekeeper.sh"  # kind SyncSet: spec.gvks
_ACTIONS = {"deny": Severity.HIGH, "warn": Severity.MEDIUM, "dryrun": Severity.INFO}


@dataclass(slots=True)
class Template:
    """One ConstraintTemplate: the constraint kind it defines and its compiled Rego."""

    kind: str
    title: str
    file: str
    modules: list[RegoModule]
    annotations: Mapping[str, Any] = field(default_factory=dict)
    parameters_schema: Mapping[str, Any] | None = None  # spec.crd.spec.validation.openAPIV3Schema
    _engine: PolicyEngine | None = None
    _package: str = ""
    _prepared: bool = False

    def prepare(self) -> None:
        """Compile the Rego completely now (unknown functions, unsafe variables surface here, with
        their file:line); the clones each review takes then start evaluating at once."""
        if not self._prepared:
            self.engine()[0].prepare()
            self._prepared = True

    def engine(self) -> tuple[PolicyEngine, str]:
        """The compiled base engine and the package of the main module (built on first use).

        The Rego goes through the loader users' conftest policies go through (designer.policy.loader:
        v0 or v1 per module, the syntax-tree rewrites that make regorus answer as OPA does); the
        engine is the one chosen with ``--engine``.
        """
        if self._engine is None:
            from designer.policy.loader import engine_for, load_bundle

            bundle = load_bundle(self.modules)
            self._engine, self._package = engine_for(bundle), bundle.modules[0].package
        return self._engine, self._package

    @property
    def location(self) -> Location:
        """Where the template's Rego starts in its file (the modules are padded to the YAML's lines)."""
        text = self.modules[0].text if self.modules else ""
        return Location(self.file, text.count("\n", 0, len(text) - len(text.lstrip("\n"))) + 1)

    @property
    def reads_inventory(self) -> bool:
        """Whether the Rego mentions ``inventory`` at all (a cheap superset of ``data.inventory`` reads)."""
        return any("inventory" in module.text for module in self.modules)


@dataclass(frozen=True, slots=True)
class Constraint:
    """One Constraint: which template, which objects, which parameters."""

    kind: str
    name: str
    match: Mapping[str, Any]
    parameters: Mapping[str, Any]
    action: str
    file: str

    @property
    def check_id(self) -> str:
        """The id findings and waivers use."""
        return f"{self.kind}.{self.name}"


@dataclass(slots=True)
class GatekeeperPolicies:
    """Templates by constraint kind, and the constraints to evaluate."""

    templates: dict[str, Template] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cluster_objects: list[Mapping[str, Any]] = field(default_factory=list)
    """Objects that stand for the cluster in ``data.inventory`` (the design's own objects go over them)."""
    sync_documents: list[Mapping[str, Any]] = field(default_factory=list)
    """Gatekeeper Config and SyncSet documents: which kinds a cluster would sync into data.inventory."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one review may run (``--policy-timeout``)."""
    _reviews: TemplateReviews | None = None

    def prepare(self) -> None:
        """Compile every template now, as Gatekeeper compiles a template when it is created: a broken
        or recursive one is an error of the run (file:line) even when no constraint uses it, and the
        helper process that evaluates them (designer.policy.gatekeeper_run) inherits them compiled.
        The templates in use are prepared too (on ``--engine opa``, that starts their OPA servers;
        the others' Rego is checked without one)."""
        for template in self.templates.values():
            template.engine()
        for template in self.templates_in_use():
            template.prepare()
        self.reviews()

    def reviews(self) -> TemplateReviews:
        """The guarded evaluation of the templates (created on first use)."""
        if self._reviews is None:
            self._reviews = TemplateReviews(self.templates, timeout=self.timeout)
        return self._reviews

    def close(self) -> None:
        """Stop the helper process (a later evaluation starts a new one)."""
        if self._reviews is not None:
            self._reviews.close()

    def add_document(self, doc: Mapping[str, Any], file: str, text: str) -> bool:
        """Take a template or constraint document; False when it is neither."""
        group = str(doc.get("apiVersion", "")).partition("/")[0]
        if group == TEMPLATE_GROUP and doc.get("kind") == "ConstraintTemplate":
            template = parse_template(doc, file, text)
            if template is None:
                self.notes.append(f"{file}: template {_name(doc)} has no Rego (CEL only); skipped")
            else:
                self.templates[template.kind] = template
            return True
        if group == CONSTRAINT_GROUP:
            self.constraints.append(parse_constraint(doc, file))
            return True
        if (group, doc.get("kind")) in ((CONFIG_GROUP, "Config"), (SYNCSET_GROUP, "SyncSet")):
            self.sync_documents.append(doc)
            return True
        return False

    def templates_in_use(self) -> list[Template]:
        """The templates some constraint instantiates, in constraint order."""
        kinds = dict.fromkeys(c.kind for c in self.constraints if c.kind in self.templates)
        return [self.templates[kind] for kind in kinds]

    def checks(self) -> list[CheckInfo]:
        """One check per constraint."""
        return [
            CheckInfo(
                id=c.check_id,
                title=self.templates[c.kind].title if c.kind in self.templates else c.kind,
                severity=_ACTIONS.get(c.action, Severity.HIGH),
                source="gatekeeper",
                policy_file=c.file,
            )
            for c in self.constraints
            if c.kind in self.templates
        ]

    def evaluate(self, objects: Sequence[RenderedObject]) -> list[Finding]:
        """Findings of every constraint over the objects it matches."""
        bodies = [item.body for item in objects]
        namespaces = namespaces_by_name([*self.cluster_objects, *bodies])
        batches: list[Batch] = []
        reviewed: list[list[RenderedObject]] = []  # per constraint: the objects of its batch's requests
        for constraint in self.constraints:
            template = self.templates.get(constraint.kind)
            if template is None:
                raise PolicyError(
                    f"constraint {constraint.name} has kind {constraint.kind}, but no template defines it",
                    hint="pass the ConstraintTemplate with --policy too",
                    location=Location(constraint.file, 1),
                )
            requests: list[Mapping[str, Any]] = []
            matched: list[RenderedObject] = []
            for item in objects:
                request = item.component.review
                if request is None:
                    if not matches(constraint.match, item.body, namespaces):
                        continue
                    request = review_request(item.body)
                elif not request_matches(constraint, request, namespaces):
                    continue
                requests.append(request)
                matched.append(item)
            labels = [f"{constraint.check_id} on {item.ref}" for item in matched]
            batches.append(Batch(constraint.kind, constraint.parameters, requests, labels))
            reviewed.append(matched)
        reads = any(b.requests and self.templates[b.template].reads_inventory for b in batches)
        inventory = build_inventory([*self.cluster_objects, *bodies]) if reads else None
        answers = self.reviews().review(batches, inventory)
        findings: list[Finding] = []
        for constraint, matched, answer in zip(self.constraints, reviewed, answers, strict=True):
            severity = _ACTIONS.get(constraint.action, Severity.HIGH)
            for item, found in zip(matched, answer, strict=True):
                where = item.component.location
                findings.extend(
                    Finding(
                        id=constraint.check_id,
                        severity=severity,
                        message=str(violation.get("msg", constraint.check_id)),
                        component=item.component.name,
                        object=item.ref,
                        file=where.file,
                        line=where.line,
                    )
                    for violation in found
                )
        return findings


def request_matches(
    constraint: Constraint,
    request: Mapping[str, Any],
    namespaces: Mapping[str, Any],
    *,
    namespace: str | None = None,
    strict: bool = False,
) -> bool:
    """Whether the constraint matches the request's object or its old object (Gatekeeper's rule)."""
    reviewed_in = namespace if namespace is not None else request.get("namespace") or None
    return any(
        matches(constraint.match, obj, namespaces, namespace=reviewed_in, strict=strict)
        for obj in (request.get("object"), request.get("oldObject"))
        if isinstance(obj, Mapping)
    )


def review_request(
    obj: Mapping[str, Any], operation: str = "CREATE", old_object: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The AdmissionRequest-like ``input.review`` Gatekeeper gives templates."""
    api_version = str(obj.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    meta = obj.get("metadata") or {}
    request: dict[str, Any] = {
        "kind": {"group": group, "version": version, "kind": obj.get("kind", "")},
        "name": meta.get("name", ""),
        "operation": operation,
        "object": obj,
        "userInfo": {"username": "designer", "groups": []},
        "dryRun": True,
    }
    if is_namespaced(obj):
        request["namespace"] = effective_namespace(obj)
    if old_object is not None:
        request["oldObject"] = old_object
    return request


def parse_template(doc: Mapping[str, Any], file: str, text: str) -> Template | None:
    """A Template from a ConstraintTemplate document, or None when it carries no Rego."""
    spec = doc.get("spec") or {}
    kind = (((spec.get("crd") or {}).get("spec") or {}).get("names") or {}).get("kind")
    if not kind:
        raise PolicyError(
            f"ConstraintTemplate {_name(doc)} has no spec.crd.spec.names.kind",
            hint="a template must name the constraint kind it defines",
            location=Location(file, 1),
        )
    rego, libs = None, []
    for target in spec.get("targets") or []:
        if target.get("rego"):
            rego, libs = target["rego"], list(target.get("libs") or [])
        for code in target.get("code") or []:
            if code.get("engine") == "Rego" and rego is None:
                source = code.get("source") or {}
                rego, libs = source.get("rego"), list(source.get("libs") or [])
    if not rego:
        return None
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    title = str(annotations.get("metadata.gatekeeper.sh/title") or annotations.get("description") or kind)
    modules = [RegoModule(file, _pad(_compatible(str(source)), text)) for source in [rego, *libs]]
    validation = ((spec.get("crd") or {}).get("spec") or {}).get("validation") or {}
    schema = validation.get("openAPIV3Schema") if isinstance(validation, Mapping) else None
    return Template(
        kind=str(kind),
        title=title,
        file=file,
        modules=modules,
        annotations=dict(annotations),
        parameters_schema=schema if isinstance(schema, Mapping) else None,
    )


def parse_constraint(doc: Mapping[str, Any], file: str) -> Constraint:
    """A Constraint from its document."""
    spec = doc.get("spec") or {}
    return Constraint(
        kind=str(doc.get("kind", "")),
        name=_name(doc),
        match=spec.get("match") or {},
        parameters=spec.get("parameters") or {},
        action=str(spec.get("enforcementAction") or "deny"),
        file=file,
    )


def _compatible(source: str) -> str:
    return pad_missing_arguments(source)  # designer.policy.loader applies designer.policy.compat


def _pad(source: str, file_text: str) -> str:
    """Prefix blank lines so the module's line numbers are those of the YAML file."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if not first:
        return source
    lead = 0
    for line in source.splitlines():
        if line.strip():
            break
        lead += 1
    for number, line in enumerate(file_text.splitlines()):
        if line.strip() == first:
            return "\n" * max(number - lead, 0) + source
    return source


def _name(doc: Mapping[str, Any]) -> str:
    return str((doc.get("metadata") or {}).get("name", "?"))
