"""The report as HTML: title, preamble, sections 一–六 with the official table layouts,
charts and the 数据校验 block.

Layouts are derived from `disclosure_lib.format` (merged header cells from column groups,
hierarchical row labels from row parents), so nothing here retypes a label. All report text
goes through `html.escape`: narrative like `<script>`, `{{ }}`, Markdown or LaTeX shows
literally. Functions return `Fragment`s, which notebooks display as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .. import format as fmt
from ..model import Paragraph, Report, Value

if TYPE_CHECKING:  # checks is imported only when the checks block is built
    from ..findings import Finding
    from .charts import Chart

# Classes that keep MathJax (JupyterLab, classic notebook) from typesetting `$…$` in reports.
NO_MATH = "tex2jax_ignore mathjax_ignore"
LEGAL_BASIS = (
    "依据《中华人民共和国政府信息公开条例》（以下简称《政府信息公开条例》）第五十条和"
    "《关于印发中华人民共和国政府信息公开工作年度报告格式的通知》（{doc}）规定，编制本报告。"
)
PASS_TEXT = "全部通过"


@dataclass(frozen=True)
class Fragment:
    """A piece of report HTML; Jupyter displays it as HTML, `str()` gives the markup."""

    html: str
    text: str = ""  # short plain-text stand-in (text/plain output)

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or f"<HTML, {len(self.html)} 字符>"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def value_text(value: Value) -> str:
    """A figure as printed: integers plainly, amounts without exponent, blank for missing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _td(value: Value, colspan: int = 1) -> str:
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    cls = "num blank" if value is None else "num"
    return f'<td class="{cls}"{span}>{esc(value_text(value))}</td>'


def _th(
    label: str,
    *,
    cls: str = "",
    colspan: int = 1,
    rowspan: int = 1,
    scope: str = "",
    halves: bool = False,
) -> str:
    attrs = ""
    if cls:
        attrs += f' class="{cls}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if scope:
        attrs += f' scope="{scope}"'
    text = esc(label)
    if halves and len(label) == 4:  # narrow columns: 结果/维持 on two lines, as printed
        text = f"{esc(label[:2])}<br>{esc(label[2:])}"
    return f"<th{attrs}>{text}</th>"


# --- tables ----------------------------------------------------------------------------------


def _runs(items: Sequence[fmt.Column]) -> list[tuple[str | None, list[fmt.Column]]]:
    """Consecutive columns sharing a merged header (group), in order."""
    runs: list[tuple[str | None, list[fmt.Column]]] = []
    for col in items:
        if runs and col.group is not None and runs[-1][0] == col.group:
            runs[-1][1].append(col)
        else:
            runs.append((col.group, [col]))
    return runs


def proactive_table(table: fmt.Table, report: Report) -> str:
    """二: the four 第二十条 blocks as one grid, each block with its own header row."""
    items: dict[str, list[fmt.Row]] = {}
    for row in table.rows:
        items.setdefault(row.group or "", []).append(row)
    width = max(len(table.row_columns(rows[0])) for rows in items.values())
    out = [f'<table class="official proactive" data-table="{table.key}">']
    for item, rows in items.items():
        cols = table.row_columns(rows[0])
        spans = [1] * (len(cols) - 1) + [width - len(cols) + 1]
        out.append("<tbody>")
        out.append(f"<tr>{_th(item, cls='item', colspan=width + 1)}</tr>")
        heads = "".join(
            _th(c.label, cls="col", colspan=s) for c, s in zip(cols, spans, strict=True)
        )
        out.append(f"<tr>{_th(fmt.PROACTIVE_ROW_HEADER, cls='col')}{heads}</tr>")
        for row in rows:
            cells = "".join(
                _td(report.get(table.key, row.key, c.key), s)
                for c, s in zip(cols, spans, strict=True)
            )
            out.append(f"<tr>{_th(row.label, cls='row-label', scope='row')}{cells}</tr>")
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _depth(table: fmt.Table, row: fmt.Row) -> int:
    return len(table.row_path(row)) - 1


def _figure_descendants(table: fmt.Table, key: str) -> list[fmt.Row]:
    out: list[fmt.Row] = []
    for child in table.children(key):
        out.extend([child] if child.figures else _figure_descendants(table, child.key))
    return out


def applications_table(table: fmt.Table, report: Report) -> str:
    """三: 申请人情况 › 自然人 / 法人或其他组织 › …, rows nested under their headings.

    Row headings without figures (三、本年度办理结果, （三）不予公开 …) become cells spanning
    the rows below them, as in the official form; the 勾稽关系 note sits in the corner cell.
    """
    figure_rows = table.figure_rows
    levels = 1 + max(_depth(table, r) for r in figure_rows)
    runs = _runs(table.columns)
    grouped = any(group for group, _ in runs)
    head_rows = 3 if grouped else 2
    corner = _th(table.note or "", cls="corner note", colspan=levels, rowspan=head_rows)
    out = [f'<table class="official applications" data-table="{table.key}">', "<colgroup>"]
    out += [f'<col class="label-{i}">' for i in range(levels)]
    out += ['<col class="num">' for _ in table.columns]
    out += ["</colgroup>", "<thead>"]
    out.append(
        f"<tr>{corner}{_th(fmt.APPLICANT_HEADER, cls='group', colspan=len(table.columns))}</tr>"
    )
    second, third = [], []
    for group, cols in runs:
        if group is None:
            second += [_th(c.label, cls="col", rowspan=head_rows - 1) for c in cols]
        else:
            second.append(_th(group, cls="group", colspan=len(cols)))
            third += [_th(c.label, cls="col") for c in cols]
    out.append(f"<tr>{''.join(second)}</tr>")
    if grouped:
        out.append(f"<tr>{''.join(third)}</tr>")
    out += ["</thead>", "<tbody>"]
    for row in figure_rows:
        cells: list[str] = []
        ancestors = table.row_path(row)[:-1]
        parent_key = row.parent
        heads: list[fmt.Row] = []
        while parent_key is not None:
            heads.append(table.row(parent_key))
            parent_key = table.row(parent_key).parent
        for head in reversed(heads):
            below = _figure_descendants(table, head.key)
            if below and below[0].key == row.key:
                level = _depth(table, head)
                cells.append(
                    _th(
                        head.label,
                        cls=f"row-head level-{level}",
                        rowspan=len(below),
                        scope="rowgroup",
                    )
                )
        depth = len(ancestors)
        cells.append(
            _th(row.label, cls=f"row-label level-{depth}", colspan=levels - depth, scope="row")
        )
        cells += [_td(report.get(table.key, row.key, c.key)) for c in table.row_columns(row)]
        out.append(f'<tr data-row="{esc(row.key)}">{"".join(cells)}</tr>')
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def review_table(table: fmt.Table, report: Report) -> str:
    """四: 行政复议 | 行政诉讼 › 未经复议直接起诉 / 复议后起诉, each over the five results.

    The table's rows are printed side by side as column blocks, on one line of figures.
    """
    cols = table.columns
    n = len(cols)
    blocks: list[tuple[str | None, list[fmt.Row]]] = []
    for row in table.rows:
        if blocks and row.group is not None and blocks[-1][0] == row.group:
            blocks[-1][1].append(row)
        else:
            blocks.append((row.group, [row]))
    first, second, third = [], [], []
    for group, rows in blocks:
        if group is None:
            for row in rows:
                first.append(_th(row.label, cls="group", colspan=n))
                second += [_th(c.label, cls="col", rowspan=2, halves=True) for c in cols]
        else:
            first.append(_th(group, cls="group", colspan=n * len(rows)))
            for row in rows:
                second.append(_th(row.label, cls="group", colspan=n))
                third += [_th(c.label, cls="col", halves=True) for c in cols]
    figures = "".join(
        _td(report.get(table.key, row.key, c.key)) for row in table.rows for c in cols
    )
    return "\n".join(
        [
            f'<table class="official review" data-table="{table.key}">',
            "<thead>",
            f"<tr>{''.join(first)}</tr>",
            f"<tr>{''.join(second)}</tr>",
            f"<tr>{''.join(third)}</tr>" if third else "",
            "</thead>",
            f"<tbody><tr>{figures}</tr></tbody>",
            "</table>",
        ]
    )


def table_html(table: fmt.Table, report: Report) -> str:
    if table.section == "二":
        return proactive_table(table, report)
    if table.section == "三":
        return applications_table(table, report)
    return review_table(table, report)


# --- text -----------------------------------------------------------------------------------


FORMAT_2019_NOTE = (
    f"注：本报告原按{fmt.FORMAT_2019_DOC}格式编制，表格按现行格式列示；"
    "旧格式中无对应项的单元格留空。"
)


def _doc(report: Report) -> str:
    return fmt.FORMAT_2019_DOC if report.format == "2019" else fmt.FORMAT_DOC


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


def _lines(text: str) -> str:
    return "\n".join(f"<p>{esc(line)}</p>" for line in text.splitlines() if line.strip())


def narrative_html(paragraphs: Iterable[Paragraph]) -> str:
    out = []
    for p in paragraphs:
        if p.heading:
            out.append(f"<h3>{esc(p.heading)}</h3>")
        out.append(_lines(p.text))
    return "\n".join(x for x in out if x)


def report_body(report: Report) -> Fragment:
    """Title, preamble and sections 一–六 with narrative, notes and tables."""
    # A 2019-format report holds the figures that map onto the current cells (format2019.MAPPING):
    # it is shown in the current layout, its unmapped cells blank, with a note saying why.
    tables = {t.section: t for t in fmt.TABLES}
    out = [
        f'<article class="report {NO_MATH}" lang="zh-CN">',
        f'<h1 class="title">{esc(report.title)}</h1>',
        f'<p class="preamble">{esc(preamble_text(report))}</p>',
    ]
    if report.format == "2019":
        out.append(f'<p class="format-note">{esc(FORMAT_2019_NOTE)}</p>')
    for s in fmt.SECTIONS:
        out.append(f'<section class="section" id="section-{esc(s.key)}">')
        out.append(f"<h2>{esc(s.heading)}</h2>")
        if s.narrative:
            out.append(narrative_html(report.narrative.get(s.key, [])))
        else:
            note = report.section_notes.get(s.key, "")
            if note:
                out.append(f'<div class="section-note">{_lines(note)}</div>')
            if s.key in tables:
                out.append(table_html(tables[s.key], report))
        out.append("</section>")
    out.append("</article>")
    return Fragment("\n".join(out), report.title)


# --- charts and checks ------------------------------------------------------------------------


def charts_section(charts: Sequence[Chart]) -> Fragment:
    """附图: each chart as an embedded PNG, or its 本年度无… sentence."""
    out = [f'<section class="charts {NO_MATH}" lang="zh-CN">', "<h2>附：统计图表</h2>"]
    for chart in charts:
        out.append(f'<figure class="chart" data-chart="{esc(chart.key)}">')
        if chart.png is not None:
            out.append(f'<img src="{chart.data_uri}" alt="{esc(chart.alt)}">')
        else:
            out.append(f'<p class="chart-empty">{esc(chart.empty_message or "")}</p>')
        out.append(f"<figcaption>{esc(chart.title)}</figcaption>")
        out.append("</figure>")
    out.append("</section>")
    return Fragment("\n".join(out), f"附图 {len(charts)} 幅")


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


def checks_section(
    report: Report, findings: Sequence[Finding], history: Sequence[Report] = ()
) -> Fragment:
    """数据校验: the findings as a table, or 全部通过."""
    from ..findings import SEVERITY_LABEL

    previous = previous_report(report, history)
    if previous is not None:
        scope = f"已核对本报告各表勾稽关系、数值及正文数字，并与{previous.year}年报告做跨年度核对。"
    else:
        scope = (
            f"已核对本报告各表勾稽关系、数值及正文数字；无{report.year - 1}年报告，未做跨年度核对。"
        )
    out = [
        f'<section class="checks {NO_MATH}" lang="zh-CN">',
        "<h2>数据校验</h2>",
        f'<p class="checks-scope">{esc(scope)}</p>',
    ]
    if not findings:
        out.append(f'<p class="checks-pass">{PASS_TEXT}</p>')
    else:
        errors = sum(1 for f in findings if f.severity == "error")
        out.append(
            f'<p class="checks-summary">发现 {errors} 个错误、{len(findings) - errors} 个警告。</p>'
        )
        out.append('<table class="findings"><thead><tr>')
        out += [_th(h, cls="col") for h in ("级别", "规则", "位置", "应为", "实为", "说明")]
        out.append("</tr></thead><tbody>")
        for f in findings:
            where = " · ".join(x for x in (f.table, f.row, f.column) if x)
            if f.line:
                where += f"（参数文件第 {f.line} 行）"
            expected = "" if f.expected is None else f.expected
            actual = "" if f.actual is None else f.actual
            out.append(
                f'<tr class="{esc(f.severity)}">'
                f"<td>{esc(SEVERITY_LABEL.get(f.severity, f.severity))}</td>"
                f"<td>{esc(f.code)}</td><td>{esc(where)}</td>"
                f'<td class="num">{esc(expected)}</td><td class="num">{esc(actual)}</td>'
                f"<td>{esc(f.message)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    text = PASS_TEXT if not findings else f"数据校验：{len(findings)} 条"
    return Fragment("\n".join(out), text)
