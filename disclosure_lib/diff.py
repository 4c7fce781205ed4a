"""What changed between two reports (`disclosure diff`): two versions of one params file, or
two years of one agency.

Figures are compared cell by cell in the official order (both reports seen in the current
format, labels from format.py); the cover (title, 落款, contact) field by field; the texts as
a unified diff, section by section.

A build keeps a `snapshot` of each report it publishes (its cells, cover and a hash per text
section: about 1 KB) so that the next build of a changed version can say what changed
(`snapshot_diff`) without the earlier params file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
    for heading, body in _sections(report).items():
        lines.append(heading)
        lines += body.split("\n")
    return lines


def _sections(report: Report) -> dict[str, str]:
    """Each section's heading -> its prose (sections without prose left out)."""
    out = {}
    for s in fmt.SECTIONS:
        body = report.narrative_text(s.key) if s.narrative else report.section_notes.get(s.key, "")
        if body:
            out[s.heading] = body
    return out


Cell = tuple[str, str, str]  # (table key, row key, column key)
# every figure's cell in the official order: what a snapshot's list of values follows
CELLS: tuple[Cell, ...] = tuple((t.key, r, c) for t in fmt.TABLES for r, c in t.cells())
# a snapshot made under another format (cells added, moved) is not compared cell by cell
CELLS_ID = hashlib.sha256(json.dumps(CELLS).encode()).hexdigest()[:12]


def _cell_changes(a: Callable[[Cell], Value], b: Callable[[Cell], Value]) -> list[CellChange]:
    out = []
    for t in fmt.TABLES:
        for row, col in t.cells():
            key = (t.key, row, col)
            x, y = a(key), b(key)
            if x != y:
                labels = (table_label(t), row_label(t, row), column_label(t, col))
                out.append(CellChange(*labels, x, y, key))
    return out


def diff_reports(before: Report, after: Report, *, context: int = 1) -> ReportDiff:
    """Every change from `before` to `after`, in the official order."""
    out = ReportDiff(before, after)
    old, new = _cover(before), _cover(after)
    out.cover = [(k, old[k], new[k]) for k in old if old[k] != new[k]]
    a, b = as_current(before), as_current(after)
    out.cells = _cell_changes(lambda k: a.get(*k), lambda k: b.get(*k))
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


def shown(value: Value) -> str:
    """A cell's value as the diff prints it (空白 for a blank)."""
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
            out.append(f"    {c.row} › {c.column}：{shown(c.before)} → {shown(c.after)}")
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


# --- snapshots: what a build keeps of a report to mark the next version's changes ----------


@dataclass
class SnapshotDiff:
    """What changed between two snapshots: the cover, the cells (official order), and the
    headings of the sections whose text changed (a snapshot keeps no text, only its hash)."""

    cover: list[tuple[str, str, str]] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.cover or self.cells or self.sections)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def snapshot(report: Report) -> dict[str, Any]:
    """A compact, JSON-ready record of `report` for `snapshot_diff`: its cells in the current
    format in `CELLS` order (amounts as exact strings), its cover, a hash per text section."""
    current = as_current(report)
    return {
        "cells_id": CELLS_ID,
        "cells": [_plain(current.get(*key)) for key in CELLS],
        "cover": _cover(report),
        "text": {heading: _digest(body) for heading, body in _sections(report).items()},
    }


def _values(snap: dict[str, Any]) -> dict[Cell, Value] | None:
    cells = snap.get("cells")
    if snap.get("cells_id") != CELLS_ID or not isinstance(cells, list) or len(cells) != len(CELLS):
        return None
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in zip(CELLS, cells, strict=True)}


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> SnapshotDiff | None:
    """The changes from snapshot `before` to `after`; None when they cannot be compared
    (either empty, or made under another format's cells)."""
    a, b = _values(before), _values(after)
    if a is None or b is None:
        return None
    out = SnapshotDiff(cells=_cell_changes(a.__getitem__, b.__getitem__))
    old, new = before.get("cover") or {}, after.get("cover") or {}
    out.cover = [(k, str(old.get(k, "")), str(v)) for k, v in new.items() if old.get(k, "") != v]
    old_text, new_text = before.get("text") or {}, after.get("text") or {}
    headings = [s.heading for s in fmt.SECTIONS]
    out.sections = [h for h in headings if old_text.get(h) != new_text.get(h)]
    return out
