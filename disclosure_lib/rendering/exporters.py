"""nbconvert exporters for executed report notebooks: `disclosure-html`, `disclosure-typst`,
`disclosure-pdf`, `disclosure-docx`.

Each reads the layout (`layout.py`) the notebook's cells displayed
(`outputs.document_from_notebook`) and hands it to its writer: `html.page`, `typst_pdf.source`
(the typesetting source, as nbconvert's own PDF route goes through LaTeX),
`typst_pdf.typeset` (that source compiled in-process), `docx_writer.docx_bytes`. Registered
through the `nbconvert.exporters` entry point, so `jupyter nbconvert --to disclosure-pdf
executed.ipynb` writes the same file as `disclosure render`.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import Exporter
from nbformat import NotebookNode
from traitlets import Unicode, default

from . import layout as lo
from .outputs import document_from_notebook


class _LayoutExporter(Exporter):
    """An exporter that writes the notebook's layout document with one writer."""

    def write(self, doc: lo.Document) -> str | bytes:
        raise NotImplementedError

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str | bytes, dict[str, Any]]:
        resources = self._init_resources(resources)
        resources["output_extension"] = self.file_extension
        name = resources.get("metadata", {}).get("name", "")
        return self.write(document_from_notebook(nb, name)), resources


class ReportHTMLExporter(_LayoutExporter):
    """The report as one self-contained web page."""

    export_from_notebook = "Disclosure report HTML"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    def write(self, doc: lo.Document) -> str:
        from .html import page

        return page(doc)


class ReportTypstExporter(_LayoutExporter):
    """The report's Typst source (what `disclosure-pdf` compiles)."""

    export_from_notebook = "Disclosure report Typst source"
    output_mimetype = "text/x-typst"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".typ"

    def write(self, doc: lo.Document) -> str:
        from .typst_pdf import source

        return source(doc)[0]


class ReportPDFExporter(_LayoutExporter):
    """The report as an A4 PDF, typeset by Typst (in-process)."""

    export_from_notebook = "Disclosure report PDF"
    output_mimetype = "application/pdf"
    pdf_standard = Unicode("", help="PDF standards, e.g. a-2b or a-2b,ua-1").tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def write(self, doc: lo.Document) -> bytes:
        from .typst_pdf import check_standard, typeset

        return typeset(doc, standards=check_standard(self.pdf_standard))


class ReportDOCXExporter(_LayoutExporter):
    """The report as a Word document (.docx) the office can edit and sign."""

    export_from_notebook = "Disclosure report Word"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    def write(self, doc: lo.Document) -> bytes:
        from .docx_writer import docx_bytes

        return docx_bytes(doc)


def import_pdf_engine() -> None:
    """Import the PDF typesetter (callers that go on to use it from several threads)."""
    import typst  # noqa: F401


def warm_up() -> None:
    """`prepare`, then typeset a tiny page so Typst's fonts and caches are loaded too."""
    from . import typst_pdf
    from .notebook import prepare_writers

    prepare_writers()
    doc = lo.Document(
        title="年度报告", blocks=[lo.Title(("年度报告",)), lo.Para("政府信息公开 0123")]
    )
    typst_pdf.typeset(doc)


def html_exporter() -> ReportHTMLExporter:
    """One exporter per process."""
    global _HTML
    if _HTML is None:
        _HTML = ReportHTMLExporter()
    return _HTML


_HTML: ReportHTMLExporter | None = None
