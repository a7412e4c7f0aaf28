"""Diffing: what applying a design would change, object by object.

`normalizing` strips what the server owns and puts both sides in a comparable shape (resource
quantities by value, `designer.quantities`), `comparing` runs deepdiff (its only importer) and turns the
result into `designer.planning.Change` values, `ownership` reads managedFields to say which field
manager owns a live field, `masking` hides Secret values, `planner` drives a `Cluster` to build the
`designer.planning.Plan` (with `snapshot`: one LIST per group of objects instead of a GET each),
`unserved` explains kinds the cluster lacks, and `text` renders the kubectl-diff-style unified YAML diff.
Callers: `designer.cli.diff` and the apply engine (which executes the same Plan).
"""

from __future__ import annotations
