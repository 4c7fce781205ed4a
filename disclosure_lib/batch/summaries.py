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

import dataclasses
import pickle
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..collection_cache import CollectionCache, cache_path
from ..errors import DisclosureError, ParamsError
from .gate import summary_checked
from .plan import Unit
from .states import UnitKind
from .worker import CHECKED_FILE, SUMMARY_FILE, Result, Task, first_line, run_task

Spec = tuple[str, int, tuple[str, ...]]  # a summary unit: key, year, its params (absolute)


def specs(units: Sequence[Unit]) -> list[Spec]:
    """What `prepare` needs of each summary among `units` (picklable, small)."""
    return [
        (u.key, u.year, tuple(str(path) for path, _ in u.files.values()))
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


def run_summary(task: Task, unit: Unit, output_dir: Path, cached: bool) -> Result:
    """A summary unit in a worker of the local pool: its year's data from the collection cache
    (`cached`: `update_cache` brought it up to date in this build), else, or when the cache
    cannot make it, the params texts as before; then `run_task`."""
    files: dict[str, bytes] = {}
    if cached:
        cache = CollectionCache.load(cache_path(output_dir))
        if not cache.note:  # read back as saved (a damaged file is no summary)
            files = _year_files(cache, specs([unit]), {unit.key: task.missing}).get(unit.key, {})
    try:
        files = files or unit.pack()
    except ParamsError as exc:
        return Result(False, error=first_line(str(exc)))
    return run_task(dataclasses.replace(task, files=files))


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
