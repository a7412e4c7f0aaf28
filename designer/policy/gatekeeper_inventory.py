"""``data.inventory``: the objects that stand for the cluster, in the layout of Gatekeeper's sync.

Gatekeeper replicates cluster objects into OPA at ``data.inventory.cluster[<apiVersion>][<kind>][<name>]``
(cluster-scoped) and ``data.inventory.namespace[<namespace>][<apiVersion>][<kind>][<name>]``; referential
templates (unique ingress host, unique service selector, PodDisruptionBudget, HPA scale target …) read
them there. designer fills it from the design's own objects merged over the objects that stand for the
cluster: ``--inventory`` files (`read_inventory_files`: ``kubectl get -o yaml`` output, a List or any
multi-document YAML or JSON, files or folders), objects read from a live cluster
(designer.policy.gatekeeper_sync) and a gator suite case's ``inventory``. A design object replaces the
cluster object with the same key, as applying the design would.

Which namespace an object is filed under is the caller's rule (``namespace_of``): designer's is
`effective_namespace` (a namespaced kind without a namespace lands in ``default``, as kubectl would put
it); gator files what is written (no namespace: under ``cluster``).

Callers: designer.policy.gatekeeper (``design validate``), designer.policy.gator (``policy verify``),
designer.cli.validate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from designer.errors import DesignError, Location
from designer.loading.yamlnodes import Document, locate_nearest, read_documents
from designer.model import KubeObject
from designer.policy.gatekeeper_match import effective_namespace

INVENTORY_SUFFIXES = (".yaml", ".yml", ".json")

NamespaceRule = Callable[[Mapping[str, Any]], str]


def written_namespace(obj: Mapping[str, Any]) -> str:
    """gator's rule: the namespace written on the object, '' when none (filed as cluster-scoped)."""
    return str((obj.get("metadata") or {}).get("namespace") or "")


def build_inventory(
    objects: Iterable[Mapping[str, Any]], namespace_of: NamespaceRule = effective_namespace
) -> dict[str, Any]:
    """``data.inventory`` for ``objects``; a later object replaces an earlier one with the same key."""
    cluster: dict[str, Any] = {}
    namespaced: dict[str, Any] = {}
    for obj in objects:
        api_version = str(obj.get("apiVersion", ""))
        kind = str(obj.get("kind", ""))
        name = str((obj.get("metadata") or {}).get("name", ""))
        namespace = namespace_of(obj)
        root = namespaced.setdefault(namespace, {}) if namespace else cluster
        root.setdefault(api_version, {}).setdefault(kind, {})[name] = obj
    return {"cluster": cluster, "namespace": namespaced}


def namespaces_by_name(objects: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The Namespace objects among ``objects``, by name (later ones win), for namespaceSelector."""
    return {
        str((obj.get("metadata") or {}).get("name", "")): obj
        for obj in objects
        if obj.get("kind") == "Namespace" and "/" not in str(obj.get("apiVersion", "v1"))
    }


def read_inventory_files(paths: Sequence[Path]) -> list[KubeObject]:
    """The objects in ``paths`` (files, or folders searched for .yaml/.yml/.json), in a stable order.

    Raises DesignError at the file and line of an unreadable file or of an object without apiVersion,
    kind or metadata.name.
    """
    objects: list[KubeObject] = []
    for root in paths:
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in INVENTORY_SUFFIXES)
            if not files:
                raise DesignError(
                    "inventory folder holds no .yaml, .yml or .json file",
                    location=Location(str(root), 1),
                    hint="pass `kubectl get <kinds> -A -o yaml` output, or a folder of such files",
                )
        elif root.is_file():
            files = [root]
        else:
            raise DesignError(
                "no such inventory file or folder", location=Location(str(root), 1), hint="check --inventory"
            )
        for file in files:
            objects.extend(read_inventory_file(file))
    return objects


def read_inventory_file(path: Path) -> list[KubeObject]:
    """The objects of one file: documents in order, List items flattened."""
    objects: list[KubeObject] = []
    for doc in read_documents(path):
        objects.extend(_objects(doc.value, doc, f"document[{doc.index}]"))
    return objects


def _objects(value: Any, doc: Document, path: str) -> list[KubeObject]:
    if isinstance(value, dict) and str(value.get("kind", "")).endswith("List") and "items" in value:
        items = value["items"] or []
        if not isinstance(items, list):
            raise _error(doc, f"{path}.items", "a List's items must be a list of objects")
        found: list[KubeObject] = []
        for index, item in enumerate(items):
            found.extend(_objects(item, doc, f"{path}.items[{index}]"))
        return found
    if not isinstance(value, dict):
        raise _error(
            doc, path, f"an inventory document must be a Kubernetes object, not a {type(value).__name__}"
        )
    for key in ("apiVersion", "kind"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise _error(doc, f"{path}.{key}", f"the object has no {key}")
    meta = value.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise _error(doc, f"{path}.metadata.name", f"the {value['kind']} has no metadata.name")
    return [value]


def _error(doc: Document, path: str, message: str) -> DesignError:
    relative = path.removeprefix(f"document[{doc.index}]").removeprefix(".")
    where = locate_nearest(doc.node, relative, doc.file)
    return DesignError(
        message,
        location=where,
        path=path,
        hint="inventory files hold Kubernetes objects as `kubectl get -o yaml` prints them",
    )
