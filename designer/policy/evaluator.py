"""Policy evaluation of designs: built-in checks, users' policies and waivers, into one `Report`.

`PolicySet.load(options)` compiles everything once (built-in library, ``--policy`` paths, the waiver
file); `PolicySet.evaluate_many(designs)` runs it over several designs' rendered objects at once (the
built-in library in one evaluation; cross-object checks still see one design at a time) and gives one
report per design, `PolicySet.evaluate(objects, edges)` over one design; `merge` joins reports.

Users' policy paths: ``.rego`` files (``*_test.rego`` excluded) are conftest-style policies; ``.yaml`` /
``.yml`` files holding ConstraintTemplates or Constraints are Gatekeeper policies. A folder is searched
recursively; a file given by name that holds neither is an error.

Callers: designer.cli.validate (``--policy``, ``--waivers``…), designer.cli.policy (``list``) and
benchmarks/policy_bench.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from designer.errors import PolicyError
from designer.gcpause import paused_gc
from designer.model import Edge, RenderedObject
from designer.policy.builtin import BuiltinChecks, DesignObjects
from designer.policy.engine import RegoModule
from designer.policy.findings import CheckInfo, Finding, Report
from designer.policy.findings import merge as merge
from designer.policy.guard import DEFAULT_TIMEOUT
from designer.policy.waivers import FileWaiver, apply_waivers, waiver_checks

# conftest, Gatekeeper and the waiver file's reader are imported when a run uses them: `design validate`
# with only the built-in checks should not pay for them at start-up.
if TYPE_CHECKING:
    from designer.policy.conftest import ConftestPolicies
    from designer.policy.gatekeeper import GatekeeperPolicies


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyOptions:
    """What to evaluate and how waivers apply."""

    policy_paths: tuple[Path, ...] = ()
    builtin: bool = True
    builtin_roots: tuple[Path, ...] | None = None  # default: the shipped policies/ folder
    adapter_policies: tuple[Path, ...] = ()  # Rego files adapters contribute (run as built-in checks)
    data_paths: tuple[Path, ...] = ()  # JSON/YAML documents for users' policies' `data` (--data)
    strict: bool = False  # a users' rule that raises stops the run instead of being undefined
    policy_timeout: float = (
        DEFAULT_TIMEOUT  # seconds one users' rule may run on one object (--policy-timeout)
    )
    waivers_file: Path | None = None
    annotation_waivers: bool = True
    today: dt.date | None = None


@dataclass(slots=True)
class PolicySet:
    """Everything compiled for one run."""

    options: PolicyOptions
    builtin: BuiltinChecks | None = None
    conftest: ConftestPolicies | None = None
    gatekeeper: GatekeeperPolicies | None = None
    waivers: list[FileWaiver] = field(default_factory=list)

    @classmethod
    def load(cls, options: PolicyOptions) -> PolicySet:
        """Compile the built-in library and the users' policies; read the waiver file."""
        policies = cls(options=options)
        if options.builtin:
            roots = list(options.builtin_roots) if options.builtin_roots is not None else None
            policies.builtin = BuiltinChecks(roots, options.adapter_policies)
        rego, gatekeeper = load_user_policies(options.policy_paths)
        if rego:
            from designer.policy.conftest import ConftestPolicies
            from designer.policy.datafiles import read_data

            data = read_data(options.data_paths)
            policies.conftest = ConftestPolicies(
                rego, data, strict=options.strict, timeout=options.policy_timeout
            )
        if gatekeeper is not None:
            gatekeeper.timeout = options.policy_timeout
            gatekeeper.prepare()  # a broken template is exit 3 here, whatever the designs hold
            policies.gatekeeper = gatekeeper
        if options.waivers_file is not None:
            from designer.policy.waivers import load_waiver_file

            policies.waivers = load_waiver_file(options.waivers_file)
        return policies

    def checks(self) -> list[CheckInfo]:
        """Every check known before evaluation (conftest checks appear once they fire)."""
        found: list[CheckInfo] = []
        if self.builtin is not None:
            found.extend(self.builtin.catalog().values())
        if self.gatekeeper is not None:
            found.extend(self.gatekeeper.checks())
        return found

    def evaluate(self, objects: Sequence[RenderedObject], edges: Sequence[Edge] = ()) -> Report:
        """Findings of every policy over one design, with waivers applied."""
        return self.evaluate_many([(objects, edges)])[0]

    def evaluate_many(self, designs: Sequence[DesignObjects], *, jobs: int = 1) -> list[Report]:
        """One report per design (same order), with waivers applied; the built-in checks evaluate all
        the designs at once (`BuiltinChecks.evaluate_many`, on up to ``jobs`` processes when large)."""
        # Evaluation allocates thousands of small, acyclic objects (decoded results, findings) while
        # the loaded designs are alive: with the collector on, each burst rescans that whole heap.
        with paused_gc():
            present = [_present(objects, edges) for objects, edges in designs]
            builtin = (
                self.builtin.evaluate_many(present, jobs=jobs)
                if self.builtin is not None
                else [[] for _ in designs]
            )
            return [
                self._report(objects, kept, found)
                for (objects, _), (kept, _), found in zip(designs, present, builtin, strict=True)
            ]

    def _report(
        self, objects: Sequence[RenderedObject], present: Sequence[RenderedObject], builtin: list[Finding]
    ) -> Report:
        """One design's report from its built-in findings: users' policies, then waivers. ``present``
        are the objects that will exist (conftest's input); Gatekeeper reviews them all."""
        findings = builtin
        if self.conftest is not None:
            findings.extend(self.conftest.evaluate(present))
        if self.gatekeeper is not None:
            findings.extend(self.gatekeeper.evaluate(objects))
        findings = apply_waivers(
            findings,
            objects,
            self.waivers,
            use_annotations=self.options.annotation_waivers,
            today=self.options.today,
        )
        checks = {c.id: c for c in self.checks()}
        if self.conftest is not None:
            checks.update(self.conftest.checks)
        for info in waiver_checks():
            if any(f.id == info.id for f in findings):
                checks[info.id] = info
        notes = tuple(self.gatekeeper.notes) if self.gatekeeper is not None else ()
        if self.conftest is not None:
            notes += tuple(self.conftest.take_warnings())
        return Report(
            findings=tuple(sorted(findings, key=Finding.sort_key)),
            checks=tuple(checks.values()),
            objects=len(objects),
            notes=notes,
        )


def _present(objects: Sequence[RenderedObject], edges: Sequence[Edge]) -> DesignObjects:
    """The design without the objects of DELETE reviews (AdmissionReview documents asking about a
    deletion): they are being removed, so the checks of manifests (built-in, conftest) neither judge
    them nor count them as present; Gatekeeper templates get the DELETE request itself."""
    if not any(_deleted(item) for item in objects):
        return objects, edges
    kept = [item for item in objects if not _deleted(item)]
    names = {item.component.name for item in kept}
    return kept, [e for e in edges if e.dependency in names and e.dependent in names]


def _deleted(item: RenderedObject) -> bool:
    review = item.component.review
    return review is not None and review.get("operation") == "DELETE"


def load_user_policies(paths: Sequence[Path]) -> tuple[list[RegoModule], GatekeeperPolicies | None]:
    """conftest Rego modules and Gatekeeper templates/constraints found under ``paths``."""
    modules: list[RegoModule] = []
    if not paths:
        return modules, None
    from designer.policy.gatekeeper import GatekeeperPolicies
    from designer.policy.yamlfile import read_documents

    gatekeeper = GatekeeperPolicies()
    for root in paths:
        if not root.exists():
            raise PolicyError(f"policy path {root} does not exist", hint="check the --policy value")
        explicit = root.is_file()
        files = [root] if explicit else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.suffix == ".rego" and not path.name.endswith("_test.rego"):
                modules.append(RegoModule.from_file(path))
            elif path.suffix in (".yaml", ".yml"):
                text = path.read_text(encoding="utf-8")
                docs = read_documents(path)
                used = [
                    d for d in docs if isinstance(d, dict) and gatekeeper.add_document(d, str(path), text)
                ]
                if explicit and not used:
                    raise PolicyError(
                        f"{path} holds no ConstraintTemplate or Constraint",
                        hint="--policy takes .rego files, Gatekeeper YAML, or folders of them",
                    )
            elif explicit:
                raise PolicyError(
                    f"{path} is not a policy file",
                    hint="--policy takes .rego files, Gatekeeper YAML, or folders of them",
                )
    has_gatekeeper = bool(gatekeeper.templates or gatekeeper.constraints or gatekeeper.notes)
    return modules, gatekeeper if has_gatekeeper else None
