"""The shapes of Kubernetes objects: which fields a kind has, their types, and how lists and maps merge.

A real kube-apiserver knows every field of its built-in kinds (from their Go types, published as
OpenAPI) and of custom resources (from the CRD's structural schema). It uses that to drop and warn
about unknown fields, refuse values of the wrong type, and decide how server-side apply and strategic
merge treat each list and map. designer reads the same facts: data/types.json holds the shapes of
every kind a real server serves, written from its OpenAPI v3 and discovery documents by
scripts/kube-types.py (the sandbox's fidelity suite checks it is current), and `for_crd` builds a
custom resource's shape from its schema.

A shape is a scalar (``string``, ``int32``, ``int64``, ``integer``, ``number``, ``boolean``, ``byte``
(base64), ``int-or-string``, ``quantity``, ``date-time``; a string may list its allowed values),
``any`` (kept as sent), a struct (named fields, the required ones; ``atomic`` when it is replaced as
a whole), a list (``atomic``, ``set`` or ``map`` with its key fields; the strategic merge key and
strategy) or a map (string keys; ``atomic`` or granular).

A leaf of designer: it imports nothing of designer's, so the loaders (designer.kubetypes.conformance,
through designer.loading.apifields) and the sandbox (fieldsets, apply, patching, fieldcheck,
resources, discovery) share it without either importing the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import orjson

TYPES_FILE = Path(__file__).resolve().parent / "data" / "types.json"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_SCALARS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "date-time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "date-time",
}
_GO_SCALARS = {
    "string": "string",
    "int32": "int32",
    "int64": "int64",
    "integer": "int64",
    "number": "float64",
    "boolean": "bool",
    "byte": "[]uint8",
    "int-or-string": "int32",
    "quantity": "resource.Quantity",
    "date-time": "v1.Time",
}
Compact = dict[str, Any]
_ZERO: dict[str, Any] = {"string": "", "int32": 0, "int64": 0, "integer": 0, "boolean": False, "number": 0}


# -- OpenAPI -> compact form (the generator, and CRD schemas at runtime) ---------------------------


def _ref_name(schema: Mapping[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf") or []) == 1:
        ref = schema["allOf"][0].get("$ref")
    return str(ref).rpartition("/")[2] if ref else None


def _scalar(schema: Mapping[str, Any]) -> str | None:
    if schema.get("x-kubernetes-int-or-string") or schema.get("format") == "int-or-string":
        return "int-or-string"
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "string":
        return "byte" if fmt == "byte" else ("date-time" if fmt == "date-time" else "string")
    if kind == "integer":
        return fmt if fmt in ("int32", "int64") else "integer"
    if kind in ("number", "boolean"):
        return str(kind)
    return None


def compact(schema: Mapping[str, Any], named: Mapping[str, Any] | None = None) -> Compact:
    """One OpenAPI schema node in compact form; ``named`` holds the documents' components."""
    ref = _ref_name(schema)
    if ref is not None:
        if ref in _SCALARS:
            return {"s": _SCALARS[ref]}
        target = (named or {}).get(ref, {})
        if not target.get("properties") and target.get("type") in ("object", None):
            return {"s": "any"}
        return {"ref": ref}
    if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties"):
        return {"s": "any"}
    scalar = _scalar(schema)
    if scalar is not None:
        out: Compact = {"s": scalar}
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            out["e"] = list(schema["enum"])
        return out
    if schema.get("type") == "array" or "items" in schema:
        out = {"list": compact(schema.get("items") or {}, named)}
        list_type = schema.get("x-kubernetes-list-type", "atomic")
        out["type"] = list_type
        if list_type == "map":
            out["keys"] = list(schema.get("x-kubernetes-list-map-keys") or [])
        _patch(schema, out)
        return out
    if "properties" in schema:
        return {"struct": struct(schema, named)}
    if isinstance(schema.get("additionalProperties"), dict):
        out = {"map": compact(schema["additionalProperties"], named)}
        if schema.get("x-kubernetes-map-type") == "atomic":
            out["atomic"] = True
        return out
    return {"s": "any"}


def _patch(schema: Mapping[str, Any], out: Compact) -> None:
    if schema.get("x-kubernetes-patch-merge-key"):
        out["merge"] = schema["x-kubernetes-patch-merge-key"]
    if schema.get("x-kubernetes-patch-strategy"):
        out["strategy"] = schema["x-kubernetes-patch-strategy"]


def struct(schema: Mapping[str, Any], named: Mapping[str, Any] | None = None) -> Compact:
    """A struct's fields; ``zero`` marks non-pointer struct fields (``default: {}``), which exist in
    a newly made object (so an Update that fills them in owns only their contents)."""
    fields: Compact = {}
    for name, field_schema in sorted((schema.get("properties") or {}).items()):
        shape = compact(field_schema, named)
        if field_schema.get("default") == {} and ("ref" in shape or "struct" in shape):
            shape["zero"] = True
        _patch(field_schema, shape)
        fields[name] = shape
    out: Compact = {"fields": fields}
    if schema.get("required"):
        out["required"] = sorted(schema["required"])
    if schema.get("x-kubernetes-map-type") == "atomic":
        out["atomic"] = True
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        out["open"] = True
    return out


def schema_types(schemas: Mapping[str, Any], roots: Iterable[str]) -> dict[str, Compact]:
    """The compact form of ``roots`` and every type they reach, by OpenAPI name."""
    out: dict[str, Compact] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in out:
            continue
        out[name] = struct(schemas[name], schemas)
        pending.extend(_refs(out[name]))
    return dict(sorted(out.items()))


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        if "ref" in node:
            yield node["ref"]
        for value in node.values():
            yield from _refs(value)


# -- the runtime model -----------------------------------------------------------------------------


def _kind_of(data: Compact) -> str:
    if "s" in data:
        return "any" if data["s"] == "any" else "scalar"
    if "list" in data:
        return "list"
    if "map" in data:
        return "map"
    return "struct"


class Shape:
    """One node of an object's shape (see the module docstring); children are built on first use."""

    __slots__ = ("_children", "_raw", "_registry", "data", "enum", "kind", "name", "scalar")

    def __init__(self, data: Compact, registry: Registry, name: str = "") -> None:
        self.data = data
        self.name = name  # the OpenAPI type name of a struct ("io.k8s.api.apps.v1.DeploymentSpec")
        self._registry = registry
        self._children: dict[str, Shape | None] = {}
        self._raw: Compact | None = None  # a struct's fields and facts, looked up once
        self.kind: str = _kind_of(data)
        """``scalar``, ``any``, ``list``, ``map`` or ``struct``."""
        self.scalar: str = str(data.get("s", ""))
        """A scalar's type (``string``, ``int32``, ``quantity``, …); empty for the other kinds."""
        self.enum: tuple[Any, ...] = tuple(data["e"]) if "e" in data else ()
        """The values a scalar may take, when its schema lists them (empty: any value of its type)."""

    @property
    def atomic(self) -> bool:
        """Replaced as a whole by apply (a struct or map marked atomic, or a list of type atomic)."""
        if "list" in self.data:
            return bool(self.data.get("type", "atomic") == "atomic")
        if "map" in self.data or "s" in self.data:
            return bool(self.data.get("atomic"))
        return bool(self.data.get("atomic") or self._struct().get("atomic"))

    @property
    def list_type(self) -> str:
        return str(self.data.get("type", "atomic"))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.data.get("keys") or ())

    @property
    def merge_key(self) -> str:
        return str(self.data.get("merge", ""))

    @property
    def patch_strategy(self) -> str:
        return str(self.data.get("strategy", ""))

    @property
    def zero(self) -> bool:
        """A non-pointer struct field: present (empty) in a freshly made object."""
        return bool(self.data.get("zero"))

    @property
    def open(self) -> bool:
        """A struct that keeps fields it does not declare (x-kubernetes-preserve-unknown-fields)."""
        return bool(self.data.get("open") or (self.kind == "struct" and self._struct().get("open")))

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self._struct().get("required") or ())

    @property
    def go_name(self) -> str:
        """The Go struct's name, as decoding errors print it (``DeploymentSpec``)."""
        return self.name.rpartition(".")[2] if self.name else ""

    def go_type(self) -> str:
        """The Go type as decoding errors print it (``int32``, ``[]v1.Container``, ``map[string]string``)."""
        kind = self.kind
        if kind == "scalar":
            return _GO_SCALARS.get(self.scalar, self.scalar)
        if kind == "list":
            item = self.item
            return "[]" + (item.go_type() if item is not None else "interface {}")
        if kind == "map":
            value = self.value
            return "map[string]" + (value.go_type() if value is not None else "interface {}")
        if kind == "struct" and self.name:
            package, _, type_name = self.name.rpartition(".")
            return f"{package.rpartition('.')[2]}.{type_name}"
        return "interface {}"

    # what it holds
    def _struct(self) -> Compact:
        raw = self._raw
        if raw is None:
            if "ref" in self.data:
                raw = self._registry.raw(self.data["ref"])
            else:
                raw = self.data.get("struct") or {}
            self._raw = raw
        return raw

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self._struct().get("fields") or ())

    def field(self, name: str) -> Shape | None:
        """A struct's field (None when it has no such field)."""
        if name not in self._children:
            raw = (self._struct().get("fields") or {}).get(name)
            self._children[name] = self._registry.shape(raw) if raw is not None else None
        return self._children[name]

    @property
    def item(self) -> Shape | None:
        if "list" not in self.data:
            return None
        if "[]" not in self._children:
            self._children["[]"] = self._registry.shape(self.data["list"])
        return self._children["[]"]

    @property
    def value(self) -> Shape | None:
        if "map" not in self.data:
            return None
        if "{}" not in self._children:
            self._children["{}"] = self._registry.shape(self.data["map"])
        return self._children["{}"]

    def child(self, name: str) -> Shape | None:
        """The shape under ``name``: a struct's field or a map's value (lists are stepped through)."""
        node: Shape | None = self
        while node is not None and node.kind == "list":
            node = node.item
        if node is None:
            return None
        if node.kind == "map":
            return node.value
        if node.kind == "struct":
            return node.field(name)
        return None

    def at(self, names: Iterable[str]) -> Shape | None:
        """The shape at a path of field names (list items and map keys stepped through)."""
        node: Shape | None = self
        for name in names:
            if node is None:
                return None
            node = node.child(name)
        return node


class Registry:
    """Named struct types and the shapes made from them (shared, built once)."""

    def __init__(self, types: Mapping[str, Compact]) -> None:
        self._types = types
        self._named: dict[str, Shape] = {}

    def raw(self, name: str) -> Compact:
        """A named struct's compact form (shared: read it, never change it)."""
        return self._types.get(name) or {"fields": {}}

    def named(self, name: str) -> Shape:
        if name not in self._named:
            self._named[name] = Shape({"ref": name}, self, name)
        return self._named[name]

    def shape(self, data: Compact) -> Shape:
        if "ref" in data and set(data) <= {"ref"}:
            return self.named(data["ref"])
        return Shape(data, self, data.get("ref", ""))


def fill_zero(obj: Any, shape: Shape | None) -> None:
    """Add what a typed object always serializes, in place: its empty non-pointer structs
    (``status: {}``, a pod template's ``metadata: {}``, a container's ``resources: {}``) and the zero
    values of its required scalars (a new CRD's ``acceptedNames: {kind: "", plural: ""}``)."""
    if shape is None or not isinstance(obj, dict | list):
        return
    kind = shape.kind
    if kind == "list":
        item = shape.item
        if item is not None and item.kind == "struct" and isinstance(obj, list):
            for entry in obj:
                fill_zero(entry, item)
        return
    if kind != "struct" or not isinstance(obj, dict):
        return
    for name in shape.required:  # a non-omitempty scalar is serialized with its zero value
        child = shape.field(name)
        if name not in obj and child is not None and child.scalar in _ZERO:
            obj[name] = _ZERO[child.scalar]
    for name in shape.field_names:
        child = shape.field(name)
        if child is None:
            continue
        if child.zero and not isinstance(obj.get(name), dict):
            if name in obj and obj[name] is not None:
                continue  # a wrong type: decoding refuses it elsewhere
            obj[name] = {}
        if name in obj and child.kind in ("struct", "list"):
            fill_zero(obj[name], child)


@cache
def _document() -> dict[str, Any]:
    return dict(orjson.loads(TYPES_FILE.read_bytes()))


@cache
def _builtin() -> tuple[dict[str, str], Registry]:
    document = _document()
    return dict(document["kinds"]), Registry(document["types"])


@cache
def _served() -> dict[str, frozenset[str]]:
    by_group_version: dict[str, set[str]] = {}
    for key in _builtin()[0]:
        group_version, _, kind = key.partition(" ")
        by_group_version.setdefault(group_version, set()).add(kind)
    return {gv: frozenset(kinds) for gv, kinds in by_group_version.items()}


def served_kinds(group_version: str) -> frozenset[str] | None:
    """The kinds the real server serves in a built-in group-version (``apps/v1``), or None when it
    serves no such group-version (a custom resource's, or one it removed or never enabled)."""
    return _served().get(group_version)


def builtin_groups() -> frozenset[str]:
    """The API groups of the built-in kinds (``""`` for the core group)."""
    return frozenset(gv.rpartition("/")[0] for gv in _served())


def kubernetes_version() -> str:
    """The Kubernetes release the shapes were recorded from (``v1.37.2``)."""
    source = str(_document().get("source", ""))
    return source.removeprefix("kube-apiserver ").partition(",")[0] or "unknown"


def discovery_entry(group_version: str, name: str) -> dict[str, Any] | None:
    """A built-in resource's (or subresource's, ``deployments/status``) entry in the real server's
    discovery document, as recorded in data/types.json."""
    entry = _document().get("discovery", {}).get(f"{group_version} {name}")
    return dict(entry) if entry else None


def for_kind(group_version: str, kind: str) -> Shape | None:
    """The shape of a built-in kind (None when data/types.json does not know it)."""
    kinds, registry = _builtin()
    name = kinds.get(f"{group_version} {kind}")
    return registry.named(name) if name else None


def object_meta() -> Shape:
    """The shape of every object's ``metadata`` (ObjectMeta)."""
    return _builtin()[1].named(OBJECT_META)


def for_crd(schema: Mapping[str, Any] | None) -> Shape:
    """A custom resource's shape from its version's ``openAPIV3Schema``; metadata is ObjectMeta."""
    _, registry = _builtin()
    root: Compact = struct(schema) if schema else {"fields": {}, "open": True}
    fields: Compact = dict(root.get("fields") or {})
    fields["apiVersion"] = {"s": "string"}
    fields["kind"] = {"s": "string"}
    fields["metadata"] = {"ref": OBJECT_META}
    root["fields"] = fields
    return Shape({"struct": root}, registry)
