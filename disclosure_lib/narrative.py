"""Rule 6: the figures and the year the narrative states, compared with the tables.

Extraction is driven by `PATTERNS`, a data table of regular expressions → target cells: the
stated figure must equal the sum of the target cells. Slots (named groups such as `objs`) let
one pattern cover lists like 制发、废止规章、行政规范性文件0件 via the `WORDS` vocabulary.
The statement forms are data in `narrative_patterns`; also here: `text_similarity` (copy
warning).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from . import format as fmt
from . import formats
from .model import Report
from .narrative_patterns import (
    CONTEXT,
    DISCLOSURE_SUBJECT,
    FULLWIDTH,
    LITIGATION,
    NEG,
    OTHER_SUBJECT,
    PATTERNS,
    WORDS,
    Cell3,
    FigurePattern,
    Number,
    app_children,
    parse_chinese_number,
)

# --- extraction -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A figure the narrative states about table cells."""

    pattern: FigurePattern
    value: Number
    cells: tuple[Cell3, ...]
    where: str  # section key (一, 五, 六) or the heading of a table section (二, 三, 四)
    sentence: str  # as read (full-width digits and commas made half-width)
    matched: str
    quote: str = ""  # the sentence as the prose prints it (full-width punctuation kept)
    source: tuple[str, str, str] = ("", "", "")  # its key in `Report.lines` (the paragraph)


# Every pattern ends in a unit (件, 起, 宗, 万元, 元; 条 of applications), holds a negation
# or says 均为0: other clauses are skipped.
_MAY_STATE = re.compile(rf"件|起|宗|元|均(?:为|是)?\s*[0零〇]|均无|{NEG}|申请.*条")
# Figures of more units than the report's (全区各单位共受理申请300件: a coordinating office
# reporting its district): from such a word on, a sentence is not about the report's tables.
# Only units as the subject count (全区各单位, 全区共, 各部门): 按照全区政务公开工作要点,
# 落实各级关于…的要求 name no figure of theirs.
_SCOPE = re.compile(
    r"(?:全区|全市|全省|全县|全国)(?:各|共|累计|合计|范围内|政府信息公开申请)"
    r"|各(?:单位|部门|乡镇|片区|街道|县|区直|成员单位|级(?:各类)?(?:单位|部门|机关|行政机关))"
)
# A figure printed with spaces around it (申请 5 件) may reach the prose as a line of its own
# (the importer reads spaced digits as cells): joined back, one character for one.
_FIGURE_LINE = re.compile(r"(?<=\S)\n([ \t]*\d+(?:\.\d+)?[ \t]*)\n(?=\S)")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")
_CLAUSE = re.compile(r"[^，,]+")
_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")
_YEAR = re.compile(r"(?<!\d)(\d{4})年")
# Another period than the year: from its clause on, a sentence compares or sums up (上年度收到
# 5件, 条例实施以来累计受理120件); 上年结转 is this year's row 二, 全年累计 this year's.
_OTHER_TIME = re.compile(
    r"去年|前年|上一?年同期|较上年|比上年|同比|明年|来年|上一?年度?(?!度?结转)|历年"
    r"|(?<!今年)(?<!本年)(?<!年初)以来"
    r"|(?<!全年)(?<!本年)(?<!年内)(?<!今年)(?<!年度)累计"
)
# A plan: from its word on, the sentence says what is to be done, not this year's figures
# (明年，我局将力争办结…; 下一步，计划制定规范性文件2件). 结转下一年度 is this year's figure.
_PLAN_WORD = re.compile(
    r"明年|来年|今后|下一步|下一?阶段|(?<![转至到入])下一?年度?|力争|争取|预计|打算"
    r"|(?:计划|拟)(?=于|在|将|对|制|印|出台|开展|推进|完成|办结|清理|新增)"
)


def _slot_keys(
    spec: tuple[str, ...] | str, match: re.Match[str], context: str = ""
) -> tuple[str, ...]:
    """The keys a slot names: its words in the match, or — a form that does not name them
    (现行有效件数424件) — the words the sentence named last before the clause (`context`)."""
    if isinstance(spec, tuple):
        return spec
    if spec in match.re.groupindex:
        said = match.group(spec)
    else:
        named = list(CONTEXT[spec].finditer(context))
        if not named:
            return ()
        said = named[-1].group(0)
    keys: list[str] = []
    for word, found in WORDS[spec].items():
        if word in said:
            keys.extend(k for k in found if k not in keys)
    return tuple(keys)


@functools.cache
def _valid_cells(table_key: str) -> frozenset[tuple[str, str]]:
    return frozenset(fmt.table(table_key).cells())


def _cells(p: FigurePattern, match: re.Match[str], context: str = "") -> list[tuple[Cell3, ...]]:
    """The cells the figure is the sum of; for an `each` pattern, one set per word of its
    rows slot (行政复议、行政诉讼各1起: 1 and 1), in the order the words are printed."""
    valid = _valid_cells(p.table)
    cols = _slot_keys(p.columns, match, context)
    if p.each and isinstance(p.rows, str):
        said = match.group(p.rows)
        words = sorted((w for w in WORDS[p.rows] if w in said), key=said.find)
        groups = [WORDS[p.rows][w] for w in words]
    else:
        groups = [_slot_keys(p.rows, match, context)]
    out = [
        tuple((p.table, r, c) for r, c in itertools.product(rows, cols) if (r, c) in valid)
        for rows in groups
    ]
    return [cells for cells in out if cells]


def _value(p: FigurePattern, match: re.Match[str]) -> Number | None:
    if p.value is not None:
        return p.value
    try:
        value = parse_chinese_number(match.group("n"))
    except ValueError:
        return None
    if p.unit == "万元" and match.group("unit") == "元":
        return Decimal(value) / 10_000
    return value


def _texts(report: Report) -> Iterator[tuple[str, str, tuple[str, str, str]]]:
    """(where, text, its key in `Report.lines`) for every prose block: narrative paragraphs
    and table-section notes."""
    for s in fmt.SECTIONS:
        if s.narrative:
            for n, p in enumerate(report.narrative.get(s.key, []), start=1):
                if p.text:
                    yield s.key, p.text, ("narrative", s.key, str(n))
        elif report.section_notes.get(s.key):
            yield s.key, report.section_notes[s.key], ("notes", s.key, "")


def statements(report: Report) -> list[Statement]:
    """Every figure the prose states, in reading order.

    Clauses that speak about another year (a year other than the reporting year, 去年, 同比)
    are skipped: they are comparisons, not this year's figures; so is a plan from its word
    (明年, 下一步, 计划, 力争 …) to the end of the sentence.
    """
    out: list[Statement] = []
    for where, text, source in _texts(report):
        read = text.translate(FULLWIDTH)  # one character for one: spans hold in `text` too
        read = _FIGURE_LINE.sub(lambda m: f" {m.group(1)} ", read)
        for found in _SENTENCE.finditer(read):
            sentence = found.group(0)
            bare = _PAREN.sub("", sentence)
            if not _MAY_STATE.search(bare):
                continue
            stop = _stop(bare, report.year)
            printed = text[found.start() : found.end()]
            for m in _CLAUSE.finditer(bare):
                if m.end() > stop:
                    break
                out.extend(
                    dataclasses.replace(st, quote=printed, source=source)
                    for st in _clause_statements(
                        report, where, sentence, m.group(0), bare[: m.start()]
                    )
                )
    return out


def _stop(bare: str, year: int) -> int:
    """Where a sentence stops stating this year's figures: its first other year (a clause
    naming one and the clauses after it compare), other period, plan or wider scope."""
    stops = [len(bare)]
    stops += [m.start() for m in _YEAR.finditer(bare) if int(m.group(1)) != year][:1]
    for pattern in (_OTHER_TIME, _PLAN_WORD, _SCOPE):
        for m in pattern.finditer(bare):
            # a wider scope or an effort (争取, 力争) stops the sentence only as the subject of
            # a figure in its own clause: 督促各部门做好…，本年度共收到申请8件 states ours
            weak = pattern is _SCOPE or m.group(0) in _EFFORT
            if not weak or _MAY_STATE.search(_clause_at(bare, m.start())):
                stops.append(m.start())
                break
    return min(stops)


_EFFORT = frozenset({"争取", "力争"})


def _clause_at(text: str, pos: int) -> str:
    """The clause (between commas) holding `pos`."""
    start = max(text.rfind("，", 0, pos), text.rfind(",", 0, pos)) + 1
    ends = [i for i in (text.find("，", pos), text.find(",", pos)) if i >= 0]
    return text[start : min(ends, default=len(text))]


def _clause_statements(
    report: Report, where: str, sentence: str, clause: str, context: str = ""
) -> list[Statement]:
    if not _MAY_STATE.search(clause):
        return []
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Statement]] = []
    for p in PATTERNS:
        if p.exclude is not None and p.exclude.search(clause):
            continue
        if p.sentence_exclude is not None and p.sentence_exclude.search(sentence):
            continue
        for m in p.regex.finditer(clause):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            if p.subject and _other_subject(context + clause[: m.end()]):
                continue
            value, groups = _value(p, m), _cells(p, m, context)
            if value is None or not groups:
                continue
            taken.append(m.span())
            found.extend(
                (m.start(), Statement(p, value, cells, where, sentence, m.group(0)))
                for cells in groups
            )
    return [s for _, s in sorted(found, key=lambda item: item[0])]


def _other_subject(said: str) -> bool:
    """Whether the last subject named (up to the figure) is other work than disclosure."""
    other = [m.end() for m in OTHER_SUBJECT.finditer(said)]
    disclosure = [m.end() for m in DISCLOSURE_SUBJECT.finditer(said)]
    return bool(other) and (not disclosure or other[-1] > disclosure[-1])


# --- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A disagreement between prose and tables (checks.py turns it into a Finding)."""

    code: str
    severity: str
    cells: tuple[Cell3, ...]
    expected: object
    actual: object
    message: str
    other_cells: tuple[Cell3, ...] = ()  # the row the figure really belongs to (wrong row)
    section: str = ""  # where the prose is: 一 … 六
    source: tuple[str, str, str] = ("", "", "")  # the prose's key in `Report.lines`


def cell_sum(report: Report, cells: tuple[Cell3, ...]) -> Number | None:
    """Sum of the cells, or None when any is blank or not a number."""
    total: Number = 0
    for t, r, c in cells:
        v = report.get(t, r, c)
        if isinstance(v, bool) or not isinstance(v, int | Decimal):
            return None
        if isinstance(v, Decimal) and not v.is_finite():
            return None
        total += v
    return total


# Rows a statement is known to be confused with in published reports (e.g. 收到75件 quoting
# （七）总计 instead of 本年新收): pattern key → row sets, read in the pattern's columns.
_NEW_AND_CARRIED = ("new", "carried_over")
CONFUSIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "new": (("total",), _NEW_AND_CARRIED),
    "total": (("new",), _NEW_AND_CARRIED),
    "carried_over": (("carry_forward",),),
    "carry_forward": (("carried_over",),),
    "disclosed": (("partial",), ("disclosed", "partial")),
    "partial": (("disclosed",),),
    "withheld": (app_children("unavailable"), app_children("not_processed")),
    "unavailable": (app_children("withheld"), app_children("not_processed")),
    "not_processed": (app_children("withheld"), app_children("unavailable")),
    "reconsideration": (LITIGATION,),
    "litigation": (("reconsideration",),),
}


def own_cells(report: Report, cells: tuple[Cell3, ...]) -> tuple[Cell3, ...] | None:
    """The report's own cells holding the figure of the 2021 `cells` (a statement's targets),
    or None when the format its table is kept in has no such figure."""
    if not cells:
        return cells
    table = cells[0][0]
    return formats.own_cells(report.table_formats.get(table, report.format), cells)


def _confused_row(report: Report, st: Statement) -> tuple[Cell3, ...] | None:
    """The cells of a row the stated figure really belongs to, if it is a known confusion."""
    p = st.pattern
    columns = _unique(c for _, _, c in st.cells)
    for rows in CONFUSIONS.get(p.key, ()):
        cells = own_cells(report, tuple((p.table, r, c) for r in rows for c in columns))
        if cells and cell_sum(report, cells) == st.value:
            return cells
    return None


def _told_apart(st: Statement, said: list[Statement], expected: Number) -> bool:
    """Whether the sentence states the same figure twice, in other words, and the other one is
    the table's: it tells two notions apart (共收到申请6件，依法受理5件), the second is not the
    row. The same words twice (收到申请6件，后经核实实际收到申请8件) tell nothing apart."""
    words = _FIGURE.sub("", st.matched)
    return any(
        o is not st
        and o.pattern.key == st.pattern.key
        and o.cells == st.cells
        and (o.source, o.sentence) == (st.source, st.sentence)
        and o.value == expected
        and _FIGURE.sub("", o.matched) != words
        for o in said
    )


_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def _unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


def compare_figures(report: Report) -> list[Issue]:
    """R6-NARRATIVE (error) and R6-WRONG-ROW (warning) issues for the stated figures.

    Statements name 2021 cells; a table kept in the 2019 format is compared on its own cells
    that hold the same figure, and a figure it does not have is not compared."""
    issues: list[Issue] = []
    said = statements(report)
    for st in said:
        own = own_cells(report, st.cells)
        if not own:
            continue
        expected = cell_sum(report, own)
        if expected is None or expected == st.value:
            continue
        if _told_apart(st, said, expected):
            continue
        cells = own
        if st.value == 0:  # "0件" with counts ≥ 0: exactly the non-zero cells are wrong
            cells = tuple(c for c in cells if report.get(*c) != 0) or cells
        quote = f"正文“{(st.quote or st.sentence).strip()}”"
        wrong_row = _confused_row(report, st) if st.value != 0 else None
        if wrong_row is not None:
            issues.append(
                Issue(
                    "R6-WRONG-ROW",
                    "warning",
                    cells,
                    expected,
                    st.value,
                    f"{quote}所称“{st.pattern.label}”{st.value}{st.pattern.unit}，"
                    f"表中该项为 {expected}；{st.value} 是另一行的数字，疑似引用错行",
                    wrong_row,
                    st.where,
                    st.source,
                )
            )
            continue
        issues.append(
            Issue(
                "R6-NARRATIVE",
                "error",
                cells,
                expected,
                st.value,
                f"{quote}所称“{st.pattern.label}”{st.value}{st.pattern.unit}与表格不符，"
                f"表中为 {expected}",
                section=st.where,
                source=st.source,
            )
        )
    return issues


# --- the reporting year -----------------------------------------------------------------------

_PERIOD = re.compile(r"(\d{4})年1月1日(?:起)?至(\d{4})年12月31日")
_TITLE = re.compile(r"(\d{4})年度?政府信息公开(?:工作)?年度报告")
# A year opening a sentence or clause ("2024年，我中心…", "2023年存在的问题："): the period
# the text is about. Dates (2025年1月) are left alone: reports name publication dates.
_LEADING_YEAR = re.compile(
    r"(?:^|(?<=[。；;！？\n，,：:]))\s*(?:在)?(\d{4})年度?"
    # 2019年以来, 2023年底, 2023年同期: not the period the text is about; nor a year naming
    # a thing (2022年度政务公开工作考核, 2023年工作要点, 2024年预算): a sentence about it
    r"(?!\d{1,2}月|以来|以前|起|至|到|前|底|末|初|上半年|下半年|同期|[—－~～-])"
    # (政务公开 itself only as such a thing's name: 2022年政务公开工作扎实推进 dates the text)
    r"(?!度?的?(?:(?:政务公开|政府信息公开)(?:工作)?(?:考核|考评|评估|评议|绩效|工作要点|要点|年报|"
    r"年度报告|报告)|考核|考评|评估|评议|绩效|工作要点|年报|年度报告|预算|决算|规划|计划))"
)
# This year named before in the sentence: a later clause opening with another year compares
# (本年度收到申请8件，2022年收到5件), it does not date the text.
# 全年 is no year named: 全年工作有序推进，2022年我局… still dates the text
_THIS_YEAR = re.compile(r"本年度?|今年")
# A sentence that opens with a later year and says what will be done is a plan.
_PLAN = re.compile(r"将|计划|拟|力争|预计|打算|下一步|继续|进一步")
# Years a section may open a sentence with, relative to the reporting year.
YEAR_WINDOW: dict[str, tuple[int, int]] = {"一": (0, 0), "五": (-1, 1), "六": (0, 1)}


def compare_years(report: Report) -> list[Issue]:
    """R6-YEAR: statistics periods, report titles and sentence-opening years in the prose."""
    issues: list[Issue] = []
    y = report.year
    for where, printed, source in _texts(report):
        text = printed.translate(FULLWIDTH)  # one character for one: quote from `printed`
        bad: list[tuple[int, str, str]] = []
        for m in _PERIOD.finditer(text):
            said = printed[m.start() : m.end()]
            bad += [(int(g), said, "统计时段") for g in m.groups() if int(g) != y]
        # any section may name last year's report (发布2023年度…年度报告, its problems)
        for m in _TITLE.finditer(text):
            if not -1 <= int(m.group(1)) - y <= 0:
                bad.append((int(m.group(1)), printed[m.start() : m.end()], "报告标题"))
        low, high = YEAR_WINDOW.get(where, (0, 0))
        for m in _LEADING_YEAR.finditer(text):
            if int(m.group(1)) > y and _PLAN.search(_around(text, m.start(1), 200)):
                continue  # a plan for a later year (2025年，我局将继续…): not a fact of this one
            if _compares(text, m.start(1), y):
                continue
            if not low <= int(m.group(1)) - y <= high:
                bad.append((int(m.group(1)), _around(printed, m.start(1)), "正文"))
        heading = _where_heading(where)
        for year, quote, what in bad:
            issues.append(
                Issue(
                    "R6-YEAR",
                    "warning" if where == "五" else "error",
                    (),
                    y,
                    year,
                    f"{heading}{what}“{quote}”中的年份 {year} 与报告年度 {y} 不符",
                    section=where,
                    source=source,
                )
            )
    return issues


def _compares(text: str, pos: int, year: int) -> bool:
    """Whether the year at `pos` opens a later clause of a sentence that named the report year
    before it: a comparison with another year."""
    start = max(text.rfind(c, 0, pos) for c in "。；;！？!?\n") + 1
    before = text[start:pos]
    return bool(before.strip()) and (f"{year}年" in before or bool(_THIS_YEAR.search(before)))


def _around(text: str, pos: int, width: int = 24) -> str:
    sentence = _SENTENCE.match(text, pos)
    return (sentence.group(0) if sentence else text[pos:])[:width]


def _where_heading(where: str) -> str:
    return f"{fmt.section(where).heading}：" if where else ""


# --- similarity (copy warning) ----------------------------------------------------------------


def text_similarity(a: str, b: str, floor: float = 0.0) -> float:
    """difflib ratio of two texts (0–1).

    Below `floor` the cheap upper bound (quick_ratio) is returned instead of the exact
    ratio: callers that only ask "≥ floor?" get the same answer much faster.
    """
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor:
        return matcher.real_quick_ratio()
    bound = matcher.quick_ratio()
    return bound if bound < floor else matcher.ratio()
