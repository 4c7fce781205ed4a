"""The official report format (国办公开办函〔2021〕30号), defined once, as data.

Everything else — params files, the JSON Schema, checks, tables, charts, importers — reads
the labels, order, hierarchy and sum relations from here. Labels are the official ones,
character for character. docs/FORMAT.md describes the format for readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FORMAT_ID = "2021"
FORMAT_DOC = "国办公开办函〔2021〕30号"
FORMAT_2019_DOC = "国办公开办函〔2019〕60号"

Axis = Literal["row", "column"]
ValueKind = Literal["count", "amount"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str | None = None  # label of the merged header cell above, if any


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    parent: str | None = None  # key of the heading row this row sits under
    figures: bool = True  # False for headings such as （三）不予公开 that carry no figures
    columns: tuple[str, ...] = ()  # column keys, for tables whose rows differ (二)
    group: str | None = None  # 二: the 第二十条第（…）项 item the row belongs to


@dataclass(frozen=True)
class Equation:
    """sum(left) == sum(right), along `axis`.

    axis="column": evaluated per column, over row keys (e.g. 一 + 二 = （七） + 四).
    axis="row": evaluated per row, over column keys (e.g. 总计 = 自然人 + …).
    `over` restricts which rows/columns the equation is evaluated for (default: all).
    """

    code: str
    rule: int  # number of the rule in docs/FORMAT.md "Consistency rules"
    axis: Axis
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str
    over: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    key: str
    section: str  # key of the Section this table belongs to
    title: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    equations: tuple[Equation, ...] = ()
    note: str | None = None  # text printed with the table (勾稽关系)
    kind: ValueKind = "count"
    amount_cells: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def row(self, key: str) -> Row:
        return _index(self.rows, key, self.key)

    def column(self, key: str) -> Column:
        return _index(self.columns, key, self.key)

    @property
    def figure_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.figures)

    def row_columns(self, row: Row) -> tuple[Column, ...]:
        """Columns that hold a figure for `row`."""
        if row.columns:
            return tuple(self.column(c) for c in row.columns)
        return self.columns

    def cells(self) -> tuple[tuple[str, str], ...]:
        """All (row key, column key) pairs that hold a figure, in official order."""
        return tuple((r.key, c.key) for r in self.figure_rows for c in self.row_columns(r))

    def children(self, key: str | None) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.parent == key)

    def is_amount(self, row: str, column: str) -> bool:
        return (row, column) in self.amount_cells

    def row_path(self, row: Row) -> tuple[str, ...]:
        """Labels from the top heading down to `row` (三、本年度办理结果 › （三）不予公开 › 1.…)."""
        path = [row.label]
        parent = row.parent
        while parent is not None:
            p = self.row(parent)
            path.append(p.label)
            parent = p.parent
        return tuple(reversed(path))


@dataclass(frozen=True)
class Section:
    key: str  # Chinese ordinal 一 … 六
    title: str
    narrative: bool
    subheadings: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.key}、{self.title}"


def _index(items: tuple[Any, ...], key: str, where: str) -> Any:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"{where}: no {key!r}")


# --- sections ---------------------------------------------------------------------------

SECTIONS: tuple[Section, ...] = (
    Section(
        "一",
        "总体情况",
        True,
        (
            "（一）主动公开",
            "（二）依申请公开",
            "（三）政府信息管理",
            "（四）平台建设",
            "（五）监督保障",
        ),
    ),
    Section("二", "主动公开政府信息情况", False),
    Section("三", "收到和处理政府信息公开申请情况", False),
    Section("四", "政府信息公开行政复议、行政诉讼情况", False),
    Section(
        "五",
        "存在的主要问题及改进情况",
        True,
        ("（一）上年度问题及改进", "（二）本年度问题及下年度举措"),
    ),
    Section("六", "其他需要报告的事项", True, ("信息处理费收取情况", "议题案办理情况")),
)
NARRATIVE_SECTIONS = tuple(s for s in SECTIONS if s.narrative)


def section(key: str) -> Section:
    return _index(SECTIONS, key, "sections")


# --- 二、主动公开政府信息情况 ---------------------------------------------------------------

ITEM_1 = "第二十条第（一）项"
ITEM_5 = "第二十条第（五）项"
ITEM_6 = "第二十条第（六）项"
ITEM_8 = "第二十条第（八）项"
PROACTIVE_ITEMS = (ITEM_1, ITEM_5, ITEM_6, ITEM_8)
PROACTIVE_ROW_HEADER = "信息内容"

PROACTIVE = Table(
    key="proactive",
    section="二",
    title="主动公开政府信息情况",
    columns=(
        Column("issued", "本年制发件数"),
        Column("repealed", "本年废止件数"),
        Column("in_force", "现行有效件数"),
        Column("decisions", "本年处理决定数量"),
        Column("fee_amount", "本年收费金额（单位：万元）"),
    ),
    rows=(
        Row("regulations", "规章", columns=("issued", "repealed", "in_force"), group=ITEM_1),
        Row(
            "normative_documents",
            "行政规范性文件",
            columns=("issued", "repealed", "in_force"),
            group=ITEM_1,
        ),
        Row("licensing", "行政许可", columns=("decisions",), group=ITEM_5),
        Row("penalty", "行政处罚", columns=("decisions",), group=ITEM_6),
        Row("enforcement", "行政强制", columns=("decisions",), group=ITEM_6),
        Row("fees", "行政事业性收费", columns=("fee_amount",), group=ITEM_8),
    ),
    amount_cells=frozenset({("fees", "fee_amount")}),
)


def proactive_items() -> tuple[tuple[str, tuple[Row, ...], tuple[Column, ...]], ...]:
    """The four small tables of 二: (item label, rows, columns), in official order."""
    out = []
    for item in PROACTIVE_ITEMS:
        rows = tuple(r for r in PROACTIVE.rows if r.group == item)
        out.append((item, rows, PROACTIVE.row_columns(rows[0])))
    return tuple(out)


# --- 三、收到和处理政府信息公开申请情况 ---------------------------------------------------------

APPLICANT_HEADER = "申请人情况"
LEGAL_PERSONS = "法人或其他组织"
APPLICATIONS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

_APP_COLUMNS = (
    Column("natural", "自然人"),
    Column("business", "商业企业", LEGAL_PERSONS),
    Column("research", "科研机构", LEGAL_PERSONS),
    Column("nonprofit", "社会公益组织", LEGAL_PERSONS),
    Column("legal_service", "法律服务机构", LEGAL_PERSONS),
    Column("other", "其他", LEGAL_PERSONS),
    Column("total", "总计"),
)


def _sub(parent: str, items: tuple[tuple[str, str], ...]) -> tuple[Row, ...]:
    return tuple(Row(f"{parent}.{k}", label, parent=parent) for k, label in items)


_OUTCOME = "outcome"
_APP_ROWS: tuple[Row, ...] = (
    Row("new", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Row(_OUTCOME, "三、本年度办理结果", figures=False),
    Row("disclosed", "（一）予以公开", parent=_OUTCOME),
    Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", parent=_OUTCOME),
    Row("withheld", "（三）不予公开", parent=_OUTCOME, figures=False),
    *_sub(
        "withheld",
        (
            ("state_secret", "1.属于国家秘密"),
            ("prohibited", "2.其他法律行政法规禁止公开"),
            ("three_safety", "3.危及“三安全一稳定”"),
            ("third_party", "4.保护第三方合法权益"),
            ("internal", "5.属于三类内部事务信息"),
            ("process", "6.属于四类过程性信息"),
            ("enforcement_file", "7.属于行政执法案卷"),
            ("query", "8.属于行政查询事项"),
        ),
    ),
    Row("unavailable", "（四）无法提供", parent=_OUTCOME, figures=False),
    *_sub(
        "unavailable",
        (
            ("not_held", "1.本机关不掌握相关政府信息"),
            ("needs_creation", "2.没有现成信息需要另行制作"),
            ("unclear", "3.补正后申请内容仍不明确"),
        ),
    ),
    Row("not_processed", "（五）不予处理", parent=_OUTCOME, figures=False),
    *_sub(
        "not_processed",
        (
            ("petition", "1.信访举报投诉类申请"),
            ("repeated", "2.重复申请"),
            ("publication", "3.要求提供公开出版物"),
            ("mass_repeated", "4.无正当理由大量反复申请"),
            ("confirm", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    Row("other_handling", "（六）其他处理", parent=_OUTCOME, figures=False),
    *_sub(
        "other_handling",
        (
            (
                "no_correction",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                "unpaid",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            ("other", "3.其他"),
        ),
    ),
    Row("total", "（七）总计", parent=_OUTCOME),
    Row("carry_forward", "四、结转下年度继续办理"),
)
OUTCOME_ROWS = tuple(
    r.key
    for r in _APP_ROWS
    if r.figures and r.key not in ("new", "carried_over", "total", "carry_forward")
)

APPLICATIONS = Table(
    key="applications",
    section="三",
    title="收到和处理政府信息公开申请情况",
    columns=_APP_COLUMNS,
    rows=_APP_ROWS,
    note=APPLICATIONS_NOTE,
    equations=(
        Equation(
            "R1-APP-BALANCE",
            1,
            "column",
            ("new", "carried_over"),
            ("total", "carry_forward"),
            "第一项加第二项之和，等于第三项加第四项之和",
        ),
        Equation(
            "R2-APP-OUTCOME-TOTAL",
            2,
            "column",
            ("total",),
            OUTCOME_ROWS,
            "（七）总计等于（一）至（六）各项之和",
        ),
        Equation(
            "R3-APP-APPLICANT-TOTAL",
            3,
            "row",
            ("total",),
            ("natural", "business", "research", "nonprofit", "legal_service", "other"),
            "总计等于自然人与法人或其他组织各项之和",
        ),
    ),
)

# --- 四、政府信息公开行政复议、行政诉讼情况 -------------------------------------------------------

REVIEW_GROUP_RECONSIDERATION = "行政复议"
REVIEW_GROUP_LITIGATION = "行政诉讼"
REVIEW = Table(
    key="review",
    section="四",
    title="政府信息公开行政复议、行政诉讼情况",
    # rows are the three groups, columns the results: this is also the tidy layout.
    rows=(
        Row("reconsideration", "行政复议"),
        Row("direct_suit", "未经复议直接起诉", group=REVIEW_GROUP_LITIGATION),
        Row("suit_after_review", "复议后起诉", group=REVIEW_GROUP_LITIGATION),
    ),
    columns=(
        Column("upheld", "结果维持"),
        Column("corrected", "结果纠正"),
        Column("other", "其他结果"),
        Column("pending", "尚未审结"),
        Column("total", "总计"),
    ),
    equations=(
        Equation(
            "R4-REVIEW-TOTAL",
            4,
            "row",
            ("total",),
            ("upheld", "corrected", "other", "pending"),
            "总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        ),
    ),
)

TABLES: tuple[Table, ...] = (PROACTIVE, APPLICATIONS, REVIEW)


def table(key: str) -> Table:
    return _index(TABLES, key, "tables")


# --- metadata ---------------------------------------------------------------------------

TITLE_TEMPLATE = "{agency}{year}年政府信息公开工作年度报告"
CONTACT_FIELDS = (("office", "联系部门"), ("address", "地址"), ("phone", "电话"))
