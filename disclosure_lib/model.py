"""The report model: one agency's annual report for one year.

Table figures are stored per table as {(row key, column key): value}; keys come from the
format each table is kept in (`format.py`, or `format2019.py` for a report kept as published
in the 2019 format: `Report.table_specs()`). A value is an int (counts; 2019's 本年增/减 may be
negative), a Decimal (an amount, in 万元) or None (blank / missing: never silently 0).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import format as fmt
from . import formats
from .format import Table

Value = int | Decimal | None
Cell = tuple[str, str]  # (row key, column key)
# what a new params file holds where text is still to be written (`check`: P1-PLACEHOLDER)
PLACEHOLDER = "【待填写】"


@dataclass
class Contact:
    office: str = ""
    address: str = ""
    phone: str = ""


@dataclass
class Paragraph:
    """A block of narrative: an optional sub-heading and its text (may hold several lines)."""

    text: str = ""
    heading: str | None = None


@dataclass(frozen=True)
class Acknowledgement:
    """A finding the office verified and accepts (`acknowledged:` in the params file): `check`
    shows it as 已核实 apart from the open findings. Warnings only: an error stays open."""

    code: str  # the finding's code, e.g. R8-IN-FORCE
    cell: str  # where, as `check` prints it ("二、… › 行政规范性文件 › 现行有效件数"); "" = any
    reason: str
    by: str  # who verified it
    date: datetime.date | None = None

    def matches(self, code: str, where: str) -> bool:
        return self.code == code and (not self.cell or _squash(self.cell) == _squash(where))


def _squash(where: str) -> str:
    return "".join(where.split())


@dataclass
class Report:
    agency: str
    year: int
    contact: Contact = field(default_factory=Contact)
    # section key (一, 五, 六) -> paragraphs in order
    narrative: dict[str, list[Paragraph]] = field(default_factory=dict)
    # table key -> {(row key, column key): value}
    tables: dict[str, dict[Cell, Value]] = field(default_factory=dict)
    # free text shown under a table section heading (e.g. the seed's one-line summaries)
    section_notes: dict[str, str] = field(default_factory=dict)
    format: str = fmt.FORMAT_ID
    # table key -> format id, for tables laid out in another format than `format` (a page
    # printing the 2019 tables of 二 beside the 2021 tables of 三/四); empty for most reports
    table_formats: dict[str, str] = field(default_factory=dict)
    # the office's own title (e.g. "…2024年政府信息公开年度报告"); None: the official form
    own_title: str | None = None
    issued: datetime.date | None = None  # date of the 落款 (issuing body: the agency)
    charts: bool = False  # print the charts in the published report too
    acknowledged: list[Acknowledgement] = field(default_factory=list)  # findings verified
    # where it was loaded from; source lines per (table, row, column), and of the texts:
    # ("title", "", ""), ("contact", field, ""), ("notes", section, ""), ("narrative",
    # section, "" for its heading | paragraph number from 1): not part of equality
    source: Path | None = field(default=None, compare=False, repr=False)
    lines: dict[tuple[str, str, str], int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def blank(
        cls,
        agency: str,
        year: int,
        fill: Value = None,
        format: str = fmt.FORMAT_ID,
        table_formats: dict[str, str] | None = None,
    ) -> Report:
        """A report with every cell of its format present, set to `fill` (None = blank)."""
        report = cls(agency=agency, year=year, format=format)
        report.table_formats = dict(table_formats or {})
        for t in report.table_specs():
            report.tables[t.key] = {
                cell: (Decimal(fill) if t.is_amount(*cell) and fill is not None else fill)
                for cell in t.cells()
            }
        return report

    def table_specs(self) -> tuple[Table, ...]:
        """The specs of this report's tables, in its own format (see `formats`)."""
        return formats.report_tables(self.format, self.table_formats)

    def table_spec(self, key: str) -> Table:
        """The spec of one of this report's tables, in the format it is laid out in."""
        return formats.table(self.table_formats.get(key, self.format), key)

    @property
    def official_title(self) -> str:
        return fmt.TITLE_TEMPLATE.format(agency=self.agency, year=self.year)

    @property
    def title(self) -> str:
        """The title printed on the report: the office's own, else the official form."""
        return self.own_title or self.official_title

    def get(self, table: str, row: str, column: str) -> Value:
        return self.tables.get(table, {}).get((row, column))

    def set(self, table: str, row: str, column: str, value: Value) -> None:
        self.tables.setdefault(table, {})[(row, column)] = value

    def line_of(self, table: str, row: str, column: str) -> int | None:
        return self.lines.get((table, row, column))

    def narrative_text(self, section: str) -> str:
        """All text of a narrative section, headings included, as one string."""
        parts: list[str] = []
        for p in self.narrative.get(section, []):
            if p.heading:
                parts.append(p.heading)
            if p.text:
                parts.append(p.text)
        return "\n".join(parts)

    def all_text(self) -> str:
        """Title, narrative and section notes: everything a reader sees as prose."""
        parts = [self.title]
        for s in fmt.SECTIONS:
            if s.narrative:
                parts.append(self.narrative_text(s.key))
            elif s.key in self.section_notes:
                parts.append(self.section_notes[s.key])
        return "\n".join(p for p in parts if p)
