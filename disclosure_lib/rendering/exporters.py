"""nbconvert exporters for executed report notebooks: `disclosure-html`, `disclosure-typst`,
`disclosure-pdf`, `disclosure-docx`.

Each reads the layout (`layout.py`) the notebook's cells displayed (`document_from_notebook`)
and hands it to its writer: `html.page`, `typst_pdf.source` (the typesetting source, as
nbconvert's own PDF route goes through LaTeX), `typst_pdf.typeset` (that source compiled
in-process), `docx_writer.docx_bytes`. Registered through the `nbconvert.exporters` entry point,
so `jupyter nbconvert --to disclosure-pdf executed.ipynb` writes the same file as
`disclosure render`. Code, prompts, markdown cells, stderr and cells tagged remove-cell /
remove-output are not part of the report.
"""

from __future__ import annotations

import base64
import binascii
from html.parser import HTMLParser
from typing import Any

from nbconvert.exporters import Exporter
from nbformat import NotebookNode
from traitlets import Unicode, default

from .. import format as fmt
from . import layout as lo

SKIP_TAGS = frozenset({"remove-cell", "remove-output", "remove_cell", "remove_output"})


def report_title(nb: NotebookNode, fallback: str = "") -> str:
    """The report title from the notebook's metadata (render's, else papermill's parameters)."""
    meta = nb.metadata.get("disclosure_lib", {})
    if meta.get("title"):
        return str(meta["title"])
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    if params.get("agency") and params.get("year"):
        return fmt.TITLE_TEMPLATE.format(agency=params["agency"], year=params["year"])
    return fallback


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class _TextParser(HTMLParser):
    """The visible text of HTML, a line per block element or table row, cells tab-separated."""

    BREAKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "table", "section", "article", "figure", "figcaption", "pre"})  # fmt: skip
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """What a cell's own HTML output (not made from the layout) says, as text: the PDF and
    DOCX writers print it as such; only the layout carries structure."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(x.strip(" \t").replace("\t", " ") for x in lines if x.strip())


def output_blocks(output: NotebookNode) -> tuple[list[lo.Block], dict[str, Any]] | None:
    """The layout blocks one cell output shows (its own layout, else what its data allows)."""
    kind = output.get("output_type")
    if kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        if lo.MIME in data:
            return lo.part_from_json(dict(data[lo.MIME]))
        if "text/html" in data:
            markup = _text(data["text/html"])
            text = html_text(markup) or _text(data.get("text/plain", ""))
            return [lo.Raw(markup, text)], {}
        if "image/png" in data:
            try:
                png = base64.b64decode(_text(data["image/png"]))
            except (binascii.Error, ValueError):
                return None
            return [lo.Figure(key="image", alt=_text(data.get("text/plain", "")), png=png)], {}
        if "text/plain" in data:
            return [lo.Pre(_text(data["text/plain"]))], {}
    elif kind == "stream" and output.get("name") == "stdout":
        return [lo.Pre(_text(output.get("text", "")))], {}
    elif kind == "error":
        return [lo.Pre(f"{output.get('ename', '')}: {output.get('evalue', '')}")], {}
    return None


def document_from_notebook(nb: NotebookNode, fallback_title: str = "") -> lo.Document:
    """The document an executed notebook's outputs make, in cell order."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code" or SKIP_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            part = output_blocks(output)
            if part is not None:
                parts.append(part)
    return lo.document(parts, title=report_title(nb, fallback_title))


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


def prepare(pdf: bool = True) -> None:
    """Load the writers and read what they read once (stylesheets, fonts, glyph tables), without
    typesetting anything (for a batch process about to fork workers)."""
    from . import html, typst_pdf

    html.stylesheet()
    if pdf:
        typst_pdf.prepare()


def import_pdf_engine() -> None:
    """Import the PDF typesetter (callers that go on to use it from several threads)."""
    import typst  # noqa: F401


def warm_up() -> None:
    """`prepare`, then typeset a tiny page so Typst's fonts and caches are loaded too."""
    from . import typst_pdf

    prepare()
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
