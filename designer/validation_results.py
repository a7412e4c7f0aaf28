"""What `design validate` produces: per design, per file, and for a whole run.

Plain values, apart from the work that makes them (designer.validation) so that a run whose results
all come from the cache (designer.validation_cache) imports neither the loaders nor the Rego engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from designer.errors import DesignerError
from designer.model import ToolInput
from designer.policy.findings import Report, merge


@dataclass(frozen=True, slots=True)
class DesignSummary:
    """What reports say about one design that loaded, graphed and rendered."""

    name: str
    file: str
    source_format: str
    components: int
    edges: int
    waves: int
    objects: int


@dataclass
class Validation:
    """Everything `validate` found: the designs that rendered, the errors per file, the findings."""

    designs: list[DesignSummary] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)
    report: Report = field(default_factory=lambda: merge([]))
    tool_inputs: list[ToolInput] = field(default_factory=list)  # other tools' files, checked as such


@dataclass
class FileResult:
    """What one file gave: its designs, its errors, its findings (every design's report, merged).

    ``external`` names what else the result was read from (a control plane's installer: other files,
    helm, the mesh CLI on PATH): such a result is not a function of the file alone (designer.
    validation_cache never stores it).
    """

    file: str  # as given
    designs: list[DesignSummary] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)
    report: Report = field(default_factory=lambda: merge([]))
    external: tuple[str, ...] = ()
    tool_inputs: list[ToolInput] = field(default_factory=list)


def combine(results: Sequence[FileResult]) -> Validation:
    """One validation of many files' results, in their order (the same as validating them at once)."""
    combined = Validation()
    for result in results:
        combined.designs.extend(result.designs)
        combined.errors.extend(result.errors)
        combined.tool_inputs.extend(result.tool_inputs)
    combined.report = merge([result.report for result in results])
    return combined
