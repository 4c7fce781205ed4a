"""Build every agency × year (plus a per-year summary) in one batch: parallel and incremental.

    summary = build()                       # params/ -> outputs/, like `disclosure build`
    summary = build(["params"], year=2024, to=("html",), jobs=3)

One driver process plans the work, ships each unit's inputs (params texts, notebook) to a
worker, and writes what comes back: `<stem>.ipynb/.html/.pdf` (or `<stem>.failed.ipynb`)
atomically, the manifest and `index.html`. Workers need no shared disk, so the same loop runs
on the local warm pool (`pool.WarmPool`) or a dask cluster (`executor="dask"`); what a worker
does for one unit is in `worker.py`.

A unit is rebuilt only when one of its inputs changed (see `manifest.py`): for a report its
params file and the earlier years of the same agency (charts and cross-year checks read
them), for a summary every report of that year and the year before; for both the notebook,
templates/CSS and the library.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BuildError, DisclosureError, ParamsError
from ..locate import notebook_path
from ..rendering.notebook import DEFAULT_PROFILE, FORMATS, check_profile, parse_formats
from ..rendering.typst_pdf import check_standard
from .manifest import (
    Entry,
    Manifest,
    OutputLock,
    combine,
    digest,
    library_inputs,
    remove_stale_temps,
    write_output,
)
from .progress import Line, Progress, summary_table
from .worker import Result, Task, first_line, run_task, warm_worker

REPORT_NOTEBOOK = notebook_path("annual_report.ipynb")
SUMMARY_NOTEBOOK = notebook_path("summary.ipynb")
SUMMARY_STEM = "summary"
DEFAULT_TIMEOUT = 300.0  # seconds per unit; a report that hangs is killed at this deadline
# what the warm process runs before forking workers (the pool takes it by name)
WARM_INIT = f"{warm_worker.__module__}:{warm_worker.__qualname__}"
# Then a new worker: workers never collect garbage cycles (≈ 15 MB left per PDF), so this
# bounds their memory; the new worker's first PDF costs ≈ 0.1 s more than the next ones.
TASKS_PER_WORKER = 12


def default_jobs() -> int:
    """Workers when -j is not given: one per core.

    Each worker is busy nearly all the time (it converts while no cells run; cells run in its
    forked child while it waits), so more workers than cores only contend. Measured on 2
    cores, 24 reports, alternating runs: -j 2 11.4-11.6 s, -j 3 11.9-12.7 s. (With a fresh
    kernel per report papermill's side of the issue found 3 better than 2: a kernel waits on
    ZMQ and start-up, our workers do not.) `benchmarks/bench_build.py --sweep` re-measures.
    """
    return os.cpu_count() or 1


# --- units of work ---------------------------------------------------------------------------


@dataclass
class Unit:
    """One output to (maybe) build: a report or a year's summary."""

    key: str
    kind: str  # "report" | "summary"
    agency: str
    year: int
    source: str  # params file of a report
    files: dict[str, bytes]  # params files shipped to the worker: "<dir>/<year>.yaml" -> bytes
    inputs: dict[str, str]
    directory: str = ""  # relative to the output folder
    stem: str = ""
    load_error: str = ""

    @property
    def fingerprint(self) -> str:
        return combine(self.inputs)

    @property
    def label(self) -> str:
        if self.kind == "summary":
            return f"{self.year}年 汇总"
        return f"{self.agency} {self.year}年" if self.agency else self.source


@dataclass
class BuildSummary:
    output_dir: Path
    lines: list[Line]
    entries: list[Entry]
    wall: float
    index: Path | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)  # label -> step seconds

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
    def check_errors(self) -> int:
        return sum(x.errors for x in self.lines if x.status != "failed")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def table(self) -> str:
        return summary_table(self.lines, self.wall)


# --- planning --------------------------------------------------------------------------------


def _options(to: Iterable[str] | str, profile: str, pdf: str) -> tuple[tuple[str, ...], str, str]:
    try:  # formats, profile and PDF standard, checked
        wanted, checked = parse_formats(to), (check_profile(profile), ",".join(check_standard(pdf)))
    except DisclosureError as exc:
        raise BuildError(exc.message) from None
    if not wanted:  # a batch always writes something besides the notebook
        raise BuildError(f"不支持的输出格式：（空）；可选：{', '.join(FORMATS)}")
    return (wanted, *checked)


@dataclass
class _File:
    path: Path
    data: bytes
    digest: str
    agency: str = ""
    year: int = 0
    error: str = ""


def _scan(paths: Sequence[Path], manifest: Manifest) -> list[_File]:
    """Read every params file; parse only the ones whose hash the manifest does not know."""
    from ..params import find_params, load_report

    files = []
    for path in find_params(paths):
        key = str(path.resolve())
        try:
            data = path.read_bytes()
        except OSError as exc:
            files.append(_File(path, b"", "", error=f"{path}: 无法读取 ({exc.strerror})"))
            continue
        f = _File(path, data, digest(data))
        known = manifest.files.get(key)
        if known and known.get("digest") == f.digest:
            f.agency, f.year = known["agency"], int(known["year"])
        else:
            try:
                report = load_report(path)
            except ParamsError as exc:
                f.error = str(exc)
            else:
                f.agency, f.year = report.agency, report.year
                manifest.remember_file(key, f.digest, f.agency, f.year)
        files.append(f)
    return files


def plan(
    paths: Sequence[Path],
    manifest: Manifest,
    *,
    year: int | None = None,
    agency: str | None = None,
    summaries: bool = True,
    notebook: Path = REPORT_NOTEBOOK,
    profile: str = DEFAULT_PROFILE,
    pdf: str = "",
) -> list[Unit]:
    """The units selected by `year`/`agency`, with their inputs hashed."""
    from ..names import agency_dirname
    from .render import output_dir_for, output_stem

    shared = library_inputs()
    report_nb = digest(_read(notebook))
    files = _scan(paths, manifest)
    good = [f for f in files if not f.error]
    by_agency: dict[str, list[_File]] = {}
    for f in good:
        by_agency.setdefault(f.agency, []).append(f)

    def wanted(f_agency: str, f_year: int) -> bool:
        if year is not None and f_year != year:
            return False
        return agency is None or agency in (f_agency, agency_dirname(f_agency))

    units: list[Unit] = []
    for f in files:
        if f.error and (year is None or f"{year}" in f.path.stem) and agency is None:
            key = f"file:{f.path.resolve()}"
            units.append(Unit(key, "report", "", 0, str(f.path), {}, {"params": f.digest},
                              load_error=first_line(f.error)))  # fmt: skip
    seen: dict[tuple[str, int], _File] = {}
    for f in good:
        if not wanted(f.agency, f.year):
            continue
        key = f"report:{f.agency}/{f.year}"
        if (f.agency, f.year) in seen:
            units.append(Unit(f"file:{f.path.resolve()}", "report", f.agency, f.year, str(f.path),
                              {}, {"params": f.digest},
                              load_error=f"与 {seen[f.agency, f.year].path} 重复"))  # fmt: skip
            continue
        seen[f.agency, f.year] = f
        history = [g for g in by_agency[f.agency] if g.year <= f.year]
        ship = {f"{agency_dirname(g.agency)}/{g.year}.yaml": g.data for g in history}
        inputs = {**shared, "notebook": report_nb, "profile": profile, "pdf_standard": pdf}
        inputs.update({f"params:{g.year}": g.digest for g in history})
        directory = output_dir_for(Path("."), f.year, f.agency)
        units.append(Unit(key, "report", f.agency, f.year, str(f.path), ship, inputs,
                          str(directory), output_stem(f.agency, f.year)))  # fmt: skip
    if summaries and agency is None:
        summary_nb = digest(_read(SUMMARY_NOTEBOOK))
        years = sorted({f.year for f in good if year is None or f.year == year})
        for y in years:
            rel = [g for g in good if g.year in (y, y - 1)]
            rel = [g for g in rel if seen.get((g.agency, g.year)) in (None, g)]
            ship = {f"{agency_dirname(g.agency)}/{g.year}.yaml": g.data for g in rel}
            inputs = {**shared, "notebook": summary_nb}
            inputs.update({f"params:{g.agency}/{g.year}": g.digest for g in rel})
            units.append(Unit(f"summary:{y}", "summary", "", y, "", ship, inputs, str(y),
                              SUMMARY_STEM))  # fmt: skip
    return units


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise BuildError("找不到笔记本 (notebook not found)", path=path) from None


# --- writing results -------------------------------------------------------------------------


def _outputs(unit: Unit, formats: Sequence[str]) -> dict[str, str]:
    base = f"{unit.directory}/{unit.stem}" if unit.directory else unit.stem
    out = {"ipynb": f"{base}.ipynb", "failed": f"{base}.failed.ipynb"}
    out.update({ext: f"{base}.{ext}" for ext in FORMATS})
    del formats
    return out


def _store(output_dir: Path, unit: Unit, formats: tuple[str, ...], result: Result) -> Entry:
    """Write a unit's files atomically and return its manifest entry."""
    names = _outputs(unit, formats)
    written: list[str] = []
    if result.ok:
        write_output(output_dir / names["ipynb"], result.notebook)
        written.append(names["ipynb"])
        for ext, data in result.documents.items():
            write_output(output_dir / names[ext], data)
            written.append(names[ext])
        stale = [names["failed"], *(names[ext] for ext in FORMATS if ext not in formats)]
    else:
        if result.notebook:
            write_output(output_dir / names["failed"], result.notebook)
            written.append(names["failed"])
        # nothing that looks successful may stay beside a failed notebook
        stale = [names["ipynb"], *(names[ext] for ext in FORMATS)]
    for rel in stale:
        with contextlib.suppress(FileNotFoundError):
            (output_dir / rel).unlink()
    return Entry(
        key=unit.key,
        fingerprint=unit.fingerprint,
        inputs=unit.inputs,
        status="built" if result.ok else "failed",
        formats=list(formats) if result.ok else [],
        outputs=written,
        kind=unit.kind,
        agency=unit.agency,
        year=unit.year,
        source=unit.source,
        errors=result.errors,
        warnings=result.warnings,
        first_error=result.error if not result.ok else result.first_check_error,
        seconds=round(result.timings.get("total", 0.0), 3),
        parameters={"agency": unit.agency, "year": unit.year}
        if unit.agency
        else {"year": unit.year},
        versions=result.versions,
        code=result.code,
    )


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
        return WarmPool(jobs, timeout=timeout + 30 if timeout else None, warm=warm,
                        init=WARM_INIT, tasks_per_child=TASKS_PER_WORKER)  # fmt: skip
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
) -> BuildSummary:
    """Build the reports under `paths` (default params/) into `output_dir`; see module doc.

    Raises BuildError when the output folder is locked by another build, read-only or full;
    a report that fails is recorded as failed and the batch goes on.
    """
    started = time.monotonic()
    formats, profile, pdf_standard = _options(to, profile, pdf_standard)
    output_dir = Path(output_dir)
    source_paths = [Path(p) for p in (paths or [Path("params")])]
    report_notebook = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    with OutputLock(output_dir):
        remove_stale_temps(output_dir)
        manifest = Manifest.load(output_dir)
        units = plan(source_paths, manifest, year=year, agency=agency, summaries=summaries,
                     notebook=report_notebook, profile=profile, pdf=pdf_standard)  # fmt: skip
        todo = [u for u in units if u.load_error or force
                or not manifest.up_to_date(u.key, u.fingerprint, formats)]  # fmt: skip
        show = Progress(len(units), enabled=progress)
        lines = [Line(u.label, "skipped", errors=_entry_errors(manifest, u.key),
                      warnings=_entry_warnings(manifest, u.key))
                 for u in units if u not in todo]  # fmt: skip
        show.skip(len(lines))
        timings: dict[str, dict[str, float]] = {}
        try:
            for unit in [u for u in todo if u.load_error]:
                manifest.record(_failed_entry(unit))
                line = Line(unit.label, "failed", message=unit.load_error)
                lines.append(line)
                show.add(line)
            work = [u for u in todo if not u.load_error]
            if work:
                _run(work, formats, output_dir, manifest, show, lines, timings, jobs=jobs or
                     default_jobs(), executor=executor, scheduler=scheduler, timeout=timeout,
                     notebook=report_notebook, profile=(profile, pdf_standard))  # fmt: skip
        finally:
            show.close()
            with contextlib.suppress(BuildError):
                manifest.save()
        index = _write_index(output_dir, manifest, bool(todo))
    summary = BuildSummary(output_dir, lines, list(manifest.entries.values()),
                           time.monotonic() - started, index, timings)  # fmt: skip
    return summary


def _entry_errors(manifest: Manifest, key: str) -> int:
    e = manifest.entries.get(key)
    return e.errors if e else 0


def _entry_warnings(manifest: Manifest, key: str) -> int:
    e = manifest.entries.get(key)
    return e.warnings if e else 0


def _failed_entry(unit: Unit) -> Entry:
    return Entry(unit.key, unit.fingerprint, unit.inputs, "failed", [], [], kind=unit.kind,
                 agency=unit.agency, year=unit.year, source=unit.source,
                 first_error=unit.load_error)  # fmt: skip


def _write_index(output_dir: Path, manifest: Manifest, changed: bool) -> Path:
    from .site import INDEX_NAME, write_index

    path = output_dir / INDEX_NAME
    if changed or not path.exists():
        write_index(output_dir, manifest.entries.values())
    return path


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
) -> None:
    notebooks = {"report": _read(notebook).decode(), "summary": ""}
    if any(u.kind == "summary" for u in work):
        notebooks["summary"] = _read(SUMMARY_NOTEBOOK).decode()
    pool = _executor(executor, min(jobs, len(work)), scheduler, timeout,
                     pandas=any(u.kind == "summary" for u in work))  # fmt: skip
    futures: dict[Future[Any], Unit] = {}
    clean = False
    try:
        # reports first, then summaries: a summary is the longest single unit
        for unit in sorted(work, key=lambda u: u.kind != "report"):
            task = Task(unit.kind, unit.agency, unit.year, unit.files, notebooks[unit.kind],
                        formats, timeout, *profile)  # fmt: skip
            futures[pool.submit(run_task, task)] = unit
        for fut in as_completed(futures):
            unit = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # the worker died or was killed at the deadline
                result = Result(False, error=first_line(f"{type(exc).__name__}: {exc}"))
            entry = _store(output_dir, unit, formats, result)
            manifest.record(entry)
            manifest.save(every=1.0)
            timings[unit.label] = result.timings
            line = Line(unit.label, entry.status, result.timings.get("total", 0.0),
                        result.errors, result.warnings, result.error)  # fmt: skip
            lines.append(line)
            show.add(line)
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
