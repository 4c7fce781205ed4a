"""The official tables as layout grids (`layout.Table`), built from `disclosure_lib.format`.

Merged header cells come from column groups, nested row headings from row parents, so nothing
here retypes a label. Every figure names the heading cells it sits under (`Cell.headers`), so
a screen reader reads it with its row and column. Where a label breaks is decided here, once,
for all writers: header labels of narrow figure columns break between their two-character
words (商业/企业, 结果/维持) and the long row headings after their ordinal, as the printed form
does; column widths (in em of the table font) leave every other label on one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .. import format as fmt
from ..model import Report, Value
from .layout import Cell, Table

# Column widths, in em of the table's font: a label column is as wide as its longest line
# (CJK characters are 1 em) plus the cell's padding, so it never breaks elsewhere.
NUM_WIDTH = 2.8  # a figure column: four digits, or a two-character word per line
PAD = 0.6  # left and right padding of a cell, and a little air
PROACTIVE_LABEL = 9.0  # 二's 信息内容 column: 行政规范性文件 on one line


def fit(texts: Sequence[str], least: float = 0.0) -> float:
    """Width (em) that sets each of `texts` with no breaks but its own `\n`."""
    longest = max((len(line) for t in texts for line in t.split("\n")), default=0)
    return max(least, longest + PAD)


def value_text(value: Value) -> str:
    """A figure as printed: integers plainly, amounts without exponent, blank for missing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def words(label: str) -> str:
    """A header label of a narrow column broken between its two-character words (商业\\n企业);
    odd lengths (自然人) stay whole."""
    if len(label) < 4 or len(label) % 2:
        return label
    return "\n".join(label[i : i + 2] for i in range(0, len(label), 2))


def after_ordinal(label: str) -> str:
    """A row heading broken after its ordinal: （三）\\n不予公开, 三、本年度\\n办理结果."""
    if label.startswith("（") and "）" in label:
        cut = label.index("）") + 1
        return f"{label[:cut]}\n{label[cut:]}"
    if "、" in label[:3]:
        cut = label.index("、") + 1
        rest = label[cut:]
        # 三、本年度办理结果: the ordinal and the first word on one line, the rest below
        half = (len(rest) + 1) // 2
        return f"{label[:cut]}{rest[: half - 1]}\n{rest[half - 1 :]}" if len(rest) > 4 else label
    return label


def _num(
    report: Report, table: str, row: str, col: str, headers: Sequence[str], span: int = 1
) -> Cell:
    value = report.get(table, row, col)
    return Cell(
        value_text(value),
        colspan=span,
        align="center",
        headers=tuple(headers),
        cls="num blank" if value is None else "num",
    )


# --- 二 -------------------------------------------------------------------------------------------


def proactive_grid(table: fmt.Table, report: Report) -> Table:
    """二: the four 第二十条 blocks in one grid, each with its own header row."""
    items: dict[str, list[fmt.Row]] = {}
    for row in table.rows:
        items.setdefault(row.group or "", []).append(row)
    width = max(len(table.row_columns(rows[0])) for rows in items.values())
    rows: list[list[Cell]] = []
    groups: list[int] = []
    for n, (item, item_rows) in enumerate(items.items(), 1):
        groups.append(len(rows))
        cols = table.row_columns(item_rows[0])
        spans = [1] * (len(cols) - 1) + [width - len(cols) + 1]
        item_id = f"{table.key}-item{n}"
        rows.append(
            [Cell(item, header=True, colspan=width + 1, id=item_id, cls="item", scope="colgroup")]
        )
        head = [Cell(fmt.PROACTIVE_ROW_HEADER, header=True, cls="col", id=f"{item_id}-h")]
        col_ids = [f"{item_id}-{c.key}" for c in cols]
        head += [
            Cell(c.label, header=True, colspan=s, cls="col", id=i, scope="col")
            for c, s, i in zip(cols, spans, col_ids, strict=True)
        ]
        rows.append(head)
        for row in item_rows:
            row_id = f"{table.key}-{row.key}"
            cells = [Cell(row.label, header=True, scope="row", id=row_id, cls="row-label")]
            cells += [
                _num(report, table.key, row.key, c.key, (item_id, i, row_id), s)
                for c, s, i in zip(cols, spans, col_ids, strict=True)
            ]
            rows.append(cells)
    return Table(
        key=table.key,
        caption=fmt.section(table.section).heading,
        rows=rows,
        # 2019's 其他对外管理服务事项 is longer than 行政规范性文件: one line too
        widths=(fit([r.label for r in table.rows], PROACTIVE_LABEL), *([0.0] * width)),
        groups=tuple(groups),
    )


# --- 三 -------------------------------------------------------------------------------------------


def _depth(table: fmt.Table, row: fmt.Row) -> int:
    return len(table.row_path(row)) - 1


def _figure_descendants(table: fmt.Table, key: str) -> list[fmt.Row]:
    out: list[fmt.Row] = []
    for child in table.children(key):
        out.extend([child] if child.figures else _figure_descendants(table, child.key))
    return out


def _runs(items: Sequence[fmt.Column]) -> list[tuple[str | None, list[fmt.Column]]]:
    """Consecutive columns sharing a merged header (group), in order."""
    runs: list[tuple[str | None, list[fmt.Column]]] = []
    for col in items:
        if runs and col.group is not None and runs[-1][0] == col.group:
            runs[-1][1].append(col)
        else:
            runs.append((col.group, [col]))
    return runs


def applications_grid(table: fmt.Table, report: Report) -> Table:
    """三: 申请人情况 › 自然人 / 法人或其他组织 › …, rows nested under their headings.

    Row headings without figures (三、本年度办理结果, （三）不予公开 …) are cells spanning the
    rows below them, as in the official form; the 勾稽关系 note sits in the corner cell.
    """
    k = table.key
    figure_rows = table.figure_rows
    levels = 1 + max(_depth(table, r) for r in figure_rows)
    runs = _runs(table.columns)
    grouped = any(group for group, _ in runs)
    head_rows = 3 if grouped else 2
    top_id = f"{k}-applicant"
    first = [
        Cell(table.note or "", header=True, colspan=levels, rowspan=head_rows, cls="corner",
             align="left"),
        Cell(fmt.APPLICANT_HEADER, header=True, colspan=len(table.columns), cls="group",
             id=top_id, scope="colgroup"),
    ]  # fmt: skip
    second: list[Cell] = []
    third: list[Cell] = []
    col_headers: dict[str, tuple[str, ...]] = {}
    for n, (group, cols) in enumerate(runs):
        if group is None:
            for c in cols:
                cid = f"{k}-c-{c.key}"
                second.append(Cell(c.label, header=True, rowspan=head_rows - 1, cls="col",
                                   id=cid, scope="col"))  # fmt: skip
                col_headers[c.key] = (top_id, cid)
        else:
            gid = f"{k}-g{n}"
            second.append(Cell(group, header=True, colspan=len(cols), cls="group", id=gid,
                               scope="colgroup"))  # fmt: skip
            for c in cols:
                cid = f"{k}-c-{c.key}"
                third.append(Cell(words(c.label), header=True, cls="col", id=cid, scope="col"))
                col_headers[c.key] = (top_id, gid, cid)
    rows = [first, second] + ([third] if grouped else [])
    for row in figure_rows:
        cells: list[Cell] = []
        heads: list[fmt.Row] = []
        parent_key = row.parent
        while parent_key is not None:
            heads.append(table.row(parent_key))
            parent_key = table.row(parent_key).parent
        heads.reverse()
        for head in heads:
            below = _figure_descendants(table, head.key)
            if below and below[0].key == row.key:
                level = _depth(table, head)
                cells.append(
                    Cell(after_ordinal(head.label), header=True, rowspan=len(below),
                         scope="rowgroup", id=f"{k}-r-{head.key}", cls="row-head",
                         level=level, align="center" if level == 0 else "left")
                )  # fmt: skip
        depth = len(heads)
        row_id = f"{k}-r-{row.key}"
        cells.append(
            Cell(row.label, header=True, colspan=levels - depth, scope="row", id=row_id,
                 cls="row-label", level=depth, align="left")
        )  # fmt: skip
        row_heads = (*(f"{k}-r-{h.key}" for h in heads), row_id)
        cells += [
            _num(report, k, row.key, c.key, (*row_heads, *col_headers[c.key]))
            for c in table.row_columns(row)
        ]
        rows.append(cells)
    row_heads_cells = [c for row in rows for c in row if c.cls == "row-head"]
    label_widths = [
        fit([c.text for c in row_heads_cells if c.level == n]) for n in range(levels - 1)
    ]
    col_heads = {c.id: c.text for row in rows[:head_rows] for c in row if c.cls == "col"}
    num_widths = [fit([col_heads[f"{k}-c-{c.key}"]], NUM_WIDTH) for c in table.columns]
    widths = (*label_widths, 0.0, *num_widths)
    return Table(
        key=k,
        caption=fmt.section(table.section).heading,
        rows=rows,
        widths=widths,
        header_rows=head_rows,
    )


# --- 四 -------------------------------------------------------------------------------------------


def review_grid(table: fmt.Table, report: Report) -> Table:
    """四: 行政复议 | 行政诉讼 › 未经复议直接起诉 / 复议后起诉, each over the five results; the
    table's rows are printed side by side as column blocks, on one line of figures."""
    k = table.key
    cols = table.columns
    n = len(cols)
    blocks: list[tuple[str | None, list[fmt.Row]]] = []
    for row in table.rows:
        if blocks and row.group is not None and blocks[-1][0] == row.group:
            blocks[-1][1].append(row)
        else:
            blocks.append((row.group, [row]))
    first: list[Cell] = []
    second: list[Cell] = []
    third: list[Cell] = []
    figures: list[Cell] = []
    for b, (group, rows) in enumerate(blocks):
        if group is None:
            for row in rows:
                rid = f"{k}-{row.key}"
                first.append(Cell(row.label, header=True, colspan=n, cls="group", id=rid,
                                  scope="colgroup"))  # fmt: skip
                for c in cols:
                    cid = f"{rid}-{c.key}"
                    second.append(Cell(words(c.label), header=True, rowspan=2, cls="col",
                                       id=cid, scope="col"))  # fmt: skip
                    figures.append(_num(report, k, row.key, c.key, (rid, cid)))
        else:
            gid = f"{k}-g{b}"
            first.append(Cell(group, header=True, colspan=n * len(rows), cls="group", id=gid,
                              scope="colgroup"))  # fmt: skip
            for row in rows:
                rid = f"{k}-{row.key}"
                second.append(Cell(row.label, header=True, colspan=n, cls="group", id=rid,
                                   scope="colgroup"))  # fmt: skip
                for c in cols:
                    cid = f"{rid}-{c.key}"
                    third.append(Cell(words(c.label), header=True, cls="col", id=cid,
                                      scope="col"))  # fmt: skip
                    figures.append(_num(report, k, row.key, c.key, (gid, rid, cid)))
    head = [first, second] + ([third] if third else [])
    return Table(
        key=k,
        caption=fmt.section(table.section).heading,
        rows=[*head, figures],
        widths=(0.0,) * (n * len(table.rows)),
        header_rows=len(head),
    )


def table_grid(table: fmt.Table, report: Report) -> Table:
    """The grid of an official table, by its section."""
    if table.section == "二":
        return proactive_grid(table, report)
    if table.section == "三":
        return applications_grid(table, report)
    return review_grid(table, report)
