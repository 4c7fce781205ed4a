"""Read the three table sections (二, 三, 四) of an imported report, and the import log.

Each line or row of a table section is tokenised against the official labels (`labels`).
Prose lines become the section's note (the one-line summary printed under the heading).
Rows of 二 and 三 are found by their label, whatever their column position (so rowspans,
colspans and run-together text read the same); 四 is read as its 15 figures in order.
The cells found for each row go to `cellruns.resolve`, which splits run-together digit
runs by the table's own arithmetic and flags what it cannot settle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .. import format as fmt
from .. import format2019 as f19
from ..model import Cell, Value
from . import cellruns
from .evidence import Pending
from .labels import MAX_OTHER, YUAN, Token, norm, tokenize
from .log import ImportLog
from .oneline import split_note
from .squeezed import Squeezed, squeeze
from .text import Block

FLAT_OTHER = 12  # cut out of a one-line page: leftover text that still makes a piece prose
MAX_LINE = 200_000  # longer "lines" in a table section are not table text


@dataclass
class TableValues:
    values: dict[Cell, Value] = field(default_factory=dict)
    status: dict[Cell, str] = field(default_factory=dict)
    lines: dict[Cell, int] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)  # runs the table leaves open
    why: dict[Cell, str] = field(default_factory=dict)  # what decided a cell (cellruns)


@dataclass
class _Line:
    tokens: list[Token]
    is_row: bool
    line: int


def _section_lines(blocks: list[Block], section: str) -> tuple[list[_Line], list[str]]:
    """Table lines (as tokens) and prose lines (the section note) of one table section."""
    lines: list[_Line] = []
    notes: list[str] = []
    for b in blocks:
        if b.cells is None:
            text = (b.text or "").strip()
            if not text:
                continue
            if len(text) > MAX_LINE:
                notes.append(text[:200])
                continue
            for part in split_note(text, section) if b.flat else (text,):
                toks, other = tokenize(part, section)
                # a cut-out piece may be half a header cell (社会公益 | 组织): prose needs more
                if other > (FLAT_OTHER if b.flat else MAX_OTHER) or "。" in part:
                    notes.append(part)
                    lines.append(_Line([Token("break", "")], False, b.line))  # ends a row
                else:
                    lines.append(_Line(list(toks), False, b.line))
            continue
        filled = [c for c in b.cells if c.strip()]
        row: list[Token] = []
        prose = False
        for c in b.cells:
            if not c.strip():
                row.append(Token("missing", ""))
                continue
            t, other = tokenize(c[:MAX_LINE], section)
            if other > MAX_OTHER:
                if len(filled) == 1:
                    notes.append(c.strip())
                    prose = True
                    break
                row.append(Token("other", c))
                continue
            row.extend(t)
        if not prose:
            lines.append(_Line(row, True, b.line))
    return lines, notes


def _format_of_proactive(lines2: list[_Line], preamble: str, text2: str = "") -> str | None:
    """The format 二's header words say (2019: 本年新制作数量, …; 2021: 本年制发件数, …): as
    tokens, else in `text2` (二's text) with its spaces taken out (`本年新 制作数量`)."""
    markers19 = {norm(m) for m in f19.MARKERS}
    markers21 = {norm(c.label) for c in fmt.PROACTIVE.columns}
    for ln in lines2:
        for t in ln.tokens:
            if t.kind == "header" and t.text in markers19:
                return f19.FORMAT_ID
            if t.kind == "header" and t.text in markers21:
                return fmt.FORMAT_ID
    squeezed = Squeezed(text2).text
    first: tuple[int, str] | None = None
    for markers, format_id in ((markers19, f19.FORMAT_ID), (markers21, fmt.FORMAT_ID)):
        for m in markers:
            at = squeezed.find(squeeze(m))
            if at >= 0 and (first is None or at < first[0]):
                first = (at, format_id)
    if first is not None:
        return first[1]
    p = norm(preamble)
    if "2019〕60号" in p and "2021〕30号" not in p:
        return f19.FORMAT_ID
    return None


def _format_of_applications(lines3: list[_Line]) -> str | None:
    """2021 when 三 prints （六）其他处理's three sub-rows; 2019 when the row holds figures."""
    subrows = {r.key for r in fmt.APPLICATIONS.rows if r.parent == "other_handling"}
    flat = [t for ln in lines3 for t in ln.tokens]
    if any(t.kind == "row" and t.key in subrows for t in flat):
        return fmt.FORMAT_ID
    for i, t in enumerate(flat[:-1]):
        after = flat[i + 1]  # a figure, or a marker printed for one (— / 无)
        if (
            t.kind == "row"
            and t.key == "other_handling"
            and (after.kind == "value" or (after.kind == "missing" and after.text))
        ):
            return f19.FORMAT_ID
    return None


def detect_formats(
    lines2: list[_Line], lines3: list[_Line], preamble: str, text2: str = ""
) -> dict[str, str]:
    """The format of each table, as its own labels say (a page may mix them: the 2019 tables
    of 二 beside the 2021 table of 三, or the 2019 row （六）其他处理 in a 2021 page)."""
    pro = _format_of_proactive(lines2, preamble, text2)
    app = _format_of_applications(lines3)
    pro = pro or app or fmt.FORMAT_ID
    return {"proactive": pro, "applications": app or pro, "review": pro}


def _labeled_segments(
    table: fmt.Table, lines: list[_Line], log: ImportLog
) -> list[cellruns.Segment]:
    """Segments for a table whose rows carry labels (二, 三)."""
    rows = {r.key: r for r in table.rows}
    segs: dict[str, cellruns.Segment] = {}
    current: cellruns.Segment | None = None
    items = {norm(i) for i in (*fmt.PROACTIVE_ITEMS, *f19.PROACTIVE_ITEMS)}
    in_yuan = False  # a （元） header: this item's amounts are printed in 元
    for ln in lines:
        toks = ln.tokens
        if ln.is_row:
            first = next((i for i, t in enumerate(toks) if t.kind == "row"), None)
            if first is not None:
                toks = toks[first:]  # empty cells left of a label only pad the label column
            elif not any(t.kind == "value" for t in toks):
                continue  # a header row or an empty row
        for t in toks:
            if t.kind == "row":
                row = rows.get(t.key)
                current = None
                if row is None or not row.figures:
                    continue
                if t.key in segs:
                    log.add(
                        "warning",
                        f"“{row.label}”重复出现，只取第一次",
                        table=table.key,
                        row=row.key,
                        line=ln.line,
                    )
                    continue
                current = cellruns.Segment(_slots(table, row.key), [], ln.line, row.label)
                segs[t.key] = current
            elif t.kind == "unit":
                in_yuan = True
            elif t.kind in ("header", "break"):
                current = None
                in_yuan = in_yuan and t.text not in items
            elif current is not None and t.kind in ("value", "missing"):
                text = t.text if t.kind == "value" else ""
                at = current.slots[min(len(current.cells), len(current.slots) - 1)]
                if in_yuan and text and not text.endswith(YUAN) and table.is_amount(*at):
                    text += YUAN
                if text.endswith(YUAN) and _short_before_amount(current, table):
                    _ambiguous_amount(current, table, text, log, ln.line)
                    continue
                slot = current.slots[min(len(current.cells), len(current.slots) - 1)]
                current.cells.append(_in_wan(text, table, slot, log, ln.line, current.label))
            elif current is not None and t.kind == "other" and ln.is_row:
                current.cells.append(t.text)  # an unreadable cell still takes its place
    return list(segs.values())


def _short_before_amount(seg: cellruns.Segment, table: fmt.Table) -> bool:
    """A figure in 元 arrives before the row's amount column (政府集中采购 328291965元 with no
    采购项目数量 printed apart): the count may be run into it."""
    amount = [i for i, s in enumerate(seg.slots) if table.is_amount(*s)]
    return bool(amount) and len(seg.cells) < amount[0]


def _ambiguous_amount(
    seg: cellruns.Segment, table: fmt.Table, text: str, log: ImportLog, line: int
) -> None:
    """The row's cells up to its amount left blank, with the readings in the log: the count
    run into the amount (3 | 28291965元) or not printed at all (328291965元) — never a guess."""
    amount = next(i for i, s in enumerate(seg.slots) if table.is_amount(*s))
    bare = text.removesuffix(YUAN)
    digits = bare.split(".")[0]
    readings = [f"空 | {bare}元"]
    readings += [f"{digits[:i]} | {bare[i:]}元" for i in range(1, min(4, len(digits)))]
    seg.cells.extend([""] * (amount + 1 - len(seg.cells)))
    if amount == 1:  # count | amount: each cell's readings, for the evidence (拆分不唯一)
        splits = [("", bare)] + [(digits[:i], bare[i:]) for i in range(1, min(4, len(digits)))]
        try:
            counts = [int(c) if c else None for c, _ in splits]
            wan = [Decimal(a).scaleb(-4) for _, a in splits]
        except (ValueError, InvalidOperation):
            counts, wan = [], []
        if counts:
            log.amount_readings[(table.key, *seg.slots[0])] = list(counts)
            log.amount_readings[(table.key, *seg.slots[1])] = list(wan)
    log.add(
        "warning",
        f"{seg.label}：{text} 前未单独印出{table.column(seg.slots[0][1]).label}，"
        f"可能连写（{'；'.join(readings)}），留空",
        table=table.key,
        row=seg.slots[0][0],
        line=line,
    )


def _in_wan(text: str, table: fmt.Table, slot: Cell, log: ImportLog, line: int, label: str) -> str:
    """A cell's text with an amount printed in 元 converted to 万元 exactly (Decimal: every
    digit kept, the conversion logged); any other cell's unit dropped."""
    if not text.endswith(YUAN):
        return text
    bare = text.removesuffix(YUAN)
    if not table.is_amount(*slot):
        return bare
    try:
        wan = Decimal(bare).scaleb(-4)
    except InvalidOperation:
        return bare
    shown = format(wan, "f")
    log.add(
        "info",
        f"{label}：{bare}元 按万元记为 {shown}（除以 10000，保留全部数字）",
        table=table.key,
        row=slot[0],
        column=slot[1],
        line=line,
    )
    return shown


def _flat_segment(table: fmt.Table, lines: list[_Line]) -> list[cellruns.Segment]:
    """The 四 table: its figures in official order (三 groups × 5), wherever they sit."""
    cells: list[str] = []
    line = None
    for ln in lines:
        if cells and any(t.kind == "break" for t in ln.tokens):
            break  # prose after the figures (a page without 五's heading): the table has ended
        marks = all(t.kind == "missing" for t in ln.tokens) and any(t.text for t in ln.tokens)
        if not marks and not any(t.kind == "value" for t in ln.tokens):
            continue  # header rows (and wholly empty rows); a row of markers (— / 无) counts
        for t in ln.tokens:
            if t.kind == "value":
                cells.append(t.text.removesuffix(YUAN))
            elif t.kind == "missing":
                cells.append("")
            elif t.kind == "other" and ln.is_row:
                cells.append(t.text)
        line = line or ln.line
    if not cells:
        return []
    return [cellruns.Segment(_cells(table), cells, line, table.title)]


def _read_table(
    table: fmt.Table, lines: list[_Line], log: ImportLog, signed: frozenset[Cell]
) -> TableValues:
    segs = (
        _flat_segment(table, lines)
        if table.key == "review"
        else _labeled_segments(table, lines, log)
    )
    res = cellruns.resolve(table, segs, signed=signed)
    out = TableValues()
    seg_line = {s: seg.line for seg in segs for s in seg.slots}
    for cell in _cells(table):
        out.values[cell] = res.values.get(cell)
        out.status[cell] = res.status.get(cell, "absent")
        if seg_line.get(cell):
            out.lines[cell] = int(seg_line[cell] or 0)
    notes = {p.slots[0]: p for p in res.pending}
    for where, level, msg in res.notes:
        log.add(
            level,
            msg,
            table=table.key,
            row=where[0] if where else None,
            column=where[1] if where else None,
            line=seg_line.get(where) if where else None,
        )
        if where in notes and level == "warning":
            notes[where].note = log.entries[-1]  # updated if later evidence decides the run
    found = {s[0] for seg in segs for s in seg.slots}
    for row in table.figure_rows:
        if row.key not in found:
            log.add("warning", f"未找到：{_row_name(table, row)}", table=table.key, row=row.key)
    out.pending = res.pending
    out.why = res.why
    return out


# cached by the table's identity: hashing a frozen Table walks all of it on every call
_SLOTS: dict[tuple[int, str], tuple[fmt.Table, tuple[Cell, ...]]] = {}


def _slots(table: fmt.Table, row: str) -> tuple[Cell, ...]:
    hit = _SLOTS.get((id(table), row))
    if hit is None:
        cells = tuple((row, c.key) for c in table.row_columns(table.row(row)))
        hit = _SLOTS[(id(table), row)] = (table, cells)
    return hit[1]


def _cells(table: fmt.Table) -> tuple[Cell, ...]:
    hit = _SLOTS.get((id(table), ""))
    if hit is None:
        hit = _SLOTS[(id(table), "")] = (table, table.cells())
    return hit[1]


def _row_name(table: fmt.Table, row: fmt.Row) -> str:
    return f"{row.group} {row.label}" if row.group else row.label


def read_tables(
    sections: dict[str, list[Block]], log: ImportLog, *, preamble_text: str = ""
) -> tuple[dict[str, TableValues], str]:
    """Figures of 二, 三, 四, each table in its own format (cells of `format2019` for a table
    printed in the 2019 layout); the report's format (二's) found, each table's own format
    in `log.table_formats` where it differs; notes in `log`."""
    lines: dict[str, list[_Line]] = {}
    for key in ("二", "三", "四"):
        lines[key], log.notes[key] = _section_lines(sections.get(key, []), key)
    text2 = " ".join(b.plain() for b in sections.get("二", []))
    formats = detect_formats(lines["二"], lines["三"], preamble_text, text2)
    format_id = formats["proactive"]
    log.format = format_id
    log.table_formats = {k: v for k, v in formats.items() if v != format_id}
    read: dict[str, TableValues] = {}
    for key, own in formats.items():
        t = (f19 if own == f19.FORMAT_ID else fmt).table(key)
        signed = f19.SIGNED_CELLS if own == f19.FORMAT_ID and key == "proactive" else frozenset()
        read[key] = _read_table(t, lines[t.section], log, signed)
    old = [f19.table(k).title for k, v in formats.items() if v == f19.FORMAT_ID]
    if old:
        log.add("info", f"按 {f19.DOC}（2019年格式）读取并保存：{'、'.join(old)}")
    return read, format_id
