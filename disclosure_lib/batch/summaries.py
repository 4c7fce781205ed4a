"""The year summaries of a build, computed from the collection cache (`collection_cache.py`,
one per output folder, kept out of it: `cache_path`) and shipped to the worker ready-made.

A summary used to ship every params text up to its year to a worker, which parsed and checked
them all (twice: the gate, then the notebook) — 20–36 s a year at 700 agencies. Now the
cache is brought up to date (only the params files that changed are read and checked), each
year's `YearSummary` and its check counts are computed from it (a fraction of a second at
thousands of agencies), and the worker lays out and converts. Workers still need no shared
disk: the summary travels in the task (`SUMMARY_FILE`, `CHECKED_FILE`). On dask the data is
made in the driver (`prepare`). On the local pool nothing waits for it: the cache is brought
up to date by the build's first task (`update_cache`, beside the first reports), and each
summary's own task computes its year from it (`run_summary`), the years in parallel, pandas
and the checks out of the driver.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path

from ..collection_cache import STALE_DAYS, CollectionCache, cache_dir, cache_path
from ..errors import DisclosureError, ParamsError
from .gate import summary_checked
from .plan import Unit
from .states import UnitKind
from .worker import CHECKED_FILE, SUMMARY_FILE, Result, Task, first_line, run_task

CHARTS_FOLDER = "charts"  # in `collection_cache.cache_dir()`: the summaries' charts, by their data
Spec = tuple[str, int, tuple[str, ...]]  # a summary unit: key, year, its params (absolute)


def specs(units: Sequence[Unit]) -> list[Spec]:
    """What `prepare` needs of each summary among `units` (picklable, small)."""
    return [
        (u.key, u.year, tuple(f.text for f in u.sources))
        for u in units
        if u.kind == UnitKind.SUMMARY
    ]


def prepare(
    output_dir: Path,
    paths: Sequence[Path],
    wanted: Sequence[Spec],
    missing: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, bytes]]:
    """unit key -> the files to ship for each summary `wanted`.

    Runs in a worker of the local pool (pandas and the checks stay out of the driver, whose
    memory stays flat) or, on a cluster without the shared disk, in the driver. A summary the
    cache cannot make (no report of its year) is left out: its worker reads the params as
    before and fails with the notebook's own message. `missing`: per unit key, the agencies
    whose report failed in this build (listed as 未生成, not counted)."""
    return _year_files(_updated(output_dir, paths)[0], wanted, missing)


def update_cache(output_dir: Path, paths: Sequence[Path]) -> bool:
    """Bring the build's collection cache up to date and save it (a worker's first task on the
    local pool, beside the first reports); True when saved: the summaries may read it."""
    return _updated(output_dir, paths)[1]


def run_summary(
    task: Task,
    unit: Unit,
    output_dir: Path,
    cached: bool,
    run: Callable[[Task], Result] = run_task,
) -> Result:
    """A summary unit in a worker of the local pool: its year's data from the collection cache
    (`cached`: `update_cache` brought it up to date in this build), else, or when the cache
    cannot make it, the params texts as before; then `run` (`run_task`: the driver passes
    the one it runs reports with)."""
    files: dict[str, bytes] = {}
    started, cpu = time.perf_counter(), time.process_time()
    if cached:
        cache = CollectionCache.load(cache_path(output_dir))
        if not cache.note:  # read back as saved (a damaged file is no summary)
            files = _year_files(cache, specs([unit]), {unit.key: task.missing}).get(unit.key, {})
    _keep_charts(output_dir)
    try:
        files = files or unit.pack()
    except ParamsError as exc:
        return Result(False, error=first_line(str(exc)))
    data, data_cpu = time.perf_counter() - started, time.process_time() - cpu
    result = run(dataclasses.replace(task, files=files))
    result.timings.update(data=data, data_cpu=data_cpu)  # the year's data, before `run`
    return result


def _keep_charts(output_dir: Path) -> None:
    """The summary's charts kept beside the collection caches (`rendering.summary.CHART_CACHE`;
    the notebook's process is forked from this one), those unused for `STALE_DAYS` removed."""
    from ..rendering import summary as layout

    folder = cache_dir() / CHARTS_FOLDER
    if folder != layout.CHART_CACHE:
        layout.CHART_CACHE = folder
        old = time.time() - STALE_DAYS * 86400
        for path in folder.glob("*.json"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < old:
                    path.unlink()


def _updated(output_dir: Path, paths: Sequence[Path]) -> tuple[CollectionCache, bool]:
    """The cache brought up to date, and whether it was saved."""
    cache = CollectionCache.load(cache_path(output_dir))
    if cache.note:
        print(cache.note, file=sys.stderr)
    cache.update(paths)
    try:
        cache.save()
    except DisclosureError as exc:  # the summaries are still made; the next build reads again
        print(f"汇总缓存未能保存 (collection cache not saved): {exc}", file=sys.stderr)
        return cache, False
    return cache, True


def _year_files(
    cache: CollectionCache,
    wanted: Sequence[Spec],
    missing: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, bytes]]:
    from ..summary import dump_summary

    out: dict[str, dict[str, bytes]] = {}
    for key, year, files in wanted:
        only = set(files)
        if len(cache.select(year, only)) != len(only):  # a file the cache could not read
            continue
        try:
            found = cache.year_findings(year, only)
            s = cache.year_summary(year, only, found, missing=(missing or {}).get(key, ()))
        except DisclosureError:
            continue
        out[key] = {
            SUMMARY_FILE: dump_summary(s),
            CHECKED_FILE: pickle.dumps(summary_checked(found), protocol=pickle.HIGHEST_PROTOCOL),
        }
    return out


class CacheUpdate:
    """The collection cache brought up to date by a worker of the local pool (`update_cache`),
    submitted when the build starts so that it runs beside the first reports; the summaries,
    handed out once their year's reports are done, ask `ready` (usually long finished)."""

    def __init__(self, pool: Executor, output_dir: Path, paths: Sequence[Path],
                 work: list[Unit]) -> None:  # fmt: skip
        self.future: Future[bool] | None = None
        if any(u.kind == UnitKind.SUMMARY for u in work):
            self.future = pool.submit(update_cache, output_dir, list(paths))
        self._ready: bool | None = None

    def ready(self) -> bool:
        """True: the summaries read the updated cache; False: it could not be updated or saved
        (said on stderr), they read the params."""
        if self._ready is None:
            self._ready = False
            try:
                self._ready = self.future is not None and self.future.result()
            except Exception as exc:  # killed at the deadline, crashed
                why = first_line(f"{type(exc).__name__}: {exc}")
                print(f"汇总缓存未能使用，汇总改为读取参数文件 (collection cache not used): {why}",
                      file=sys.stderr)  # fmt: skip
        return self._ready
