"""Result history in SQLite: every run's full record, indexed by what people filter on.

The default database lives in the user's data directory (``$XDG_DATA_HOME/designer/perf.sqlite3``,
else ``~/.local/share/designer/perf.sqlite3``); ``DESIGNER_PERF_DB`` or ``--history`` override it.
The record is stored whole as JSON so later comparisons and reports can decode its histograms.
Callers: `running`, designer/cli/perf.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from designer.errors import ProfileError
from designer.perf.results import Record
from designer.statepaths import user_dir

ENV_VAR = "DESIGNER_PERF_DB"
FILTERS = ("profile", "design", "version", "mesh", "engine", "key_id")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id TEXT PRIMARY KEY,
    start_time TEXT NOT NULL,
    profile TEXT, design TEXT, version TEXT, mesh TEXT, engine TEXT, mode TEXT, key_id TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_time ON results (start_time);
"""


def default_path() -> Path:
    """Where history lives when neither --history nor DESIGNER_PERF_DB says otherwise."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return user_dir("data") / "perf.sqlite3"


class History:
    """A SQLite store of result records; use as a context manager or call `close`."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ProfileError(
                f"cannot open the perf history at {self.path}: {exc}",
                hint=f"pass --history PATH or set {ENV_VAR} to a writable file",
            ) from exc

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def save(self, record: Record) -> None:
        """Store (or replace) a record."""
        row = (
            record["id"],
            record["start_time"],
            *(
                record.get(name)
                for name in ("profile", "design", "version", "mesh", "engine", "mode", "key_id")
            ),
            json.dumps(record, sort_keys=True),
        )
        with self._guard():
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            self._db.commit()

    def get(self, run_id: str) -> Record:
        """The record with this id (a unique prefix is enough)."""
        with self._guard():
            rows = self._db.execute(
                "SELECT record FROM results WHERE id = ? OR id LIKE ? ORDER BY id LIMIT 2",
                (run_id, run_id.replace("%", "") + "%"),
            ).fetchall()
        exact = [r for r in rows if json.loads(r[0])["id"] == run_id]
        if exact:
            rows = exact
        if not rows:
            raise ProfileError(
                f"no perf result with id {run_id!r} in {self.path}", hint="see design perf history"
            )
        if len(rows) > 1:
            raise ProfileError(f"result id {run_id!r} is ambiguous", hint="give more characters of the id")
        return _load(rows[0][0])

    def query(self, limit: int = 50, **filters: Any) -> list[Record]:
        """Records matching every given filter (None ignored), newest first."""
        clauses, params = [], []
        for name, value in filters.items():
            if name not in FILTERS:
                raise ValueError(f"unknown history filter {name!r}")
            if value is not None:
                clauses.append(f"{name} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT record FROM results {where} ORDER BY start_time DESC, id DESC LIMIT ?"
        with self._guard():
            rows = self._db.execute(sql, (*params, limit)).fetchall()
        return [_load(r[0]) for r in rows]

    def _guard(self) -> _Guard:
        return _Guard(self.path)


class _Guard:
    """Turns sqlite errors into ProfileErrors that name the database file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, sqlite3.Error):
            raise ProfileError(
                f"the perf history at {self.path} failed: {exc}",
                hint="the file may be damaged or locked; pass --history with another path",
            ) from exc


def _load(text: str) -> Record:
    data: Record = json.loads(text)
    return data
