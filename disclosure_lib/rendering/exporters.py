"""nbconvert exporters for executed report notebooks: `disclosure-html` and `disclosure-pdf`.

Registered through the `nbconvert.exporters` entry point, so
`jupyter nbconvert --to disclosure-pdf executed.ipynb` writes the same file as
`disclosure render`. The HTML uses the lean template in `templates/disclosure_report`
(outputs only, one small stylesheet, `lang="zh-CN"`); the PDF is WeasyPrint on that HTML.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbformat import NotebookNode
from traitlets import default

from .. import format as fmt
from .._version import __version__
from . import fonts, pdf_fonts

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "disclosure_report"


def report_title(nb: NotebookNode, fallback: str = "") -> str:
    """The report title from the notebook's metadata (render's, else papermill's parameters)."""
    meta = nb.metadata.get("disclosure_lib", {})
    if meta.get("title"):
        return str(meta["title"])
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    if params.get("agency") and params.get("year"):
        return fmt.TITLE_TEMPLATE.format(agency=params["agency"], year=params["year"])
    return fallback


class ReportHTMLExporter(HTMLExporter):
    """Self-contained report HTML: cell outputs only, embedded images, print CSS for A4."""

    export_from_notebook = "Disclosure report HTML"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(TEMPLATES_DIR), *super()._default_extra_template_basedirs()]

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        resources = self._init_resources(resources)
        name = resources.get("metadata", {}).get("name", "")
        resources["disclosure_title"] = report_title(nb, fallback=name)
        resources["disclosure_version"] = __version__
        # Skip HTMLExporter's BeautifulSoup pass (alt text, tabindex for its own markup):
        # our markup already has alt text, and re-serialising costs time per report.
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class ReportPDFExporter(ReportHTMLExporter):
    """The report HTML typeset to A4 PDF by WeasyPrint with Noto CJK fonts."""

    export_from_notebook = "Disclosure report PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the HTML template; WeasyPrint typesets its output

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        html, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf_bytes(html), resources


@functools.cache
def html_exporter() -> ReportHTMLExporter:
    """One exporter per process: its Jinja environment and template are built once."""
    return ReportHTMLExporter()


@functools.cache
def _font_config() -> Any:
    return pdf_fonts.font_configuration()


@functools.cache
def pdf_stylesheets() -> list[Any]:
    """The cut-down CJK faces (see `pdf_fonts`), parsed once; none until they are built."""
    import weasyprint

    css = pdf_fonts.font_face_css()
    return [weasyprint.CSS(string=css, font_config=_font_config())] if css else []


@functools.cache
def _template_css() -> tuple[str, Any]:
    """The `<style>` block the template writes, and the same stylesheet parsed once."""
    import weasyprint

    text = html_exporter().environment.get_template("report.css").render()
    sheet = weasyprint.CSS(string=text, base_url=str(TEMPLATES_DIR), font_config=_font_config())
    return f"<style>\n{text}\n</style>", sheet


_DATA_IMAGE = re.compile(r'(<img src=")data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=]*)(")')
_IMAGE_SCHEME = "disclosure-image:"


def _lift_images(html: str) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """Embedded images out of the HTML: WeasyPrint's pure-Python HTML parser reads every
    character of an attribute, and the charts' base64 is ~90 % of a report's HTML (measured
    ≈ 0.05 s per PDF). They are handed to WeasyPrint by URL instead, decoded once."""
    images: dict[str, tuple[str, bytes]] = {}

    def lift(m: re.Match[str]) -> str:
        url = f"{_IMAGE_SCHEME}{len(images)}"
        images[url] = (m[2], base64.b64decode(m[3]))
        return f"{m[1]}{url}{m[4]}"

    return _DATA_IMAGE.sub(lift, html), images


@functools.cache
def _fetcher_class() -> Any:
    """WeasyPrint's URL fetcher, also answering the URLs `_lift_images` made."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def __init__(self, images: dict[str, tuple[str, bytes]]) -> None:
            super().__init__()
            self.images = images

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in self.images:
                mime, body = self.images[url]
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            return super().fetch(url, headers)

    return Fetcher


def html_to_pdf_bytes(html: str) -> bytes:
    """Typeset report HTML as PDF. Fails with `fonts.FontError` rather than print tofu."""
    import weasyprint

    fonts.require_cjk_fonts()
    sheets = pdf_stylesheets()
    block, sheet = _template_css()
    if block in html:  # our template's stylesheet: reuse it parsed rather than parse it per PDF
        html, sheets = html.replace(block, "", 1), [sheet, *sheets]
    html, images = _lift_images(html)
    document = weasyprint.HTML(
        string=html, base_url=str(TEMPLATES_DIR), url_fetcher=_fetcher_class()(images)
    )
    pdf = document.write_pdf(font_config=_font_config(), stylesheets=sheets)
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf


def import_pdf_engine() -> None:
    """Import the PDF typesetter (callers that go on to use it from several threads)."""
    import weasyprint  # noqa: F401


def prepare() -> None:
    """Build the exporter, compile its template and parse the PDF font stylesheet, without
    typesetting anything (for a batch process about to fork workers)."""
    assert html_exporter().template is not None
    pdf_stylesheets()
    _template_css()
    _fetcher_class()


def warm_up() -> None:
    """`prepare`, then typeset a tiny page so WeasyPrint's fonts are loaded too."""
    prepare()
    html_to_pdf_bytes(
        f'<!DOCTYPE html><html lang="zh-CN"><head>{_template_css()[0]}</head><body>'
        "<h1>年度报告</h1><p>政府信息公开 0123</p>"
        '<table><tr><th>总计</th><td class="num">0</td></tr></table></body></html>'
    )
