"""Just enough Kubernetes protobuf decoding for kubectl's imperative creates of simple kinds.

kubectl's typed clients (``kubectl create namespace|configmap|secret|serviceaccount``) send protobuf
bodies and do not fall back to JSON. This decodes the ``k8s\\x00`` envelope and the metadata (name,
generateName, namespace, labels, annotations) plus ConfigMap/Secret data of those kinds; everything
else is refused with 415 and a hint to use ``kubectl apply -f``. Used by server.py.
"""

from __future__ import annotations

import base64
from typing import Any

from designer.sandbox.status import ApiError

MAGIC = b"k8s\x00"
Fields = list[tuple[int, int | bytes]]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> Fields:
    out: Fields = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((number, value))
        elif wire == 2:
            length, pos = _varint(data, pos)
            out.append((number, data[pos : pos + length]))
            pos += length
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _text(fields: Fields, number: int) -> str | None:
    for n, v in fields:
        if n == number and isinstance(v, bytes):
            return v.decode()
    return None


def _map(fields: Fields, number: int, binary: bool = False) -> dict[str, str]:
    out = {}
    for n, v in fields:
        if n == number and isinstance(v, bytes):
            entry = _fields(v)
            key = _text(entry, 1) or ""
            raw = next((x for k, x in entry if k == 2 and isinstance(x, bytes)), b"")
            out[key] = base64.b64encode(raw).decode() if binary else raw.decode()
    return out


def _metadata(raw: bytes) -> dict[str, Any]:
    fields = _fields(raw)
    meta: dict[str, Any] = {}
    for key, number in (("name", 1), ("generateName", 2), ("namespace", 3)):
        value = _text(fields, number)
        if value:
            meta[key] = value
    for key, number in (("labels", 11), ("annotations", 12)):
        mapping = _map(fields, number)
        if mapping:
            meta[key] = mapping
    return meta


_SIMPLE_KINDS = frozenset({"Namespace", "ConfigMap", "Secret", "ServiceAccount"})


def decode(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded Namespace, ConfigMap, Secret or ServiceAccount."""
    try:
        if not body.startswith(MAGIC):
            raise ValueError("missing k8s protobuf envelope")
        envelope = _fields(body[len(MAGIC) :])
        type_meta = next((v for n, v in envelope if n == 1 and isinstance(v, bytes)), b"")
        raw = next((v for n, v in envelope if n == 2 and isinstance(v, bytes)), b"")
        meta_fields = _fields(type_meta)
        api_version, kind = _text(meta_fields, 1) or "", _text(meta_fields, 2) or ""
        if kind not in _SIMPLE_KINDS:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the sandbox cannot decode protobuf {kind or 'objects'}; accepted media types include: "
                "application/json (use `kubectl apply -f` or `kubectl create -f` with a manifest)",
            )
        fields = _fields(raw)
        obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {}}
        for n, v in fields:
            if n == 1 and isinstance(v, bytes):
                obj["metadata"] = _metadata(v)
        if kind == "ConfigMap":
            obj["data"] = _map(fields, 2)
            binary = _map(fields, 3, binary=True)
            if binary:
                obj["binaryData"] = binary
        elif kind == "Secret":
            obj["data"] = _map(fields, 2, binary=True)
            secret_type = _text(fields, 3)
            if secret_type:
                obj["type"] = secret_type
        return obj
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ApiError(400, "BadRequest", f"cannot decode the protobuf body: {exc}") from exc
