"""Executed notebooks: run a report notebook with papermill, convert it to HTML, PDF, DOCX.

The steps are separate so a batch driver can reuse them (and its own papermill engine):

    nb = execute_notebook(agency, year, params_dir)       # papermill, any engine
    docs = convert(nb, ["html", "pdf", "docx"])           # one layout, three writers

Writing them into an output folder is `batch.render`. This module imports only the standard
library and the core at import time; papermill and nbconvert load when first used.
"""

from __future__ import annotations

import copy
import functools
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import NotebookFailed, RenderError
from ..locate import notebook_path
from ..model import Report

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from .layout import Document

FORMATS = ("html", "pdf", "docx")
METADATA_KEY = "disclosure_lib"
# What the report shows: `publish` only what the office wrote; `review` adds the appendix of
# charts and the 数据校验 block. The notebook gets it as its `profile` parameter.
PROFILES = ("publish", "review")
DEFAULT_PROFILE = "publish"


# --- execution --------------------------------------------------------------------------------


class _MemoryIO:
    """papermill I/O handler keeping written notebooks in memory: papermill writes the failed
    notebook (with its error marker) before raising, and that is the one to keep. Notebooks
    papermill writes there are kept as they are (`nodes`), not as JSON (see `_memory_io`)."""

    prefix = "disclosure-memory://"

    def __init__(self) -> None:
        self.store: dict[str, str] = {}
        self.nodes: dict[str, NotebookNode] = {}

    def take(self, path: str, default: NotebookNode) -> NotebookNode:
        """The notebook last written to `path` (forgotten here), else `default`."""
        import nbformat

        text = self.store.pop(path, None)
        node = self.nodes.pop(path, None)
        if node is None and text is not None:
            node = nbformat.reads(text, as_version=4)
        return node if node is not None else default

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
    # papermill serialises a notebook before any handler gets it (JSON with indents: ≈ 0.013
    # CPU-s a report, 10 % of a build worker's own time), though this handler keeps it only
    # for a failure: to our paths its `write_ipynb` hands the notebook itself. Other paths
    # are written as papermill writes them.
    import papermill.execute

    write = getattr(papermill.execute, "write_ipynb", None)
    if write is not None and not getattr(write, "_disclosure", False):

        def write_ipynb(nb: NotebookNode, path: Any) -> None:
            if isinstance(path, str) and path.startswith(_MemoryIO.prefix):
                handler.nodes[path] = nb
            else:
                write(nb, path)

        write_ipynb._disclosure = True  # type: ignore[attr-defined]
        papermill.execute.write_ipynb = write_ipynb
    return handler


@functools.cache
def _template_notebook(path: Path, mtime_ns: int) -> NotebookNode:
    import nbformat

    return nbformat.read(path, as_version=4)


def load_notebook(path: Path | str | None = None) -> NotebookNode:
    """A fresh copy of the report notebook (parsed once per file version)."""
    path = Path(path) if path is not None else notebook_path()
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
    profile: str = DEFAULT_PROFILE,
    **engine_kwargs: Any,
) -> NotebookNode:
    """Run the report notebook for agency-year with papermill; return the executed notebook.

    Parameters passed: agency, year, params_dir (absolute), profile. The notebook's metadata records
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
        "profile": check_profile(profile),
    }
    parameters = {"agency": agency, "year": year, "params_dir": folder, "profile": profile}
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
        failed = memory.take(out, nb)
        first = (exc.evalue or exc.ename).strip().splitlines()
        raise NotebookFailed(
            f"笔记本第 {exc.cell_index + 1} 个单元格出错：{exc.ename}: {first[0] if first else ''}",
            notebook=failed,
            cell_index=exc.cell_index,
        ) from None
    finally:
        memory.store.pop(out, None)
        memory.nodes.pop(out, None)


# --- conversion -------------------------------------------------------------------------------


def notebook_document(nb: NotebookNode) -> Document:
    """The layout document the notebook's outputs make (what every format is written from)."""
    from .outputs import document_from_notebook

    return document_from_notebook(nb)


def notebook_to_html(nb: NotebookNode) -> str:
    """Self-contained report HTML for an executed notebook (same as `--to disclosure-html`)."""
    return _write_html(notebook_document(nb))


def notebook_to_pdf(nb: NotebookNode, pdf_standard: str | Sequence[str] | None = None) -> bytes:
    """The report PDF (same as `--to disclosure-pdf`), to `pdf_standard` if given (a-2b, …)."""
    from .typst_pdf import check_standard

    return _write_pdf(notebook_document(nb), check_standard(pdf_standard))


def convert(
    nb: NotebookNode,
    formats: Iterable[str],
    timings: dict[str, float] | None = None,
    *,
    pdf_standard: str | Sequence[str] | None = None,
) -> dict[str, str | bytes]:
    """The documents for `formats` (see `FORMATS`) of an executed notebook, by format; the
    seconds each took go into `timings`. What `render` and `build` write, format by format.
    `pdf_standard`: PDF/A or PDF/UA conformance for the PDF (see `typst_pdf.PDF_STANDARDS`)."""
    from .typst_pdf import check_standard

    wanted = parse_formats(tuple(formats))
    standards = check_standard(pdf_standard)
    timings = timings if timings is not None else {}
    t0 = time.perf_counter()
    doc = notebook_document(nb)
    timings["layout"] = time.perf_counter() - t0
    writers: dict[str, Callable[[Document], str | bytes]] = {
        "html": _write_html,
        "pdf": lambda d: _write_pdf(d, standards),
        "docx": _write_docx,
    }
    out: dict[str, str | bytes] = {}
    for fmt in wanted:
        t0 = time.perf_counter()
        out[fmt] = writers[fmt](doc)
        timings[fmt] = time.perf_counter() - t0
    return out


def prepare_writers(pdf: bool = True) -> None:
    """Load the writers and read what they read once (stylesheets, fonts, glyph tables), without
    typesetting anything (for a batch process about to fork workers)."""
    from . import html, typst_pdf

    html.stylesheet()
    if pdf:
        typst_pdf.prepare()


def _write_html(doc: Document) -> str:
    from .html import page

    return page(doc)


def _write_pdf(doc: Document, standards: Sequence[str]) -> bytes:
    from .typst_pdf import typeset

    return typeset(doc, standards=standards)


def _write_docx(doc: Document) -> bytes:
    from .docx_writer import docx_bytes

    return docx_bytes(doc)


# --- formats --------------------------------------------------------------------------------


def check_profile(profile: object) -> str:
    """`profile` if it is one of `PROFILES`, else a RenderError naming the choices."""
    if profile not in PROFILES:
        raise RenderError(
            f"未知的报告版本：{profile!r}；可选：{'、'.join(PROFILES)} (unknown profile)",
            field="profile",
        )
    return str(profile)


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
