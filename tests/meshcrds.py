"""The real service-mesh CRDs for the tests: Istio's and the Gateway API's, as scripts/fetch-mesh-crds.sh
fetches them from the Go modules upstream/mesh-crds pins (never committed into the repository).

Looked up in ``DESIGNER_TEST_MESH_CRDS`` (a folder the script filled), else in designer's cache where the
script puts them by default (``mesh-crds/istio-<version>_gateway-api-<version>``, the versions read from
upstream/mesh-crds/go.mod, so a checkout finds the CRDs of its own pins). `required` skips a test that
needs them outside CI, with how to get them, and fails it under CI (tests.requirements).

The simplified test meshes in tests/fixtures/meshes stay for what is about designer's own installer flow
(istiod.yaml: a Deployment, its ServiceAccount and Service); `istio_control_plane` pairs it with the real
CRDs when they are there, else with the small stand-ins beside it. Linkerd keeps its stand-in CRDs: its
Go module is not served by the Go module proxy (README, "Real mesh CRDs").
Callers: tests/conftest.py (the ``mesh_crds`` fixture), tests/applying, tests/adapters.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from designer import statepaths
from tests import requirements

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "upstream" / "mesh-crds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meshes"
ENV_FOLDER = "DESIGNER_TEST_MESH_CRDS"
HOW = "run scripts/fetch-mesh-crds.sh (needs Go and the Go module proxy; .ci/run runs it)"
_USER_CACHE = statepaths.cache_dir()  # read at import, before conftest points XDG_CACHE_HOME elsewhere


@dataclass(frozen=True, slots=True)
class MeshCrds:
    """A folder scripts/fetch-mesh-crds.sh filled."""

    folder: Path

    @property
    def istio(self) -> Path:
        """Istio's CRDs, all in one file (istio.io/api's customresourcedefinitions.gen.yaml)."""
        return self.folder / "istio" / "crds.yaml"

    def gateway_api(self, channel: str = "standard") -> list[Path]:
        """The Gateway API's CRD files of one release channel (its admission policy file left out)."""
        return sorted(
            p for p in (self.folder / "gateway-api" / channel).glob("*.yaml") if "_vap_" not in p.name
        )

    @property
    def complete(self) -> bool:
        return self.istio.is_file() and bool(self.gateway_api())


def pinned_versions() -> dict[str, str]:
    """The module versions upstream/mesh-crds/go.mod requires (``istio.io/api`` → ``v1.32.0``)."""
    text = (MODULE / "go.mod").read_text(encoding="utf-8")
    return dict(re.findall(r"^\s*(?:require\s+)?(\S+\.\S+/\S+)\s+(v\S+)", text, re.MULTILINE))


def default_folder() -> Path:
    """Where the script puts the pinned versions' CRDs by default."""
    versions = pinned_versions()
    name = f"istio-{versions['istio.io/api']}_gateway-api-{versions['sigs.k8s.io/gateway-api']}"
    return _USER_CACHE / "mesh-crds" / name


def find() -> MeshCrds | None:
    """The real CRDs, or None when they have not been fetched."""
    explicit = os.environ.get(ENV_FOLDER)
    found = MeshCrds(Path(explicit) if explicit else default_folder())
    return found if found.complete else None


def required() -> MeshCrds:
    """`find`, or skip (fail under CI) with how to get them."""
    found = find()
    if found is None:
        where = os.environ.get(ENV_FOLDER) or default_folder()
        requirements.missing(f"the real Istio and Gateway API CRDs are not in {where}: {HOW}")
    return found


def istio_control_plane(directory: Path) -> Path:
    """A manifest folder for an IstioMesh installer: the test istiod (tests/fixtures/meshes/istio) and
    Istio's real CRDs when fetched, else the stand-ins beside it. Made in ``directory`` (links)."""
    folder = directory / "istio-control-plane"
    folder.mkdir(parents=True, exist_ok=True)
    real = find()
    crds = real.istio if real is not None else FIXTURES / "istio" / "crds.yaml"
    for name, target in (("crds.yaml", crds), ("istiod.yaml", FIXTURES / "istio" / "istiod.yaml")):
        link = folder / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return folder
