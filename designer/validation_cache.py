"""The result cache of `design validate`: a file whose bytes and run inputs are unchanged is not
validated again (pre-commit hooks and CI reruns check the same files over and over).

What a cached result is keyed by (`entry_key`): the file's path as given (reports name it) and its
bytes, and the run key (`run_key`), a digest of everything else a file's result depends on:

* designer's version and its code (size and modification time of every module and schema of the
  installed package: an editable install changes code without a new version), the Python version
  and the Rego engine's files;
* the content of every policy module the built-in checks compile (policies/ and the adapters'
  contributions: an editable install changes them without a new version);
* the installed adapters (name, entry point, distribution and version, and the code of those that
  live outside designer), as they render components;
* the run's options that shape results, each by value, and by content when it names a file or a
  folder (``--policy``, ``--waivers``, and whatever file options are added later: data, inventory);
* today's date, as waivers expire.

What is not in the key, and why it does not change a file's result: the output format and file,
``--fail-on`` (applied to the combined report), ``--jobs``, and ``--changed-since`` (it chooses which
files to validate; each chosen file's result is its own). A result that was read from outside its file
is never stored: a mesh control plane rendered by an installer (other files, helm, the mesh CLI found
on PATH; `designer.adapters.installers.external_inputs`). Options in `UNCACHEABLE_OPTIONS` (results
from a live cluster) turn the cache off for the run.

Storage: one SQLite database, ``$XDG_CACHE_HOME/designer/validate.sqlite3``, a row per file result
(JSON, `designer.validation_codec`), rows older than `MAX_AGE_DAYS` pruned on write. Every row is
checked when read: its embedded key must be the one asked for and its content must decode into a
well-formed result, else it is ignored (and validated again). A database that cannot be opened, read
or written (corrupt, locked, read-only home) only turns the cache off; a corrupt one is replaced.

Whole reports, too (`ResultCache.replayed`, `remember`): a rerun on unchanged files gives the same
report, so a machine-readable report (JSON, SARIF, JUnit, GitHub) of a run without errors is kept
under a key made of the run key, every file's entry key in order (a file added to or removed from a
folder changes it), the working folder (reports name files relative to it) and the options that
shape the report (format, ``--fail-on``). Replaying it skips decoding and rendering every file's
result again, most of a warm run's time beside Python's start.

Callers: designer.cli.validate. ``--no-cache`` or ``DESIGNER_NO_CACHE=1`` skip it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

import designer
from designer.adapters.discovery import installed_adapters
from designer.jsontext import compact
from designer.policy.engine import selected_engine
from designer.statepaths import cache_dir

if TYPE_CHECKING:  # the codec and the results are imported once a file's result is read or written
    from designer.validation_results import FileResult, Validation

FORMAT = "designer-validate-cache/2"  # /2: enums by value, rows written by orjson
MAX_AGE_DAYS = 30
LARGE_FILE = 1 << 20  # option files past this size are keyed by size and modification time

Validate = Callable[[list[Path], Callable[[list["FileResult"]], None]], list["FileResult"]]
"""Validates files (in order) and gives each chunk of results to its second argument (`ResultCache.validate`)."""

UNCACHEABLE_OPTIONS = frozenset({"inventory_context"})
"""Options whose results come from a live cluster: no key can say when they change."""

_CODE_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".so", ".rego")
_NOT_CODE = frozenset({"__pycache__", "patterns", "catalog_data"})  # shipped data validate never reads


@dataclass(frozen=True, slots=True)
class _Source:
    """A file to validate as this run read it: its entry key and what its metadata said."""

    key: str
    stat: tuple[int, int]  # (size, mtime_ns): a file rewritten during the run is not stored


class ResultCache:
    """Cached file results of one run key, in the database at ``path``."""

    def __init__(self, path: Path, run: str) -> None:
        self.path = path
        self.run = run
        self._sources: dict[str, _Source | None] = {}  # each file read and hashed once per run
        self._external = False  # a result of this run depends on more than its file: no replay

    def report_key(self, files: Sequence[Path], presentation: Mapping[str, Any]) -> str | None:
        """The key of the whole report on ``files`` (None when a file cannot be read: validation says why)."""
        digest = hashlib.sha256(f"{FORMAT}\0report\0{self.run}\0".encode())
        digest.update(compact({"cwd": os.getcwd(), **presentation}).encode())  # noqa: PTH109
        for file in files:
            source = self._source(file)
            if source is None:
                return None
            digest.update(f"\0{source.key}".encode())
        return digest.hexdigest()

    def replayed(self, key: str) -> tuple[int, str] | None:
        """The exit code and text of the report stored under ``key``, or None."""
        if not self.path.is_file():
            return None
        try:
            with _database(self.path) as db:
                row = db.execute("SELECT value FROM reports WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:  # no such table yet, or a database SQLite cannot read
            return None
        doc = _entry(key, row[0]) if row is not None else None
        if doc is None or type(doc.get("code")) is not int or type(doc.get("text")) is not str:
            return None
        return doc["code"], doc["text"]

    def remember(self, key: str, code: int, text: str) -> None:
        """Keep a report for `replayed` (only while every file is as this run read it, and when every
        result depended on its file alone)."""
        if self._external or not all(
            _unchanged(file, source) for file, source in self._sources.items() if source
        ):
            return
        row = compact({"format": FORMAT, "key": key, "result": {"code": code, "text": text}})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _database(self.path) as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, written INTEGER, value TEXT)"
                )
                now = int(time.time())
                db.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?)", (key, now, row))
                db.execute("DELETE FROM reports WHERE written < ?", (now - MAX_AGE_DAYS * 86400,))
        except (sqlite3.DatabaseError, OSError):
            pass  # as for results: a cache that cannot be written changes nothing else

    def _source(self, file: Path) -> _Source | None:
        name = str(file)
        if name not in self._sources:
            self._sources[name] = _source(self.run, file)
        return self._sources[name]

    @classmethod
    def default(cls, run: str) -> ResultCache | None:
        """The user's cache, or None when there is no cache folder (no home)."""
        try:
            return cls(cache_dir() / "validate.sqlite3", run)
        except (RuntimeError, OSError):  # Path.home() without HOME or a passwd entry
            return None

    def validate(self, files: Sequence[Path], validate: Validate) -> Validation:
        """Every file's result: cached ones read back, the others given by ``validate`` (the files in
        order, their results in order), which hands each chunk of results to the ``keep`` function it
        is given, in the process that made them, to be stored. ``validate`` is called only when some
        file is not cached, or when no file is given (it loads the policies: a broken one still stops
        an empty run)."""
        from designer.validation_results import combine

        sources = {str(f): s for f in files if (s := self._source(f)) is not None}
        found = self._read({s.key for s in sources.values()})
        results: dict[int, FileResult] = {}
        for i, file in enumerate(files):
            source = sources.get(str(file))
            hit = found.get(source.key) if source is not None else None
            if hit is not None and hit.file == str(file):
                results[i] = hit
        missing = [i for i in range(len(files)) if i not in results]
        if missing or not files:

            def keep(fresh: list[FileResult]) -> None:
                self._write(
                    (source, result)
                    for result in fresh
                    if (source := sources.get(result.file)) is not None and _unchanged(result.file, source)
                )

            results.update(zip(missing, validate([files[i] for i in missing], keep), strict=True))
        self._external = any(result.external for result in results.values())
        return combine([results[i] for i in range(len(files))])

    def _read(self, keys: set[str]) -> dict[str, FileResult]:
        """The trusted results among ``keys`` (rows that fail a check are left out)."""
        from designer.validation_codec import checks_digest, decode, decode_checks

        if not keys or not self.path.is_file():
            return {}
        try:
            with _database(self.path) as db:
                rows = _select(db, "SELECT key, value FROM results WHERE key IN ({})", keys)
                docs = {key: doc for key, value in rows if (doc := _entry(key, value)) is not None}
                digests = {digest for doc in docs.values() if (digest := checks_digest(doc)) is not None}
                checks = {}
                for digest, text in _select(
                    db, "SELECT digest, value FROM checks WHERE digest IN ({})", digests
                ):
                    with contextlib.suppress(ValueError, TypeError):
                        checks[digest] = decode_checks(digest, text)
        except sqlite3.DatabaseError:
            self._discard()
            return {}
        found: dict[str, FileResult] = {}
        for key, doc in docs.items():
            with contextlib.suppress(ValueError):
                found[key] = decode(doc, checks)
        return found

    def _write(self, entries: Iterable[tuple[_Source, FileResult]]) -> None:
        from designer.validation_codec import encode

        now = int(time.time())
        rows = []
        checks: dict[str, bytes] = {}
        for source, result in entries:
            try:
                row, digest, listed = encode(result, {"format": FORMAT, "key": source.key})
            except ValueError:
                continue  # read from outside the file, or a value the codec cannot carry
            rows.append((source.key, now, row))
            checks[digest] = listed
        if not rows:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _database(self.path) as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, written INTEGER, value TEXT)"
                )
                db.execute("CREATE TABLE IF NOT EXISTS checks (digest TEXT PRIMARY KEY, value BLOB)")
                db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
                db.executemany("INSERT OR IGNORE INTO checks VALUES (?, ?)", checks.items())
                db.execute("DELETE FROM results WHERE written < ?", (now - MAX_AGE_DAYS * 86400,))
        except sqlite3.DatabaseError:
            self._discard()
        except OSError:
            pass  # a read-only cache folder: nothing is stored, nothing else changes

    def _discard(self) -> None:
        """Remove a database SQLite cannot read (corrupt, or not a database): the next run starts anew."""
        try:
            with _database(self.path) as db:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return  # readable after all (a lock or a missing table): keep it
        except sqlite3.DatabaseError:
            pass
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{self.path}{suffix}").unlink()
            except OSError:
                pass


@contextlib.contextmanager
def _database(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection holding one transaction (committed when the block succeeds), then closed."""
    db = sqlite3.connect(path, timeout=2.0)
    try:
        db.execute("PRAGMA synchronous=OFF")  # a cache: losing the last rows in a crash is harmless
        with db:
            yield db
    finally:
        db.close()


def _select(db: sqlite3.Connection, query: str, values: Iterable[str]) -> Iterator[tuple[Any, Any]]:
    """Rows of ``query`` (an ``IN ({})`` query) for every value, a few hundred at a time."""
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        part = ordered[start : start + 500]
        yield from db.execute(query.format(",".join("?" * len(part))), part)


def _entry(key: str, value: Any) -> dict[str, Any] | None:
    """The result document of a row, or None when the row is not what this key's writer stored."""
    try:
        doc = orjson.loads(value)
    except (orjson.JSONDecodeError, TypeError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
        return None
    result = doc.get("result")
    return result if isinstance(result, dict) else None


def _source(run: str, file: Path) -> _Source | None:
    try:
        with file.open("rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except OSError:
        return None  # validation reports it
    return _Source(key=entry_key(run, str(file), data), stat=(info.st_size, info.st_mtime_ns))


def _unchanged(file: str, source: _Source) -> bool:
    try:
        info = os.stat(file)  # noqa: PTH116 (a str, not a Path: made for every file of a run)
    except OSError:
        return False
    return (info.st_size, info.st_mtime_ns) == source.stat


def entry_key(run: str, file: str, data: bytes) -> str:
    """The key of one file's result: the run key, the path as given, the bytes."""
    digest = hashlib.sha256(run.encode())
    digest.update(b"\0" + file.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def run_key(options: Mapping[str, Any], policy_files: Iterable[Path]) -> str:
    """The digest of everything but the file that a file's result depends on (see the module doc)."""
    parts: dict[str, Any] = {
        "format": FORMAT,
        "designer": [designer.__version__, _code(Path(designer.__file__).parent)],
        "python": sys.version,
        "engine": _engine_identity(),
        "policies": [[str(p), _content(p)] for p in policy_files],
        "adapters": [
            [info.name, info.target, info.distribution, info.version, _adapter_code(info.target)]
            for info in sorted(installed_adapters(), key=lambda i: (i.name, i.target))
        ],
        "options": {name: _option(value) for name, value in sorted(options.items())},
        "today": dt.date.today().isoformat(),
    }
    return hashlib.sha256(compact(parts).encode()).hexdigest()


def cacheable(options: Mapping[str, Any]) -> bool:
    """False when an option makes results depend on something no key can capture."""
    return not any(options.get(name) for name in UNCACHEABLE_OPTIONS)


def _option(value: Any) -> Any:
    """An option's value, with the content of the files and folders it names."""
    if isinstance(value, list | tuple):
        return [_option(v) for v in value]
    if isinstance(value, Path) or (isinstance(value, str) and value and Path(value).exists()):
        return [str(value), _content(Path(value))]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def _content(path: Path) -> Any:
    """A digest of a file's bytes (size and mtime for large files), or of a folder's files."""
    try:
        if path.is_dir():
            return [[str(p.relative_to(path)), _content(p)] for p in sorted(path.rglob("*")) if p.is_file()]
        info = path.stat()
        if info.st_size > LARGE_FILE:
            return [info.st_size, info.st_mtime_ns]
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


def _code(folder: Path | None) -> list[Any]:
    """Size and modification time of a package's code and data files (links followed)."""
    found: list[Any] = []

    def walk(where: str, prefix: str) -> None:
        try:
            with os.scandir(where) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.is_dir():
                if entry.name not in _NOT_CODE:
                    walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(_CODE_SUFFIXES):
                info = entry.stat()
                found.append([prefix + entry.name, info.st_size, info.st_mtime_ns])

    if folder is not None:
        walk(str(folder), "")
    return found


def _engine_identity() -> list[Any]:
    """The Rego engine that evaluates (--engine): regorus's package, or the opa binary on PATH."""
    engine = selected_engine()
    if engine == "regorus":
        return [engine, _code(_package_folder("regorus"))]
    import shutil  # only for --engine opa: its import costs a validate run ~2 ms

    found = shutil.which("opa")
    if found is None:
        return [engine, None]  # evaluation will say that opa is missing
    info = Path(found).resolve().stat()
    return [engine, found, info.st_size, info.st_mtime_ns]


def _package_folder(name: str) -> Path | None:
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def _adapter_code(target: str) -> list[Any]:
    top = target.partition(":")[0].partition(".")[0]
    return [] if top == "designer" else _code(_package_folder(top))
