"""What changed between two reports (`disclosure diff`): two versions of one params file, or
two years of one agency.

Figures are compared cell by cell in the official order (both reports seen in the current
format, labels from format.py); the cover (title, 落款, contact) field by field; the texts as
a unified diff, section by section.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from . import format as fmt
from .findings import column_label, file_of, row_label, table_label
from .formats import as_current
from .model import Report, Value
from .names import printable


@dataclass(frozen=True)
class CellChange:
    table: str  # official labels
    row: str
    column: str
    before: Value
    after: Value
    cell: tuple[str, str, str]  # (table key, row key, column key)


@dataclass
class ReportDiff:
    before: Report
    after: Report
    cover: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    cells: list[CellChange] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # unified diff lines, no line ends

    @property
    def same(self) -> bool:
        return not (self.cover or self.cells or self.text)


def _cover(report: Report) -> dict[str, str]:
    out = {"机关": report.agency, "年度": str(report.year), "标题": report.title}
    out["落款日期"] = report.issued.isoformat() if report.issued else ""
    for key, label in fmt.CONTACT_FIELDS:
        out[label] = getattr(report.contact, key)
    return out


def _text_lines(report: Report) -> list[str]:
    """The report's prose as lines: each section's heading, then its sub-headings and text."""
    lines: list[str] = []
    for s in fmt.SECTIONS:
        notes = report.section_notes
        body = report.narrative_text(s.key) if s.narrative else notes.get(s.key, "")
        if body:
            lines.append(s.heading)
            lines += body.split("\n")
    return lines


def diff_reports(before: Report, after: Report, *, context: int = 1) -> ReportDiff:
    """Every change from `before` to `after`, in the official order."""
    out = ReportDiff(before, after)
    old, new = _cover(before), _cover(after)
    out.cover = [(k, old[k], new[k]) for k in old if old[k] != new[k]]
    a, b = as_current(before), as_current(after)
    for t in fmt.TABLES:
        for row, col in t.cells():
            x, y = a.get(t.key, row, col), b.get(t.key, row, col)
            if x != y:
                change = CellChange(
                    table_label(t), row_label(t, row), column_label(t, col), x, y, (t.key, row, col)
                )
                out.cells.append(change)
    out.text = list(
        difflib.unified_diff(
            _text_lines(before),
            _text_lines(after),
            fromfile=file_of(before) or f"{before.agency}{before.year}",
            tofile=file_of(after) or f"{after.agency}{after.year}",
            n=context,
            lineterm="",
        )
    )
    return out


def _shown(value: Value) -> str:
    if value is None:
        return "空白"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def format_diff_text(d: ReportDiff) -> str:
    """The changes as readable lines: cover, figures (table › row › column: old → new), text."""
    if d.same:
        return "两份报告内容相同 (no changes)\n"
    out: list[str] = []
    if d.cover:
        out.append("封面与落款：")
        out += [f"  {k}：{x or '空白'} → {y or '空白'}" for k, x, y in d.cover]
    if d.cells:
        out.append(f"表格数字（{len(d.cells)} 处变化）：")
        table = ""
        for c in d.cells:
            if c.table != table:
                table = c.table
                out.append(f"  {table}")
            out.append(f"    {c.row} › {c.column}：{_shown(c.before)} → {_shown(c.after)}")
    if d.text:
        out.append("正文：")
        out += d.text
    return "".join(printable(line) + "\n" for line in out)


def _plain(value: Value) -> object:
    return format(value, "f") if isinstance(value, Decimal) else value


def diff_dict(d: ReportDiff) -> dict[str, object]:
    """The diff as plain data (`--format json`): amounts as exact strings."""
    return {
        "before": {"file": file_of(d.before), "agency": d.before.agency, "year": d.before.year},
        "after": {"file": file_of(d.after), "agency": d.after.agency, "year": d.after.year},
        "same": d.same,
        "cover": [{"field": k, "before": x, "after": y} for k, x, y in d.cover],
        "cells": [
            {
                "table": c.table,
                "row": c.row,
                "column": c.column,
                "key": list(c.cell),
                "before": _plain(c.before),
                "after": _plain(c.after),
            }
            for c in d.cells
        ],
        "text": d.text,
    }


def format_diff_json(d: ReportDiff) -> str:
    return json.dumps(diff_dict(d), ensure_ascii=False, indent=2) + "\n"
