"""The report as a layout (`layout.py`): what the notebook's cells display.

`report_body` is what the office wrote — title, preamble, sections 一–六 with their tables and
notes, charts when the params ask for them (`charts: true`), and the 落款; `charts_section` and
`checks_section` are the review appendix (附：统计图表, 数据校验). Each returns a `Part`: Jupyter
shows it as HTML, and its layout travels in the notebook (`layout.MIME`) to the exporters.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import format as fmt
from .. import formats
from ..findings import DRAFT_MARK
from ..model import Paragraph, Report
from . import layout as lo
from .grids import table_grid

if TYPE_CHECKING:
    from ..findings import Finding
    from .charts import Chart

LEGAL_BASIS = (
    "依据《中华人民共和国政府信息公开条例》（以下简称《政府信息公开条例》）第五十条和"
    "《关于印发中华人民共和国政府信息公开工作年度报告格式的通知》（{doc}）规定，编制本报告。"
)
PASS_TEXT = "全部通过"
CHARTS_HEADING = "附：统计图表"
CHECKS_HEADING = "数据校验"
# printed on every page of a publish render whose checks found errors (never on review renders,
# which print the findings themselves)
REVIEW = "review"
TITLE_LINE = 20  # characters that fit a title line (2号 on the 156 mm type area)
# Which charts illustrate which section when the report prints them (`charts: true`).
CHART_SECTIONS = {"proactive": "二", "applicants": "三", "outcome": "三", "trend": "三"}


class Part:
    """Blocks of the layout that one notebook output carries; displayed as HTML."""

    def __init__(
        self, blocks: list[lo.Block], meta: dict[str, Any] | None = None, text: str = ""
    ) -> None:
        self.blocks = blocks
        self.meta = meta or {}
        self.text = text

    @property
    def html(self) -> str:
        from .html import draft_banner, render_blocks

        banner = draft_banner(self.meta.get("draft", ""), self.meta.get("draft_reason", ""))
        return banner + render_blocks(self.blocks)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            lo.MIME: lo.part_to_json(self.blocks, self.meta),
            "text/html": self.html,
            "text/plain": repr(self),
        }

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or f"<报告版面，{len(self.blocks)} 块>"


# --- title, preamble, 落款 -----------------------------------------------------------------------


def title_lines(report: Report) -> tuple[str, ...]:
    """The title in the lines it is printed on: a title too long for one line breaks after the
    agency's name (硚口区企业服务中心 / 2024年政府信息公开年度报告), never inside a word."""
    title = report.title
    if len(title) <= TITLE_LINE or not title.startswith(report.agency):
        return (title,)
    rest = title[len(report.agency) :]
    return (report.agency, rest) if rest else (title,)


def _doc(report: Report) -> str:
    return formats.DOCS.get(report.format, fmt.FORMAT_DOC)


def preamble_text(report: Report) -> str:
    """Legal basis, contents, statistical period and contact, as published reports open."""
    y = report.year
    parts = [
        LEGAL_BASIS.format(doc=_doc(report)),
        "本年度报告全文包括：" + "、".join(s.title for s in fmt.SECTIONS) + "。",
        f"所列统计数据时间范围为{y}年1月1日至{y}年12月31日。",
    ]
    c = report.contact
    contact = [c.office] if c.office else []
    contact += [
        f"{label}：{getattr(c, key)}" for key, label in fmt.CONTACT_FIELDS[1:] if getattr(c, key)
    ]
    if contact:
        parts.append("如本报告有疑问，请联系：" + "，".join(contact) + "。")
    return "".join(parts)


def date_text(day: datetime.date) -> str:
    """A 成文日期 as GB/T 9704 prints it: 2025年1月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


# A 落款 without a date still prints the line for one, as a form to date by hand: a report
# is never sent out undated without it showing (`check` warns: P2-ISSUED).
UNDATED = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def signature(report: Report) -> lo.Signature:
    return lo.Signature(
        agency=report.agency, date=date_text(report.issued) if report.issued else UNDATED
    )


def meta(report: Report, profile: str = "", draft: str = "") -> dict[str, Any]:
    return {
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "issued": report.issued.isoformat() if report.issued else "",
        "profile": profile,
        "draft": DRAFT_MARK if draft else "",
        "draft_reason": draft,
    }


def draft_reason(findings: Sequence[Finding]) -> str:
    """Why a report is a draft (its check errors, counted, the first named), or "" when its
    checks found no error. Acknowledged findings are warnings: errors are never acknowledged."""
    errors = [f for f in findings if f.is_error]
    if not errors:
        return ""
    first = next((x.strip() for x in errors[0].message.splitlines() if x.strip()), "")
    return f"校验发现 {len(errors)} 个错误，首个错误：{first[:120]}"


# --- body -----------------------------------------------------------------------------------------


def lines(text: str, style: str = "body") -> list[lo.Block]:
    """One paragraph per non-empty line."""
    return [lo.Para(line.strip(), style) for line in text.splitlines() if line.strip()]


def narrative_blocks(paragraphs: Sequence[Paragraph]) -> list[lo.Block]:
    out: list[lo.Block] = []
    for p in paragraphs:
        if p.heading:
            out.append(lo.Heading(p.heading.strip(), level=2))
        out.extend(lines(p.text))
    return out


def figure(chart: Chart) -> lo.Figure:
    return lo.Figure(
        key=chart.key,
        title=chart.title,
        alt=chart.alt,
        png=chart.png,
        empty=chart.empty_message or "",
    )


def report_body(
    report: Report,
    history: Sequence[Report] = (),
    *,
    charts: bool | None = None,
    profile: str = "",
    findings: Sequence[Finding] | None = None,
) -> Part:
    """Title, preamble, sections 一–六 with narrative, notes and tables, then the 落款.

    Charts are printed in the sections they illustrate when `charts` (default: the params'
    `charts`) is true; a chart with nothing to draw is left out there. Unless `profile` is
    review, a report whose checks (`findings`, default: `run_checks`) find errors is a draft:
    the document carries `DRAFT_MARK`, which every writer prints on every page.
    """
    draft = ""
    if profile != REVIEW:
        draft = draft_reason(run_checks(report, history) if findings is None else findings)
    # each table in the format it is kept in (a 2019 report in the 2019 layout, as published)
    tables = {t.section: t for t in report.table_specs()}
    drawn: dict[str, list[lo.Figure]] = {}
    if report.charts if charts is None else charts:
        from .charts import report_charts

        for chart in report_charts(report, history):
            if chart.png is not None:
                drawn.setdefault(CHART_SECTIONS.get(chart.key, "三"), []).append(figure(chart))
    blocks: list[lo.Block] = [
        lo.Title(title_lines(report)),
        lo.Para(preamble_text(report), "preamble"),
    ]
    for s in fmt.SECTIONS:
        section = lo.Section(id=f"section-{s.key}")
        section.blocks.append(lo.Heading(s.heading, level=1, id=f"heading-{s.key}"))
        if s.narrative:
            section.blocks += narrative_blocks(report.narrative.get(s.key, []))
        else:
            section.blocks += lines(report.section_notes.get(s.key, ""))
            if s.key in tables:
                section.blocks.append(table_grid(tables[s.key], report))
        section.blocks += drawn.get(s.key, [])
        blocks.append(section)
    blocks.append(signature(report))
    return Part(blocks, meta(report, profile, draft), report.title)


# --- the review appendix ----------------------------------------------------------------------


def charts_section(charts: Sequence[Chart], *, new_page: bool = True) -> Part:
    """附：统计图表: each chart, or its 本年度无… sentence; an appendix starts a new page."""
    section = lo.Section(id="charts", cls="charts", new_page=new_page)
    section.blocks.append(lo.Heading(CHARTS_HEADING, level=1, id="heading-charts"))
    section.blocks += [figure(c) for c in charts]
    return Part([section], text=f"附图 {len(charts)} 幅")


def previous_report(report: Report, history: Sequence[Report]) -> Report | None:
    """Last year's report of the same agency, if `history` has it."""
    for r in history:
        if r.agency == report.agency and r.year == report.year - 1:
            return r
    return None


def run_checks(report: Report, history: Sequence[Report] = ()) -> list[Finding]:
    """This report's findings, with the cross-year rules when last year's report exists."""
    from ..checks import check_report

    return list(check_report(report, previous_report(report, history)))


FINDING_COLUMNS = (("级别", 2.6), ("规则", 9.0), ("位置", 0.0), ("应为", 3.0), ("实为", 3.0),
                   ("说明", 0.0))  # fmt: skip


def findings_table(findings: Sequence[Finding]) -> lo.Table:
    from ..findings import SEVERITY_LABEL

    head = [
        lo.Cell(h, header=True, cls="col", id=f"findings-{i}", scope="col")
        for i, (h, _) in enumerate(FINDING_COLUMNS)
    ]
    rows = [head]
    for f in findings:
        where = " · ".join(x for x in (f.table, f.row, f.column) if x)
        if f.line:
            where += f"（参数文件第 {f.line} 行）"
        texts = (
            SEVERITY_LABEL.get(f.severity, f.severity),
            f.code,
            where,
            "" if f.expected is None else str(f.expected),
            "" if f.actual is None else str(f.actual),
            f.message,
        )
        rows.append(
            [
                lo.Cell(
                    t,
                    align="center" if i in (0, 3, 4) else "left",
                    headers=(f"findings-{i}",),
                    cls=f.severity if i == 0 else "",
                )
                for i, t in enumerate(texts)
            ]
        )
    return lo.Table(
        key="findings",
        caption="数据校验结果",
        rows=rows,
        widths=tuple(w for _, w in FINDING_COLUMNS),
        header_rows=1,
        style="data",
    )


def checks_section(
    report: Report, findings: Sequence[Finding], history: Sequence[Report] = ()
) -> Part:
    """数据校验: the findings with their cells, or 全部通过."""
    previous = previous_report(report, history)
    if previous is not None:
        scope = f"已核对本报告各表勾稽关系、数值及正文数字，并与{previous.year}年报告做跨年度核对。"
    else:
        scope = (
            f"已核对本报告各表勾稽关系、数值及正文数字；无{report.year - 1}年报告，未做跨年度核对。"
        )
    # right after the charts: a page holding only 全部通过 is a wasted page
    section = lo.Section(id="checks", cls="checks")
    section.blocks += [
        lo.Heading(CHECKS_HEADING, level=1, id="heading-checks"),
        lo.Para(scope, "plain"),
    ]
    if not findings:
        section.blocks.append(lo.Para(PASS_TEXT, "pass"))
    else:
        errors = sum(1 for f in findings if f.severity == "error")
        section.blocks.append(
            lo.Para(f"发现 {errors} 个错误、{len(findings) - errors} 个警告。", "fail")
        )
        section.blocks.append(findings_table(findings))
    text = PASS_TEXT if not findings else f"数据校验：{len(findings)} 条"
    return Part([section], text=text)
