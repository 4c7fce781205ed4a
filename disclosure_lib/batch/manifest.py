"""What each output was built from, and the lock that keeps two builds off one output folder.

`outputs/manifest.sqlite` (`manifest_db`) holds one entry per built report (and per-year
summary), whoever wrote it (`build` or `render`): the hash of every input that determines it
(its params file, the earlier years of the same agency, the notebook, templates/CSS, the
library code and version), the formats produced, the status, the check counts and findings
shown in the index, and the size and hash of every file written. A report is up to date when
its inputs hash the same and every output is still the file that was written (size and hash;
the hash is recomputed only when the file's stat changed, as git does for its index). Each
unit's entry is written in a transaction once its files are, so a build killed at any moment
leaves the entries of what was completely written; the others are built again next time.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import OutputError, WriteError
from ..files import write_atomic
from ..rendering.notebook import FORMATS
from .fingerprints import PACKAGE_DIR, combine, digest, file_digest
from .manifest_db import BRIEF, CHECKED, DB_NAME, LISTED, Database, Entries, Files, dumps
from .states import Status, UnitKind

MANIFEST_NAME = DB_NAME  # manifest.sqlite (earlier versions: manifest.json, migrated)
LOCK_NAME = ".build.lock"


@dataclass
class Entry:
    """One output unit (a report or a year's summary) as last built."""

    key: str
    fingerprint: str
    inputs: dict[str, str]
    status: Status
    formats: list[str]
    outputs: list[str]  # paths relative to the output folder
    kind: UnitKind = UnitKind.REPORT
    agency: str = ""
    year: int = 0
    source: str = ""  # params file (reports)
    errors: int = 0  # check findings of severity error
    warnings: int = 0
    first_error: str = ""  # first line of the failure, or of the first check error
    seconds: float = 0.0
    built_at: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # module file -> hash, as built
    # output path -> {"size", "sha256", "stat": [inode, mtime_ns, ctime_ns]} as written
    stamps: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)  # check findings (capped)
    # what the index shows besides (reports): warnings the office verified (已核实), the 落款
    # date (ISO), the key figures (checks_trend.KEY_FIGURES), the profile rendered
    acknowledged: int = 0
    issued: str = ""
    figures: dict[str, int | None] = field(default_factory=dict)
    profile: str = ""
    # what the next build compares a changed version with (`diff.snapshot`; `changes.py`)
    snapshot: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status, self.kind = Status(self.status), UnitKind(self.kind)  # JSON holds str

    @property
    def label(self) -> str:
        """How progress lines and the index name this unit."""
        if self.kind == UnitKind.SUMMARY:
            return f"{self.year}年 汇总"
        return f"{self.agency} {self.year}年" if self.agency else (self.source or self.key)


class Manifest:
    """The manifest of one output folder (`manifest.sqlite`, see `manifest_db`).

    Entries are read from the database when asked for (`entries`, `listing`), not held: a
    build of 20,000 units keeps none of them in the driver. Changes (`record`, `forget`,
    re-stamped outputs, params files seen) go into one open transaction, committed by `save`.
    """

    def __init__(self, output_dir: Path | str) -> None:
        self.output_dir = Path(output_dir)
        self._root = str(self.output_dir)
        self.db = Database(self.output_dir)
        self.path = self.db.path
        self.entries = Entries(self.db, self._entry)
        self.files = Files(self.db)  # params file (absolute path) -> digest, agency, year
        self._pinyin: dict[str, list[str]] | None = None
        self._pinyin_saved: set[str] = set()
        self._module: dict[str, str | None] = {}
        self._codes: dict[str, dict[str, str]] = {}  # ref -> the shared module-hash dict
        self._code_ok: dict[str, bool] = {}
        self._brief: dict[str, tuple[Any, ...]] = {}  # a tuple: 20,000 of them at once
        self._briefs: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # each distinct one once
        self.changed = 0  # entries recorded or forgotten since opened
        self._years: set[int] = set()  # their years, not saved yet (`changed_years`)

    @classmethod
    def load(cls, output_dir: Path | str) -> Manifest:
        """Open the manifest (creating it, or migrating a `manifest.json`); one that cannot
        be read as a database is empty (everything rebuilds)."""
        m = cls(Path(output_dir))
        m.db.conn  # noqa: B018 - opened now: a read-only or full folder fails here, in one line
        return m

    @property
    def pinyin(self) -> dict[str, list[str]]:
        """Agency name -> [pinyin, initials] for the index (`site.pinyin_keys`), computed
        once; names added here are saved by `save`."""
        if self._pinyin is None:
            rows = self.db.rows("SELECT agency, keys FROM pinyin")
            self._pinyin = {a: json.loads(k) for a, k in rows}
            self._pinyin_saved = set(self._pinyin)
        return self._pinyin

    def code(self, ref: str) -> dict[str, str]:
        """The module hashes stored under `ref`, one dict shared by every entry using it."""
        if ref not in self._codes:
            self._codes[ref] = self.db.code(ref)
        return self._codes[ref]

    def up_to_date(
        self, key: str, fingerprint: str, formats: tuple[str, ...], *, strict: bool = False
    ) -> bool:
        """Nothing to do for `key`: built from the same inputs by the same code, in `formats`,
        its outputs as written; with `strict`, blocked, or built without check errors."""
        e = self.db.entry(key, CHECKED)
        if e is None:
            return False
        self._brief[key] = tuple(e[k] for k in BRIEF)  # the line a skipped unit gets
        if e["fingerprint"] != fingerprint or not self._same_code(e["code"]):
            return False
        return self._current(key, e, formats, strict)

    def current(
        self, wanted: Mapping[str, str], formats: tuple[str, ...], *, strict: bool = False
    ) -> set[str]:
        """The keys of `wanted` (key -> fingerprint) with nothing to do, each decided as
        `up_to_date` decides it, in one pass over the entries: a no-op build of 20,000 units
        makes one query, and parses the stamps only of entries whose inputs match."""
        ok: set[str] = set()
        columns = ("key", "fingerprint", "code", *BRIEF)
        sql = f"SELECT {', '.join(columns)}, formats, outputs, stamps FROM entries"
        for row in self.db.rows(sql):
            key = row[0]
            fingerprint = wanted.get(key)
            if fingerprint is None:
                continue
            # the unit's own key (`to_build` interned it), a brief shared by all that have it
            brief = row[3:7]
            self._brief[sys.intern(key)] = self._briefs.setdefault(brief, brief)
            if row[1] != fingerprint or not self._same_code(row[2]):
                continue
            e = dict(zip(columns, row, strict=False))
            e.update(formats=json.loads(row[7]), outputs=json.loads(row[8]),
                     stamps=json.loads(row[9]))  # fmt: skip
            if self._current(key, e, formats, strict):
                ok.add(key)
        return ok

    def _current(self, key: str, e: dict[str, Any], formats: tuple[str, ...], strict: bool) -> bool:
        """`up_to_date` once inputs and code match: status, formats, outputs as written."""
        if e["status"] == Status.BLOCKED:
            return strict and self._verify(key, e["outputs"], e["stamps"])
        if e["status"] != Status.BUILT or (strict and e["errors"]):
            return False
        if not set(formats) <= set(e["formats"]):
            return False
        return self._verify(key, e["outputs"], e["stamps"])

    def _same_code(self, ref: str) -> bool:
        if ref not in self._code_ok:
            code = self.code(ref)
            self._code_ok[ref] = all(self.module_digest(n) == h for n, h in code.items())
        return self._code_ok[ref]

    def with_kept_formats(
        self, key: str, asked: Sequence[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The formats to write for `key` and those of them not `asked`: `asked` plus what its
        last successful build wrote, so a format a user once asked for (`render --to docx`) is
        rebuilt with the report, never removed by a later run asking for less."""
        e = self.db.entry(key, ("status", "formats"))
        before = set(e["formats"]) if e is not None and e["status"] == Status.BUILT else set()
        kept = tuple(f for f in FORMATS if f in before and f not in asked)
        return tuple(f for f in FORMATS if f in asked or f in kept), kept

    def verify(self, entry: Entry) -> bool:
        """Every output of `entry` is the file that was written: same size and hash.

        The hash is recomputed only when the file's (inode, mtime, ctime) differ from the
        recorded ones; a file that hashes the same gets its new stat recorded.
        """
        return self._verify(entry.key, entry.outputs, entry.stamps)

    def _verify(self, key: str, outputs: list[str], stamps: dict[str, dict[str, Any]]) -> bool:
        restamped = False
        for rel in outputs:
            recorded = stamps.get(rel)
            if recorded is None:
                return False
            try:
                st = os.stat(os.path.join(self._root, rel))  # no pathlib: once per output
            except OSError:
                return False
            if st.st_size != recorded.get("size"):
                return False
            stat = _stat_key(st)
            if stat == recorded.get("stat"):
                continue
            try:
                same = file_digest(self.output_dir / rel) == recorded.get("sha256")
            except OSError:
                return False
            if not same:
                return False
            recorded["stat"], restamped = stat, True
        if restamped:
            self.db.write("UPDATE entries SET stamps = ? WHERE key = ?", (dumps(stamps), key))
        return True

    def module_digest(self, name: str) -> str | None:
        """The hash of a module of the package as it is now (None: missing)."""
        if name not in self._module:
            try:
                self._module[name] = file_digest(PACKAGE_DIR / name)
            except OSError:
                self._module[name] = None
        return self._module[name]

    def record(self, entry: Entry) -> None:
        entry.built_at = entry.built_at or time.strftime("%Y-%m-%dT%H:%M:%S%z")
        ref = combine(entry.code)
        entry.code = self._codes.setdefault(ref, entry.code)
        self.db.put_entry({f.name: getattr(entry, f.name) for f in fields(Entry)}, ref,
                          entry.code)  # fmt: skip
        self.changed += 1
        self._years.add(entry.year)

    def forget(self, key: str) -> None:
        found = self.db.rows("SELECT year FROM entries WHERE key = ?", (key,))
        self._years.update(int(y) for (y,) in found)
        self.db.write("DELETE FROM entries WHERE key = ?", (key,))
        self.changed += 1

    def remember_file(
        self,
        rel: str,
        file_hash: str,
        agency: str,
        year: int,
        stat: Sequence[int] | None = None,
        seen_ns: int = 0,
    ) -> None:
        """A params file as read: its hash, agency and year, and (for the next scan, see
        `plan._scan`) its stat and when it was hashed."""
        self.db.write("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                      (rel, file_hash, agency, year, dumps(list(stat or ())), seen_ns))  # fmt: skip

    def known_files(self) -> dict[str, tuple[str, str, int, str, int]]:
        """Every params file as last read: path -> (digest, agency, year, stat as JSON,
        seen_ns). One query (a scan looks up every file)."""
        rows = self.db.rows("SELECT path, digest, agency, year, stat, seen_ns FROM files")
        return {r[0]: r[1:] for r in rows}

    def brief(self, key: str) -> dict[str, Any] | None:
        """Status, counts, first error of `key` (a skipped unit's line; `up_to_date` read it)."""
        found = self._brief.pop(key, None)
        return dict(zip(BRIEF, found, strict=True)) if found else self.db.entry(key, BRIEF)

    def begin_writes(self) -> bool:
        """Note, committed, that outputs are being written; True if the last build or render
        did not note its end (killed): its temp files may be left (`remove_stale_temps`).
        Saves walking a large output folder when nothing was interrupted."""
        was = self.db.meta("writing")
        self.db.set_meta("writing", "1")
        self.save()
        return was != "0"

    def end_writes(self) -> None:
        """Every output of this build or render was written or removed (none half-written)."""
        self.db.set_meta("writing", "0")
        self.save()

    def listing(self, where: str = "", args: tuple[Any, ...] = ()) -> Iterator[Entry]:
        """Every entry (`where`: those an SQL condition selects) as the index shows it, one
        at a time: without its inputs and stamps (a year's summary has one input per report)."""
        for row in self.db.entries(LISTED, where, args):
            entry = self._entry(row)
            if entry is not None:
                yield entry

    def report_sources(self) -> Iterator[tuple[str, str, int, str]]:
        """(key, kind, year, source) of every entry: what planning needs of the records."""
        yield from self.db.rows("SELECT key, kind, year, source FROM entries ORDER BY key")

    def _entry(self, row: dict[str, Any]) -> Entry | None:
        """The entry of a row; None for one this code cannot read (rebuilt, not trusted)."""
        row["code"] = self.code(row["code"])
        try:
            return Entry(**{"inputs": {}, **row})
        except (TypeError, ValueError):
            return None

    def save(self) -> None:
        """Commit what changed (new pinyin names included): one transaction, which also
        counts a change to the entries (`index_current`)."""
        if self.changed:  # how many saves changed the entries (`index_current`)
            self.db.set_meta("generation", str(int(self.db.meta("generation") or 0) + 1))
            self.changed = 0
        if self._years:  # kept until the index is noted (`changed_years`)
            self.db.set_meta("changed_years", dumps(sorted(self._years | self.changed_years())))
            self._years.clear()
        if self._pinyin is not None:
            for agency in set(self._pinyin) - self._pinyin_saved:
                self.db.write("INSERT OR REPLACE INTO pinyin VALUES (?, ?)",
                              (agency, dumps(self._pinyin[agency])))  # fmt: skip
            self._pinyin_saved = set(self._pinyin)
        self.db.commit()

    def close(self) -> None:
        """Commit and close the database (its log files are removed)."""
        self.save()
        self.db.close()

    # --- the index --------------------------------------------------------------------------

    def index_current(self, path: Path, site_code: str) -> bool:
        """`path` (the index) is the one written complete after the last change to the
        entries, by the same site code, and not touched since."""
        noted = json.loads(self.db.meta("index") or "{}")
        if noted.get("generation") != self.db.meta("generation") or noted.get("site") != site_code:
            return False
        return self._verify("", [path.name], {path.name: noted.get("stamp", {})})

    def changed_years(self) -> set[int]:
        """Years of entries recorded or removed (and saved) since the index was noted."""
        return set(json.loads(self.db.meta("changed_years") or "[]"))

    def index_note(self) -> dict[str, Any]:
        """What `note_index` noted last ({}: the index was not written complete)."""
        return dict(json.loads(self.db.meta("index") or "{}"))

    def note_index(self, path: Path, site_code: str, *, complete: bool,
                   tallies: Mapping[int, Any] | None = None) -> None:  # fmt: skip
        """The index was written (complete or not) as the entries now stand."""
        value: dict[str, Any] = {}
        if complete:
            data = path.read_bytes()
            stamp = {"size": len(data), "sha256": digest(data), "stat": _stat_key(path.stat())}
            value = {"generation": self.db.meta("generation"), "site": site_code, "stamp": stamp,
                     "tallies": {str(y): t for y, t in (tallies or {}).items()}}  # fmt: skip
        self.db.set_meta("index", dumps(value))
        self.db.set_meta("changed_years", "[]")


def entry_rows(output_dir: Path | str) -> dict[str, dict[str, Any]]:
    """Every entry of an output folder's manifest as plain values (statuses as strings), by
    key: what `manifest.json` held, for tests and tools that read the records."""
    manifest = Manifest.load(output_dir)
    try:
        rows = manifest.entries.values()
        return {e.key: {f.name: _plain(getattr(e, f.name)) for f in fields(Entry)} for e in rows}
    finally:
        manifest.close()


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Status | UnitKind) else value


# --- writing outputs ------------------------------------------------------------------------


def write_output(path: Path, data: str | bytes) -> dict[str, Any]:
    """`write_atomic`, with a clear BuildError for a read-only or full output folder; returns
    the file's stamp for the manifest (size, hash, stat)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        write_atomic(path, raw, parents=True)
        st = os.stat(path)
    except WriteError as exc:
        raise OutputError(exc.message, path=path, errno=exc.errno) from None
    except OSError as exc:
        raise output_error(exc, path) from None
    return {"size": len(raw), "sha256": digest(raw), "stat": _stat_key(st)}


def _stat_key(st: os.stat_result) -> list[int]:  # ctime: no user tool sets it (cp -p, touch)
    return [st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def output_error(exc: OSError, path: Path) -> OutputError:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        what = "磁盘空间不足 (no space left on device)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "输出目录不可写 (output folder is read-only or not writable)"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        what = "输出路径已存在且不是目录 (output path exists and is not a folder)"
    elif exc.errno == errno.ENAMETOOLONG:
        what = "文件名过长 (file name too long)"
    else:
        what = f"无法写入输出 (cannot write output): {exc.strerror}"
    return OutputError(what, path=path, errno=exc.errno)


def remove_stale_temps(output_dir: Path) -> int:
    """Delete temp files a killed build left behind (`.<name>.*.tmp`); call under the lock."""
    n = 0
    for p in output_dir.rglob(".*.tmp") if output_dir.is_dir() else ():
        with contextlib.suppress(OSError):
            p.unlink()
            n += 1
    return n
