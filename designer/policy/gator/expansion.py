"""ExpansionTemplates (``expansion.gatekeeper.sh``): the resources a workload will generate, reviewed too.

An ExpansionTemplate says that objects of the kinds in ``spec.applyTo`` (exact groups, versions and
kinds) generate an object of ``spec.generatedGVK`` whose body is the field at ``spec.templateSource``
(``spec.template`` of a Deployment: its Pod). As in Gatekeeper, the generated object is named
``<parent name>-<generated kind>`` in lower case, lives in the parent's namespace, is matched by
constraints whose ``match.source`` allows generated objects, and each of its violations is reported on
the parent with the prefix ``[Implied by <template name>]``. Mutators that Gatekeeper could apply to
generated objects are not run.

Callers: designer.policy.gator.running (a test's ``expansion`` file).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EXPANSION_GROUP = "expansion.gatekeeper.sh"


@dataclass(frozen=True, slots=True)
class ExpansionTemplate:
    """One ExpansionTemplate: which kinds it expands, from where, into what."""

    name: str
    apply_to: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...]  # (groups, versions, kinds)
    source: str
    group: str
    version: str
    kind: str
    enforcement_action: str = ""

    def applies_to(self, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj``'s group, version and kind are in one ``applyTo`` entry."""
        group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
        kind = str(obj.get("kind", ""))
        return any(group in g and version in v and kind in k for g, v, k in self.apply_to)

    def expand(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """The generated object; ValueError when the parent has no mapping at ``templateSource``."""
        found: Any = obj
        for step in self.source.split("."):
            found = found.get(step) if isinstance(found, Mapping) else None
        if not isinstance(found, Mapping):
            raise ValueError(f"could not find source field {self.source!r} in the object")
        generated = copy.deepcopy(dict(found))
        generated["apiVersion"] = f"{self.group}/{self.version}" if self.group else self.version
        generated["kind"] = self.kind
        meta = dict(generated.get("metadata") or {})
        parent = obj.get("metadata") or {}
        meta["name"] = (
            f"{parent.get('name', '')}-{self.kind}".lower() if self.kind else str(parent.get("name", ""))
        )
        if parent.get("namespace"):
            meta["namespace"] = parent["namespace"]
        generated["metadata"] = meta
        return generated

    def implied(self, message: str) -> str:
        """A generated object's violation message as reported on the parent."""
        return f"[Implied by {self.name}] {message}"


def is_expansion_template(doc: Any) -> bool:
    """True for an ExpansionTemplate document."""
    return (
        isinstance(doc, Mapping)
        and doc.get("kind") == "ExpansionTemplate"
        and str(doc.get("apiVersion", "")).partition("/")[0] == EXPANSION_GROUP
    )


def parse_expansion_template(doc: Mapping[str, Any]) -> ExpansionTemplate:
    """The template of a document; ValueError naming what is missing (as Gatekeeper refuses it)."""
    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    name = str(meta.get("name") or "")
    if not name:
        raise ValueError("the ExpansionTemplate has no metadata.name")
    source = str(spec.get("templateSource") or "")
    if not source:
        raise ValueError(f"ExpansionTemplate {name} has an empty spec.templateSource")
    gvk = spec.get("generatedGVK") or {}
    if not isinstance(gvk, Mapping) or not any(gvk.get(k) for k in ("group", "version", "kind")):
        raise ValueError(f"ExpansionTemplate {name} has an empty spec.generatedGVK")
    apply_to = tuple(
        (
            frozenset(str(g) for g in entry.get("groups") or []),
            frozenset(str(v) for v in entry.get("versions") or []),
            frozenset(str(k) for k in entry.get("kinds") or []),
        )
        for entry in spec.get("applyTo") or []
        if isinstance(entry, Mapping)
    )
    return ExpansionTemplate(
        name=name,
        apply_to=apply_to,
        source=source,
        group=str(gvk.get("group") or ""),
        version=str(gvk.get("version") or ""),
        kind=str(gvk.get("kind") or ""),
        enforcement_action=str(spec.get("enforcementAction") or ""),
    )
