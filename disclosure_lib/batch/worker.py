"""The worker side of a build: what runs for one unit (a report or a year's summary).

`run_task` gets everything by value (params texts, the notebook) and returns everything by
value (executed notebook, HTML, PDF, check counts, timings), so it runs the same in a forked
child of the local warm pool and on a dask worker; the driver (`build.py`) writes outputs.
The unit's cells run in a fresh process forked by the ``disclosure`` engine; HTML and PDF are
made here, with this process's warm caches.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import DisclosureError
from ._fork import ENGINE_NAME
from .manifest import loaded_code


@dataclass
class Task:
    """What a worker needs: everything by value (no shared disk)."""

    kind: str
    agency: str
    year: int
    files: dict[str, bytes]
    notebook: str  # notebook JSON
    formats: tuple[str, ...]
    timeout: float | None
    profile: str = "publish"
    pdf_standard: str = ""  # e.g. "a-2b" (rendering.typst_pdf.PDF_STANDARDS)


@dataclass
class Result:
    ok: bool
    notebook: str = ""  # executed notebook JSON ("" if it never ran)
    documents: dict[str, str | bytes] = field(default_factory=dict)  # format -> document
    error: str = ""  # first line of the failure
    errors: int = 0
    warnings: int = 0
    first_check_error: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # library modules used, by hash


_WARM = False  # set once a process has imported what its tasks need


def warm_worker() -> None:
    """Prepare the warm process before it forks workers: what every worker would otherwise
    redo once — the HTML exporter and its Jinja template, the PDF font stylesheet, and the
    font lookups (fontconfig, matplotlib) — and the IPython shell each report's cells get a
    fresh copy of.

    No synthetic report is rendered any more: the first real PDF in a worker is only ≈ 0.08 s
    slower than the next, and workers now live for many reports, while rendering one here
    cost ≈ 1 s of a start-up the other cores sit out.
    """
    from ..rendering import exporters, fonts
    from ._fork import shell

    global _WARM
    # The pool chose this process's imports (pandas only when a summary is built): forked
    # children must not import the full list again (pandas alone cost 0.2 s per report).
    _WARM = True
    try:
        exporters.prepare()
        shell.prepare_shell()
        fonts.require_cjk_fonts()
        fonts.matplotlib_cjk_family()
    except Exception:  # warming is an optimisation; a real error will show in the report
        pass


def run_task(task: Task) -> Result:
    """Execute one unit and convert it; runs in a worker (forked child or dask worker)."""
    global _WARM
    if not _WARM:  # dask workers: import the heavy libraries once per process
        from ._fork.pool import warm_up

        warm_up()
        _WARM = True
    started, cpu = time.perf_counter(), _cpu()
    with tempfile.TemporaryDirectory(prefix="disclosure-build-") as tmp:
        params_dir = Path(tmp) / "params"
        for rel, data in task.files.items():
            path = params_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        result = _execute(task, params_dir)
        if result.ok:
            _convert(task, result)
            _count_checks(task, params_dir, result)
    result.timings["total"] = time.perf_counter() - started
    result.timings["cpu"] = _cpu() - cpu  # this process and the engine's child, all cores
    result.versions = {"disclosure_lib": __version__}
    result.code = loaded_code()
    return result


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _execute(task: Task, params_dir: Path) -> Result:
    import nbformat

    from ..rendering import notebook as render

    nb = nbformat.reads(task.notebook, as_version=4)
    t0 = time.perf_counter()
    try:
        if task.kind == "report":
            out = render.execute_notebook(
                task.agency, task.year, params_dir, notebook=nb, engine_name=ENGINE_NAME,
                deadline=task.timeout, profile=task.profile,
            )  # fmt: skip
        else:
            out = _execute_summary(nb, task.year, params_dir, task.timeout)
    except render.NotebookFailed as exc:
        return Result(False, nbformat.writes(exc.notebook), error=first_line(exc.message))
    except DisclosureError as exc:
        return Result(False, error=first_line(str(exc)))
    result = Result(True, nbformat.writes(out))
    result.timings["execute"] = time.perf_counter() - t0
    return result


def _execute_summary(nb: Any, year: int, params_dir: Path, timeout: float | None) -> Any:
    from ..rendering import notebook as render

    metadata = {
        "version": __version__,
        "year": year,
        "title": f"{year}年政府信息公开工作年度报告汇总",
    }
    parameters = {"year": year, "params_dir": str(params_dir)}
    return render.run_notebook(nb, parameters, metadata, engine_name=ENGINE_NAME, deadline=timeout)


def _convert(task: Task, result: Result) -> None:
    import nbformat

    from ..rendering import notebook as render

    nb = nbformat.reads(result.notebook, as_version=4)
    result.documents = render.convert(
        nb, task.formats, result.timings, pdf_standard=task.pdf_standard
    )


def _count_checks(task: Task, params_dir: Path, result: Result) -> None:
    from ..checks import check_report, check_reports
    from ..params import load_reports

    reports, _ = load_reports([params_dir])
    if task.kind == "report":
        by_year = {r.year: r for r in reports if r.agency == task.agency}
        report = by_year.get(task.year)
        if report is None:
            return
        findings = check_report(report, by_year.get(task.year - 1))
    else:
        findings = [f for f in check_reports(reports) if f.year == task.year]
    errors = [f for f in findings if f.severity == "error"]
    result.errors, result.warnings = len(errors), len(findings) - len(errors)
    if errors:
        result.first_check_error = first_line(errors[0].message)


def first_line(text: str) -> str:
    lines = [x.strip() for x in str(text).splitlines() if x.strip()]
    return lines[0][:300] if lines else ""
