"""Reproducible design packages (tar.gz) and their safe, bounded reading.

A package holds two regular files: the design as written (``<file>``) and ``metadata.json``. The
same input always gives the same bytes (sorted entries, mtime 0, uid/gid 0, no owner names, mode
0644, gzip header without name or time), so the sha256 of the archive identifies the content and a
rebuilt catalog compares byte for byte. Reading (designer.catalog.unpacking) refuses anything
but those two plain files (absolute paths, ``..``, links, devices, folders, duplicates, extended
headers) and bounds every size, the unpacked total included, before a single byte reaches the
caller. Callers: designer.catalog.building, designer.catalog.sources.*,
designer.catalog.pulling, designer.cli.catalog.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.catalog import files, metadata, names, unpacking
from designer.errors import CatalogError

MEDIA_TYPE = "application/vnd.designer.design.v1.tar+gzip"
CONFIG_MEDIA_TYPE = "application/vnd.designer.config.v1+json"
METADATA_FILE = "metadata.json"
MAX_ARCHIVE_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = metadata.MAX_DESIGN_BYTES + 1024 * 1024
"""Every unpacked byte of an archive (headers, padding, metadata.json, the design) counts against this."""
MAX_MEMBERS = 8


@dataclass(frozen=True, slots=True)
class Package:
    """A packaged design: its archive bytes and its metadata."""

    data: bytes
    info: metadata.DesignInfo

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the archive bytes."""
        return digest_of(self.data)

    @property
    def archive_name(self) -> str:
        """Conventional file name, ``NAME-VERSION.tar.gz`` (both parts checked: one plain file name)."""
        return names.archive_name(self.info.name, self.info.version, origin=self.info.file)


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def pack(path: Path) -> Package:
    """Package the design file at ``path``."""
    return pack_info(metadata.read_design_info(path))


def pack_info(info: metadata.DesignInfo) -> Package:
    """Package an already-read design."""
    meta = (json.dumps(info.as_json(), indent=2, sort_keys=True) + "\n").encode()
    members = sorted([(METADATA_FILE, meta), (info.file, info.content)])
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, content in members:
            entry = tarfile.TarInfo(name)
            entry.size = len(content)
            entry.mtime = 0
            entry.mode = 0o644
            entry.uid = entry.gid = 0
            entry.uname = entry.gname = ""
            tar.addfile(entry, io.BytesIO(content))
    out = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of anything that varies between runs.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return Package(out.getvalue(), info)


def write_package(package: Package, folder: Path) -> Path:
    """Write the archive into ``folder`` under its conventional name and return the path."""
    return files.write_atomic(folder / package.archive_name, package.data)


def read_package(data: bytes, *, origin: str, expected_digest: str | None = None) -> Package:
    """Check and open an archive; nothing is trusted before the digest and every entry pass.

    Raises CatalogError naming ``origin`` when the digest differs, the archive is too large or
    malformed, or an entry is unsafe or unexpected.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise CatalogError(f"{origin}: archive is larger than {MAX_ARCHIVE_BYTES} bytes", hint="refused")
    if expected_digest is not None and digest_of(data) != expected_digest:
        raise CatalogError(
            f"{origin}: digest mismatch: expected {expected_digest}, got {digest_of(data)}",
            hint="the archive was modified or the index is wrong; nothing was written",
        )
    members = unpacking.members(
        data,
        origin=origin,
        unpacked_limit=MAX_UNPACKED_BYTES,
        max_members=MAX_MEMBERS,
        max_size=metadata.MAX_DESIGN_BYTES,
    )
    if METADATA_FILE not in members:
        raise CatalogError(f"{origin}: archive has no {METADATA_FILE}", hint="is it a designer package?")
    try:
        meta: Any = json.loads(members.pop(METADATA_FILE))
    except ValueError as exc:
        raise CatalogError(f"{origin}: {METADATA_FILE} is not valid JSON") from exc
    if not isinstance(meta, dict) or list(members) != [meta.get("file")]:
        raise CatalogError(
            f"{origin}: archive must hold {METADATA_FILE} and the design file it names, nothing else",
            hint="is it a designer package?",
        )
    name = names.check("file", meta["file"], origin=f"{origin}!{METADATA_FILE}", path="file")
    info = metadata.design_info(members[name], file=name, origin=f"{origin}!{name}")
    if meta.get("design_digest") != info.content_digest:
        raise CatalogError(f"{origin}: {name} does not match the digest in {METADATA_FILE}")
    if (info.name, info.version) != (meta.get("name"), meta.get("version")):
        raise CatalogError(f"{origin}: {METADATA_FILE} disagrees with the design's own metadata")
    return Package(data, info)
