"""Catalog sources: where packaged designs are listed, pulled from and pushed to.

`base` holds the CatalogSource protocol and the verified fetch every source shares; `directory`
(a local folder: catalog/ itself), `http` (a read-only index served over HTTP, like a Helm
repository) and `oci` (an OCI registry, through oras) implement it; `config` maps source names to
URLs in the user's config file and opens them. Callers: designer.cli.catalog, tests, benchmarks.
"""

from __future__ import annotations
