"""designer: a declarative design and policy engine for Kubernetes and service meshes."""

from __future__ import annotations

__version__ = "0.1.0"
