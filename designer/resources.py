"""Where the data shipped with designer lives: JSON Schemas, the built-in Rego library, patterns, catalog.

In a checkout these are the top-level schemas/, policies/, patterns/ and catalog/ folders; the package
reaches them through symlinks (designer/schemas, designer/policies, designer/patterns,
designer/catalog_data), which wheels store as real files.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def schemas_dir() -> Path:
    """The folder of JSON Schemas (schemas/)."""
    return _PACKAGE / "schemas"


def policies_dir() -> Path:
    """The built-in Rego library (policies/)."""
    return _PACKAGE / "policies"


def patterns_dir() -> Path:
    """The pattern library (patterns/)."""
    return _PACKAGE / "patterns"


def catalog_dir() -> Path:
    """The packaged catalog index and archives (catalog/)."""
    return _PACKAGE / "catalog_data"
