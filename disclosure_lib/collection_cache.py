"""The collection cache: what the year summaries need of every params file, kept per file and
refreshed per changed file, one per output folder (`cache_path`).

Kept out of the (published) output folder: in `$DISCLOSURE_CACHE_DIR`, else
`$XDG_CACHE_HOME/disclosure_lib`, named after the output folder; removed after `STALE_DAYS`.

Per params file (keyed by its path; unchanged while size and mtime are, re-hashed when the
mtime is too recent to tell, re-read when its SHA-256 differs) the cache keeps its official
cells as floats (current cells, `summary.cell_values`), its fee exactly (`amounts_of`), its
own findings (`checks.check_report`: rules 1–6, placeholders, 落款 — the narrative parsed
once, not at every summary), its 纠正 shares, a small stub of the report (agency, year,
formats, source, the review table's lines, `acknowledged`) and the cross-year findings against
the report of the year before, with that report's hash (recomputed when either changes).
What depends on the whole year is computed from those at each query, in whole-array
operations: duplicates (D1) and the peer check (Y3, `checks_trend.peer_findings`). A year's
findings are then those of `summary.year_findings` over the loaded reports, in the same order
(`tests/test_collection_cache.py` compares them on generated reports with injected errors).

One pickle behind a magic line and its SHA-256, written atomically; a file not matching its
hash or written by other code is rebuilt (`note` says why), never trusted. A restricted
unpickler loads only builtins, Decimal, dates, paths and the library's `Finding`/`Report`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import format as fmt
from .errors import DisclosureError, ParamsError
from .files import write_atomic
from .findings import Finding, acknowledge, make_finding
from .model import Report
from .names import pinyin_syllables, remember_syllables
from .params import Stat

if TYPE_CHECKING:
    import pandas as pd

    from .summary import YearSummary

CACHE_ENV = "DISCLOSURE_CACHE_DIR"
STALE_DAYS = 30  # a cache not written for this long (an output folder gone) is removed
# A long update (a first build of thousands of files) saves what it has every so often: a
# build killed at its deadline or by the user resumes from there, not from nothing
CHECKPOINT_SECONDS = 60.0
MAGIC = b"disclosure-lib collection cache 1\n"
RACY_NS = 2_000_000_000  # an mtime this close to the last save may hide a change: hash it
# the modules whose code makes what the cache keeps: another version of any is a new cache
_CODE = (
    "checks.py", "checks_trend.py", "checks_values.py", "collection_cache.py", "findings.py",
    "format.py", "format2019.py", "formats.py", "model.py", "names.py", "narrative.py",
    "narrative_patterns.py", "params.py", "params_nodes.py", "params_read.py", "summary.py",
)  # fmt: skip


def cache_dir() -> Path:
    """Where collection caches are kept (see module doc)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "disclosure_lib"


def cache_path(output_dir: Path | str) -> Path:
    """The collection cache of the build writing to `output_dir`."""
    key = hashlib.sha256(os.path.abspath(output_dir).encode()).hexdigest()[:20]
    return cache_dir() / f"collection-{key}.pickle"


def _prune(folder: Path) -> None:
    """Caches of output folders not built for STALE_DAYS, temp files of killed writers."""
    now = time.time()
    for p in [*folder.glob("collection-*.pickle"), *folder.glob(".collection-*.tmp")]:
        limit = STALE_DAYS * 86400 if p.suffix == ".pickle" else 3600
        with contextlib.suppress(OSError):
            if now - p.stat().st_mtime > limit:
                p.unlink()


def code_digest() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    return h.hexdigest()


@dataclass
class Entry:
    """One params file as the cache keeps it."""

    path: str
    size: int
    mtime_ns: int
    digest: str
    agency: str
    year: int
    cells: bytes  # float64 × len(summary.CELLS), NaN blank
    amounts: tuple[object, ...]  # summary.amounts_of: the fee as kept (Decimal)
    shares: dict[str, tuple[int, int]]  # checks_trend.corrected_shares
    own: bytes  # pickled list[Finding]: check_report(report)
    stub: bytes  # pickled Report: what Y3 and D1 findings are made from
    prev_digest: str = ""  # the year before's report `pair` was checked against ("": none)
    pair: bytes = b""  # pickled list[Finding]: check_against_previous(report, previous)


_ALLOWED = {
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("disclosure_lib.findings", "Finding"),
    ("disclosure_lib.model", "Report"),
    ("disclosure_lib.model", "Contact"),
    ("disclosure_lib.model", "Acknowledgement"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def _loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class Update:
    """What `CollectionCache.update` did: files read again, dropped, and what failed."""

    read: list[str]
    dropped: list[str]
    errors: list[ParamsError]
    seconds: float


class CollectionCache:
    """Every params file's cells and findings (see module doc); `load`, `update`, `save`."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.entries: dict[str, Entry] = {}
        self.saved_ns = 0
        self.note = ""  # why a cache file found was not used ("" if none or used)
        self.code = code_digest()
        # agency -> `names.pinyin_syllables`: summaries order agencies without pypinyin
        self.pinyin: dict[str, tuple[str, ...]] = {}

    # --- the file ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str) -> CollectionCache:
        """The cache kept at `path`; empty (with `note`) if missing, corrupt or stale."""
        cache = cls(path)
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            return cache
        except OSError as exc:
            cache.note = f"无法读取汇总缓存，已重建 (collection cache unreadable: {exc.strerror})"
            return cache
        head, digest = len(MAGIC), raw[len(MAGIC) : len(MAGIC) + 32]
        body = raw[head + 32 :]
        if raw[:head] != MAGIC or hashlib.sha256(body).digest() != digest:
            cache.note = "汇总缓存已损坏，已重建 (collection cache corrupt: rebuilt)"
            return cache
        try:
            data = _loads(body)
            if data["code"] != cache.code:
                cache.note = "程序已更新，汇总缓存已重建 (library changed: cache rebuilt)"
                return cache
            names = [f.name for f in fields(Entry)]
            entries = {row[0]: Entry(*row) for row in data["entries"] if len(row) == len(names)}
            cache.saved_ns = int(data["saved_ns"])
            pinyin = {str(k): tuple(map(str, v)) for k, v in data["pinyin"].items()}
        except Exception as exc:  # whatever a damaged payload raises: rebuilt, never trusted
            cache.note = f"汇总缓存无法解析，已重建 (collection cache unreadable: {exc})"
            return cache
        cache.entries, cache.pinyin = entries, pinyin
        remember_syllables(pinyin)
        return cache

    def save(self, path: Path | str | None = None) -> Path:
        """Write the cache atomically (temp file, rename); folders created as needed."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path to save the collection cache to")
        self.saved_ns = time.time_ns()
        # not `astuple`: it deep-copies every field (0.4 s at 2,100 files)
        rows = [tuple(vars(e).values()) for e in self.entries.values()]
        body = _dumps({"code": self.code, "saved_ns": self.saved_ns, "entries": rows,
                       "pinyin": self.pinyin})  # fmt: skip
        written = write_atomic(target, MAGIC + hashlib.sha256(body).digest() + body, parents=True)
        _prune(target.parent)
        return written

    # --- keeping it current --------------------------------------------------------------------

    def update(self, paths: Iterable[Path | str]) -> Update:
        """Bring the cache to the params files under `paths` (as `load_reports` finds them):
        unchanged files kept, changed ones read and checked again (a folder a process when
        many), gone ones dropped; then cross-year findings whose pair changed made again."""
        from .params import load_report, scan

        started = time.perf_counter()
        errors = (found := scan(paths)).errors  # with each file's stat: one stat a file in all
        entries: dict[str, Entry] = {}
        todo: list[_Todo] = []
        for key, root in found.found.items():
            old = self.entries.get(key)
            try:
                st = found.stats.get(key) or Stat.of(key)
                if old is not None and self._unchanged(old, st):
                    entries[key] = old
                    continue
                data = (f := Path(key)).read_bytes()
            except OSError as exc:
                errors.append(ParamsError(f"无法读取文件 (cannot read): {exc.strerror}", path=f))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if old is not None and old.digest == digest:
                old.size, old.mtime_ns = st.size, st.mtime_ns
                entries[key] = old
                continue
            todo.append((key, f, root is not None, st, digest))
        parsed: dict[str, Report] = {}
        read: list[str] = []
        checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        for key, entry, failed, report in _read_all(todo):
            errors.extend(failed)
            if entry is not None:
                entries[key] = entry
                read.append(key)
                if report is not None:
                    parsed[key] = report
            if self.path is not None and time.monotonic() > checkpoint:
                self._checkpoint(entries)
                checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        dropped = [k for k in self.entries if k not in entries]
        if entries.keys() == self.entries.keys():  # the same files: in the order kept
            self.entries = {k: entries[k] for k in self.entries}
        else:
            self.entries = dict(sorted(entries.items(), key=lambda kv: Path(kv[0])))
        self._pairs(parsed, load_report)
        # pypinyin loaded here only for a name not seen before (in the update's process)
        names = sorted({e.agency for e in self.entries.values()})
        self.pinyin = {n: self.pinyin.get(n) or pinyin_syllables(n) for n in names}
        remember_syllables(self.pinyin)
        return Update(read, dropped, errors, time.perf_counter() - started)

    def _checkpoint(self, entries: dict[str, Entry]) -> None:
        """Save what is read so far beside what was kept: every entry is checked against its
        file again when loaded, and cross-year findings not made yet are made then."""
        kept = self.entries
        self.entries = {**kept, **entries}
        try:
            self.save()
        except DisclosureError:  # the update goes on; the final save says what is wrong
            pass
        finally:
            self.entries = kept

    def _unchanged(self, old: Entry, st: Stat) -> bool:
        if old.size != st.size or old.mtime_ns != st.mtime_ns:
            return False
        return st.mtime_ns < self.saved_ns - RACY_NS  # else: hash it to be sure

    def _pairs(self, parsed: dict[str, Report], load: Any) -> None:
        from .checks import check_against_previous

        first = self._first()

        def report(e: Entry) -> Report:
            if e.path not in parsed:
                parsed[e.path] = load(e.path)
            return parsed[e.path]

        for e in self.entries.values():
            prev = first.get((e.agency, e.year - 1))
            want = prev.digest if prev is not None else ""
            if e.prev_digest == want and e.path not in parsed:
                continue
            e.prev_digest, e.pair = want, b""
            if prev is not None:
                try:
                    found = check_against_previous(report(e), report(prev))
                except ParamsError:  # changed since it was scanned: the next update redoes it
                    e.prev_digest = "?"
                    continue
                e.pair = _dumps(found)

    def _first(self) -> dict[tuple[str, int], Entry]:
        """The first report of each agency and year, in load order (as the checks take it)."""
        first: dict[tuple[str, int], Entry] = {}
        for e in self.entries.values():
            first.setdefault((e.agency, e.year), e)
        return first

    # --- what it answers -----------------------------------------------------------------------

    def select(self, year: int | None = None, only: Collection[str] | None = None) -> list[Entry]:
        """Entries (load order) of years up to `year`; with `only`, those whose absolute path is
        in it (the files a build's summary was planned from)."""
        out = list(self.entries.values())
        if year is not None:
            out = [e for e in out if e.year <= year]
        if only is not None:
            out = [e for e in out if os.path.abspath(e.path) in only]
        return out

    def year_findings(self, year: int, only: Collection[str] | None = None) -> list[Finding]:
        """`summary.year_findings` of the reports kept, from what is kept."""
        from .checks_trend import peer_findings

        entries = self.select(year, only)
        this = [e for e in entries if e.year == year]
        first: dict[tuple[str, int], Entry] = {}
        found: list[Finding] = []
        for e in this:
            original = first.setdefault((e.agency, e.year), e)
            if original is not e:
                found.append(_duplicate(_loads(e.stub), original))
        for e in this:
            found += _loads(e.own)
        peers = [e for e in first.values() if e.shares]
        stubs = {id(e): _loads(e.stub) for e in peers}
        for f in peer_findings((stubs[id(e)], e.shares) for e in peers):
            owner = first[f.agency, f.year]
            found += acknowledge(stubs[id(owner)], [f])
        before = {e.agency for e in entries if e.year == year - 1}
        for e in this:
            if e.agency in before and e.pair:
                found += _loads(e.pair)
        return found

    def cells(
        self, entries: Sequence[Entry], cells: Sequence[tuple[str, str, str]] | None = None
    ) -> pd.DataFrame:
        """`summary.cell_frame` of `entries` (every cell, or those of `cells`)."""
        import numpy as np

        from . import summary as sm

        data = np.frombuffer(b"".join(e.cells for e in entries), dtype="float64")
        data = data.reshape(len(entries), len(sm.CELLS))
        if cells is not None:
            where = {c: i for i, c in enumerate(sm.CELLS)}
            data = data[:, [where[c] for c in cells]]
        return sm.frame_of(data, [(e.agency, e.year) for e in entries], cells or sm.CELLS)

    def year_summary(
        self, year: int, only: Collection[str] | None = None,
        findings: Sequence[Finding] | None = None, *, missing: Iterable[str] = (),
    ) -> YearSummary:  # fmt: skip
        """`summary.year_summary` of the reports kept (a RenderError if none is of `year`);
        `findings`: the year's `year_findings` if already made; `missing`: failed reports."""
        from . import summary as sm

        entries = self.select(year, only)
        of_year = [e for e in entries if e.year == year]
        if not of_year:
            raise sm.no_reports(year, {e.year for e in self.select(None, only)})
        if findings is None:
            findings = self.year_findings(year, only)
        frame = sm.frame_of_findings(findings)
        dropped, earlier = sm.left_out(frame, year, missing), [e for e in entries if e.year < year]
        chosen = sorted((e for e in of_year if e.agency not in set(dropped["agency"])),
                        key=lambda e: e.agency)  # fmt: skip
        return sm.summary_of(year, self.cells(chosen), self.cells(earlier, sm.KEY_CELLS),
                             [e.amounts for e in chosen], frame, dropped)  # fmt: skip

    def frame(self) -> pd.DataFrame:
        """Every report kept as one `summary.cell_frame` (explore.ipynb, the index)."""
        return self.cells(list(self.entries.values()))


# a params file to read: key, path, found in a folder (vetted by the scan), stat, SHA-256
_Todo = tuple[str, Path, bool, Stat, str]
_Read = tuple[str, "Entry | None", list[ParamsError], "Report | None"]
PARALLEL_MIN = 200  # files to read before the reading is spread over the cores


def _read_all(todo: list[_Todo]) -> Iterator[_Read]:
    """Each file of `todo` read and checked: one by one (its Report given back for the
    cross-year findings), or, for many files, a folder (an agency's years) at a time, each
    making its folder's cross-year findings itself, on every core in forked processes: the
    Reports of thousands of files are never all held at once."""
    if len(todo) < PARALLEL_MIN:
        for item in todo:
            yield _read_one(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    groups: dict[Path, list[_Todo]] = {}
    for item in todo:
        groups.setdefault(item[1].parent, []).append(item)
    cores = os.cpu_count() or 1
    if cores < 2:
        for group in groups.values():
            yield from _read_group(group)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(cores, mp_context=context) as pool:
        for done in pool.map(_read_group, groups.values(), chunksize=8):
            yield from done


def _read_one(item: _Todo) -> _Read:
    from .params import _read_file, load_report

    key, f, vetted, st, digest = item
    try:
        report = _read_file(f) if vetted else load_report(f)
    except ParamsError as exc:
        return key, None, list(exc.errors), None
    return key, _entry(key, st, digest, report), [], report


def _read_group(items: list[_Todo]) -> list[_Read]:
    """`_read_one` for each file of one folder, with the cross-year findings among them (the
    update makes again any whose year before turns out to be another file)."""
    from .checks import check_against_previous

    done = [_read_one(item) for item in items]
    first: dict[tuple[str, int], tuple[Entry, Report]] = {}
    for _, e, _, r in done:
        if e is not None and r is not None:
            first.setdefault((e.agency, e.year), (e, r))
    for _, e, _, r in done:
        if e is None or r is None or (e.agency, e.year - 1) not in first:
            continue
        prev, previous = first[e.agency, e.year - 1]
        e.prev_digest, e.pair = prev.digest, _dumps(check_against_previous(r, previous))
    return [(key, e, failed, None) for key, e, failed, _ in done]  # Reports stay here


def _entry(key: str, st: Stat, digest: str, report: Report) -> Entry:
    from .checks import check_report
    from .checks_trend import corrected_shares
    from .formats import as_current
    from .summary import amounts_of, cell_values

    review = fmt.REVIEW.key
    stub = Report(
        agency=report.agency,
        year=report.year,
        format=report.format,
        table_formats=dict(report.table_formats),
        acknowledged=list(report.acknowledged),
        source=report.source,
        lines={k: v for k, v in report.lines.items() if k[0] == review},
    )
    return Entry(key, st.size, st.mtime_ns, digest, report.agency, report.year,
                 cell_values(report).tobytes(), amounts_of(as_current(report)),
                 corrected_shares(report), _dumps(check_report(report)), _dumps(stub))  # fmt: skip


def _duplicate(r: Report, first: Entry) -> Finding:
    """D1-DUPLICATE as `checks.check_reports` makes it."""
    other = first.path
    return make_finding(
        r,
        "D1-DUPLICATE",
        "error",
        (),
        "每个机关每年一份",
        other,
        f"{r.agency}{r.year}年的报告重复：另见 {other or '另一份报告'}",
        table="（报告）",
    )


def cached_collection(
    paths: Iterable[Path | str] = ("params",), output_dir: Path | str = "outputs"
) -> CollectionCache:
    """The collection cache of a build's output folder, brought up to date with `paths` and
    saved (explore.ipynb and scripts: `.frame()`, `.year_summary(year)`)."""
    cache = CollectionCache.load(cache_path(output_dir))
    cache.update(paths)
    cache.save()
    return cache
