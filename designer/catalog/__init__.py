"""The pattern catalog: index, reproducible packages, and the sources that share them.

Layout: `versions` (semver), `entries` (the index model and search), `indexfile` (index.json read,
validated and written), `metadata` (what a design file says about itself), `packaging`
(reproducible tar.gz and safe reading), `building` (index from patterns/), `sources/` (local
folder, HTTP index, OCI registry) and `pulling` (verified writes).
Callers: designer.cli.catalog and the benchmarks.
"""

from __future__ import annotations
