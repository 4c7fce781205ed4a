"""Render one agency-year into an output folder: executed notebook → HTML → PDF, atomically.

    render("硚口区企业服务中心", 2024)    # outputs/2024/硚口区企业服务中心/…

The conversion steps are `rendering.notebook`'s; this module names the outputs and writes
them the way a build does: under the output folder's lock (a running build refuses a render
and the other way round), recorded in the manifest with the same fingerprint a build would
give it (so the next build neither redoes nor trusts it blindly), after the same checks
(`strict` blocks a report whose check finds errors).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import RenderError, ReportBlocked
from ..identity import check_agency, check_year
from ..locate import find_params_dir, params_file_for
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
from .gate import Checked, check_unit, draft_line, one_line
from .plan import Unit, output_dir_for, output_stem
from .states import Status, UnitKind

__all__ = ["RenderResult", "ReportBlocked", "output_dir_for", "output_stem", "render"]


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
    """Build the HTML exporter and, for PDFs, load Typst, its fonts and caches, once."""
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
    checked: Checked = field(default_factory=Checked)  # what the checks found
    # formats written although not asked for: an earlier build or render wrote them
    kept_formats: tuple[str, ...] = ()
    profile: str = DEFAULT_PROFILE

    @property
    def draft(self) -> bool:
        """Written marked 草稿（校验未通过）: a publish render of a report with check errors
        (the notebook's `report_body` marks it from the same checks)."""
        return bool(self.checked.errors) and self.profile != "review"

    @property
    def draft_line(self) -> str:
        """Why the report was marked a draft, in Chinese, or "" when it was not."""
        if not self.draft:
            return ""
        return draft_line(f"{self.agency} {self.year}年", self.checked.errors,
                          self.checked.first_error)  # fmt: skip

    @property
    def check_line(self) -> str:
        """The one-line check summary, or "" when the checks found nothing."""
        c = self.checked
        if not (c.errors or c.warnings):
            return ""
        return one_line(f"{self.agency} {self.year}年", c.errors, c.warnings, c.first_error)

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
    strict: bool = False,
) -> RenderResult:
    """Execute the notebook for agency-year and write .ipynb (+ .html, .pdf) atomically into
    `output_dir/<year>/<agency>/`, recorded in the output folder's manifest.

    A failing cell leaves `<name>.failed.ipynb` (with the error) and removes this report's
    .ipynb/.html/.pdf, so nothing stale looks successful; then raises `NotebookFailed`. With
    `strict`, a report whose check finds errors raises `ReportBlocked` before anything runs.
    Raises BuildError when the output folder is locked by a build, is a file, is read-only.
    """
    from .lock import OutputLock
    from .manifest import Manifest, remove_stale_temps

    formats = parse_formats(to)
    profile, standards = check_profile(profile), check_standard(pdf_standard)
    # checked here, once; unknown agency/year: fail before a kernel starts
    agency, year = check_agency(agency, error=RenderError), check_year(year, error=RenderError)
    folder = find_params_dir(params_dir)
    params_file = params_file_for(agency, year, folder)
    directory = output_dir_for(output_dir, year, agency)
    with OutputLock(output_dir):
        manifest = Manifest.load(output_dir)
        if manifest.begin_writes():  # a killed build's temp files, before it is forgotten
            remove_stale_temps(Path(output_dir))
        unit = _unit(manifest, params_file, agency, year, notebook, profile, standards)
        _refuse_foreign_folder(manifest, unit)
        formats, kept = manifest.with_kept_formats(unit.key, formats)
        if "pdf" in formats:
            from ..rendering import fonts

            fonts.require_cjk_fonts()
        result = RenderResult(agency, year, directory, directory / f"{unit.stem}.ipynb")
        result.kept_formats, result.profile = kept, profile
        result.checked = _check(agency, year, params_file, folder)
        try:
            _render(unit, result, manifest, formats, params_dir, strict=strict,
                    notebook=notebook, engine_name=engine_name, kernel_name=kernel_name,
                    timeout=timeout, profile=profile, pdf_standard=standards)  # fmt: skip
        finally:
            try:
                manifest.save()
                _refresh_index(Path(output_dir), manifest, folder)
                manifest.end_writes()
            finally:
                manifest.close()
    return result


def _unit(
    manifest: Any,
    params_file: Path,
    agency: str,
    year: int,
    notebook: Path | str | None,
    profile: str,
    standards: tuple[str, ...],
) -> Unit:
    """The unit a build over the agency's params folder would plan (same key, same inputs)."""
    from .plan import REPORT_NOTEBOOK, plan

    folder = params_file.parent
    nb = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    planned = plan([folder], manifest, year=year, agency=agency, summaries=False, notebook=nb,
                   profile=profile, pdf=",".join(standards))  # fmt: skip
    key = f"report:{agency}/{year}"
    found = next((u for u in planned.units if u.key == key), None)
    if found is None:  # pragma: no cover - find_params_file found it
        raise RenderError(f"未找到 {agency}{year} 年的参数文件", path=folder)
    return found


def _refuse_foreign_folder(manifest: Any, unit: Unit) -> None:
    """Another agency's recorded reports live in this folder (names that map to one folder)."""
    for e in manifest.listing():
        theirs = {Path(rel).parent.as_posix() for rel in e.outputs}
        if e.kind == UnitKind.REPORT and e.agency != unit.agency and unit.directory in theirs:
            raise RenderError(
                f"输出目录 {unit.directory} 已有机关“{e.agency}”（{e.source}）的报告："
                "请改用可区分的机关名称 (another agency's reports are in this folder)"
            )


def _check(agency: str, year: int, params_file: Path, folder: Path) -> Checked:
    from ..locate import load_checked, load_history

    report = load_checked(agency, year, params_file)
    history = load_history(report, folder)
    return check_unit(UnitKind.REPORT, agency, year, [*history, report])


def _render(
    unit: Unit,
    result: RenderResult,
    manifest: Any,
    formats: tuple[str, ...],
    params_dir: Path | str,
    *,
    strict: bool,
    **run: Any,
) -> None:
    from .changes import mark_changes
    from .fingerprints import loaded_code
    from .manifest import OutputError
    from .store import remove_replaced, store
    from .worker import Result as Outcome

    output_dir = manifest.output_dir
    checked = result.checked
    outcome = Outcome(False, errors=checked.errors, warnings=checked.warnings,
                      first_check_error=checked.first_error, findings=checked.findings,
                      acknowledged=checked.acknowledged, issued=checked.issued,
                      figures=checked.figures, snapshot=checked.snapshot)  # fmt: skip
    outcome.versions = {"disclosure_lib": __version__}
    failure: RenderError | None = None
    if strict and checked.errors:
        outcome.blocked, outcome.error = True, checked.first_error
        failure = ReportBlocked(
            f"校验发现 {checked.errors} 个错误，未生成输出（--strict）：{checked.first_error}",
            checked=checked,
            path=Path(unit.source),
        )
    else:
        try:
            _run(unit, result, outcome, formats, params_dir, **run)
        except NotebookFailed as exc:
            exc.path = output_dir / unit.outputs()["failed"]
            failure = exc
    outcome.code = loaded_code()
    try:
        entry = store(output_dir, unit, formats, outcome)
    except OutputError:
        manifest.forget(unit.key)  # half written: the next build redoes it
        raise
    old = manifest.entries.get(unit.key)
    mark_changes(output_dir, old, entry)  # 已更改 on the index, as a build marks it
    remove_replaced(output_dir, old, entry)
    manifest.record(entry)
    if failure is not None:
        raise failure
    if entry.status != Status.BUILT:  # the file system refused the name
        raise RenderError(entry.first_error)
    names = unit.outputs()
    result.notebook = output_dir / names["ipynb"]
    result.documents = {f: output_dir / names[f] for f in outcome.documents}


def _run(
    unit: Unit,
    result: RenderResult,
    outcome: Any,
    formats: tuple[str, ...],
    params_dir: Path | str,
    *,
    notebook: Path | str | None,
    engine_name: str | None,
    kernel_name: str | None,
    timeout: float | None,
    profile: str,
    pdf_standard: tuple[str, ...],
) -> None:
    import nbformat

    _import_libraries("pdf" in formats)
    # While the kernel runs the notebook this process only waits: build the exporter and load
    # the PDF fonts meanwhile (a no-op when they are already loaded).
    warm = threading.Thread(target=_warm_up, args=("pdf" in formats,), daemon=True)
    warm.start()
    started = time.perf_counter()
    try:
        nb = execute_notebook(
            unit.agency,
            unit.year,
            find_params_dir(params_dir),
            notebook=notebook,
            engine_name=engine_name,
            kernel_name=kernel_name,
            timeout=timeout,
            profile=profile,
        )
    except NotebookFailed as exc:
        outcome.notebook = nbformat.writes(exc.notebook)
        outcome.error = exc.message
        raise
    result.timings["execute"] = time.perf_counter() - started
    warm.join()
    outcome.notebook = nbformat.writes(nb)
    outcome.documents = convert(nb, formats, result.timings, pdf_standard=pdf_standard)
    outcome.timings = {**result.timings, "total": time.perf_counter() - started}
    outcome.ok = True


def _refresh_index(output_dir: Path, manifest: Any, params: Path) -> None:
    """A build's output folder lists the report just rendered (other folders get no index)."""
    from .site import INDEX_NAME, office_collection, write_index

    if (output_dir / INDEX_NAME).is_file():
        write_index(output_dir, manifest, pinyin=manifest.pinyin,
                    collection=office_collection([params]))  # fmt: skip
