#!/usr/bin/env python3
"""Write designer/kubetypes/data/types.json: the shapes of every built-in kind a real kube-apiserver
serves, from its OpenAPI v3 and discovery documents.

    python scripts/kube-types.py [--kubeconfig FILE] [--check]

Without --kubeconfig a real control plane is started for the run (scripts/build-control-plane.sh
builds its binaries). --check compares instead of writing (exit 1 when the file is stale). The shapes
(fields, scalar types and enumerated values, required fields, list types and keys, atomic maps and
structs, patch strategies, which struct fields always exist) are what `design validate` checks
objects against and what the emulator's field validation, typed decoding, server-side apply and
strategic merge read (designer/kubetypes/shapes.py); descriptions are left out. Every resource kind
the server's discovery lists is recorded; the discovery entries themselves only for the kinds the
emulator serves (designer/sandbox/resources.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from designer.kubetypes.shapes import TYPES_FILE, schema_types  # noqa: E402
from designer.sandbox.resources import BUILTINS  # noqa: E402


def _documents(session: Any, url: str) -> dict[str, Any]:
    """Every schema the server's OpenAPI v3 group-version documents define, by name."""
    paths = session.get(f"{url}/openapi/v3", timeout=30).json()["paths"]
    schemas: dict[str, Any] = {}
    for path in sorted(paths):
        if path == "api/v1" or (path.startswith("apis/") and path.count("/") == 2):
            document = session.get(f"{url}/openapi/v3/{path}", timeout=60).json()
            schemas.update(document.get("components", {}).get("schemas", {}))
    return schemas


def generate(session: Any, url: str, version: str) -> dict[str, Any]:
    schemas = _documents(session, url)
    roots: dict[str, str] = {}
    for name, schema in schemas.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            roots.setdefault(f"{group_version} {gvk['kind']}", name)
    wanted = {f"{rt.group_version} {rt.kind}" for rt in BUILTINS} | _served(session, url)
    missing = sorted(wanted - set(roots))
    if missing:
        raise SystemExit(f"the server does not define {', '.join(missing)}")
    kinds = {key: roots[key] for key in sorted(wanted)}
    return {
        "source": f"kube-apiserver {version}, /openapi/v3 and discovery (scripts/kube-types.py)",
        "kinds": kinds,
        "discovery": _discovery(session, url),
        "types": schema_types(schemas, list(kinds.values())),
    }


def _group_versions(session: Any, url: str) -> list[str]:
    """Every group-version the server serves (each version of each group, not only the preferred)."""
    groups = session.get(f"{url}/apis", timeout=30).json()["groups"]
    return ["v1", *sorted(v["groupVersion"] for g in groups for v in g["versions"])]


def _served(session: Any, url: str) -> set[str]:
    """ "<group-version> <Kind>" of every resource the server serves (subresources left out)."""
    out: set[str] = set()
    for group_version in _group_versions(session, url):
        path = f"/api/{group_version}" if "/" not in group_version else f"/apis/{group_version}"
        for entry in session.get(f"{url}{path}", timeout=30).json()["resources"]:
            if "/" not in entry["name"]:
                out.add(f"{group_version} {entry['kind']}")
    return out


def _discovery(session: Any, url: str) -> dict[str, Any]:
    """The discovery entries of the emulator's resources and their subresources, by
    "<group-version> <name>" (verbs, short names, categories, storage version hashes)."""
    wanted = {(rt.group_version, rt.plural) for rt in BUILTINS}
    out: dict[str, Any] = {}
    for group_version in sorted({gv for gv, _ in wanted}):
        path = f"/api/{group_version}" if "/" not in group_version else f"/apis/{group_version}"
        for entry in session.get(f"{url}{path}", timeout=30).json()["resources"]:
            if (group_version, entry["name"].partition("/")[0]) in wanted:
                out[f"{group_version} {entry['name']}"] = entry
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kubeconfig", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    from tests.sandbox.fidelity.client import endpoint

    if args.kubeconfig is not None:
        target = endpoint("real", args.kubeconfig)
        made = generate(
            target.session, target.url, target.session.get(f"{target.url}/version").json()["gitVersion"]
        )
    else:
        from designer.sandbox.testing import real_control_plane

        with real_control_plane() as plane:
            assert plane.kubeconfig_path is not None
            target = endpoint("real", plane.kubeconfig_path)
            made = generate(
                target.session, target.url, target.session.get(f"{target.url}/version").json()["gitVersion"]
            )
    text = json.dumps(made, indent=1, sort_keys=True) + "\n"
    if args.check:
        current = TYPES_FILE.read_text() if TYPES_FILE.exists() else ""
        if current != text:
            sys.stderr.write(f"{TYPES_FILE.relative_to(ROOT)} is stale: run scripts/kube-types.py\n")
            return 1
        return 0
    TYPES_FILE.write_text(text)
    sys.stdout.write(
        f"wrote {TYPES_FILE.relative_to(ROOT)}: {len(made['types'])} types for {len(made['kinds'])} kinds\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
