"""The worker side of a build: what runs for one unit (a report or a year's summary).

`run_task` gets everything by value (params texts, the notebook) and returns everything by
value (executed notebook, HTML, PDF, check counts, timings), so it runs the same in a forked
child of the local warm pool and on a dask worker; the driver (`build.py`) writes outputs.
The unit's cells run in a fresh process forked by the ``disclosure`` engine; HTML and PDF are
made here, with this process's warm caches.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..engine import ENGINE_NAME
from ..errors import DisclosureError
from .fingerprints import loaded_code
from .gate import Checked, check_unit
from .states import UnitKind


@dataclass
class Task:
    """What a worker needs: everything by value (no shared disk)."""

    kind: UnitKind
    agency: str
    year: int
    files: dict[str, bytes]  # "<dir>/<year>.yaml" -> zlib-compressed params text
    notebook: str  # notebook JSON
    formats: tuple[str, ...]
    timeout: float | None  # seconds for the whole unit, conversion included
    profile: str = "publish"
    pdf_standard: str = ""  # e.g. "a-2b" (rendering.typst_pdf.PDF_STANDARDS)
    strict: bool = False  # a unit whose check finds errors is not executed (blocked)
    missing: tuple[str, ...] = ()  # a summary's agencies whose report failed: 未生成


@dataclass
class Result:
    ok: bool
    notebook: str = ""  # executed notebook JSON ("" if it never ran)
    documents: dict[str, str | bytes] = field(default_factory=dict)  # format -> document
    error: str = ""  # first line of the failure
    errors: int = 0
    warnings: int = 0
    first_check_error: str = ""
    blocked: bool = False  # strict and the check found errors: nothing executed or converted
    findings: list[dict[str, Any]] = field(default_factory=list)  # `gate.record`s (reports)
    acknowledged: int = 0  # warnings the office verified
    issued: str = ""  # the report's 落款 date, ISO (reports)
    figures: dict[str, int | None] = field(default_factory=dict)  # its key figures (reports)
    snapshot: dict[str, Any] = field(default_factory=dict)  # `diff.snapshot` (reports)
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # library modules used, by hash


# A summary's task from the build's collection cache (batch/summaries.py): its YearSummary
# (summary.dump_summary) and its check counts (a pickled `gate.Checked`), no params texts
SUMMARY_FILE = "summary.pickle"
CHECKED_FILE = "checked.pickle"

_WARM = False  # set once a process has imported what its tasks need
TEMP_PREFIX = "disclosure-build-"  # + "<pid>-": a worker's params folder for one unit
# rendering.typst_pdf.TEMP_PREFIX (not imported: the driver sweeps too; a test keeps them equal)
TYPST_PREFIX = "disclosure-typst-"
# The notebook runs `margin` before the unit's deadline, so that a hanging cell ends with an
# error cell in the failed notebook; the pool kills the whole unit at the deadline itself.
_DEADLINE_MARGIN = 0.05  # of the timeout, at most 2 s


def warm_worker() -> None:
    """Prepare the warm process before it forks workers: what every worker would otherwise
    redo once — the HTML stylesheet, the PDF font stylesheet, and the
    font lookups (fontconfig, matplotlib) — and the IPython shell each report's cells get a
    fresh copy of.

    No synthetic report is rendered any more: the first real PDF in a worker is only ≈ 0.08 s
    slower than the next, and workers now live for many reports, while rendering one here
    cost ≈ 1 s of a start-up the other cores sit out.
    """
    from ..engine import shell
    from ..rendering import fonts
    from ..rendering.notebook import prepare_writers

    global _WARM
    sweep_temp_folders()
    # The pool chose this process's imports (pandas only when a summary is built): forked
    # children must not import the full list again (pandas alone cost 0.2 s per report).
    _WARM = True
    try:
        prepare_writers()
        prepare_validator()
        shell.prepare_shell()
        fonts.require_cjk_fonts()
        if "matplotlib" in sys.modules:  # the pool warmed for charts
            fonts.matplotlib_cjk_family()
    except Exception:  # warming is an optimisation; a real error will show in the report
        pass


def warm_charts() -> None:
    """Load matplotlib and its CJK font lookup in this worker, once, before forking a unit's
    cells that draw charts: each unit's child inherits them instead of importing them again
    (≈ 0.5 CPU-s a unit). The warm process loads them itself when summaries may be built."""
    if "matplotlib.pyplot" in sys.modules:
        return
    from ..rendering import fonts
    from ._fork.pool import CHART_MODULES, warm_up

    warm_up(CHART_MODULES)
    with contextlib.suppress(Exception):  # a real font error shows in the unit's charts
        fonts.matplotlib_cjk_family()


def prepare_validator() -> None:
    """Compile nbformat's schema validator for the bundled notebooks' format once, here,
    rather than in every worker's first unit (≈ 0.04 CPU-s each)."""
    import nbformat

    from ..locate import NOTEBOOKS, notebook_path

    for name in NOTEBOOKS:
        nbformat.read(notebook_path(name), as_version=4)  # validated as it is read


def run_task(task: Task) -> Result:
    """Check, execute and convert one unit; runs in a worker (forked child or dask worker)."""
    global _WARM
    if not _WARM:  # dask workers: import the heavy libraries once per process
        from ._fork.pool import warm_up

        sweep_temp_folders()
        warm_up()
        _WARM = True
    started, cpu = time.perf_counter(), _cpu()
    # named after this process: a folder whose process is gone (killed at the deadline, kill -9)
    # is swept by the next build (`sweep_temp_folders`)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")).resolve()
    try:
        params_dir = tmp / "params"
        ready = task.kind == UnitKind.SUMMARY and SUMMARY_FILE in task.files
        if ready:
            # the driver computed it with these: their code goes into the manifest's record
            from .. import checks, collection_cache  # noqa: F401

            (tmp / SUMMARY_FILE).write_bytes(task.files[SUMMARY_FILE])
            checked = _read_checked(task.files[CHECKED_FILE])
            warm_charts()
        else:
            for rel, data in task.files.items():
                path = params_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(zlib.decompress(data))
            checked = _check(task, params_dir)
        if task.strict and checked.errors:
            result = Result(False, blocked=True, error=checked.first_error)
        else:
            summary_file = tmp / SUMMARY_FILE if ready else None
            deadline = _notebook_deadline(task, started)
            result, executed = _execute(task, params_dir, deadline, summary_file)
            if executed is not None:
                _convert(task, result, executed)
            elif "CellTimeoutError" in result.error and task.timeout:
                result.error = timeout_message(task.timeout)
        result.errors, result.warnings = checked.errors, checked.warnings
        result.first_check_error, result.findings = checked.first_error, checked.findings
        result.acknowledged, result.issued = checked.acknowledged, checked.issued
        result.figures, result.snapshot = checked.figures, checked.snapshot
        result.error = result.error.replace(str(params_dir), "params")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result.timings["total"] = time.perf_counter() - started
    result.timings["cpu"] = _cpu() - cpu  # this process and the engine's child, all cores
    result.versions = {"disclosure_lib": __version__}
    result.code = loaded_code()
    return result


def timeout_message(seconds: float) -> str:
    return f"超过时限 {seconds:g} 秒，已终止 (timed out: --timeout)"


def _notebook_deadline(task: Task, started: float) -> float | None:
    if not task.timeout:
        return None
    margin = min(2.0, task.timeout * _DEADLINE_MARGIN)
    return max(0.1, task.timeout - margin - (time.perf_counter() - started))


def sweep_temp_folders() -> int:
    """Remove the temp folders of processes that are gone — workers' params folders
    (`disclosure-build-<pid>-*`) and charts being typeset (`disclosure-typst-<pid>-*`) — and
    unnamed ones of older versions a day old; returns how many."""
    n = 0
    temp = Path(tempfile.gettempdir())
    for prefix in (TEMP_PREFIX, TYPST_PREFIX):
        for folder in temp.glob(f"{prefix}*"):
            pid = folder.name[len(prefix) :].split("-")[0]
            if pid.isdigit() and len(folder.name) > len(prefix) + len(pid):
                if _alive(int(pid)):
                    continue
            else:
                with contextlib.suppress(OSError):
                    if time.time() - folder.stat().st_mtime < 86400:
                        continue
            shutil.rmtree(folder, ignore_errors=True)
            n += 1
    return n


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    # A killed worker whose parent died too waits as a zombie until init reaps it
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _read_checked(data: bytes) -> Checked:
    import pickle

    checked = pickle.loads(data)  # made by this build's driver (batch/summaries.py)
    if not isinstance(checked, Checked):
        raise DisclosureError("汇总的校验结果无法读取 (summary check counts unreadable)")
    return checked


def _execute(
    task: Task, params_dir: Path, deadline: float | None, summary_file: Path | None = None
) -> tuple[Result, Any]:
    """The unit's notebook run: its result, and the executed notebook if it succeeded (what
    `_convert` reads, rather than parsing `result.notebook` again: ≈ 0.015 CPU-s a unit)."""
    import nbformat

    from ..rendering import notebook as render

    nb = nbformat.reads(task.notebook, as_version=4)
    t0 = time.perf_counter()
    try:
        if task.kind == UnitKind.REPORT:
            out = render.execute_notebook(
                task.agency, task.year, params_dir, notebook=nb, engine_name=ENGINE_NAME,
                deadline=deadline, profile=task.profile,
            )  # fmt: skip
        else:
            out = _execute_summary(nb, task.year, params_dir, deadline, summary_file, task.missing)
    except render.NotebookFailed as exc:
        failed = _relative_params_dir(exc.notebook, params_dir)
        return Result(False, nbformat.writes(failed), error=first_line(exc.message)), None
    except DisclosureError as exc:
        return Result(False, error=first_line(str(exc))), None
    out = _relative_params_dir(out, params_dir)
    result = Result(True, nbformat.writes(out))
    result.timings["execute"] = time.perf_counter() - t0
    return result, out


def _relative_params_dir(nb: Any, params_dir: Path) -> Any:
    """The executed notebook as if run from a folder holding `params/`: the worker's temp
    folder (gone once the unit is done, and different in every build) does not go into the
    output, which a rebuild then reproduces byte for byte."""
    folder = str(params_dir.resolve())
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    if parameters.get("params_dir") == folder:
        parameters["params_dir"] = "params"
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(repr(folder), repr("params"))
            cell.source = cell.source.replace(f'"{folder}"', '"params"')
    return nb


def _execute_summary(
    nb: Any,
    year: int,
    params_dir: Path,
    timeout: float | None,
    summary_file: Path | None,
    missing: tuple[str, ...] = (),
) -> Any:
    from ..rendering import notebook as render
    from ..summary import title

    metadata = {"version": __version__, "year": year, "title": title(year)}
    parameters: dict[str, Any] = {"year": year, "params_dir": str(params_dir)}
    if missing:  # only then: a summary without failed reports runs as before, byte for byte
        parameters["missing"] = list(missing)
    if summary_file is not None:
        parameters["summary_file"] = str(summary_file)
    out = render.run_notebook(nb, parameters, metadata, engine_name=ENGINE_NAME, deadline=timeout)
    if summary_file is not None:  # a temp path: the output names the file alone
        _replace_parameter(out, "summary_file", str(summary_file), SUMMARY_FILE)
    return out


def _replace_parameter(nb: Any, name: str, value: str, shown: str) -> None:
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    if parameters.get(name) == value:
        parameters[name] = shown
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(repr(value), repr(shown))
            cell.source = cell.source.replace(f'"{value}"', f'"{shown}"')


def _convert(task: Task, result: Result, nb: Any) -> None:
    from ..rendering import notebook as render

    cpu = time.process_time()
    result.documents = render.convert(
        nb, task.formats, result.timings, pdf_standard=task.pdf_standard
    )
    # this process's threads (Typst's among them): a figure a busy machine does not inflate
    result.timings["convert_cpu"] = time.process_time() - cpu


def _check(task: Task, params_dir: Path) -> Checked:
    from ..params import load_reports

    reports, _ = load_reports([params_dir])
    # a summary's charts, the review profile's charts appendix, a report's `charts: true`
    if (
        task.kind == UnitKind.SUMMARY
        or task.profile == "review"
        or any(r.charts for r in reports if r.agency == task.agency and r.year == task.year)
    ):
        warm_charts()
    return check_unit(task.kind, task.agency, task.year, reports)


def first_line(text: str) -> str:
    lines = [x.strip() for x in str(text).splitlines() if x.strip()]
    return lines[0][:300] if lines else ""
