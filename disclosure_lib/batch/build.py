"""Build every agency × year (plus a per-year summary) in one batch: parallel and incremental.

    summary = build()                       # params/ -> outputs/, like `disclosure build`
    summary = build(["params"], year=2024, to=("html",), jobs=3)

One driver process plans the work (`plan.py`), hands each unit's inputs (params texts,
notebook) to a worker — a few units per worker ahead, so its memory stays flat — and writes
what comes back (`store.py`): `<stem>.ipynb/.html/.pdf/.docx` (or `<stem>.failed.ipynb`)
atomically, the manifest and `index.html`. Workers need no shared disk, so the same loop runs
on the local warm pool (`pool.WarmPool`) or a dask cluster (`executor="dask"`); what a worker
does for one unit is in `worker.py`.

A unit is rebuilt only when one of its inputs changed or its outputs are not the files it
wrote (see `manifest.py`): for a report its params file and the earlier years of the same
agency (charts and cross-year checks read them), for a summary every report of that year and
the years before (its trend); for both the notebook, templates/CSS and the library. Outputs
whose params are gone are removed; an interrupted build still writes the index, marked
incomplete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import sys
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, ParamsError, UnreadableError
from .changes import mark_changes
from .dask_executor import POLL_SECONDS, DaskExecutor
from .fingerprints import combine, file_digest
from .launch import AHEAD_PER_WORKER, EarlyPool, default_jobs
from .launch import executor as _executor
from .lock import OutputLock
from .manifest import MANIFEST_NAME, Entry, Manifest, remove_stale_temps
from .manifest_db import LEGACY_NAME
from .memory import release_memory
from .options import DEFAULT_TIMEOUT, BuildOptions
from .order import UnitOrder, failed_agencies, to_build
from .plan import (
    REPORT_NOTEBOOK,
    SUMMARY_NOTEBOOK,
    Plan,
    Unit,
    build_options,
    orphans,
    plan,
    read_notebook,
)
from .progress import Line, Progress, summary_table
from .states import Status, UnitKind
from .store import failed_entry, remove_entry, remove_replaced, store
from .summaries import CacheUpdate, run_summary
from .summaries import prepare as prepare_summaries
from .summaries import specs as summary_specs
from .worker import (
    Result,
    Task,
    first_line,
    run_task,
    sweep_temp_folders,
    timeout_message,
)

if TYPE_CHECKING:
    from ..params import Scan

__all__ = [
    "DEFAULT_TIMEOUT",
    "REPORT_NOTEBOOK",
    "SUMMARY_NOTEBOOK",
    "BuildOptions",
    "BuildSummary",
    "Unit",
    "build",
    "plan",
]


@dataclass
class BuildSummary:
    output_dir: Path
    lines: list[Line]
    wall: float
    index: Path | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)  # label -> step seconds
    complete: bool = True  # False: interrupted (the index says so)
    removed: list[str] = field(default_factory=list)  # labels of outputs whose params are gone
    # label -> formats written although not asked for: an earlier build or render wrote them
    kept_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the driver's steps, seconds since the build started when each ended (see `_State.phase`)
    phases: dict[str, float] = field(default_factory=dict)

    @functools.cached_property
    def entries(self) -> list[Entry]:
        """The output folder's entries as the manifest now records them (read when asked: a
        build does not hold them)."""
        manifest = Manifest.load(self.output_dir)
        try:
            return list(manifest.entries.values())
        finally:
            manifest.close()

    @property
    def built(self) -> list[Line]:
        return [x for x in self.lines if x.status == Status.BUILT]

    @property
    def skipped(self) -> list[Line]:
        return [x for x in self.lines if x.status == Status.SKIPPED]

    @property
    def failed(self) -> list[Line]:
        return [x for x in self.lines if x.status == Status.FAILED]

    @property
    def blocked(self) -> list[Line]:
        return [x for x in self.lines if x.status == Status.BLOCKED]

    @property
    def check_errors(self) -> int:
        """Check errors over the reports (a summary's are its reports', not counted again)."""
        return sum(
            x.errors for x in self.lines if x.status != Status.FAILED and x.kind == UnitKind.REPORT
        )

    @property
    def drafts(self) -> list[Line]:
        """Reports written marked 草稿（校验未通过） (publish profile, check errors)."""
        return [x for x in self.lines if x.draft]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.blocked or self.drafts else 0

    def table(self) -> str:
        return summary_table(self.lines, self.wall, removed=len(self.removed),
                             kept_formats=self.kept_formats)  # fmt: skip


# --- the build -------------------------------------------------------------------------------


def build(
    paths: Sequence[Path | str] | None = None,
    options: BuildOptions | None = None,
    /,
    **changes: Any,
) -> BuildSummary:
    """Build the reports under `paths` (default params/) into the output folder; see module doc.

    `options` (a `BuildOptions`) with keyword `changes` to its fields on top:
    `build(["params"], year=2024, to="html")`. Raises BuildError when no params file is found
    (the output folder is then not created), when two agencies would share an output folder,
    when the output folder is locked by another build, read-only or full. A report that fails
    is recorded as failed and the batch goes on; with `strict`, a report whose check finds
    errors is blocked: none of its outputs is written (and earlier ones are removed). A format
    an earlier build or render wrote for a report is written again when it is rebuilt, not
    removed (`BuildSummary.kept_formats` says which).
    """
    started = time.monotonic()
    opts = dataclasses.replace(options or BuildOptions(), **changes)
    formats, profile, pdf_standard = build_options(opts.to, opts.profile, opts.pdf_standard)
    notebook = _report_notebook(opts)
    opts = dataclasses.replace(opts, to=formats, profile=profile, pdf_standard=pdf_standard,
                               output_dir=Path(opts.output_dir), notebook=notebook)  # fmt: skip
    source_paths = [Path(p) for p in (paths or [Path("params")])]
    with EarlyPool(opts, _executor) as early:
        return _build(opts, source_paths, early, started)


def _build(
    opts: BuildOptions, source_paths: list[Path], early: EarlyPool, started: float
) -> BuildSummary:
    profile, pdf_standard = opts.profile, opts.pdf_standard
    notebook, output_dir = Path(opts.notebook or REPORT_NOTEBOOK), Path(opts.output_dir)
    scanned = _require_params(source_paths, output_dir)
    sweep_temp_folders()
    with OutputLock(output_dir):
        manifest = Manifest.load(output_dir)
        if manifest.begin_writes():  # the last build or render was killed: its temp files
            remove_stale_temps(output_dir)
        planned = plan(source_paths, manifest, year=opts.year, agency=opts.agency,
                       summaries=opts.summaries, notebook=notebook, profile=profile,
                       pdf=pdf_standard, scanned=scanned)  # fmt: skip
        del scanned  # not held through the build
        removed = _remove_orphans(output_dir, manifest, planned)
        todo, skipped = to_build(planned.units, manifest, opts)
        show = Progress(len(planned.units), enabled=opts.progress)
        state = _State(output_dir, manifest, show, started=started)
        del planned  # nor the plan: a unit goes once written (`_run`), or has its line
        state.phase("plan")
        state.lines.extend(_skipped_line(manifest, u, profile) for u in skipped)
        del skipped
        state.show.skip(len(state.lines))
        complete, index = False, None
        try:
            for unit in [u for u in todo if u.load_error]:
                manifest.record(failed_entry(unit))
                state.add(Line(unit.label, Status.FAILED, message=unit.load_error))
            work = [u for u in todo if not u.load_error]
            del todo
            if work:
                _run(work, opts, state, source_paths, early.take())
            state.phase("units")
            release_memory()  # what the units left, before the index pages are made
            early.close()  # nothing (more) to build: the index is written without it
            complete = True
        finally:
            state.show.close()
            # after Ctrl-C or a write error too: the index lists what exists, marked incomplete
            with contextlib.suppress(BuildError):
                manifest.save()
            with contextlib.suppress(BuildError):
                index = _write_index(output_dir, manifest, complete=complete,
                                     params=source_paths)  # fmt: skip
                state.phase("index")
            with contextlib.suppress(BuildError):
                manifest.end_writes()
                manifest.close()
    sweep_temp_folders()  # the workers are gone: nothing of this build is left in /tmp
    return BuildSummary(output_dir, state.lines, time.monotonic() - started, index,
                        state.timings, complete, removed, state.kept_formats,
                        state.phases)  # fmt: skip


@dataclass
class _State:
    """What the driver loop writes to while a build runs."""

    output_dir: Path
    manifest: Manifest
    show: Progress
    lines: list[Line] = field(default_factory=list)
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    kept_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    started: float = 0.0  # time.monotonic() when the build started
    phases: dict[str, float] = field(default_factory=dict)

    def phase(self, name: str) -> None:
        """Note when a step of the driver ended: "plan" (scanned, planned, stale units known),
        "first unit" (the first result: the warm pool's start included), "reports" (the last
        report), "cache" (the collection cache updated), "units", "index"."""
        self.phases.setdefault(name, time.monotonic() - self.started)

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self.show.add(line)


def _require_params(paths: list[Path], output_dir: Path) -> Scan:
    """No params file under `paths`: an error, and no output folder created. (An existing
    output folder is still cleaned up: its reports' params are gone.) A path that exists but
    cannot be read is no error here: the build lists it as failed and removes nothing. The
    scan (with each file's stat) is the build's one: planning reads it."""
    from ..params import scan

    scanned = scan(paths)
    found, errors = scanned.found, scanned.errors
    named = set(paths)
    for exc in errors:
        if exc.path in named and not isinstance(exc, UnreadableError):
            raise BuildError(exc.message, path=exc.path)
    recorded = any((output_dir / name).is_file() for name in (MANIFEST_NAME, LEGACY_NAME))
    if not found and not errors and not recorded:
        where = "、".join(str(p) for p in paths)
        raise BuildError(f"{where} 中没有参数文件 (*.yaml)，未生成任何输出 (no params files found)")
    return scanned


def _remove_orphans(output_dir: Path, manifest: Manifest, planned: Plan) -> list[str]:
    gone = orphans(manifest, planned)
    for entry in gone:
        remove_entry(output_dir, entry)
        manifest.forget(entry.key)
    if gone:
        manifest.save()
    return [e.label for e in gone]


def _skipped_line(manifest: Manifest, unit: Unit, profile: str) -> Line:
    e = manifest.brief(unit.key)
    status = Status.BLOCKED if e is not None and e["status"] == Status.BLOCKED else Status.SKIPPED
    if e is None:
        return Line(unit.label, status, kind=unit.kind)
    return Line(unit.label, status, errors=e["errors"], warnings=e["warnings"], kind=unit.kind,
                message=e["first_error"] if status == Status.BLOCKED else "",
                check_error=e["first_error"],
                draft=_draft(unit.kind, status, e["errors"], profile))  # fmt: skip


def _draft(kind: UnitKind, status: Status, errors: int, profile: str) -> bool:
    """A report written (now or before) marked 草稿（校验未通过）: the notebook's `report_body`
    marks a publish render whose checks find errors; the same checks counted `errors`."""
    published = status in (Status.BUILT, Status.SKIPPED) and profile != "review"
    return kind == UnitKind.REPORT and published and errors > 0


_SITE_MODULES = ("batch/site.py", "batch/dashboard.py", "batch/site_assets.py")


def _digest_or_empty(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return file_digest(path)
    except OSError:  # unreadable: the index goes without it (`site.office_collection`)
        return "unreadable"


def _write_index(
    output_dir: Path, manifest: Manifest, *, complete: bool, params: Sequence[Path]
) -> Path:
    """The index pages for the entries as recorded; not made again when the ones there were
    made complete from the same entries, by the same code, with the same collection file, on
    the same day (days left before a deadline change daily) — a no-op build."""
    from ..collection import find_collection
    from . import site

    path = output_dir / site.INDEX_NAME
    found = find_collection(params)
    parts = {m: manifest.module_digest(m) or "" for m in _SITE_MODULES}
    parts["collection"] = _digest_or_empty(found)
    parts["today"] = datetime.date.today().isoformat()
    code = combine(parts)
    if complete and manifest.index_current(path, code):
        return path
    noted = manifest.index_note()  # same code, day, collection: the years changed are made
    same = complete and noted.get("site") == code
    tallies = {int(y): site.Tally(*t) for y, t in noted.get("tallies", {}).items() if same}
    site.write_index(output_dir, manifest, complete=complete, pinyin=manifest.pinyin,
                     collection=site.office_collection(params), tallies=tallies,
                     changed=manifest.changed_years() if same else None)  # fmt: skip
    manifest.note_index(path, code, complete=complete,
                        tallies={y: [t.reports, t.counts] for y, t in tallies.items()})  # fmt: skip
    manifest.save()
    return path


def _task(
    unit: Unit,
    opts: BuildOptions,
    notebooks: dict[UnitKind, str],
    state: _State,
    ready: dict[str, dict[str, bytes]],
) -> Task | Result:
    """A unit's task, made when it is handed out (a failure if its params cannot be read); a
    summary's files are those computed from the collection cache (`ready`) when there are."""
    try:
        files = ready.pop(unit.key, None) or unit.pack()
    except ParamsError as exc:
        return Result(False, error=first_line(str(exc)))
    return _unit_task(unit, opts, notebooks, state, files)


def _unit_task(
    unit: Unit,
    opts: BuildOptions,
    notebooks: dict[UnitKind, str],
    state: _State,
    files: dict[str, bytes],
) -> Task:
    """A unit's task with `files` (a summary run by `run_summary`: none, its worker makes them)."""
    formats = _formats(state, unit, tuple(opts.to))
    missing = failed_agencies(state.manifest, unit.year) if unit.kind == UnitKind.SUMMARY else ()
    return Task(unit.kind, unit.agency, unit.year, files, notebooks[unit.kind], formats,
                opts.timeout, opts.profile, opts.pdf_standard, opts.strict,
                missing=missing)  # fmt: skip


def _formats(state: _State, unit: Unit, asked: tuple[str, ...]) -> tuple[str, ...]:
    """`asked` plus the formats the unit had (see `Manifest.with_kept_formats`), noted."""
    formats, kept = state.manifest.with_kept_formats(unit.key, asked)
    if kept:
        state.kept_formats[unit.label] = kept
    return formats


def _report_notebook(opts: BuildOptions) -> Path:
    """The report notebook a build runs: the one asked for, else the bundled one."""
    return Path(opts.notebook) if opts.notebook is not None else REPORT_NOTEBOOK


def _run(
    work: list[Unit],
    opts: BuildOptions,
    state: _State,
    paths: Sequence[Path] = (),
    pool: Executor | None = None,
) -> None:
    notebooks = {
        UnitKind.REPORT: read_notebook(_report_notebook(opts)).decode(),
        UnitKind.SUMMARY: "",
    }
    if any(u.kind == UnitKind.SUMMARY for u in work):
        notebooks[UnitKind.SUMMARY] = read_notebook(SUMMARY_NOTEBOOK).decode()
    jobs = min(opts.jobs or default_jobs(), len(work))
    if pool is None:
        pool = _executor(opts.executor, jobs, opts.scheduler, opts.timeout,
                         pandas=any(u.kind == UnitKind.SUMMARY for u in work))  # fmt: skip
    # the local pool kills a unit at its deadline itself; on dask the driver does
    dask = pool if isinstance(pool, DaskExecutor) else None
    order = UnitOrder(work)
    # local pool: the cache is updated by the first task, beside the first reports
    cache = CacheUpdate(pool, state.output_dir, paths, work) if dask is None else None
    work.clear()  # the order holds a unit until handed out, `running` until written
    ahead = max(jobs, getattr(pool, "slots", jobs)) * (1 + AHEAD_PER_WORKER)
    running: dict[Future[Any], tuple[Unit, tuple[str, ...]]] = {}
    poll = POLL_SECONDS if dask is not None else None
    clean = False
    output_dir, manifest = state.output_dir, state.manifest
    ready: dict[str, dict[str, bytes]] = {}  # summaries' files from the collection cache
    prepared: set[str] = set()
    if cache is not None and cache.future is not None:
        cache.future.add_done_callback(lambda _: state.phase("cache"))

    def summaries(units: list[Unit]) -> dict[str, dict[str, bytes]]:
        """On dask (no shared disk): the files of the summaries `units` (their years' reports
        are done, so the failed ones are known: 未生成) from the collection cache, made by
        the driver; {}: they read the params."""
        missing = {u.key: failed_agencies(manifest, u.year) for u in units}
        return prepare_summaries(output_dir, list(paths), summary_specs(units), missing)

    def finish(unit: Unit, formats: tuple[str, ...], result: Result) -> None:
        entry = store(output_dir, unit, formats, result)
        draft = _draft(unit.kind, entry.status, result.errors, opts.profile)
        old = manifest.entries.get(unit.key)
        mark_changes(output_dir, old, entry)  # 已更改: what changed since the last build
        remove_replaced(output_dir, old, entry)
        manifest.record(entry)
        manifest.save()  # one transaction per unit: what is recorded was completely written
        label = unit.label  # one string for the line and the timings (step names shared)
        state.timings[label] = {sys.intern(k): v for k, v in result.timings.items()}
        order.done(unit)
        state.phase("first unit")
        if not any(order.pending.values()):
            state.phase("reports")
        state.add(Line(label, entry.status, result.timings.get("total", 0.0),
                       result.errors, result.warnings,
                       entry.first_error if entry.status != Status.BUILT else "", kind=unit.kind,
                       check_error=result.first_check_error,
                       draft=draft))  # fmt: skip

    try:
        while True:
            while order.ready and len(running) < ahead:
                unit = order.ready.popleft()
                if cache is not None and unit.kind == UnitKind.SUMMARY:
                    bare = _unit_task(unit, opts, notebooks, state, {})
                    call = pool.submit(run_summary, bare, unit, output_dir, cache.ready(), run_task)
                    running[call] = unit, bare.formats
                    continue
                if unit.kind == UnitKind.SUMMARY and unit.key not in prepared:
                    released = [unit, *(u for u in order.ready if u.kind == UnitKind.SUMMARY)]
                    prepared.update(u.key for u in released)
                    ready.update(summaries(released))
                task = _task(unit, opts, notebooks, state, ready)
                if isinstance(task, Result):
                    finish(unit, (), task)
                    continue
                running[pool.submit(run_task, task)] = unit, task.formats
                del task  # the executor has it; keep no copy of the params texts here
            if not running:  # nothing running, nothing ready: every summary was released
                break
            done, _ = wait(running, timeout=poll, return_when=FIRST_COMPLETED)
            if dask is not None:
                for fut in [f for f in dask.overdue() if f in running and f not in done]:
                    unit, formats = running.pop(fut)
                    dask.abandon(fut)
                    finish(unit, formats, Result(False, error=timeout_message(opts.timeout or 0)))
            for fut in done:
                unit, formats = running.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # the worker died or was killed at the deadline
                    result = Result(False, error=first_line(f"{type(exc).__name__}: {exc}"))
                    if isinstance(exc, TimeoutError) and opts.timeout:  # it ran until then
                        result.timings["total"] = opts.timeout
                del fut  # the result (notebook, documents) goes once it is written
                finish(unit, formats, result)
                del result
            del done
        clean = True
    finally:
        if clean:
            pool.shutdown(wait=True)
        else:  # Ctrl-C or a write error: stop the workers now, keep what is written
            kill = getattr(pool, "kill", None)
            if kill is not None:
                kill()
            else:
                pool.shutdown(wait=False, cancel_futures=True)
