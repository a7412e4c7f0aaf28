"""One loader for users' Rego: ``design policy test`` and ``design validate --policy`` read it alike.

Modules are read as ``opa test`` and conftest read them:

* Rego v1 or v0 per file: a file that parses as v1 is v1, otherwise it is read as v0 (``import rego.v1``
  and ``future.keywords`` work in either). When a set mixes both, every v1 file carries ``import
  rego.v1`` on its package line, so one engine in v0-compatible mode reads them all (OPA's
  ``--v0-compatible``).
* the compatibility rewrites: designer.policy.compat (text), designer.policy.rewrites and
  designer.policy.negation (syntax tree), all keeping every line where it was;
* duplicate test names in one package are renamed ``test_x#01``… internally, so each runs, as in
  ``opa test``;
* recursion is refused with file:line (designer.policy.recursion), as OPA's compiler refuses it.

The result, `PolicyBundle`, is a plain value: the rewritten modules, the data document, the
conftest rules to query per package and the test rules. It names no engine: `engine_for` builds the
regorus engine from it, and a second engine can take the same bundle.

Callers: designer.policy.rego_tests, designer.policy.conftest.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designer.errors import Location, PolicyError
from designer.policy import regoast
from designer.policy.backend import RegoEngine, parse_module
from designer.policy.compat import make_compatible
from designer.policy.engine import PolicyEngine, RegoModule, new_engine
from designer.policy.negation import hoist_negations
from designer.policy.recursion import ParsedModule, check_recursion
from designer.policy.regoast import Node, Span
from designer.policy.rewrites import (
    Edit,
    ModuleContext,
    Note,
    apply_edits,
    bodiless_heads,
    config_file_paths,
    else_values,
    empty_multivalue_refs,
    import_aliases,
    metadata_rule,
    regex_patterns,
    relative_with,
    self_unification,
)

# conftest's rule names (policy/engine.go): failures and warnings, with optional `_suffix`es.
FAILURE_RULE = re.compile(r"^(deny|violation)(_[a-zA-Z0-9]+)*$")
WARNING_RULE = re.compile(r"^warn(_[a-zA-Z0-9]+)*$")
_DUPLICATE = re.compile(r"^(?P<name>test_\w*?)__dsgdup(?P<n>\d+)__$")
_CASES = "__dsgcases__"
_V0_HINTS = ("keyword is required", "`contains` keyword", "expecting `{`")

# Groups of rewrites whose edits are applied together; a group runs again when some of its edits
# overlapped (an alias inside a moved head, a negation inside another's comprehension).
_PASSES: tuple[tuple[Callable[[ModuleContext], list[Edit]], ...], ...] = (
    (import_aliases, relative_with, metadata_rule, regex_patterns, config_file_paths),
    (self_unification, bodiless_heads, empty_multivalue_refs, else_values),
    (hoist_negations,),
)
_MAX_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class LoadedModule:
    """One module as engines receive it: display path, rewritten text, syntax version, package."""

    path: str
    text: str
    rego_v1: bool
    package: str  # "data.main"


@dataclass(frozen=True, slots=True)
class RuleQuery:
    """One conftest rule to query on its own: ``data.<package>.<name>``."""

    package: str
    name: str
    failure: bool  # deny/violation (else warn)
    file: str
    line: int

    @property
    def path(self) -> str:
        """The query, e.g. ``data.main.deny_latest``."""
        return f"{self.package}.{self.name}"

    @property
    def location(self) -> Location:
        """Where the rule is first defined."""
        return Location(self.file, self.line)

    @property
    def exception_name(self) -> str:
        """The name conftest's ``exception`` rules use for it (``deny_latest`` -> ``latest``)."""
        name = self.name
        for prefix in ("violation_", "deny_", "warn_"):
            name = name.removeprefix(prefix)
        return name


@dataclass(frozen=True, slots=True)
class RegoTest:
    """One ``test_*`` rule: its package, the name ``opa test`` shows, the rule to query, and where."""

    package: str
    name: str
    file: str
    line: int
    rule_name: str = ""
    cases_rule: str = ""  # a parameterized test (`test_x[name] if { some name, tc in … }`): its case names

    @property
    def rule(self) -> str:
        """Full rule path to evaluate."""
        return f"data.{self.package}.{self.rule_name or self.name}"

    @property
    def test_id(self) -> str:
        """``package.name``, unique per test (used to select and to report)."""
        return f"{self.package}.{self.name}"


@dataclass(frozen=True, slots=True)
class PolicyBundle:
    """Everything an engine needs to run users' policies, independent of the engine."""

    modules: tuple[LoadedModule, ...]
    data: Mapping[str, Any] = field(default_factory=dict)
    rules: tuple[RuleQuery, ...] = ()
    exception_packages: frozenset[str] = frozenset()
    tests: tuple[RegoTest, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def v0_compatible(self) -> bool:
        """Whether some module is Rego v0 (the engine must then run in v0-compatible mode)."""
        return any(not m.rego_v1 for m in self.modules)

    @property
    def packages(self) -> tuple[str, ...]:
        """Every package (``data.x``), sorted."""
        return tuple(sorted({m.package for m in self.modules}))


@dataclass(slots=True)
class _Module:
    module: RegoModule
    rego_v1: bool
    ctx: ModuleContext


def load_bundle(
    modules: Sequence[RegoModule], data: Mapping[str, Any] | None = None, *, conftest: bool = False
) -> PolicyBundle:
    """Parse, rewrite and check ``modules``; PolicyError (file:line) when one cannot be used.

    ``conftest``: also list the deny/violation/warn rules to query (and refuse the forms conftest
    refuses); ``design policy test`` leaves them alone, as ``opa test`` does.
    """
    parsed = [_parse(module) for module in modules]
    package_rules: dict[tuple[str, ...], set[str]] = defaultdict(set)
    multivalue: set[tuple[str, ...]] = set()
    for item in parsed:
        package_rules[item.ctx.package].update(r.rule.path[0] for r in item.ctx.rules if r.rule.path)
        multivalue.update(
            (*item.ctx.package, *r.rule.path) for r in item.ctx.rules if r.rule.kind == "multivalue"
        )
    _rename_duplicate_tests(parsed)
    for item in parsed:
        _add_case_rules(item)
    for item in parsed:
        item.ctx.package_rules = frozenset(package_rules[item.ctx.package])
        item.ctx.multivalue_rules = frozenset(multivalue)
        _rewrite(item)
    check_recursion([ParsedModule(i.module.path, i.ctx.package, i.ctx.rules) for i in parsed])
    mixed = any(not i.rego_v1 for i in parsed) and any(i.rego_v1 for i in parsed)
    loaded = tuple(_loaded(item, add_v1_import=mixed) for item in parsed)
    return PolicyBundle(
        modules=loaded,
        data=dict(data or {}),
        rules=_unique(rule for item in parsed for rule in _conftest_rules(item)) if conftest else (),
        exception_packages=frozenset(
            f"data.{'.'.join(i.ctx.package)}" for i in parsed if "exception" in i.ctx.package_rules
        ),
        tests=tuple(sorted((t for i in parsed for t in _tests(i)), key=lambda t: (t.test_id, t.line))),
        notes=tuple(note for item in parsed for note in item.ctx.notes),
    )


def engine_for(bundle: PolicyBundle) -> PolicyEngine:
    """An engine of the chosen kind (designer.policy.engine) holding the bundle's modules and data.

    On regorus, the tool-dialect builtins (designer.policy.dialects) are registered and ``print()``
    output is gathered for `take_prints`.
    """
    engine = new_engine(v0=bundle.v0_compatible)
    if isinstance(engine, RegoEngine):
        from designer.policy import dialects

        engine.gather_prints()
        dialects.register(engine)
    for module in bundle.modules:
        engine.add_module(RegoModule(module.path, module.text))
    if bundle.data:
        engine.add_data(bundle.data)
    return engine


def take_prints(engine: PolicyEngine) -> list[str]:
    """The ``print()`` lines an engine gathered since the last call (none on engines that do not)."""
    return engine.take_prints()


def _parse(module: RegoModule) -> _Module:
    """Read a module as v1, or as v0 when only v0 parses; the error shown is the one further in."""
    text = make_compatible(module.text)
    source = RegoModule(module.path, text, module.origin)
    try:
        tree, rego_v1 = parse_module(source, v0=False), True
    except PolicyError as v1_error:
        try:
            tree, rego_v1 = parse_module(source, v0=True), False
        except PolicyError as v0_error:
            raise _likelier(v1_error, v0_error) from None
    folder = str(module.origin.resolve().parent) if module.origin is not None else None
    ctx = ModuleContext(module.path, text.encode("utf-8"), tree, v0=not rego_v1, folder=folder)
    return _Module(RegoModule(module.path, text, module.origin), rego_v1, ctx)


def _likelier(v1_error: PolicyError, v0_error: PolicyError) -> PolicyError:
    """The parse error to show: the one that got further into the file (v1 on a tie)."""
    v1_line = v1_error.location.line if v1_error.location else 0
    v0_line = v0_error.location.line if v0_error.location else 0
    chosen = v0_error if v0_line > v1_line else v1_error
    version = "v0" if chosen is v0_error else "v1"
    chosen.hint = f"fix the syntax (read as Rego {version}, the version that parsed furthest)"
    return chosen


def _rewrite(item: _Module) -> None:
    ctx = item.ctx
    for group in _PASSES:
        for _ in range(_MAX_ROUNDS):
            edits = [edit for rewrite in group for edit in rewrite(ctx)]
            if not edits:
                break
            ctx.source = apply_edits(ctx.source, edits)
            ctx.tree = parse_module(RegoModule(ctx.path, ctx.source.decode("utf-8")), v0=ctx.v0)
            if not _overlapping(edits):
                break


def _overlapping(edits: list[Edit]) -> bool:
    ordered = sorted(edits, key=lambda e: (e.start, -e.end))
    return any(later.start < earlier.end for earlier, later in itertools.pairwise(ordered))


def _rename_duplicate_tests(parsed: Sequence[_Module]) -> None:
    """Second and later ``test_x`` of a package -> ``test_x__dsgdup1__``… (shown as ``test_x#01``)."""
    seen: dict[tuple[tuple[str, ...], str], int] = defaultdict(int)
    for item in parsed:
        edits: list[Edit] = []
        for rule in regoast.rules_of(item.ctx.tree):
            if len(rule.path) != 1 or not rule.name.startswith("test_") or rule.kind == "function":
                continue
            key = (item.ctx.package, rule.name)
            count = seen[key]
            seen[key] += 1
            if count:
                head = regoast.tagged(rule.node["head"])
                assert head is not None
                name = Span.of(regoast.body_of(head[1]["refr"]))
                edits.append(Edit(name.start, name.end, f"{rule.name}__dsgdup{count}__"))
        if edits:
            ctx = item.ctx
            ctx.source = apply_edits(ctx.source, edits)
            ctx.tree = parse_module(RegoModule(ctx.path, ctx.source.decode("utf-8")), v0=ctx.v0)


def _add_case_rules(item: _Module) -> None:
    """For each parameterized test ``test_x[name] if { some name, tc in cases; … }``, a rule holding
    the names of all its cases (``opa test`` reports each case; one that fails is missing from the
    test's value, so the names tried must come from the collection itself)."""
    added: list[str] = []
    for rule in regoast.rules_of(item.ctx.tree):
        if len(rule.path) != 1 or not rule.name.startswith("test_") or rule.kind != "object":
            continue
        head = regoast.tagged(rule.node["head"])
        index = regoast.tagged(regoast.body_of(head[1]["refr"]).get("index")) if head else None
        bodies = rule.node.get("bodies") or []
        if index is None or index[0] != "Var" or not bodies or not bodies[0]["query"].get("stmts"):
            continue
        first = bodies[0]["query"]["stmts"][0]
        loop = regoast.tagged(first.get("literal"))
        key = regoast.tagged(loop[1].get("key")) if loop is not None and loop[0] == "SomeIn" else None
        if key is None or key[0] != "Var" or key[1]["value"] != index[1]["value"]:
            continue
        name, text = index[1]["value"], item.ctx.text(Span.of(first))
        keyword = "" if item.ctx.v0 else " if"
        head_text = f"{rule.name}{_CASES}[{name}]" if item.ctx.v0 else f"{rule.name}{_CASES} contains {name}"
        added.append(f"{head_text}{keyword} {{ {text} }}")
    if added:
        ctx = item.ctx
        ctx.source = ctx.source + ("\n" + "\n".join(added) + "\n").encode("utf-8")
        ctx.tree = parse_module(RegoModule(ctx.path, ctx.source.decode("utf-8")), v0=ctx.v0)


def _loaded(item: _Module, *, add_v1_import: bool) -> LoadedModule:
    text = item.ctx.source.decode("utf-8")
    package = ".".join(item.ctx.package)
    if add_v1_import and item.rego_v1 and "rego.v1" not in _imports(item.ctx):
        end = Span.of(item.ctx.tree["package"]).end
        raw = item.ctx.source
        text = (raw[:end] + b" import rego.v1" + raw[end:]).decode("utf-8")
    return LoadedModule(item.module.path, text, item.rego_v1, f"data.{package}")


def _imports(ctx: ModuleContext) -> set[str]:
    found = set()
    for entry in ctx.tree.get("imports") or []:
        parts = regoast.static_prefix(regoast.ref_path(entry["refr"]) or [])
        found.add(".".join(parts))
    return found


def _conftest_rules(item: _Module) -> list[RuleQuery]:
    """The deny/violation/warn rules of a module, one query per name (conftest queries each name)."""
    package = f"data.{'.'.join(item.ctx.package)}"
    found: dict[str, RuleQuery] = {}
    for rule in regoast.rules_of(item.ctx.tree):
        failure = bool(FAILURE_RULE.match(rule.name))
        if not failure and not WARNING_RULE.match(rule.name):
            continue
        if rule.kind == "object" and item.rego_v1:
            raise PolicyError(
                f"{rule.name}[…] if {{…}} defines an object in Rego v1 ('if' keyword without 'contains' keyword)",
                hint=f"write `{rule.name} contains msg if {{…}}` (conftest refuses this rule too)",
                location=Location(item.module.path, rule.span.line, rule.span.col),
            )
        found.setdefault(rule.name, RuleQuery(package, rule.name, failure, item.module.path, rule.span.line))
    return list(found.values())


def _unique(rules: Iterable[RuleQuery]) -> tuple[RuleQuery, ...]:
    """One query per rule path, even when several modules of a package define the rule."""
    found: dict[str, RuleQuery] = {}
    for rule in rules:
        found.setdefault(rule.path, rule)
    return tuple(found.values())


def _tests(item: _Module) -> list[RegoTest]:
    package = ".".join(item.ctx.package)
    found = []
    names = {rule.name for rule in regoast.rules_of(item.ctx.tree)}
    for rule in regoast.rules_of(item.ctx.tree):
        if len(rule.path) != 1 or not rule.name.startswith("test_") or rule.kind == "function":
            continue
        if rule.name.endswith(_CASES):
            continue
        duplicate = _DUPLICATE.match(rule.name)
        shown = f"{duplicate['name']}#{int(duplicate['n']):02d}" if duplicate else rule.name
        cases = rule.name + _CASES if rule.name + _CASES in names else ""
        found.append(RegoTest(package, shown, item.module.path, rule.span.line, rule.name, cases))
    return found


__all__ = ["LoadedModule", "Node", "PolicyBundle", "RegoTest", "RuleQuery", "engine_for", "load_bundle"]
