"""The error for a design whose kinds the cluster does not serve: all of them at once, and what to install.

A design for a service mesh cannot be planned on a cluster without the mesh's CRDs (an Istio pattern
on a bare sandbox): instead of the first missing kind alone, the error lists every kind the server
lacks with the components that use it, and the hint names what to apply first: the mesh (an
IstioMesh or LinkerdMesh component installs it before the resources that need it, or the mesh's own
installer) for mesh API groups, the CRDs that define them otherwise. Raised by the planner
(designer.diffing.planner) for `design diff` and `design apply` (exit 3: the environment is wrong).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from designer.errors import ClusterError
from designer.kinds import MESH_INSTALL_KINDS, mesh_of_group

_MESH_NAMES = {"istio": "Istio", "linkerd": "Linkerd"}
_MESH_CLI = {"istio": "istioctl install", "linkerd": "linkerd install --crds | kubectl apply -f -"}

Missing = Mapping[tuple[str, str], Sequence[str]]  # (apiVersion, kind) -> components using it


def unserved_kinds_error(missing: Missing) -> ClusterError:
    """One error naming every (apiVersion, kind) in ``missing`` and what to install first."""
    listed = "; ".join(
        f"{kind} in {api_version} (used by {', '.join(sorted(set(components)))})"
        for (api_version, kind), components in sorted(missing.items())
    )
    count = len(missing)
    message = f"the cluster does not serve {count} kind{'s' if count != 1 else ''} this design uses: {listed}"
    meshes = sorted({mesh for api_version, _ in missing if (mesh := _mesh(api_version))})
    others = sorted({api_version for api_version, _ in missing if not _mesh(api_version)})
    hints = [_mesh_hint(mesh) for mesh in meshes]
    if others:
        hints.append(
            f"install the CRDs that define {', '.join(others)} (and wait until they are Established), "
            "or check apiVersion and kind"
        )
    return ClusterError(message, hint="; ".join(hints) + "; then run the command again")


def _mesh(api_version: str) -> str | None:
    group = api_version.rpartition("/")[0]
    return mesh_of_group(group) if group else None


def _mesh_hint(mesh: str) -> str:
    name = _MESH_NAMES.get(mesh, mesh)
    component = next((kind for kind, of in MESH_INSTALL_KINDS.items() if of == mesh), None)
    install = f"install {name} first: "
    if component is not None:
        article = "an" if component[0] in "AEIOU" else "a"
        install += (
            f"add {article} {component} component to the design (it installs {name}'s control plane and CRDs "
            "before the resources that need them; settings.installer: a manifest, helm or the mesh CLI), or "
        )
    return install + f"install it with `{_MESH_CLI.get(mesh, mesh)}`"
