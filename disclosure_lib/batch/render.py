"""Render one agency-year into an output folder: executed notebook → HTML → PDF, atomically.

    render("硚口区企业服务中心", 2024)    # outputs/2024/硚口区企业服务中心/…

The conversion steps are `rendering.notebook`'s; this module names the outputs and writes
them the way a build does.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError
from ..files import write_atomic
from ..locate import check_agency, check_year, find_params_dir, find_params_file
from ..model import Report
from ..names import agency_dirname
from ..rendering.notebook import (
    DEFAULT_PROFILE,
    FORMATS,
    NotebookFailed,
    check_profile,
    convert,
    execute_notebook,
    parse_formats,
)
from ..rendering.typst_pdf import check_standard

# --- outputs ----------------------------------------------------------------------------------


def output_dir_for(output_dir: Path | str, year: int, agency: str) -> Path:
    """outputs/<year>/<agency folder>; the agency name cannot lead outside `output_dir`."""
    base = Path(output_dir)
    target = base / str(check_year(year)) / agency_dirname(check_agency(agency))
    root, resolved = base.resolve(), target.resolve()
    if resolved == root or root not in resolved.parents:
        raise RenderError(f"机关名称不能用作目录名：{agency!r} (unsafe agency name)", path=base)
    return target


def output_stem(agency: str, year: int) -> str:
    """File name (without suffix) of a report's outputs: 机关全称2024年政府信息公开工作年度报告."""
    return agency_dirname(Report(agency=agency, year=year).title)


def _import_libraries(pdf: bool) -> None:
    """Import what the notebook run and the warm-up thread use, here, before the thread starts:
    two threads importing the same packages at once can see a partly initialised module
    (`cannot import name 'AsyncKernelManager' from partially initialized module`)."""
    import papermill  # noqa: F401

    from ..rendering import exporters

    if pdf:
        exporters.import_pdf_engine()


@functools.cache
def _warm_up(pdf: bool) -> None:
    """Build the HTML exporter and, for PDFs, load WeasyPrint and the fonts, once."""
    from ..rendering import exporters

    try:
        if pdf:
            exporters.warm_up()
        else:
            exporters.html_exporter()
    except Exception:  # the real conversion, later, reports any error properly
        return


@dataclass
class RenderResult:
    agency: str
    year: int
    directory: Path
    notebook: Path
    documents: dict[str, Path] = field(default_factory=dict)  # format -> file written
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def html(self) -> Path | None:
        return self.documents.get("html")

    @property
    def pdf(self) -> Path | None:
        return self.documents.get("pdf")

    @property
    def files(self) -> list[Path]:
        return [self.notebook, *self.documents.values()]


def render(
    agency: str,
    year: int,
    params_dir: Path | str = "params",
    to: Sequence[str] | str = FORMATS,
    output_dir: Path | str = "outputs",
    *,
    notebook: Path | str | None = None,
    engine_name: str | None = None,
    kernel_name: str | None = None,
    timeout: float | None = None,
    profile: str = DEFAULT_PROFILE,
    pdf_standard: str = "",
) -> RenderResult:
    """Execute the notebook for agency-year and write .ipynb (+ .html, .pdf) atomically into
    `output_dir/<year>/<agency>/`.

    A failing cell leaves `<name>.failed.ipynb` (with the error) and removes this report's
    .ipynb/.html/.pdf, so nothing stale looks successful; then raises `NotebookFailed`.
    """
    formats = parse_formats(to)
    profile, standards = check_profile(profile), check_standard(pdf_standard)
    agency, year = check_agency(agency), check_year(year)
    find_params_file(agency, year, params_dir)  # unknown agency/year: fail before a kernel starts
    if "pdf" in formats:
        from ..rendering import fonts

        fonts.require_cjk_fonts()
    directory = output_dir_for(output_dir, year, agency)
    stem = output_stem(agency, year)
    paths = {ext: directory / f"{stem}.{ext}" for ext in ("ipynb", *FORMATS)}
    failed_path = directory / f"{stem}.failed.ipynb"
    result = RenderResult(agency, year, directory, paths["ipynb"])
    import nbformat

    _import_libraries("pdf" in formats)
    # While the kernel runs the notebook this process only waits: build the exporter and load
    # the PDF fonts meanwhile (a no-op when they are already loaded).
    warm = threading.Thread(target=_warm_up, args=("pdf" in formats,), daemon=True)
    warm.start()
    started = time.perf_counter()
    try:
        nb = execute_notebook(
            agency,
            year,
            find_params_dir(params_dir),
            notebook=notebook,
            engine_name=engine_name,
            kernel_name=kernel_name,
            timeout=timeout,
            profile=profile,
        )
    except NotebookFailed as exc:
        write_atomic(failed_path, nbformat.writes(exc.notebook))
        for p in paths.values():
            p.unlink(missing_ok=True)
        exc.path = failed_path
        raise
    result.timings["execute"] = time.perf_counter() - started
    warm.join()
    write_atomic(paths["ipynb"], nbformat.writes(nb))
    failed_path.unlink(missing_ok=True)

    for fmt, document in convert(nb, formats, result.timings, pdf_standard=standards).items():
        result.documents[fmt] = write_atomic(paths[fmt], document)
    for fmt in FORMATS:  # a format not asked for this time must not stay behind, stale
        if fmt not in formats:
            paths[fmt].unlink(missing_ok=True)
    return result
