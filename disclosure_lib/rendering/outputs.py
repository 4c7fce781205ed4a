"""The layout document an executed notebook's outputs make (`document_from_notebook`): what
every writer prints, read back from the cells' outputs (`layout.MIME`, else what an output's
data allows). Without nbconvert: a build's worker converts through this module alone, and the
exporters (`exporters.py`) wrap it for `jupyter nbconvert`. Code, prompts, markdown cells,
stderr and cells tagged remove-cell / remove-output are not part of the report.
"""

from __future__ import annotations

import base64
import binascii
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from .. import format as fmt
from . import layout as lo

if TYPE_CHECKING:
    from nbformat import NotebookNode

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
