"""``kind: AdmissionReview`` documents: admission requests written out, as Gatekeeper's users test with.

An AdmissionReview (``admission.k8s.io/v1`` or ``v1beta1``) does not describe an object to create: it
asks how the cluster's admission control would answer one request, with its operation (CREATE,
UPDATE, DELETE, CONNECT), the object and the old object, and who sends it (userInfo). `read_request`
checks the document the way ``gator verify`` converts it (unknown fields and wrong types are refused,
an object or oldObject is required, DELETE needs oldObject and reviews it as the object) and returns
the request as Gatekeeper serialises it into ``input.review``: the zero values Go writes for absent
required fields included (``uid: ""``, ``kind: {group, version, kind}``, ``resource``, ``operation``,
``userInfo: {}``), so a template sees the same input under designer as under Gatekeeper.

Callers: designer.loading.kubernetes (an AdmissionReview in a design becomes a component carrying the
request) and designer.policy.gator (suite cases whose object is an AdmissionReview).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from designer.errors import DesignError, Location
from designer.loading.hints import did_you_mean
from designer.loading.locating import locate_nearest

ADMISSION_GROUP = "admission.k8s.io"
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")

_STRINGS = ("uid", "subResource", "requestSubResource", "name", "namespace", "operation")
_KIND_KEYS = ("group", "version", "kind")
_RESOURCE_KEYS = ("group", "version", "resource")
_SHAPES: dict[str, tuple[str, ...]] = {
    "kind": _KIND_KEYS,
    "requestKind": _KIND_KEYS,
    "resource": _RESOURCE_KEYS,
    "requestResource": _RESOURCE_KEYS,
}
_REQUEST_KEYS = (*_STRINGS, *_SHAPES, "userInfo", "object", "oldObject", "dryRun", "options")
_USER_KEYS = ("username", "uid", "groups", "extra")
_TOP_KEYS = ("apiVersion", "kind", "request", "response")


def is_admission_review(value: Any) -> bool:
    """True for a document of kind AdmissionReview in the admission.k8s.io group."""
    if not isinstance(value, Mapping) or value.get("kind") != "AdmissionReview":
        return False
    return str(value.get("apiVersion", "")).partition("/")[0] == ADMISSION_GROUP


def read_request(value: Mapping[str, Any], node: yaml.Node | None, file: str, prefix: str) -> dict[str, Any]:
    """The review request of an AdmissionReview document, as Gatekeeper gives it to templates.

    ``node`` (the document's YAML node, when known) and ``prefix`` (its key path, e.g. ``document[0]``)
    place errors. Raises DesignError naming the file, line and key path of what is wrong.
    """
    checker = _Checker(node, file, prefix)
    checker.known_keys(value, _TOP_KEYS, "")
    request = value.get("request")
    if not isinstance(request, Mapping):
        raise checker.error(
            "request",
            "an AdmissionReview needs a `request` mapping (the admission request to review)",
            "write request: {operation: CREATE, object: {...}}, as the API server sends it",
        )
    checker.known_keys(request, _REQUEST_KEYS, "request")
    out: dict[str, Any] = {
        "uid": "",
        "kind": dict.fromkeys(_KIND_KEYS, ""),
        "resource": dict.fromkeys(_RESOURCE_KEYS, ""),
        "operation": "",
        "userInfo": {},
    }
    for key in _STRINGS:
        if request.get(key) is not None:
            out[key] = checker.string(request[key], f"request.{key}")
    for key, fields in _SHAPES.items():
        if request.get(key) is not None:
            out[key] = checker.shape(request[key], fields, f"request.{key}")
    if request.get("userInfo") is not None:
        out["userInfo"] = checker.user_info(request["userInfo"])
    for key in ("name", "namespace", "subResource", "requestSubResource"):
        if out.get(key) == "":
            del out[key]  # Go's omitempty
    if request.get("dryRun") is not None:
        if not isinstance(request["dryRun"], bool):
            raise checker.error("request.dryRun", "must be true or false")
        out["dryRun"] = request["dryRun"]
    if request.get("options") is not None:
        out["options"] = checker.mapping(request["options"], "request.options")
    operation = out["operation"]
    if operation and operation not in OPERATIONS:
        raise checker.error(
            "request.operation",
            f"operation {operation!r} is not one of {', '.join(OPERATIONS)}",
            did_you_mean(operation.upper(), OPERATIONS) or "operations are upper case",
        )
    for key in ("object", "oldObject"):
        if request.get(key) is not None:
            out[key] = checker.reviewed_object(request[key], f"request.{key}")
    if "object" not in out and "oldObject" not in out:
        raise checker.error(
            "request",
            'the AdmissionRequest has neither an "object" nor an "oldObject" to review',
            "add request.object (or request.oldObject for DELETE)",
        )
    if operation == "DELETE":
        if "oldObject" not in out:
            raise checker.error(
                "request.oldObject",
                "a DELETE request needs oldObject: the object being deleted",
                "move the object to request.oldObject, as the API server sends it since Kubernetes 1.15",
            )
        out["object"] = out["oldObject"]  # what Gatekeeper reviews on DELETE
    return out


def reviewed_key(document: Mapping[str, Any]) -> str:
    """``object`` or ``oldObject``: which key of the document's request holds the reviewed object."""
    written = document.get("request") or {}
    operation = written.get("operation")
    return "object" if written.get("object") is not None and operation != "DELETE" else "oldObject"


class _Checker:
    def __init__(self, node: yaml.Node | None, file: str, prefix: str) -> None:
        self.node = node
        self.file = file
        self.prefix = prefix

    def error(self, path: str, message: str, hint: str | None = None) -> DesignError:
        where = (
            locate_nearest(self.node, path, self.file) if self.node is not None else Location(self.file, 1)
        )
        full = f"{self.prefix}.{path}" if path else self.prefix
        return DesignError(
            message,
            location=where,
            path=full,
            hint=hint or "fix the AdmissionReview: its fields are those of Kubernetes' AdmissionRequest",
        )

    def known_keys(self, value: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                raise self.error(
                    where,
                    f"unknown field {key!r} in an AdmissionReview{' request' if path else ''}",
                    did_you_mean(str(key), allowed) or f"known fields: {', '.join(allowed)}",
                )

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"must be a string, not {type(value).__name__}")
        return value

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be a mapping, not {type(value).__name__}")
        return dict(value)

    def shape(self, value: Any, fields: tuple[str, ...], path: str) -> dict[str, str]:
        found = self.mapping(value, path)
        self.known_keys(found, fields, path)
        return {key: self.string(found.get(key, ""), f"{path}.{key}") for key in fields}

    def user_info(self, value: Any) -> dict[str, Any]:
        found = self.mapping(value, "request.userInfo")
        self.known_keys(found, _USER_KEYS, "request.userInfo")
        out: dict[str, Any] = {}
        for key in ("username", "uid"):
            if found.get(key):
                out[key] = self.string(found[key], f"request.userInfo.{key}")
        if found.get("groups"):
            groups = found["groups"]
            if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
                raise self.error("request.userInfo.groups", "must be a list of strings")
            out["groups"] = list(groups)
        if found.get("extra"):
            extra = self.mapping(found["extra"], "request.userInfo.extra")
            for key, items in extra.items():
                if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                    raise self.error(f"request.userInfo.extra.{key}", "must be a list of strings")
            out["extra"] = {str(k): list(v) for k, v in extra.items()}
        return out

    def reviewed_object(self, value: Any, path: str) -> dict[str, Any]:
        found = self.mapping(value, path)
        if not isinstance(found.get("kind"), str) or not found["kind"]:
            raise self.error(
                path, "the object has no kind", "write the object as it would reach the API server"
            )
        return found
