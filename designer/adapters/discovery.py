"""The installed adapters (``designer.adapters`` entry points), listed from a cache when nothing changed.

Why a cache: importlib.metadata pulls in email, zipfile and friends to read package metadata, about
15 ms on every `design` command before any work, a tenth of a small `design validate`. The list only
changes when packages are installed, removed or have their metadata rewritten: installing or removing
one adds or deletes a folder in a ``sys.path`` entry (which changes that folder's modification time),
and a rewritten ``entry_points.txt`` (a legacy ``setup.py develop`` regenerating its ``.egg-info``)
has a new modification time of its own. The cache key is therefore ``sys.path`` with each entry's
mtime and the mtime of every ``*.dist-info`` / ``*.egg-info`` ``entry_points.txt`` in it (about a
millisecond of stat calls); on any difference (or an unreadable or corrupt cache) the entry points are
scanned again and the cache rewritten. A cache that cannot be read or written (no home folder, a
read-only one) costs nothing but the scan. ``DESIGNER_NO_CACHE=1`` skips it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from designer.statepaths import cache_dir

GROUP = "designer.adapters"
CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class AdapterInfo:
    """An installed adapter as discovered, before import."""

    name: str
    target: str  # "module:attribute"
    distribution: str
    version: str


def installed_adapters(*, fresh: bool = False) -> list[AdapterInfo]:
    """Every ``designer.adapters`` entry point, duplicates included (the registry judges those).

    ``fresh`` scans whatever the cache says and rewrites it (`design adapters`, the diagnostic
    command, always shows the truth).
    """
    if os.environ.get("DESIGNER_NO_CACHE"):
        return scan()
    try:
        cache = cache_dir() / "adapters.json"
    except (RuntimeError, OSError):  # Path.home(): no HOME and no passwd entry (some containers)
        return scan()
    key = _fingerprint()
    cached = None if fresh else _read(cache, key)
    if cached is not None:
        return cached
    found = scan()
    _write(cache, key, found)
    return found


def scan() -> list[AdapterInfo]:
    """The entry points as importlib.metadata reports them now."""
    from importlib import metadata  # the import this module exists to avoid on a cache hit

    found = []
    for ep in metadata.entry_points(group=GROUP):
        dist = ep.dist
        found.append(
            AdapterInfo(
                name=ep.name,
                target=ep.value,
                distribution=dist.metadata["Name"] if dist is not None else "?",
                version=dist.version if dist is not None else "?",
            )
        )
    return found


def _fingerprint() -> list[list[object]]:
    entries: list[list[object]] = [[CACHE_VERSION, sys.version]]
    for entry in sys.path:
        folder = Path(entry or ".")
        try:
            entries.append([entry, folder.stat().st_mtime_ns, _metadata_mtimes(folder)])
        except OSError:
            entries.append([entry, None])
    return entries


def _metadata_mtimes(folder: Path) -> list[list[object]]:
    """[name, mtime of its entry_points.txt or None] for each distribution's metadata in ``folder``."""
    try:
        with os.scandir(folder) as found:
            names = sorted(e.name for e in found if e.name.endswith((".dist-info", ".egg-info")))
    except OSError:  # a zip file on sys.path, or a folder we may not list
        return []
    mtimes: list[list[object]] = []
    for name in names:
        try:
            mtimes.append([name, (folder / name / "entry_points.txt").stat().st_mtime_ns])
        except OSError:
            mtimes.append([name, None])
    return mtimes


def _read(cache: Path, key: list[list[object]]) -> list[AdapterInfo] | None:
    try:
        doc = json.loads(cache.read_text(encoding="utf-8"))
        if doc["key"] != key:
            return None
        return [AdapterInfo(**item) for item in doc["adapters"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(cache: Path, key: list[list[object]], found: list[AdapterInfo]) -> None:
    doc = {"key": key, "adapters": [asdict(info) for info in found]}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(doc), encoding="utf-8")
        partial.replace(cache)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass  # a read-only home: every run scans, nothing else changes
