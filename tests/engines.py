"""Which Rego engines a test runs on, and the ``opa`` binary the opa engine needs.

``ENGINES`` parametrizes a test over both engines; `require` returns the engine's name once it can
run: regorus always, opa when the ``opa`` binary is on PATH (outside CI the test is skipped with a
reason naming scripts/build-opa.sh; under CI it fails: .ci/run builds OPA and puts it on PATH).
"""

from __future__ import annotations

from designer.policy.engine import ENGINES, EngineName
from tests import requirements

OPA_INSTALL = "run scripts/build-opa.sh and put the folder it prints on PATH"

__all__ = ["ENGINES", "opa_binary", "require"]


def opa_binary() -> str:
    """The ``opa`` on PATH, or skip/fail the test saying how to build it."""
    return requirements.executable("opa", install=OPA_INSTALL)


def require(engine: EngineName) -> EngineName:
    """``engine`` once what it needs is there."""
    if engine == "opa":
        opa_binary()
    return engine
