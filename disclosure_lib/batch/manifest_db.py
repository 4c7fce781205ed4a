"""The manifest's SQLite file (`outputs/manifest.sqlite`): its tables, transactions, and the
migration of the `manifest.json` earlier versions wrote.

One row per unit (and per params file seen), changed in a transaction as each unit finishes,
as jupyter-cache keeps its records: nothing is rewritten whole, and the file does not grow per
build. SQLite's write-ahead log makes a transaction all or nothing, so a build killed at any
point (SIGKILL included) leaves the rows of its last commit; the next open recovers the log.
Rows hold plain values (an `Entry`'s fields by name; enums as their values); `manifest.py`
turns them into entries.
"""

from __future__ import annotations

import contextlib
import errno
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..errors import OutputError
from .states import Status, UnitKind

DB_NAME = "manifest.sqlite"
LEGACY_NAME = "manifest.json"  # schema 3, one JSON file rewritten per build
LEGACY_SCHEMA = 3
SCHEMA = 4  # 4: SQLite, one row per unit; params files with their stat
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's own, beside the database

# Scalar fields of an entry kept in their own column; JSON ones; the rest go in `detail`.
SCALARS = ("key", "kind", "agency", "year", "source", "status", "fingerprint", "errors",
           "warnings", "first_error", "seconds", "built_at", "acknowledged", "issued",
           "profile")  # fmt: skip
JSONS = ("formats", "outputs", "stamps", "findings", "figures")
DETAIL = ("inputs", "parameters", "versions", "snapshot")
# what the index and listings read: no inputs, stamps or detail (the bulk of a summary's row)
LISTED = (*SCALARS, "code", "formats", "outputs", "findings", "figures")
# what a year page's row shows of a report (`listing.Recorded`): 20,000 of them are read
SHOWN = ("key", "kind", "agency", "year", "status", "errors", "warnings", "first_error",
         "acknowledged", "issued", "profile", "outputs", "findings", "figures")  # fmt: skip
ALL = (*SCALARS, "code", *JSONS, *DETAIL)

_TABLES = f"""
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries ({", ".join(f"{c} NOT NULL" for c in SCALARS)}, code TEXT NOT NULL,
  {", ".join(f"{c} TEXT NOT NULL" for c in JSONS)}, detail TEXT NOT NULL,
  PRIMARY KEY (key));
CREATE TABLE code (ref TEXT PRIMARY KEY, modules TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, digest TEXT NOT NULL, agency TEXT NOT NULL,
  year INTEGER NOT NULL, stat TEXT NOT NULL, seen_ns INTEGER NOT NULL);
CREATE TABLE pinyin (agency TEXT PRIMARY KEY, keys TEXT NOT NULL);
"""


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def db_error(exc: sqlite3.Error, path: Path) -> OutputError:
    """A one-line OutputError for what SQLite refused (full disk, read-only folder)."""
    text = str(exc).lower()
    if "full" in text:
        return OutputError("磁盘空间不足 (no space left on device)", path=path, errno=errno.ENOSPC)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return OutputError("输出目录不可写 (output folder is read-only or not writable)",
                           path=path, errno=errno.EROFS)  # fmt: skip
    return OutputError(f"无法写入清单 (cannot write the manifest): {exc}", path=path, errno=None)


class Database:
    """The manifest database of one output folder, opened (and created) on first use."""

    def __init__(self, output_dir: Path) -> None:
        self.path = Path(output_dir) / DB_NAME
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    @contextlib.contextmanager
    def guard(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise db_error(exc, self.path) from None

    def _open(self) -> sqlite3.Connection:
        try:
            return self._ready()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not _corrupt(exc):
                raise db_error(exc, self.path) from None
        # not a database (truncated by hand, another file): its records are lost, so
        # everything is rebuilt, as from an empty output folder
        self.remove_files()
        try:
            return self._ready()
        except sqlite3.Error as exc:
            raise db_error(exc, self.path) from None

    def _ready(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._conn = conn  # the migration writes through it
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL: a commit is atomic against a killed process; a power loss may
            # lose the last commits (those units are rebuilt), never leave a half one
            conn.execute("PRAGMA synchronous=NORMAL")
            if self._schema(conn) != SCHEMA:
                self._create(conn)
            legacy = self.path.with_name(LEGACY_NAME)
            with contextlib.suppress(FileNotFoundError):
                legacy.unlink()  # migrated (and committed) by `_create`, or older than it
        except BaseException:
            conn.close()
            self._conn = None
            raise
        return conn

    @staticmethod
    def _schema(conn: sqlite3.Connection) -> int | None:
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return int(row[0]) if row else None

    def _create(self, conn: sqlite3.Connection) -> None:
        """New tables, filled from a `manifest.json` if there is one, in one transaction: a
        crash in between leaves no schema row, and the next open starts again."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for name in names:
                conn.execute(f'DROP TABLE "{name}"')
            for statement in filter(str.strip, _TABLES.split(";")):
                conn.execute(statement)
            migrate_json(self, self.path.with_name(LEGACY_NAME))
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def remove_files(self) -> None:
        self.close()
        for suffix in ("", *SIDE_FILES):
            with contextlib.suppress(FileNotFoundError):
                self.path.with_name(self.path.name + suffix).unlink()

    def begin(self) -> None:
        with self.guard() as conn:
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            with self.guard() as conn:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Commit and close (the write-ahead log is folded into the file and removed)."""
        if self._conn is not None:
            try:
                self.commit()
            finally:
                self._conn.close()
                self._conn = None

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """One change, inside the open transaction (begun if none is)."""
        self.begin()
        with self.guard() as conn:
            conn.execute(sql, args)

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        with self.guard() as conn:
            cursor = conn.execute(sql, args)
        while True:
            with self.guard():
                chunk = cursor.fetchmany(256)
            if not chunk:
                return
            yield from chunk

    def one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self.guard() as conn:
            row: tuple[Any, ...] | None = conn.execute(sql, args).fetchone()
        return row

    def meta(self, name: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        self.write("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # --- entries ------------------------------------------------------------------------

    def put_entry(self, row: dict[str, Any], ref: str, code: dict[str, str]) -> None:
        """Insert or replace an entry (fields by name) whose code is `code` under `ref`."""
        self.write("INSERT OR IGNORE INTO code VALUES (?, ?)", (ref, dumps(code)))
        values = [str(row[c]) if c in ("kind", "status") else row[c] for c in SCALARS]
        values += [ref, *(dumps(row[c]) for c in JSONS), dumps({c: row[c] for c in DETAIL})]
        marks = ", ".join("?" * len(values))
        self.write(f"INSERT OR REPLACE INTO entries VALUES ({marks})", tuple(values))

    def entry(self, key: str, columns: tuple[str, ...]) -> dict[str, Any] | None:
        row = self.one(f"SELECT {_select(columns)} FROM entries WHERE key = ?", (key,))
        return None if row is None else _decode(columns, row)

    def entries(
        self, columns: tuple[str, ...], where: str = "", args: tuple[Any, ...] = ()
    ) -> Iterator[dict[str, Any]]:
        sql = f"SELECT {_select(columns)} FROM entries {where} ORDER BY key"
        for row in self.rows(sql, args):
            yield _decode(columns, row)

    def code(self, ref: str) -> dict[str, str]:
        row = self.one("SELECT modules FROM code WHERE ref = ?", (ref,))
        modules: dict[str, str] = json.loads(row[0]) if row else {"?": "missing"}
        return modules


def _select(columns: tuple[str, ...]) -> str:
    """The SQL columns of `columns` (the fields kept in `detail` share that one)."""
    sql = [c for c in columns if c not in DETAIL]
    return ", ".join([*sql, "detail"] if len(sql) < len(columns) else sql)


def _decode(columns: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    sql = [c for c in columns if c not in DETAIL]
    out: dict[str, Any] = {}
    for name, value in zip(sql, row, strict=False):
        if name == "figures":
            value = figures(value)
        elif name in JSONS:
            value = json.loads(value)
        out[name] = value
    if len(sql) < len(columns):
        detail = json.loads(row[-1])
        # a field added since the row was written (`snapshot`) takes its default
        out.update((c, detail[c]) for c in columns if c in DETAIL and c in detail)
    return out


def figures(text: str) -> Any:
    """An entry's key figures as stored, their names interned: the index holds two years of
    them, and ten names of Chinese text are most of an entry's figures."""
    data = json.loads(text)
    return {sys.intern(k): v for k, v in data.items()} if isinstance(data, dict) else data


def _corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def migrate_json(db: Database, legacy: Path) -> int:
    """The entries, params files and pinyin of a schema-3 `manifest.json` into `db` (inside
    its open transaction); an entry this code cannot read is left out (rebuilt). Returns the
    entries moved."""
    try:
        raw = json.loads(legacy.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(raw, dict) or raw.get("schema") != LEGACY_SCHEMA:
        return 0
    codes = raw.get("code", {})
    moved = 0
    for key, e in raw.get("entries", {}).items():
        with contextlib.suppress(TypeError, AttributeError, ValueError, KeyError):
            ref = e["code"] if isinstance(e.get("code"), str) else ""
            code = codes.get(ref) if ref else e.get("code")
            row = {**_DEFAULTS, **e, "key": key}
            row["kind"], row["status"] = UnitKind(row["kind"]), Status(row["status"])
            db.put_entry(row, ref or dumps(code), code if isinstance(code, dict) else {})
            moved += 1
    for path, f in dict(raw.get("files", {})).items():
        with contextlib.suppress(TypeError, AttributeError, ValueError, KeyError):
            # no stat recorded: the first scan hashes the file, as the old manifest did
            db.write("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, '[]', 0)",
                     (path, f["digest"], f["agency"], int(f["year"])))  # fmt: skip
    for agency, keys in dict(raw.get("pinyin", {})).items():
        db.write("INSERT OR REPLACE INTO pinyin VALUES (?, ?)", (agency, dumps(keys)))
    return moved


# what an entry of a schema-3 file may leave out (the dataclass's defaults)
_DEFAULTS: dict[str, Any] = {
    "kind": "report", "agency": "", "year": 0, "source": "", "errors": 0, "warnings": 0,
    "first_error": "", "seconds": 0.0, "built_at": "", "parameters": {}, "versions": {},
    "stamps": {}, "findings": [], "snapshot": {},
}  # fmt: skip


BRIEF = ("status", "errors", "warnings", "first_error")  # a skipped unit's line
CHECKED = ("fingerprint", "code", "formats", "outputs", "stamps", *BRIEF)  # up to date?
T = TypeVar("T")


class Entries(Generic[T]):
    """A manifest's entries by key, read from its database when asked for; `make` turns a
    row into an entry (None: a row this code cannot read)."""

    def __init__(self, db: Database, make: Callable[[dict[str, Any]], T | None]) -> None:
        self._db, self._make = db, make

    def get(self, key: str, default: T | None = None) -> T | None:
        row = self._db.entry(key, ALL)
        entry = None if row is None else self._make(row)
        return default if entry is None else entry

    def __getitem__(self, key: str) -> T:
        entry = self.get(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def __contains__(self, key: object) -> bool:
        return self._db.one("SELECT 1 FROM entries WHERE key = ?", (key,)) is not None

    def __iter__(self) -> Iterator[str]:
        return (k for (k,) in self._db.rows("SELECT key FROM entries ORDER BY key"))

    def __len__(self) -> int:
        row = self._db.one("SELECT count(*) FROM entries")
        return int(row[0]) if row else 0

    def keys(self) -> list[str]:
        return list(self)

    def values(self) -> Iterator[T]:
        """Every entry, whole, one at a time (`Manifest.listing` is lighter)."""
        entries = (self._make(row) for row in self._db.entries(ALL))
        return (e for e in entries if e is not None)


class Files:
    """The params files a manifest knows, by absolute path (read-only view)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, path: str, default: Any = None) -> dict[str, Any] | None:
        row = self._db.one("SELECT digest, agency, year FROM files WHERE path = ?", (path,))
        if row is None:
            return default
        return {"digest": row[0], "agency": row[1], "year": int(row[2])}

    def __getitem__(self, path: str) -> dict[str, Any]:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found
