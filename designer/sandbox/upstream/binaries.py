"""Finding the upstream control-plane programs: etcd, kube-apiserver and kube-controller-manager.

Looked up, first match wins: the folder given (``--binaries``), ``$KUBEBUILDER_ASSETS`` (envtest's
variable), the newest version in designer's cache (what scripts/build-control-plane.sh builds, in
``<version>/bin``), the newest in setup-envtest's own folder. A folder's ``bin`` counts as the folder. envtest ships no kube-controller-manager: without it the control
plane runs but no controller does (Deployments never become Available), and `Binaries` says so.
Caller: designer.sandbox.upstream.controlplane, the CLI (`design sandbox up --engine kube-apiserver`)
and the test fixtures.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from designer import statepaths
from designer.errors import ClusterError

REQUIRED = ("etcd", "kube-apiserver")
OPTIONAL = ("kube-controller-manager",)
BUILD_HINT = "build them with scripts/build-control-plane.sh (needs Go), or point --binaries or KUBEBUILDER_ASSETS at envtest's binaries"


@dataclass(frozen=True, slots=True)
class Binaries:
    """The programs of one control plane; ``controller_manager`` is None when the folder has none."""

    folder: Path
    etcd: Path
    apiserver: Path
    controller_manager: Path | None


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.name)[:3])


def _holder(folder: Path) -> Path | None:
    """``folder`` or its ``bin`` when it holds the required programs."""
    for candidate in (folder, folder / "bin"):
        if all(os.access(candidate / n, os.X_OK) for n in REQUIRED):
            return candidate
    return None


def _newest(parent: Path) -> Path | None:
    if not parent.is_dir():
        return None
    folders = [(p, held) for p in parent.iterdir() if p.is_dir() and (held := _holder(p)) is not None]
    return max(folders, key=lambda pair: _version_key(pair[0]), default=(None, None))[1]


def cache_folder(cache: Path | None = None) -> Path:
    """Where scripts/build-control-plane.sh puts its builds (one subfolder per version)."""
    return (cache or statepaths.cache_dir()) / "control-plane"


def envtest_folder() -> Path:
    """setup-envtest's default store of downloaded versions (``k8s/<version>-<os>-<arch>``)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "kubebuilder-envtest" / "k8s"


def candidates(explicit: Path | None, cache: Path | None = None, envtest: Path | None = None) -> list[Path]:
    """The folders tried, in order (``cache`` and ``envtest`` replace the default folders)."""
    if explicit is not None:
        return [explicit]
    found: list[Path] = []
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets:
        found.append(Path(assets))
    for newest in (_newest(cache_folder(cache)), _newest(envtest or envtest_folder())):
        if newest is not None:
            found.append(newest)
    return found


def find(explicit: Path | None = None, *, cache: Path | None = None, envtest: Path | None = None) -> Binaries:
    """The binaries to run, or a ClusterError that says where they were looked for and how to get them."""
    tried = candidates(explicit, cache, envtest)
    for given in tried:
        folder = _holder(given)
        if folder is None and explicit is not None:
            missing = [n for n in REQUIRED if not os.access(given / n, os.X_OK)]
            raise ClusterError(f"{given} has no executable {' or '.join(missing)}", hint=BUILD_HINT)
        if folder is not None:
            manager = folder / OPTIONAL[0]
            return Binaries(
                folder.resolve(),
                (folder / "etcd").resolve(),
                (folder / "kube-apiserver").resolve(),
                manager.resolve() if os.access(manager, os.X_OK) else None,
            )
    where = ", ".join(str(p) for p in tried) or f"{cache_folder(cache)} (empty)"
    raise ClusterError(f"no etcd and kube-apiserver binaries found (looked in {where})", hint=BUILD_HINT)
