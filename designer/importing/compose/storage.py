"""Compose's data → Kubernetes storage: named volumes → PersistentVolumeClaims, bind mounts of files
beside the Compose file → ConfigMaps, anonymous volumes and tmpfs → emptyDir, ``configs``/``secrets``
→ ConfigMaps/Secrets mounted where Compose mounts them, ``env_file`` → a ConfigMap for ``envFrom``.

What cannot move into a cluster is noted: a bind mount of a path that does not exist beside the file
(an emptyDir stands in), a host path outside the project (kept as hostPath), a volume driver, an
external volume/secret/config (referred to by name, expected to exist). Callers:
designer.importing.compose.workloads (per service) and .converting (the top-level definitions).
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.importing.compose.document import read_env_file
from designer.importing.compose.notes import Notes
from designer.importing.converting import dns_name

MAX_FILE_BYTES = 1024 * 1024
"""A ConfigMap or Secret holds at most 1 MiB: larger files are noted, not copied."""
DEFAULT_CLAIM_SIZE = "1Gi"


@dataclass
class Objects:
    """The objects an import makes besides workloads, by kind and name (first definition wins)."""

    made: dict[tuple[str, str], tuple[dict[str, Any], str]] = field(default_factory=dict)
    env_files: dict[Path, str] = field(default_factory=dict)  # one ConfigMap per env file, shared

    def add(self, kind: str, name: str, body: dict[str, Any], path: str) -> None:
        self.made.setdefault((kind, name), (body, path))


@dataclass
class PodStorage:
    """The volumes and mounts of one service's pod (designer infers its edges to the claims,
    ConfigMaps and Secrets they name)."""

    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    mounts: list[dict[str, Any]] = field(default_factory=list)

    def volume(self, name: str, source: dict[str, Any]) -> str:
        self.volumes.setdefault(name, {"name": name, **source})
        return name


def mount_volumes(
    service: str,
    entries: list[dict[str, Any]],
    top: dict[str, Any],
    storage: PodStorage,
    objects: Objects,
    notes: Notes,
    folder: Path | None,
    path: str,
) -> None:
    """Each of a service's ``volumes`` entries as a pod volume and a mount."""
    for i, entry in enumerate(entries):
        where = f"{path}[{i}]"
        target = str(entry.get("target") or "")
        kind = entry.get("type", "volume")
        mount: dict[str, Any] = {"name": "", "mountPath": target}
        if entry.get("read_only"):
            mount["readOnly"] = True
        source = entry.get("source")
        if kind == "volume" and source:
            name = _claim(str(source), top, objects, notes, where)
            mount["name"] = storage.volume(
                dns_name(f"data-{source}")[:63], {"persistentVolumeClaim": {"claimName": name}}
            )
        elif kind == "volume" or kind == "tmpfs":
            size = (entry.get("tmpfs") or {}).get("size") if kind == "tmpfs" else None
            empty: dict[str, Any] = {"medium": "Memory"} if kind == "tmpfs" else {}
            if size is not None:
                empty["sizeLimit"] = str(size)
            mount["name"] = storage.volume(f"{kind}-{i}", {"emptyDir": empty})
        elif kind == "bind":
            mount["name"] = _bind(
                service, str(source or ""), i, mount, storage, objects, notes, folder, where
            )
        else:
            notes.dropped(where, f"a volume of type {kind!r} has no Kubernetes counterpart")
            continue
        for option in ("bind", "volume", "consistency"):
            detail = entry.get(option)
            if isinstance(detail, dict) and {k for k in detail if k not in ("nocopy", "create_host_path")}:
                notes.dropped(
                    f"{where}.{option}", f"{', '.join(sorted(detail))} has no Kubernetes counterpart"
                )
        storage.mounts.append(mount)


def _claim(source: str, top: dict[str, Any], objects: Objects, notes: Notes, where: str) -> str:
    definition = (top.get("volumes") or {}).get(source)
    spec = definition if isinstance(definition, dict) else {}
    name = dns_name(str(spec.get("name") or source))
    if spec.get("external"):
        notes.add(
            where,
            f"external volume {source!r}: refers to the PersistentVolumeClaim {name!r}, "
            "which must exist in the cluster",
        )
        return name
    for key in ("driver", "driver_opts"):
        if spec.get(key):
            notes.dropped(
                f"volumes.{source}.{key}",
                "a volume driver has no counterpart; the claim uses the cluster's default storage class",
            )
    size = (
        (spec.get("labels") or {}).get("kompose.volume.size")
        if isinstance(spec.get("labels"), dict)
        else None
    )
    body = {
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": str(size or DEFAULT_CLAIM_SIZE)}},
        }
    }
    objects.add(
        "PersistentVolumeClaim",
        name,
        body,
        f"volumes.{source}" if source in (top.get("volumes") or {}) else where,
    )
    return name


def _bind(
    service: str,
    source: str,
    index: int,
    mount: dict[str, Any],
    storage: PodStorage,
    objects: Objects,
    notes: Notes,
    folder: Path | None,
    where: str,
) -> str:
    if source.startswith("/") and not source.startswith("/."):
        notes.add(
            where,
            f"host path {source} is kept as a hostPath volume: it reads the node's files, "
            "not this machine's (the built-in checks flag hostPath)",
        )
        return storage.volume(f"host-{index}", {"hostPath": {"path": source}})
    local = (folder / source).resolve() if folder is not None and not source.startswith("~") else None
    files = _small_files(local) if local is not None else None
    if files is None:
        notes.dropped(
            where,
            f"bind mount of {source}: it does not exist beside the Compose file (or is too "
            "large for a ConfigMap); an emptyDir stands in, so the container starts without those files",
        )
        return storage.volume(f"bind-{index}", {"emptyDir": {}})
    name = dns_name(f"{service}-{Path(source).name or 'files'}")
    body = _data_body(files)
    objects.add("ConfigMap", name, body, where)
    notes.add(
        where,
        f"bind mount of {source}: its files are copied into the ConfigMap {name!r} (read-only "
        "in the pod; edits on this machine no longer reach the container)",
    )
    source_volume: dict[str, Any] = {"configMap": {"name": name}}
    if local is not None and local.is_file():
        key = next(iter(files))
        mount["subPath"] = key
    mount["readOnly"] = True
    return storage.volume(f"bind-{index}", source_volume)


def _small_files(path: Path) -> dict[str, bytes] | None:
    """The regular files of ``path`` (a file, or a folder's top level) when they fit a ConfigMap."""
    try:
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(p for p in path.iterdir() if p.is_file() and not p.is_symlink())
        else:
            return None
        if not candidates or sum(p.stat().st_size for p in candidates) > MAX_FILE_BYTES:
            return None
        return {_key(p.name): p.read_bytes() for p in candidates}
    except OSError:
        return None


def _key(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "-" for c in name) or "file"


def _data_body(files: dict[str, bytes]) -> dict[str, Any]:
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, content in files.items():
        try:
            text[key] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(content).decode()
    body: dict[str, Any] = {}
    if text:
        body["data"] = text
    if binary:
        body["binaryData"] = binary
    return body


def mount_files(
    section: str,
    refs: list[dict[str, Any]],
    top: dict[str, Any],
    storage: PodStorage,
    objects: Objects,
    notes: Notes,
    folder: Path | None,
    environment: dict[str, str],
    path: str,
) -> None:
    """A service's ``secrets`` or ``configs``: each mounted at its target (/run/secrets/NAME, /NAME)."""
    kind = "Secret" if section == "secrets" else "ConfigMap"
    for i, ref in enumerate(refs):
        where = f"{path}[{i}]"
        source = str(ref.get("source") or "")
        definitions = top.get(section) or {}
        if source not in definitions:
            continue  # the schema check and the consistency check name it
        name, key = _file_object(section, source, definitions[source], objects, notes, folder, environment)
        target = str(ref.get("target") or source)
        if not target.startswith("/"):
            target = posixpath.join("/run/secrets" if section == "secrets" else "/", target)
        item: dict[str, Any] = {"key": key, "path": key}
        if ref.get("mode") is not None:
            item["mode"] = int(ref["mode"]) if not isinstance(ref["mode"], str) else int(ref["mode"], 8)
        for owner in ("uid", "gid"):
            if ref.get(owner) is not None:
                notes.dropped(
                    f"{where}.{owner}", "Kubernetes mounts files with the pod's fsGroup, not a per-file owner"
                )
        reference = {"secretName": name} if kind == "Secret" else {"name": name}
        volume = storage.volume(
            dns_name(f"{section[:-1]}-{source}")[:63],
            {kind[0].lower() + kind[1:]: {**reference, "items": [item]}},
        )
        storage.mounts.append({"name": volume, "mountPath": target, "subPath": key, "readOnly": True})


def _file_object(
    section: str,
    source: str,
    spec: Any,
    objects: Objects,
    notes: Notes,
    folder: Path | None,
    environment: dict[str, str],
) -> tuple[str, str]:
    """The object a top-level secret/config becomes, and the key its content sits under."""
    kind = "Secret" if section == "secrets" else "ConfigMap"
    spec = spec if isinstance(spec, dict) else {}
    name = dns_name(str(spec.get("name") or source))
    key = _key(source)
    where = f"{section}.{source}"
    if spec.get("external"):
        notes.add(
            where,
            f"external: refers to the {kind} {name!r}, which must exist in the cluster with the key {key!r}",
        )
        return name, key
    content: bytes | None = None
    if spec.get("content") is not None:
        content = str(spec["content"]).encode()
    elif spec.get("environment"):
        value = environment.get(str(spec["environment"]))
        content = value.encode() if value is not None else None
        if value is None:
            notes.add(where, f"variable {spec['environment']} is not set: the {kind} is made empty")
    elif spec.get("file"):
        files = _small_files((folder / str(spec["file"])).resolve()) if folder is not None else None
        if files:
            content = next(iter(files.values()))
        else:
            notes.dropped(
                f"{where}.file",
                f"{spec['file']} does not exist beside the Compose file (or is "
                f"over 1 MiB): the {kind} {name!r} is made with an empty {key!r}; fill it in before applying",
            )
    for extra in ("driver", "driver_opts", "template_driver", "labels"):
        if spec.get(extra):
            notes.dropped(f"{where}.{extra}", "has no Kubernetes counterpart")
    data = _data_body({key: content or b""})
    if kind == "Secret":
        encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.get("data", {}).items()}
        body: dict[str, Any] = {"type": "Opaque", "data": {**encoded, **data.get("binaryData", {})}}
    else:
        body = data
    objects.add(kind, name, body, where)
    return name, key


def env_from(
    entries: list[dict[str, Any]], objects: Objects, notes: Notes, folder: Path | None, path: str
) -> list[dict[str, Any]]:
    """Each ``env_file`` as a ConfigMap for ``envFrom`` (variables in ``environment`` still win); services
    that read the same file share its ConfigMap."""
    refs: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        where = f"{path}[{i}]" if len(entries) > 1 or path.endswith("]") else path
        file = (folder / str(entry["path"])).resolve() if folder is not None else None
        if file is None or not file.is_file():
            why = (
                "it does not exist beside the Compose file"
                if folder is not None
                else "a URL's env files cannot be read"
            )
            notes.dropped(
                where,
                f"env file {entry['path']}: {why}" + ("" if entry.get("required", True) else " (optional)"),
            )
            continue
        name = objects.env_files.get(file)
        if name is None:
            base = dns_name(f"env-{Path(str(entry['path'])).name.lstrip('.')}")
            taken = set(objects.env_files.values())
            name = next(
                f"{base}-{n}" if n else base
                for n in range(len(taken) + 1)
                if (f"{base}-{n}" if n else base) not in taken
            )
            objects.env_files[file] = name
            objects.add("ConfigMap", name, {"data": read_env_file(file)}, where)
        refs.append({"configMapRef": {"name": name}})
    return refs
