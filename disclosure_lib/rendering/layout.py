"""The layout model: the whole report as plain data, written out by the HTML, PDF and DOCX writers.

A `Document` is a title, metadata and a list of blocks: `Title`, `Heading` (level 1: 一、…,
level 2: （一）…), `Para`, `Table` (a grid of `Cell`s with row and column spans, its header
rows and column widths), `Figure` (a chart: PNG or a sentence), `Signature` (落款), `Section`
(a group of blocks, e.g. section 三 or the 数据校验 appendix) and, for outputs that did not come
from this model, `Raw` (foreign HTML with its text) and `Pre` (printed text). A document whose
report failed its checks carries `draft` (the mark): each writer prints it on every page.

Writers never decide content: what is printed, in which order, where a label breaks (`\\n` in a
cell's text) and which cells head which figures are all decided here, once. Notebooks carry the
layout as JSON in their outputs (`MIME`), so each exporter reads the same model from an
executed notebook. Texts are plain strings; each writer escapes them for its own markup.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

MIME = "application/vnd.disclosure-lib.layout+json"
VERSION = 1

Align = Literal["left", "center", "right"]


@dataclass
class Cell:
    """One cell of a table grid. `text` may hold `\\n`: the official form's line breaks."""

    text: str = ""
    header: bool = False  # a heading cell (HTML th), else a figure (td)
    colspan: int = 1
    rowspan: int = 1
    align: Align = "center"
    scope: str = ""  # row, col, rowgroup, colgroup (HTML scope)
    id: str = ""  # set on heading cells that data cells refer to
    headers: tuple[str, ...] = ()  # ids of every heading cell that names this figure
    cls: str = ""  # role of the cell: num, blank, corner, item, col, group, row-head, …
    level: int = 0  # nesting depth of a row label


@dataclass
class Block:
    type: ClassVar[str] = ""


@dataclass
class Title(Block):
    """The document title, in the lines it is printed on (a long title breaks after the agency)."""

    type: ClassVar[str] = "title"
    lines: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class Heading(Block):
    """A heading: level 1 for 一、…, level 2 for （一）…"""

    type: ClassVar[str] = "heading"
    text: str = ""
    level: int = 1
    id: str = ""


@dataclass
class Para(Block):
    """A paragraph. `style`: body (indented), preamble, note, plain (not indented), center,
    pass, fail (the checks' verdicts)."""

    type: ClassVar[str] = "para"
    text: str = ""
    style: str = "body"


@dataclass
class Table(Block):
    """A table as a grid. `widths` are column widths in em of the table's font (0: share the
    remaining width); the first `header_rows` rows repeat when the table breaks across pages;
    `groups` are the row indices where a new row group starts (HTML tbody)."""

    type: ClassVar[str] = "table"
    key: str = ""
    caption: str = ""  # accessible name; printed only where `show_caption`
    rows: list[list[Cell]] = field(default_factory=list)
    widths: tuple[float, ...] = ()
    header_rows: int = 0
    groups: tuple[int, ...] = ()
    style: str = "official"  # official (the report's tables) or data (checks, summaries)

    @property
    def ncols(self) -> int:
        return len(self.widths)


@dataclass
class Figure(Block):
    """A chart: a PNG with its alt text, or the sentence saying why there is nothing to draw."""

    type: ClassVar[str] = "figure"
    key: str = ""
    title: str = ""
    alt: str = ""
    png: bytes | None = None
    empty: str = ""


@dataclass
class Signature(Block):
    """落款: the issuing body and, when known, the date, at the end of the report."""

    type: ClassVar[str] = "signature"
    agency: str = ""
    date: str = ""


@dataclass
class Section(Block):
    """A group of blocks. `new_page`: starts on a new page in print (appendices)."""

    type: ClassVar[str] = "section"
    id: str = ""
    cls: str = "section"
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False


@dataclass
class Raw(Block):
    """HTML from an output this model did not make; other writers print its text."""

    type: ClassVar[str] = "raw"
    html: str = ""
    text: str = ""


@dataclass
class Pre(Block):
    """Printed program output (a cell's stdout)."""

    type: ClassVar[str] = "pre"
    text: str = ""


@dataclass
class Document:
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    lang: str = "zh-CN"
    agency: str = ""  # author (the issuing body)
    year: int | None = None
    issued: str = ""  # ISO date of the 落款, if any
    profile: str = ""
    # the mark every page carries when the report failed its checks (草稿（校验未通过）), and why
    draft: str = ""
    draft_reason: str = ""

    def walk(self) -> list[Block]:
        """Every block, sections expanded, in reading order."""
        return list(_walk(self.blocks))

    def texts(self) -> list[str]:
        """Every printed text, in reading order (title, headings, paragraphs, cells, …)."""
        out: list[str] = []
        for block in self.walk():
            out.extend(block_texts(block))
        return out


def _walk(blocks: list[Block]) -> Any:
    for block in blocks:
        yield block
        if isinstance(block, Section):
            yield from _walk(block.blocks)


def block_texts(block: Block) -> list[str]:
    """The texts `block` prints (sections: none of their own)."""
    if isinstance(block, Title):
        return [block.text]
    if isinstance(block, Heading | Para | Pre | Raw):
        return [block.text]
    if isinstance(block, Table):
        return [cell.text for row in block.rows for cell in row]
    if isinstance(block, Figure):
        return [block.title, block.empty or ""]
    if isinstance(block, Signature):
        return [block.agency, block.date]
    return []


# --- JSON ---------------------------------------------------------------------------------------

BLOCK_TYPES: dict[str, type[Block]] = {
    cls.type: cls for cls in (Title, Heading, Para, Table, Figure, Signature, Section, Raw, Pre)
}
_META = ("title", "lang", "agency", "year", "issued", "profile", "draft", "draft_reason")


def block_to_dict(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {"type": block.type}
    for f in fields(block):
        value = getattr(block, f.name)
        if isinstance(block, Table) and f.name == "rows":
            value = [[_cell_to_dict(c) for c in row] for row in value]
        elif isinstance(block, Section) and f.name == "blocks":
            value = [block_to_dict(b) for b in value]
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


_CELL_DEFAULTS = {f.name: f.default for f in fields(Cell)}


def _cell_to_dict(cell: Cell) -> dict[str, Any]:
    # only what differs from the defaults: a big table stays small in the notebook
    out = {}
    for name, default in _CELL_DEFAULTS.items():
        value = getattr(cell, name)
        if value != default and value != ():
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def block_from_dict(data: dict[str, Any]) -> Block:
    cls = BLOCK_TYPES.get(str(data.get("type")))
    if cls is None:
        raise ValueError(f"unknown layout block type {data.get('type')!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if cls is Table and f.name == "rows":
            value = [[_cell_from_dict(c) for c in row] for row in value]
        elif cls is Section and f.name == "blocks":
            value = [block_from_dict(b) for b in value]
        elif cls is Figure and f.name == "png":
            value = base64.b64decode(value) if value else None
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _cell_from_dict(data: dict[str, Any]) -> Cell:
    if "headers" in data:
        data = {**data, "headers": tuple(data["headers"])}
    return Cell(**data)


def part_to_json(blocks: list[Block], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """A notebook output's layout: its blocks and, for the report body, the document's metadata."""
    out: dict[str, Any] = {"version": VERSION, "blocks": [block_to_dict(b) for b in blocks]}
    if meta:
        out["meta"] = {k: v for k, v in meta.items() if k in _META}
    return out


def part_from_json(data: dict[str, Any] | str) -> tuple[list[Block], dict[str, Any]]:
    if isinstance(data, str):
        data = json.loads(data)
    assert isinstance(data, dict)
    if data.get("version") != VERSION:
        raise ValueError(f"layout version {data.get('version')!r}, expected {VERSION}")
    return [block_from_dict(b) for b in data.get("blocks", [])], dict(data.get("meta") or {})


def document(parts: list[tuple[list[Block], dict[str, Any]]], title: str = "") -> Document:
    """One document from the parts of a notebook, in order; metadata from the first that has it."""
    doc = Document(title=title)
    meta_seen = False
    for blocks, meta in parts:
        doc.blocks.extend(blocks)
        if meta and not meta_seen:
            meta_seen = True
            for key in _META:
                if meta.get(key) not in (None, ""):
                    setattr(doc, key, meta[key])
    if not doc.title:
        doc.title = next((b.text for b in doc.walk() if isinstance(b, Title)), "")
    return doc
