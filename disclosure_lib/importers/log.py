"""The import log: per table how many cells were read, inferred and left blank (and which),
the sections and narrative found, and every decision worth telling the user, in Chinese."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import format as fmt
from .. import formats

if TYPE_CHECKING:
    from ..model import Report

Cell3 = tuple[str, str, str]  # (table key, row key, column key)
STATUS_LABEL = {"read": "读取", "inferred": "推断", "missing": "缺失"}
BLANK_SHOWN = 8  # blank cells listed per table unless verbose


@dataclass
class LogEntry:
    level: str  # "info" | "warning" | "error"
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    line: int | None = None
    where: str | None = None  # a workbook cell (三、收到和处理…!D12) instead of a line

    def __str__(self) -> str:
        if self.where:
            return f"{self.where}：{self.message}"
        where = f"第{self.line}行：" if self.line else ""
        return f"{where}{self.message}"


# why a cell is blank (`CellEvidence.why`, `ImportLog.blank`): written here only, since
# the batch layer tells them apart (collection.undecided)
SPLIT_NOT_UNIQUE = "拆分不唯一"
EQUATIONS_DISAGREE = "空白，各勾稽关系给出的值不一致"
PRINTED_BLANK = "空白"
NOT_FOUND = "未找到"


@dataclass
class CellEvidence:
    """What the import knows of one cell, for `--log FILE.jsonl` (one cell a line).

    `status`: read | inferred | blank. `why`: how it was read (连写数字唯一拆分), the rules or
    statements that decided it (inferred), or why it is blank (空白, 拆分不唯一, 无法识别,
    未找到). `candidates`: a blank cell's values still possible (拆分不唯一; or the values
    equations that disagree give it, 各勾稽关系给出的值不一致).
    `source`: where its text is, {"line": n} (1-based; "column" or "page" where known).
    """

    status: str
    value: object = None
    why: str = ""
    candidates: list[object] = field(default_factory=list)
    source: dict[str, int] = field(default_factory=dict)


@dataclass
class TableStats:
    read: int = 0
    inferred: int = 0
    missing: int = 0


@dataclass
class ImportLog:
    source: Path | None = None
    kind: str = "text"
    format: str = fmt.FORMAT_ID
    # table key → its own format where it differs from `format` (a page mixing the two)
    table_formats: dict[str, str] = field(default_factory=dict)
    stats: dict[str, TableStats] = field(default_factory=dict)
    sections_found: list[str] = field(default_factory=list)
    sections_missing: list[str] = field(default_factory=list)
    narrative_sections: list[str] = field(default_factory=list)
    evidence: dict[Cell3, CellEvidence] = field(default_factory=dict)  # every cell, in order
    entries: list[LogEntry] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # section → note lines
    # every cell left blank, with why: 空白 (printed blank), 拆分不唯一, 无法识别, 未找到
    blank: dict[Cell3, str] = field(default_factory=dict)
    cell_refs: dict[Cell3, str] = field(default_factory=dict)  # workbook: cell → 'sheet!D12'
    # cells a figure in 元 may hold run together (count | amount): each one's readings
    amount_readings: dict[Cell3, list[object]] = field(default_factory=dict)
    # each cell's status when the import finished: read | inferred | blank | flagged | absent
    cell_status: dict[Cell3, str] = field(default_factory=dict)

    def add(self, level: str, message: str, **where: object) -> None:
        self.entries.append(LogEntry(level, message, **where))  # type: ignore[arg-type]

    @property
    def warnings(self) -> list[LogEntry]:
        return [e for e in self.entries if e.level != "info"]

    @property
    def cells(self) -> tuple[int, int, int]:
        """(read, inferred, missing) over all tables."""
        s = self.stats.values()
        return sum(x.read for x in s), sum(x.inferred for x in s), sum(x.missing for x in s)

    def records(self) -> list[dict[str, object]]:
        """One JSON-ready dict per cell (official order): table, row, column, label, value,
        status, why, candidates, source. Amounts are strings (exact decimals)."""
        out: list[dict[str, object]] = []
        for (t, r, c), ev in self.evidence.items():
            out.append(
                {
                    "table": t,
                    "row": r,
                    "column": c,
                    "label": self.cell_name((t, r, c), why=False),
                    "value": _json_value(ev.value),
                    "status": ev.status,
                    "why": ev.why,
                    "candidates": [_json_value(v) for v in ev.candidates],
                    "source": dict(ev.source),
                }
            )
        return out

    def open_cells(self) -> list[str]:
        """'行政规范性文件·本年制发件数：可能为 2、20' for every blank cell with candidates
        (the written params file carries them as comments)."""
        return [
            f"{self.cell_name(cell, why=False)}：可能为 "
            + "、".join("空" if v is None else str(v) for v in ev.candidates)
            for cell, ev in self.evidence.items()
            if ev.status == "blank" and ev.candidates
        ]

    def table_specs(self) -> tuple[fmt.Table, ...]:
        """The specs of the imported report's tables, each in its own format."""
        return formats.report_tables(self.format, self.table_formats)

    def summary(self, *, verbose: bool = False) -> str:
        """The log in Chinese, one fact a line."""
        src = str(self.source) if self.source else "(输入)"
        out = [f"导入：{src}（{self.kind}，格式 {self.format}）"]
        found = "、".join(self.sections_found) or "无"
        out.append(
            f"  章节：{found}"
            + (f"；缺少：{'、'.join(self.sections_missing)}" if self.sections_missing else "")
        )
        for t in self.table_specs():
            s = self.stats.get(t.key, TableStats())
            out.append(
                f"  {t.section}、{t.title}：读取 {s.read}，推断 {s.inferred}，缺失 {s.missing}"
            )
            blank = [c for c in self.blank if c[0] == t.key]
            if blank and self.cell_refs and not verbose:
                out.append(f"    留空：{len(blank)} 个单元格（按工作表汇总见下）")
            elif blank:
                shown = blank if verbose else blank[:BLANK_SHOWN]
                more = f" 等{len(blank)}个" if len(shown) < len(blank) else ""
                out.append(f"    留空：{'、'.join(self.cell_name(c) for c in shown)}{more}")
        out.append(f"  叙述部分：{'、'.join(self.narrative_sections) or '无'}")
        for e in self.entries:
            if verbose or e.level != "info":
                out.append(f"  [{_LEVEL.get(e.level, e.level)}] {e}")
        return "\n".join(out) + "\n"

    def cell_name(self, cell: Cell3, *, why: bool = True) -> str:
        """'行政规范性文件·本年制发件数（拆分不唯一）', or the workbook cell when there is one."""
        t = formats.table(self.table_formats.get(cell[0], self.format), cell[0])
        row, col = t.row(cell[1]), t.column(cell[2])
        name = f"{row.label}·{col.label}"
        if cell in self.cell_refs:
            name = f"{self.cell_refs[cell]} {name}"
        reason = self.blank.get(cell) if why else None
        return f"{name}（{reason}）" if reason else name


def _json_value(v: object) -> object:
    from decimal import Decimal

    return str(v) if isinstance(v, Decimal) else v


_LEVEL = {"info": "说明", "warning": "注意", "error": "错误"}


# --- the cell log (import --log FILE.jsonl) ---------------------------------------------------


def cell_records(report: Report, log: ImportLog) -> list[dict[str, object]]:
    """One record per cell of the report: its value and status — read, inferred (with the
    log entries that decided it: equations, statements, other years) or blank (why, and the
    candidates the log names) — and where in the source it came from (line; a workbook's
    cell). Cells are those of the tables in the format each is kept in."""
    by_cell: dict[Cell3, list[str]] = {}
    by_row: dict[tuple[str, str], list[str]] = {}
    for e in log.entries:
        if e.table and e.row and e.column:
            by_cell.setdefault((e.table, e.row, e.column), []).append(e.message)
        if e.table and e.row:  # a run's decision is logged at its row (or its first cell)
            by_row.setdefault((e.table, e.row), []).append(e.message)
    source = str(log.source) if log.source else None
    columns = _row_columns(log)
    out: list[dict[str, object]] = []
    for t in log.table_specs():
        own = log.table_formats.get(t.key, log.format)
        for row, col in t.cells():
            key = (t.key, row, col)
            value = report.get(t.key, row, col)
            st = log.cell_status.get(key, "absent")
            status = "blank" if value is None else ("inferred" if st == "inferred" else "read")
            rec: dict[str, object] = {
                "file": source,
                "agency": report.agency,
                "year": report.year,
                "table": t.key,
                "row": row,
                "column": col,
                "label": f"{t.row(row).label}·{t.column(col).label}",
                "format": own,
                "value": None if value is None else str(value),
                "status": status,
            }
            notes = list(dict.fromkeys(by_cell.get(key, []) + by_row.get((t.key, row), [])))
            if status == "inferred":
                rec["evidence"] = notes
            elif status == "blank":
                rec["why"] = log.blank.get(key, NOT_FOUND)
                rec["evidence"] = notes
            line = report.line_of(t.key, row, col)
            rec["line"] = line
            at = columns.get((line, t.key, row)) if line is not None else None
            if at is not None:
                rec["column_at"] = at  # where the row's label starts on that line
            if key in log.cell_refs:
                rec["cell"] = log.cell_refs[key]
            out.append(rec)
    return out


def _row_columns(log: ImportLog) -> dict[tuple[int, str, str], int]:
    """(line, table, row) → column of the row's label, for a text file whose page is one
    long line (crawler output): where a line number alone says little."""
    if log.kind != "text" or log.source is None:
        return {}
    from ..errors import DisclosureError
    from .align import row_columns
    from .oneline import FLAT_MIN
    from .text import decode_text

    try:
        lines = decode_text(log.source.read_bytes(), log.source).splitlines()
    except (OSError, DisclosureError):  # the file changed since: no columns, the rest stands
        return {}
    out: dict[tuple[int, str, str], int] = {}
    for no, line in enumerate(lines, start=1):
        if len(line) > FLAT_MIN:
            for (table, row), col in row_columns(line).items():
                out[(no, table, row)] = col
    return out


def cell_jsonl(records: list[dict[str, object]]) -> str:
    """Records as JSON lines (UTF-8 text, Chinese kept readable)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
