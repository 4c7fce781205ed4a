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
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BuildError, ParamsError, UnreadableError
from ..rendering.notebook import DEFAULT_PROFILE, FORMATS
from .manifest import MANIFEST_NAME, Entry, Manifest, OutputLock, remove_stale_temps
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
from .store import failed_entry, remove_entry, remove_replaced, store
from .worker import Result, Task, first_line, run_task, sweep_temp_folders, warm_worker

__all__ = ["REPORT_NOTEBOOK", "SUMMARY_NOTEBOOK", "BuildSummary", "Unit", "build", "plan"]

DEFAULT_TIMEOUT = 300.0  # seconds per unit, conversion included: the unit is killed then
# what the warm process runs before forking workers (the pool takes it by name)
WARM_INIT = f"{warm_worker.__module__}:{warm_worker.__qualname__}"
# Then a new worker: workers never collect garbage cycles (≈ 15 MB left per PDF), so this
# bounds their memory; the new worker's first PDF costs ≈ 0.1 s more than the next ones.
TASKS_PER_WORKER = 12
# Units handed to the executor ahead of the workers: enough that no worker waits, few enough
# that the driver's memory stays flat however large the batch (results are dropped once
# written).
AHEAD_PER_WORKER = 2


def default_jobs() -> int:
    """Workers when -j is not given: one per core.

    Each worker is busy nearly all the time (it converts while no cells run; cells run in its
    forked child while it waits), so more workers than cores only contend. Measured on 2
    cores, 24 reports, alternating runs: -j 2 11.4-11.6 s, -j 3 11.9-12.7 s. (With a fresh
    kernel per report papermill's side of the issue found 3 better than 2: a kernel waits on
    ZMQ and start-up, our workers do not.) `benchmarks/bench_build.py --sweep` re-measures.
    """
    return os.cpu_count() or 1


@dataclass
class BuildSummary:
    output_dir: Path
    lines: list[Line]
    entries: list[Entry]
    wall: float
    index: Path | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)  # label -> step seconds
    complete: bool = True  # False: interrupted (the index says so)
    removed: list[str] = field(default_factory=list)  # labels of outputs whose params are gone

    @property
    def built(self) -> list[Line]:
        return [x for x in self.lines if x.status == "built"]

    @property
    def skipped(self) -> list[Line]:
        return [x for x in self.lines if x.status == "skipped"]

    @property
    def failed(self) -> list[Line]:
        return [x for x in self.lines if x.status == "failed"]

    @property
    def blocked(self) -> list[Line]:
        return [x for x in self.lines if x.status == "blocked"]

    @property
    def check_errors(self) -> int:
        """Check errors over the reports (a summary's are its reports', not counted again)."""
        return sum(x.errors for x in self.lines if x.status != "failed" and x.kind == "report")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.blocked else 0

    def table(self) -> str:
        return summary_table(self.lines, self.wall, removed=len(self.removed))


# --- the build -------------------------------------------------------------------------------


def _executor(
    executor: str, jobs: int, scheduler: str | None, timeout: float | None, *, pandas: bool
) -> Executor:
    if executor == "local":
        from ._fork.pool import SUMMARY_ONLY_MODULES, WARM_MODULES, WarmPool

        # Report notebooks never load pandas (≈ 0.6 s of the warm start); summaries do.
        warm = (
            WARM_MODULES
            if pandas
            else tuple(m for m in WARM_MODULES if m not in SUMMARY_ONLY_MODULES)
        )
        # A worker runs many units: each unit's cells run in a fresh process forked by the
        # `disclosure` engine, while HTML/PDF conversion reuses the worker's warm caches.
        # The pool kills a unit at the deadline itself: conversion is inside `timeout` too.
        return WarmPool(jobs, timeout=timeout or None, warm=warm, init=WARM_INIT,
                        tasks_per_child=TASKS_PER_WORKER)  # fmt: skip
    if executor == "dask":
        try:
            from distributed import Client
        except ImportError:
            raise BuildError(
                "未安装 dask：请运行 pip install 'disclosure_lib[dask]' (dask not installed)"
            ) from None
        if not scheduler:
            raise BuildError("使用 dask 时需要 --scheduler 地址 (dask needs --scheduler ADDRESS)")
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise BuildError(f"无法连接 dask 调度器 {scheduler}: {exc} (cannot connect)") from None
        return _DaskExecutor(client)
    raise BuildError(f"未知的执行方式：{executor}；可选：local, dask (unknown executor)")


class _DaskExecutor(Executor):
    """dask's `Client.get_executor()`, closing the client with the executor."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.inner = client.get_executor(pure=False)

    @property
    def slots(self) -> int:
        """Units the cluster runs at once (its worker threads), however many -j says."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # a scheduler that cannot say: the local count will do
            return 1

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait and not cancel_futures)
        self.client.close()


def build(
    paths: Sequence[Path | str] | None = None,
    *,
    year: int | None = None,
    agency: str | None = None,
    to: Sequence[str] | str = FORMATS,
    output_dir: Path | str = "outputs",
    jobs: int | None = None,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    summaries: bool = True,
    notebook: Path | str | None = None,
    profile: str = DEFAULT_PROFILE,
    pdf_standard: str = "",
    strict: bool = False,
) -> BuildSummary:
    """Build the reports under `paths` (default params/) into `output_dir`; see module doc.

    Raises BuildError when no params file is found (the output folder is then not created),
    when two agencies would share an output folder, when the output folder is locked by
    another build, read-only or full. A report that fails is recorded as failed and the batch
    goes on; with `strict`, a report whose check finds errors is blocked: none of its outputs
    is written (and earlier ones are removed).
    """
    started = time.monotonic()
    formats, profile, pdf_standard = build_options(to, profile, pdf_standard)
    output_dir = Path(output_dir)
    source_paths = [Path(p) for p in (paths or [Path("params")])]
    report_notebook = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    _require_params(source_paths, output_dir)
    sweep_temp_folders()
    with OutputLock(output_dir):
        remove_stale_temps(output_dir)
        manifest = Manifest.load(output_dir)
        planned = plan(source_paths, manifest, year=year, agency=agency, summaries=summaries,
                       notebook=report_notebook, profile=profile, pdf=pdf_standard)  # fmt: skip
        removed = _remove_orphans(output_dir, manifest, planned)
        units = planned.units
        todo = [u for u in units if u.load_error or force or not manifest.up_to_date(
                u.key, u.fingerprint, formats, strict=strict)]  # fmt: skip
        show = Progress(len(units), enabled=progress)
        lines = [_skipped_line(manifest, u) for u in units if u not in todo]
        show.skip(len(lines))
        timings: dict[str, dict[str, float]] = {}
        complete, index = False, None
        try:
            for unit in [u for u in todo if u.load_error]:
                manifest.record(failed_entry(unit))
                line = Line(unit.label, "failed", message=unit.load_error)
                lines.append(line)
                show.add(line)
            work = [u for u in todo if not u.load_error]
            if work:
                _run(work, formats, output_dir, manifest, show, lines, timings,
                     jobs=jobs or default_jobs(), executor=executor, scheduler=scheduler,
                     timeout=timeout, notebook=report_notebook, profile=(profile, pdf_standard),
                     strict=strict)  # fmt: skip
            complete = True
        finally:
            show.close()
            # after Ctrl-C or a write error too: the index lists what exists, marked incomplete
            with contextlib.suppress(BuildError):
                index = _write_index(output_dir, manifest, complete=complete)
            with contextlib.suppress(BuildError):
                manifest.save()
    sweep_temp_folders()  # the workers are gone: nothing of this build is left in /tmp
    return BuildSummary(output_dir, lines, list(manifest.entries.values()),
                        time.monotonic() - started, index, timings, complete,
                        removed)  # fmt: skip


def _require_params(paths: list[Path], output_dir: Path) -> None:
    """No params file under `paths`: an error, and no output folder created. (An existing
    output folder is still cleaned up: its reports' params are gone.) A path that exists but
    cannot be read is no error here: the build lists it as failed and removes nothing."""
    from ..params import scan_params

    found, errors = scan_params(paths)
    named = set(paths)
    for exc in errors:
        if exc.path in named and not isinstance(exc, UnreadableError):
            raise BuildError(exc.message, path=exc.path)
    if not found and not errors and not (output_dir / MANIFEST_NAME).is_file():
        where = "、".join(str(p) for p in paths)
        raise BuildError(f"{where} 中没有参数文件 (*.yaml)，未生成任何输出 (no params files found)")


def _remove_orphans(output_dir: Path, manifest: Manifest, planned: Plan) -> list[str]:
    gone = orphans(manifest, planned)
    for entry in gone:
        remove_entry(output_dir, entry)
        manifest.forget(entry.key)
    if gone:
        manifest.save()
    return [e.label for e in gone]


def _skipped_line(manifest: Manifest, unit: Unit) -> Line:
    e = manifest.entries.get(unit.key)
    status = "blocked" if e is not None and e.status == "blocked" else "skipped"
    if e is None:
        return Line(unit.label, status, kind=unit.kind)
    return Line(unit.label, status, errors=e.errors, warnings=e.warnings, kind=unit.kind,
                message=e.first_error if status == "blocked" else "",
                check_error=e.first_error)  # fmt: skip


def _write_index(output_dir: Path, manifest: Manifest, *, complete: bool) -> Path:
    from .site import write_index

    known = len(manifest.pinyin)
    path = write_index(output_dir, manifest.entries.values(), complete=complete,
                       pinyin=manifest.pinyin)  # fmt: skip
    if len(manifest.pinyin) != known:
        manifest.touch()
    return path


def _tasks(
    work: list[Unit],
    formats: tuple[str, ...],
    notebooks: dict[str, str],
    timeout: float | None,
    profile: tuple[str, str],  # profile, PDF standard
    strict: bool,
) -> Iterator[tuple[Unit, Task | Result]]:
    """Each unit's task, made when it is handed out (a failure if its params cannot be read);
    reports first, then summaries: a summary is the longest single unit."""
    for unit in sorted(work, key=lambda u: u.kind != "report"):
        try:
            files = unit.pack()
        except ParamsError as exc:
            yield unit, Result(False, error=first_line(str(exc)))
            continue
        yield unit, Task(unit.kind, unit.agency, unit.year, files, notebooks[unit.kind],
                         formats, timeout, profile[0], profile[1], strict)  # fmt: skip


def _run(
    work: list[Unit],
    formats: tuple[str, ...],
    output_dir: Path,
    manifest: Manifest,
    show: Progress,
    lines: list[Line],
    timings: dict[str, dict[str, float]],
    *,
    jobs: int,
    executor: str,
    scheduler: str | None,
    timeout: float | None,
    notebook: Path,
    profile: tuple[str, str],  # profile, PDF standard
    strict: bool,
) -> None:
    notebooks = {"report": read_notebook(notebook).decode(), "summary": ""}
    if any(u.kind == "summary" for u in work):
        notebooks["summary"] = read_notebook(SUMMARY_NOTEBOOK).decode()
    jobs = min(jobs, len(work))
    pool = _executor(executor, jobs, scheduler, timeout,
                     pandas=any(u.kind == "summary" for u in work))  # fmt: skip
    tasks = _tasks(work, formats, notebooks, timeout, profile, strict)
    ahead = max(jobs, getattr(pool, "slots", jobs)) * (1 + AHEAD_PER_WORKER)
    running: dict[Future[Any], Unit] = {}
    clean = False

    def finish(unit: Unit, result: Result) -> None:
        entry = store(output_dir, unit, formats, result)
        remove_replaced(output_dir, manifest.entries.get(unit.key), entry)
        manifest.record(entry)
        manifest.save(every=1.0)
        timings[unit.label] = result.timings
        line = Line(unit.label, entry.status, result.timings.get("total", 0.0), result.errors,
                    result.warnings, entry.first_error if entry.status != "built" else "",
                    kind=unit.kind, check_error=result.first_check_error)  # fmt: skip
        lines.append(line)
        show.add(line)

    try:
        while True:
            for unit, task in tasks:
                if isinstance(task, Result):
                    finish(unit, task)
                    continue
                running[pool.submit(run_task, task)] = unit
                del task  # the executor has it; keep no copy of the params texts here
                if len(running) >= ahead:
                    break
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                unit = running.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # the worker died or was killed at the deadline
                    result = Result(False, error=first_line(f"{type(exc).__name__}: {exc}"))
                    if isinstance(exc, TimeoutError) and timeout:  # it ran until then
                        result.timings["total"] = timeout
                del fut  # the result (notebook, documents) goes once it is written
                finish(unit, result)
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
