"""The fixtures of the referential Gatekeeper tests (policy/fixtures/referential and the required-owner
template of policy/fixtures/gator), shared by tests/policy and tests/cluster."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
REFERENTIAL = FIXTURES / "referential"
DESIGN = REFERENTIAL / "design.yaml"
UNIQUE_HOST = [
    "--policy",
    str(REFERENTIAL / "unique-host-template.yaml"),
    "--policy",
    str(REFERENTIAL / "unique-host-constraint.yaml"),
]
PROD_PODS = [
    "--policy",
    str(FIXTURES / "gator" / "template.yaml"),
    "--policy",
    str(REFERENTIAL / "prod-pods-constraint.yaml"),
]
