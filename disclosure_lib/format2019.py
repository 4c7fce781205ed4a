"""The older report format (国办公开办函〔2019〕60号, reporting years 2019 and 2020), as data.

Importers meet it on archived pages. Differences from the 2021 format (docs/FORMAT.md,
"The 2019 format"): other 二 columns and an extra 第二十条第（九）项 table; in 三 （六）其他处理
is a single figure row. `MAPPING` says which 2019 cells carry the same figure as a 2021 cell;
the rest cannot be mapped and the importer lists them.
"""

from __future__ import annotations

from . import format as fmt
from .format import Column, Equation, Row, Table

FORMAT_ID = "2019"
DOC = fmt.FORMAT_2019_DOC

ITEM_9 = "第二十条第（九）项"
PROACTIVE_ITEMS = (fmt.ITEM_1, fmt.ITEM_5, fmt.ITEM_6, fmt.ITEM_8, ITEM_9)

PROACTIVE = Table(
    key="proactive",
    section="二",
    title="主动公开政府信息情况",
    columns=(
        Column("made", "本年新制作数量"),
        Column("published", "本年新公开数量"),
        Column("total_published", "对外公开总数量"),
        Column("previous_items", "上一年项目数量"),
        Column("change", "本年增/减"),
        Column("decisions", "处理决定数量"),
        Column("purchases", "采购项目数量"),
        Column("purchase_amount", "采购总金额"),
    ),
    rows=(
        Row(
            "regulations",
            "规章",
            columns=("made", "published", "total_published"),
            group=fmt.ITEM_1,
        ),
        Row(
            "normative_documents",
            "规范性文件",
            columns=("made", "published", "total_published"),
            group=fmt.ITEM_1,
        ),
        Row(
            "licensing",
            "行政许可",
            columns=("previous_items", "change", "decisions"),
            group=fmt.ITEM_5,
        ),
        Row(
            "other_services",
            "其他对外管理服务事项",
            columns=("previous_items", "change", "decisions"),
            group=fmt.ITEM_5,
        ),
        Row(
            "penalty",
            "行政处罚",
            columns=("previous_items", "change", "decisions"),
            group=fmt.ITEM_6,
        ),
        Row(
            "enforcement",
            "行政强制",
            columns=("previous_items", "change", "decisions"),
            group=fmt.ITEM_6,
        ),
        Row("fees", "行政事业性收费", columns=("previous_items", "change"), group=fmt.ITEM_8),
        Row("procurement", "政府集中采购", columns=("purchases", "purchase_amount"), group=ITEM_9),
    ),
    amount_cells=frozenset({("procurement", "purchase_amount")}),
)
# 本年增/减 is a change and may be negative.
SIGNED_CELLS = frozenset((r.key, "change") for r in PROACTIVE.rows if "change" in r.columns)

# Header words that only the 2019 二 tables print: seeing one means the 2019 format.
MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "采购项目数量",
    ITEM_9,
)

_OTHER_SUBROWS = tuple(r.key for r in fmt.APPLICATIONS.rows if r.parent == "other_handling")


def _app_rows() -> tuple[Row, ...]:
    rows: list[Row] = []
    for r in fmt.APPLICATIONS.rows:
        if r.key in _OTHER_SUBROWS:
            continue
        if r.key == "other_handling":
            r = Row(r.key, r.label, parent=r.parent)  # a figure row in 2019
        rows.append(r)
    return tuple(rows)


def _app_equations() -> tuple[Equation, ...]:
    out = []
    for eq in fmt.APPLICATIONS.equations:
        right = eq.right
        if any(k in _OTHER_SUBROWS for k in right):
            right = (*(k for k in right if k not in _OTHER_SUBROWS), "other_handling")
        out.append(Equation(eq.code, eq.rule, eq.axis, eq.left, right, eq.description, eq.over))
    return tuple(out)


APPLICATIONS = Table(
    key="applications",
    section="三",
    title=fmt.APPLICATIONS.title,
    columns=fmt.APPLICATIONS.columns,
    rows=_app_rows(),
    note=fmt.APPLICATIONS.note,
    equations=_app_equations(),
)
REVIEW = fmt.REVIEW
TABLES: tuple[Table, ...] = (PROACTIVE, APPLICATIONS, REVIEW)

SECTION_HEADINGS = (
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
)

Cell3 = tuple[str, str, str]


def _mapping() -> dict[Cell3, Cell3 | None]:
    out: dict[Cell3, Cell3 | None] = {}
    same_2021 = {("proactive", r, "decisions") for r in ("licensing", "penalty", "enforcement")}
    for r, c in PROACTIVE.cells():
        cell = ("proactive", r, c)
        out[cell] = cell if cell in same_2021 else None
    # 本年新制作数量 is the 2021 本年制发件数 (documents issued this year).
    out[("proactive", "regulations", "made")] = ("proactive", "regulations", "issued")
    out[("proactive", "normative_documents", "made")] = (
        "proactive",
        "normative_documents",
        "issued",
    )
    for r, c in APPLICATIONS.cells():
        out[("applications", r, c)] = None if r == "other_handling" else ("applications", r, c)
    for r, c in REVIEW.cells():
        out[("review", r, c)] = ("review", r, c)
    return out


MAPPING: dict[Cell3, Cell3 | None] = _mapping()
"""2019 cell → 2021 cell holding the same figure, or None when it has no 2021 counterpart."""


def table(key: str) -> Table:
    return {t.key: t for t in TABLES}[key]


def cell_label(table_key: str, row: str, column: str) -> str:
    """Human label of a 2019 cell, for the import log."""
    t = table(table_key)
    r = t.row(row)
    prefix = f"{r.group} " if r.group else ""
    return f"{prefix}{r.label} · {t.column(column).label}"
