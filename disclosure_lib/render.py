"""Render one agency-year: params → executed notebook → HTML → PDF, written atomically.

The steps are separate so a batch driver can reuse them (and its own papermill engine):

    nb = execute_notebook(agency, year, params_dir)       # papermill, any engine
    html = notebook_to_html(nb)                           # cached nbconvert exporter
    html_to_pdf(html, path)                               # WeasyPrint, cached fonts
    render(agency, year)                                  # all of it, into outputs/<year>/<agency>/

The notebook side (`load_for_notebook`, `load_history`) lives here too; this module imports
only the standard library and the model at import time, so notebook kernels start fast.
"""

from __future__ import annotations

import copy
import functools
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, params
from .errors import RenderError
from .model import Report

if TYPE_CHECKING:
    from nbformat import NotebookNode

FORMATS = ("html", "pdf")
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "annual_report.ipynb"
METADATA_KEY = "disclosure_lib"


# --- notebook side ----------------------------------------------------------------------------


def _year(year: object) -> int:
    """`year` as an int; digit strings (papermill `-r`) are accepted, anything else is not."""
    if isinstance(year, bool):
        raise RenderError(f"应为整数年份（如 2024），实际为 {year!r}", field="year")
    if isinstance(year, int):
        return year
    if isinstance(year, str) and year.strip().isascii() and year.strip().isdigit():
        return int(year.strip())
    raise RenderError(
        f"应为整数年份（如 2024），实际为 {year!r}（{type(year).__name__}）"
        "(year must be an integer such as 2024)",
        field="year",
    )


def _agency(agency: object) -> str:
    if not isinstance(agency, str) or not agency.strip():
        raise RenderError(
            f"应为机关全称（文本），实际为 {agency!r} (agency must be a name)",
            field="agency",
        )
    return agency.strip()


def _params_dir(params_dir: object) -> Path:
    """The params folder; a relative one is also looked for one level up, because Jupyter
    runs notebooks from `notebooks/` while the bundled params live in the project root."""
    if not isinstance(params_dir, str | Path):
        raise RenderError(f"应为目录路径，实际为 {params_dir!r}", field="params_dir")
    path = Path(params_dir)
    if not path.is_dir() and not path.is_absolute() and (Path.cwd().parent / path).is_dir():
        return Path.cwd().parent / path
    if not path.is_dir():
        raise RenderError("参数目录不存在 (params folder not found)", path=path)
    return path


def _listing(found: dict[str, list[int]]) -> str:
    if not found:
        return "该目录下没有任何参数文件"
    return "；".join(f"{a}（{'、'.join(map(str, ys))}）" for a, ys in found.items())


def find_params_file(agency: object, year: object, params_dir: object = "params") -> Path:
    """The params file for agency-year, or a RenderError listing the agencies and years found."""
    name, y, folder = _agency(agency), _year(year), _params_dir(params_dir)
    path = params.params_path(folder, name, y)
    if path.is_file():
        return path
    found = params.available(folder)
    if name in found and y not in found[name]:
        years = "、".join(map(str, found[name]))
        raise RenderError(f"{name} 没有 {y} 年的参数文件；现有年份：{years}", path=folder)
    if name not in found:
        raise RenderError(f"未找到机关“{name}”的参数文件。现有：{_listing(found)}", path=folder)
    # The agency-year exists, filed under another name: find it.
    for f in params.find_params([folder]):
        report = params.load_report(f)
        if report.agency == name and report.year == y:
            return f
    raise RenderError(f"未找到 {name}{y} 年的参数文件", path=folder)  # pragma: no cover


def load_for_notebook(agency: object, year: object, params_dir: object = "params") -> Report:
    """The report for the notebook's parameters, with clear errors for bad parameters."""
    path = find_params_file(agency, year, params_dir)
    report = params.load_report(path)
    if report.agency != _agency(agency) or report.year != _year(year):
        raise RenderError(
            f"参数文件内容是 {report.agency}{report.year} 年，与所请求的不符", path=path
        )
    return report


def load_history(report: Report, params_dir: object = "params") -> list[Report]:
    """Earlier years of the same agency, oldest first (trend chart, cross-year checks)."""
    folder = params.params_path(_params_dir(params_dir), report.agency, report.year).parent
    earlier: list[Report] = []
    for f in sorted(folder.glob(f"*{params.SUFFIX}")):
        if not f.stem.isdigit() or int(f.stem) >= report.year:
            continue
        r = params.load_report(f)
        if r.agency == report.agency and r.year < report.year:
            earlier.append(r)
    return sorted(earlier, key=lambda r: r.year)


# --- execution --------------------------------------------------------------------------------


class NotebookFailed(RenderError):
    """A cell raised. `notebook` is the executed notebook with papermill's error marker."""

    def __init__(
        self,
        message: str,
        *,
        notebook: NotebookNode,
        cell_index: int | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.notebook = notebook
        self.cell_index = cell_index


class _MemoryIO:
    """papermill I/O handler keeping written notebooks in memory: papermill writes the failed
    notebook (with its error marker) before raising, and that is the one to keep."""

    prefix = "disclosure-memory://"

    def __init__(self) -> None:
        self.store: dict[str, str] = {}

    def read(self, path: str) -> str:
        return self.store[path]

    def write(self, buf: str, path: str) -> None:
        self.store[path] = buf

    def listdir(self, path: str) -> list[str]:
        return [p for p in self.store if p.startswith(path)]

    def pretty_path(self, path: str) -> str:
        return path


@functools.cache
def _memory_io() -> _MemoryIO:
    from papermill.iorw import papermill_io

    handler = _MemoryIO()
    papermill_io.register(_MemoryIO.prefix, handler)
    return handler


@functools.cache
def _template_notebook(path: Path, mtime_ns: int) -> NotebookNode:
    import nbformat

    return nbformat.read(path, as_version=4)


def load_notebook(path: Path | str | None = None) -> NotebookNode:
    """A fresh copy of the report notebook (parsed once per file version)."""
    path = Path(path) if path is not None else NOTEBOOK
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise RenderError("找不到报告笔记本 (report notebook not found)", path=path) from None
    return copy.deepcopy(_template_notebook(path.resolve(), mtime))


def execute_notebook(
    agency: str,
    year: int,
    params_dir: Path | str = "params",
    *,
    notebook: Path | str | NotebookNode | None = None,
    engine_name: str | None = None,
    kernel_name: str | None = None,
    timeout: float | None = None,
    **engine_kwargs: Any,
) -> NotebookNode:
    """Run the report notebook for agency-year with papermill; return the executed notebook.

    Parameters passed: agency, year, params_dir (absolute). The notebook's metadata records
    them and the library version under `disclosure_lib`. `engine_name` selects a papermill
    engine (default: papermill's). On a failing cell raises `NotebookFailed` carrying the
    executed notebook, as papermill would have written it.
    """
    import nbformat

    if isinstance(notebook, nbformat.NotebookNode):
        nb = copy.deepcopy(notebook)
    else:
        nb = load_notebook(notebook)
    folder = str(Path(params_dir).resolve())
    metadata = {
        "version": __version__,
        "agency": agency,
        "year": year,
        "title": Report(agency=agency, year=year).title,
    }
    parameters = {"agency": agency, "year": year, "params_dir": folder}
    return run_notebook(
        nb,
        parameters,
        metadata,
        engine_name=engine_name,
        kernel_name=kernel_name,
        timeout=timeout,
        **engine_kwargs,
    )


def run_notebook(
    nb: NotebookNode,
    parameters: dict[str, Any],
    metadata: dict[str, Any],
    *,
    engine_name: str | None = None,
    kernel_name: str | None = None,
    timeout: float | None = None,
    **engine_kwargs: Any,
) -> NotebookNode:
    """Execute `nb` (modified in place) with papermill, recording `metadata` under
    `disclosure_lib`; a failing cell raises `NotebookFailed` with the notebook as papermill
    left it (error marker included)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb.metadata[METADATA_KEY] = metadata
    memory = _memory_io()
    out = f"{_MemoryIO.prefix}{uuid.uuid4().hex}.ipynb"
    if timeout is not None:
        engine_kwargs.setdefault("execution_timeout", timeout)
    if engine_name is None:
        # The kernel's own log (TCP transport notice, the SIGINT jupyter_client sends at
        # shutdown) is noise on the user's terminal; cell errors still reach the notebook.
        engine_kwargs.setdefault("extra_arguments", ["--IPKernelApp.log_level=CRITICAL"])
    try:
        return papermill.execute_notebook(
            nb,
            out,
            parameters=parameters,
            engine_name=engine_name,
            kernel_name=kernel_name,
            request_save_on_cell_execute=False,
            progress_bar=False,
            log_output=False,
            **engine_kwargs,
        )
    except PapermillExecutionError as exc:
        failed = nbformat.reads(memory.store.get(out, nbformat.writes(nb)), as_version=4)
        first = (exc.evalue or exc.ename).strip().splitlines()
        raise NotebookFailed(
            f"笔记本第 {exc.cell_index + 1} 个单元格出错：{exc.ename}: {first[0] if first else ''}",
            notebook=failed,
            cell_index=exc.cell_index,
        ) from None
    finally:
        memory.store.pop(out, None)


# --- conversion -------------------------------------------------------------------------------


def notebook_to_html(nb: NotebookNode) -> str:
    """Self-contained report HTML for an executed notebook (same as `--to disclosure-html`)."""
    from .exporters import html_exporter

    html, _ = html_exporter().from_notebook_node(nb)
    return html


def html_to_pdf_bytes(html: str) -> bytes:
    from .exporters import html_to_pdf_bytes as convert

    return convert(html)


def html_to_pdf(html: str, path: Path | str) -> Path:
    """Typeset report HTML as an A4 PDF at `path` (written atomically)."""
    return params.write_atomic(path, html_to_pdf_bytes(html))


# --- outputs ----------------------------------------------------------------------------------


def output_dir_for(output_dir: Path | str, year: int, agency: str) -> Path:
    """outputs/<year>/<agency folder>; the agency name cannot lead outside `output_dir`."""
    base = Path(output_dir)
    target = base / str(_year(year)) / params.agency_dirname(_agency(agency))
    root, resolved = base.resolve(), target.resolve()
    if resolved == root or root not in resolved.parents:
        raise RenderError(f"机关名称不能用作目录名：{agency!r} (unsafe agency name)", path=base)
    return target


def output_stem(agency: str, year: int) -> str:
    """File name (without suffix) of a report's outputs: 机关全称2024年政府信息公开工作年度报告."""
    return params.agency_dirname(Report(agency=agency, year=year).title)


@functools.cache
def _warm_up(pdf: bool) -> None:
    """Build the HTML exporter and, for PDFs, load WeasyPrint and the fonts, once."""
    from . import exporters

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
    html: Path | None = None
    pdf: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def files(self) -> list[Path]:
        return [p for p in (self.notebook, self.html, self.pdf) if p is not None]


def parse_formats(to: Iterable[str] | str) -> tuple[str, ...]:
    """Output formats from "html,pdf" or ["html", "pdf"], deduplicated; unknown ones rejected."""
    items = [to] if isinstance(to, str) else list(to)
    wanted = tuple(
        dict.fromkeys(x.strip().lower() for i in items for x in i.split(",") if x.strip())
    )
    unknown = [x for x in wanted if x not in FORMATS]
    if unknown:
        raise RenderError(f"不支持的输出格式：{', '.join(unknown)}；可选：{', '.join(FORMATS)}")
    return wanted


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
) -> RenderResult:
    """Execute the notebook for agency-year and write .ipynb (+ .html, .pdf) atomically into
    `output_dir/<year>/<agency>/`.

    A failing cell leaves `<name>.failed.ipynb` (with the error) and removes this report's
    .ipynb/.html/.pdf, so nothing stale looks successful; then raises `NotebookFailed`.
    """
    formats = parse_formats(to)
    agency, year = _agency(agency), _year(year)
    find_params_file(agency, year, params_dir)  # unknown agency/year: fail before a kernel starts
    if "pdf" in formats:
        from . import fonts

        fonts.require_cjk_fonts()
    directory = output_dir_for(output_dir, year, agency)
    stem = output_stem(agency, year)
    paths = {ext: directory / f"{stem}.{ext}" for ext in ("ipynb", *FORMATS)}
    failed_path = directory / f"{stem}.failed.ipynb"
    result = RenderResult(agency, year, directory, paths["ipynb"])
    import nbformat

    # While the kernel runs the notebook this process only waits: build the exporter and load
    # the PDF fonts meanwhile (a no-op when they are already loaded).
    warm = threading.Thread(target=_warm_up, args=("pdf" in formats,), daemon=True)
    warm.start()
    started = time.perf_counter()
    try:
        nb = execute_notebook(
            agency,
            year,
            _params_dir(params_dir),
            notebook=notebook,
            engine_name=engine_name,
            kernel_name=kernel_name,
            timeout=timeout,
        )
    except NotebookFailed as exc:
        params.write_atomic(failed_path, nbformat.writes(exc.notebook))
        for p in paths.values():
            p.unlink(missing_ok=True)
        exc.path = failed_path
        raise
    result.timings["execute"] = time.perf_counter() - started
    warm.join()
    params.write_atomic(paths["ipynb"], nbformat.writes(nb))
    failed_path.unlink(missing_ok=True)

    started = time.perf_counter()
    html = notebook_to_html(nb)
    result.timings["html"] = time.perf_counter() - started
    if "html" in formats:
        result.html = params.write_atomic(paths["html"], html)
    if "pdf" in formats:
        started = time.perf_counter()
        result.pdf = html_to_pdf(html, paths["pdf"])
        result.timings["pdf"] = time.perf_counter() - started
    return result
