"""What a real API server's typed decoding refuses (400 BadRequest) before any validation runs.

kube-apiserver decodes a built-in object into its Go struct: a field of the wrong JSON type (a
number where a string belongs, ``replicas: "3"``, an env value of ``8080``, a label value of
``true``) or a Secret's ``data`` value that is not base64 fails the decoding, and the request is
refused as ``<Kind> in version "<v>" cannot be handled as a <Kind>: …``. The emulator used to store
such objects (issue 13.7). Custom resources are decoded from their schema, so only their metadata is
typed here. The table covers the fields designs set most, not every field of every kind: the
differential suite against a real kube-apiserver finds the rest. Called by `Api.commit` before
defaults are applied (defaulting would hide the wrong types).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from designer.quantities import parse_quantity
from designer.sandbox.listsemantics import item_key, list_type
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import ApiError

Check = Callable[[Any], str | None]  # None when the value decodes, else why not (Go's wording)

_QUANTITY_TEXT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "string"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "bool"


def _integer(bits: tuple[int, int], name: str) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not bits[0] <= value <= bits[1]:
            return name
        return None

    return check


def _int_or_string(value: Any) -> str | None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return None
    return "intstr.IntOrString"


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _base64(value: Any) -> str | None:
    if not isinstance(value, str):
        return "[]uint8"
    compact = value.replace("\r", "").replace("\n", "")  # Go's decoder skips line breaks
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(value) if c not in _ALPHABET and c not in "\r\n"), None)
        return f"base64:{bad if bad is not None else len(value)}"
    return None


def _quantity(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    return None if isinstance(value, str) and parse_quantity(value) is not None else "quantity"


INT32 = _integer(_INT32, "int32")
INT64 = _integer(_INT64, "int64")
STRING: Check = _string
BOOL: Check = _boolean
INT_OR_STRING: Check = _int_or_string
BASE64: Check = _base64
QUANTITY: Check = _quantity

# Paths: dotted; ``[]`` = every item of a list, ``{}`` = every value of a map.
METADATA: dict[str, Check] = {
    "metadata.name": STRING,
    "metadata.generateName": STRING,
    "metadata.namespace": STRING,
    "metadata.labels.{}": STRING,
    "metadata.annotations.{}": STRING,
    "metadata.finalizers.[]": STRING,
}

_CONTAINER: dict[str, Check] = {
    "name": STRING,
    "image": STRING,
    "imagePullPolicy": STRING,
    "command.[]": STRING,
    "args.[]": STRING,
    "workingDir": STRING,
    "env.[].name": STRING,
    "env.[].value": STRING,
    "ports.[].containerPort": INT32,
    "ports.[].hostPort": INT32,
    "ports.[].name": STRING,
    "ports.[].protocol": STRING,
    "resources.limits.{}": QUANTITY,
    "resources.requests.{}": QUANTITY,
}

_POD_SPEC: dict[str, Check] = {
    **{f"containers.[].{k}": v for k, v in _CONTAINER.items()},
    **{f"initContainers.[].{k}": v for k, v in _CONTAINER.items()},
    "serviceAccountName": STRING,
    "nodeSelector.{}": STRING,
    "terminationGracePeriodSeconds": INT64,
    "activeDeadlineSeconds": INT64,
    "restartPolicy": STRING,
    "hostNetwork": BOOL,
    "automountServiceAccountToken": BOOL,
}


def _under(prefix: str, table: dict[str, Check]) -> dict[str, Check]:
    return {f"{prefix}.{path}": check for path, check in table.items()}


_TEMPLATE = {"spec.template.metadata.labels.{}": STRING, **_under("spec.template.spec", _POD_SPEC)}

KINDS: dict[str, dict[str, Check]] = {
    "Secret": {"data.{}": BASE64, "stringData.{}": STRING, "type": STRING, "immutable": BOOL},
    "ConfigMap": {"data.{}": STRING, "binaryData.{}": BASE64, "immutable": BOOL},
    "Pod": _under("spec", _POD_SPEC),
    "Deployment": {
        "spec.replicas": INT32,
        "spec.minReadySeconds": INT32,
        "spec.revisionHistoryLimit": INT32,
        "spec.progressDeadlineSeconds": INT32,
        "spec.paused": BOOL,
        "spec.selector.matchLabels.{}": STRING,
        **_TEMPLATE,
    },
    "StatefulSet": {
        "spec.replicas": INT32,
        "spec.serviceName": STRING,
        "spec.selector.matchLabels.{}": STRING,
        **_TEMPLATE,
    },
    "DaemonSet": {"spec.minReadySeconds": INT32, "spec.selector.matchLabels.{}": STRING, **_TEMPLATE},
    "ReplicaSet": {"spec.replicas": INT32, "spec.selector.matchLabels.{}": STRING, **_TEMPLATE},
    "Job": {
        "spec.parallelism": INT32,
        "spec.completions": INT32,
        "spec.backoffLimit": INT32,
        "spec.activeDeadlineSeconds": INT64,
        "spec.ttlSecondsAfterFinished": INT32,
        **_TEMPLATE,
    },
    "CronJob": {
        "spec.schedule": STRING,
        "spec.suspend": BOOL,
        "spec.successfulJobsHistoryLimit": INT32,
        "spec.failedJobsHistoryLimit": INT32,
        **_under("spec.jobTemplate.spec.template.spec", _POD_SPEC),
    },
    "Service": {
        "spec.type": STRING,
        "spec.selector.{}": STRING,
        "spec.ports.[].port": INT32,
        "spec.ports.[].targetPort": INT_OR_STRING,
        "spec.ports.[].nodePort": INT32,
        "spec.ports.[].name": STRING,
        "spec.ports.[].protocol": STRING,
    },
    "Namespace": {},
    "ServiceAccount": {"automountServiceAccountToken": BOOL},
    "PersistentVolumeClaim": {"spec.resources.requests.{}": QUANTITY, "spec.accessModes.[]": STRING},
}


def _values(obj: Any, parts: list[str], trail: str) -> list[tuple[str, Any]]:
    """(path, value) for every value at ``parts`` under ``obj`` that is present."""
    if not parts:
        return [(trail, obj)]
    head, rest = parts[0], parts[1:]
    found: list[tuple[str, Any]] = []
    if head == "[]":
        if isinstance(obj, list):
            for item in obj:
                found += _values(item, rest, trail)
    elif head == "{}":
        if isinstance(obj, dict):
            for key, item in obj.items():
                found += _values(item, rest, f"{trail}[{key}]")
    elif isinstance(obj, dict) and head in obj and obj[head] is not None:
        found += _values(obj[head], rest, f"{trail}.{head}" if trail else head)
    return found


class DecodingError(ApiError):
    """``obj`` does not decode into its kind's type: a 400 for create, update and patch.

    Server-side apply meets the same mistakes elsewhere (structured-merge-diff types the applied
    configuration first) and kube-apiserver 1.37 answers those with a 500 (kubernetes/kubernetes
    #139253): `for_apply` gives that answer, so clients are tested against what they will meet.
    """

    def __init__(self, rt: ResourceType, obj: dict[str, Any], path: str, value: Any, wanted: str) -> None:
        prefix = f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}'
        if wanted.startswith("base64:"):  # Go's wording names the offset, not the field
            message = f"{prefix}: illegal base64 data at input byte {wanted.partition(':')[2]}"
        elif wanted == "quantity":
            message = f"{prefix}: {_QUANTITY_TEXT}"
        else:
            message = (
                f"{prefix}: json: cannot unmarshal {_json_type(value)} into Go struct field "
                f"{rt.kind}.{path} of type {wanted}"
            )
        super().__init__(400, "BadRequest", message)
        meta = obj.get("metadata") or {}
        self.object = f"({meta.get('namespace') or ''}/{meta.get('name') or ''}; {rt.group}/{rt.version}, Kind={rt.kind})"
        self.path, self.value, self.wanted = path, value, wanted

    def for_apply(self) -> ApiError:
        """The answer to the same mistake in a server-side apply (500, as kube-apiserver gives it)."""
        converting = (
            f"failed to convert new object {self.object} to proper version: unable to convert "
            f"unstructured object to {self.object.split('; ')[1][:-1]}: "
        )
        if self.wanted.startswith("base64:"):
            offset = self.wanted.partition(":")[2]
            message = f"{converting}error decoding from json: illegal base64 data at input byte {offset}"
        elif self.wanted == "quantity":
            message = converting + _QUANTITY_TEXT
        else:
            expected = "numeric (int or float)" if self.wanted.startswith("int") else self.wanted
            got = (
                "string"
                if isinstance(self.value, str)
                else f"&value.valueUnstructured{{Value:{_go(self.value)}}}"
            )
            message = f"failed to create typed patch object {self.object}: .{self.path}: expected {expected}, got {got}"
        return ApiError(500, "", message)


def _go(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def check_types(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Raise the `DecodingError` a real server answers when ``obj`` does not decode into its type."""
    table = {**METADATA, **(KINDS.get(rt.kind, {}) if rt.builtin else {})}
    for dotted, check in table.items():
        for path, value in _values(obj, dotted.split("."), ""):
            wanted = check(value)
            if wanted is not None:
                raise DecodingError(rt, obj, path, value, wanted)


def check_apply_keys(rt: ResourceType, obj: dict[str, Any]) -> None:
    """An applied configuration with two items of one key in a keyed list (two containers named
    "c") cannot be typed: kube-apiserver 1.37 answers 500 (create and update answer 422)."""
    duplicate = _duplicate_key(obj, (), rt.builtin)
    if duplicate is not None:
        path, key = duplicate
        meta = obj.get("metadata") or {}
        target = f"({meta.get('namespace') or ''}/{meta.get('name') or ''}; {rt.group}/{rt.version}, Kind={rt.kind})"
        raise ApiError(
            500,
            "",
            f"failed to create typed patch object {target}: {path}: duplicate entries for key [{key}]",
        )


def _duplicate_key(node: Any, path: tuple[str, ...], builtin: bool) -> tuple[str, str] | None:
    if isinstance(node, dict):
        for name, value in node.items():
            found = _duplicate_key(value, (*path, str(name)), builtin)
            if found is not None:
                return found
        return None
    if not isinstance(node, list):
        return None
    keys = list_type(path, builtin)
    if isinstance(keys, tuple):
        seen: set[str] = set()
        for item in node:
            key = item_key(item, keys)
            if key is None:
                continue
            shown = ",".join(f"{k}={json.dumps(v)}" for k, v in key.items())
            if shown in seen:
                return "." + ".".join(path), shown
            seen.add(shown)
    for item in node:
        found = _duplicate_key(item, path, builtin)
        if found is not None:
            return found
    return None
