"""Roll-up of many agencies: per-year totals and rankings (the summary a government publishes).

`total_report` adds every official cell across agencies into one `Report`, so the summary
notebook can show the totals in the official table layout. `key_figures` extracts the
figures the rankings use; `rankings` orders agencies by them; `findings_frame` says which
reports fail which checks. Cell keys come from `format.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd

from .. import format as fmt
from ..checks import check_reports
from ..model import Report, Value

# The figures rankings and trends use: column name -> (table, [(row, column), ...]) summed.
_APP = fmt.APPLICATIONS.key
_REV = fmt.REVIEW.key
_LITIGATION_ROWS = ("direct_suit", "suit_after_review")
KEY_FIGURES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "本年新收": (_APP, (("new", "total"),)),
    "办理总计": (_APP, (("total", "total"),)),
    "予以公开": (_APP, (("disclosed", "total"),)),
    "行政复议": (_REV, (("reconsideration", "total"),)),
    "行政诉讼": (_REV, tuple((r, "total") for r in _LITIGATION_ROWS)),
    "复议诉讼纠正": (_REV, tuple((r.key, "corrected") for r in fmt.REVIEW.rows)),
}
RATE = "予以公开率"
RANKED = ("本年新收", RATE, "行政复议", "行政诉讼", "复议诉讼纠正")


def _add(a: Value, b: Value) -> Value:
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) + Decimal(b)
    return a + b


def total_report(reports: Iterable[Report], agency: str, year: int) -> Report:
    """One report whose every cell is the sum over `reports` (blank only where all are blank)."""
    total = Report.blank(agency, year)
    for r in reports:
        for table in fmt.TABLES:
            cells = total.tables[table.key]
            for cell in table.cells():
                cells[cell] = _add(cells[cell], r.get(table.key, *cell))
    return total


def _figure(report: Report, table: str, cells: tuple[tuple[str, str], ...]) -> float:
    values = [report.get(table, row, col) for row, col in cells]
    known = [float(v) for v in values if v is not None]
    return sum(known) if known else float("nan")


def key_figures(reports: Iterable[Report]) -> pd.DataFrame:
    """One row per report: agency, year, the KEY_FIGURES and the 予以公开 rate (0–1)."""
    rows: list[dict[str, Any]] = []
    for r in reports:
        row: dict[str, Any] = {"agency": r.agency, "year": r.year}
        for name, (table, cells) in KEY_FIGURES.items():
            row[name] = _figure(r, table, cells)
        done = row["办理总计"]
        row[RATE] = row["予以公开"] / done if done and done == done else float("nan")
        rows.append(row)
    columns = ["agency", "year", *KEY_FIGURES, RATE]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["year", "agency"], kind="stable").reset_index(drop=True)


def rankings(reports: Iterable[Report], year: int) -> pd.DataFrame:
    """Agencies of `year` with their key figures and a rank (1 = highest) for each RANKED one."""
    frame = key_figures(r for r in reports if r.year == year).drop(columns="year")
    for name in RANKED:
        frame[f"{name}排名"] = frame[name].rank(ascending=False, method="min").astype("Int64")
    return frame.sort_values(["本年新收", "agency"], ascending=[False, True]).reset_index(drop=True)


def yearly_totals(reports: Iterable[Report]) -> pd.DataFrame:
    """Per year: number of reports and the sum of each key figure (for trend charts)."""
    frame = key_figures(reports)
    if frame.empty:
        return pd.DataFrame(columns=["year", "报告数", *KEY_FIGURES, RATE])
    grouped = frame.groupby("year")
    totals = grouped[list(KEY_FIGURES)].sum(min_count=1)
    totals.insert(0, "报告数", grouped.size())
    totals[RATE] = totals["予以公开"] / totals["办理总计"]
    return totals.reset_index()


def findings_frame(reports: Iterable[Report], year: int | None = None) -> pd.DataFrame:
    """Check findings as rows (agency, year, severity, code, table, row, column, message).

    All reports are checked together so cross-year rules see the previous year; with `year`
    only that year's findings are kept.
    """
    findings = check_reports(list(reports))
    rows = [
        {
            "agency": f.agency,
            "year": f.year,
            "severity": f.severity,
            "code": f.code,
            "table": f.table,
            "row": f.row,
            "column": f.column,
            "message": f.message,
        }
        for f in findings
        if year is None or f.year == year
    ]
    columns = ["agency", "year", "severity", "code", "table", "row", "column", "message"]
    return pd.DataFrame(rows, columns=columns)


def check_matrix(findings: pd.DataFrame) -> pd.DataFrame:
    """Agencies × rule codes: how many findings each report has for each rule."""
    if findings.empty:
        return pd.DataFrame()
    return findings.pivot_table(
        index="agency", columns="code", values="message", aggfunc="count", fill_value=0
    )


# --- the summary report (used by notebooks/summary.ipynb) -------------------------------------
#
# 一、汇总数据 (the official tables, summed; their sections numbered （一）…), 二、各机关排名,
# 三、数据校验, 四、统计图表: short blocks never last, so no page holds only a one-line block.

_ORDINALS = "一二三四五六七八九十"
SECTIONS = ("汇总数据", "各机关排名", "数据校验", "统计图表")
# Print: a heading stays with what follows it (HTML/CSS; the PDF writer keeps headings too).
_KEEP = ' style="break-after:avoid;page-break-after:avoid"'


def summary_title(year: int) -> str:
    return f"{year}年政府信息公开工作年度报告汇总"


def heading(n: int) -> str:
    """The n-th (1-based) top-level heading of the summary: 一、汇总数据 …"""
    return f"{_ORDINALS[n - 1]}、{SECTIONS[n - 1]}"


def select_year(reports: Iterable[Report], year: int) -> list[Report]:
    """The reports of `year`; a RenderError listing the years there are if none."""
    from ..errors import RenderError

    reports = list(reports)
    chosen = sorted((r for r in reports if r.year == year), key=lambda r: r.agency)
    if not chosen:
        years = "、".join(str(y) for y in sorted({r.year for r in reports})) or "无"
        raise RenderError(f"没有 {year} 年的报告；现有年份：{years} (no reports for that year)")
    return chosen


def header_html(year: int, reports: list[Report], history: Iterable[Report] = ()) -> Any:
    """Title and scope of the summary (the years its trend covers, when more than one)."""
    from .html import NO_MATH, Fragment, esc

    names = "、".join(r.agency for r in reports)
    years = sorted({r.year for r in history} | {year})
    trend = f"历年趋势涵盖 {years[0]}—{years[-1]}年。" if len(years) > 1 else ""
    html = (
        f'<article class="report {NO_MATH}" lang="zh-CN">'
        f'<h1 class="title">{esc(summary_title(year))}</h1>'
        f"<p>本汇总涵盖 {len(reports)} 个机关 {year} 年度政府信息公开工作年度报告：{esc(names)}。"
        f"所列统计数据时间范围为{year}年1月1日至{year}年12月31日，为各机关报告数据之和。"
        f"{trend}</p>"
        "</article>"
    )
    return Fragment(html, summary_title(year))


def totals_html(total: Report) -> Any:
    """一、汇总数据: sections 二–四 of the summed report in the official table layout, numbered
    （一）（二）（三） under it."""
    from .html import NO_MATH, Fragment, esc, table_html

    out = [f'<section class="section {NO_MATH}" lang="zh-CN"><h2{_KEEP}>{heading(1)}</h2>']
    for n, table in enumerate(fmt.TABLES):
        title = f"（{_ORDINALS[n]}）{fmt.section(table.section).title}"
        out.append(f"<h3{_KEEP}>{esc(title)}</h3>")
        out.append(table_html(table, total))
    out.append("</section>")
    return Fragment("\n".join(out), SECTIONS[0])


def _cell_text(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if name == RATE:
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rankings_html(frame: pd.DataFrame) -> Any:
    """二、各机关排名: the rankings as a table (机关, figures, ranks)."""
    from .html import NO_MATH, Fragment, esc

    cols = ["agency", *RANKED]
    head = ["机关", *RANKED]
    out = [
        f'<section class="section {NO_MATH}" lang="zh-CN">',
        # heading, note and table on one page when they fit (a heading never ends a page)
        '<div class="keep" style="break-inside:avoid;page-break-inside:avoid">',
        f"<h2{_KEEP}>{heading(2)}</h2>",
        f"<p{_KEEP}>按本年新收申请数排序；括号内为名次（1 为最高）。"
        "予以公开率 = 予以公开 ÷ 办理结果总计。</p>",
        '<table class="rankings"><caption>各机关主要数据及排名</caption><thead><tr>',
        *(f'<th class="col" scope="col">{esc(h)}</th>' for h in head),
        "</tr></thead><tbody>",
    ]
    for _, row in frame.iterrows():
        cells = [f'<th class="row-label" scope="row">{esc(row["agency"])}</th>']
        for name in cols[1:]:
            rank = row.get(f"{name}排名")
            rank_text = "" if rank is None or pd.isna(rank) else f"（{int(rank)}）"
            cells.append(f'<td class="num">{esc(_cell_text(name, row[name]))}{rank_text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div></section>")
    return Fragment("\n".join(out), f"排名：{len(frame)} 个机关")


def findings_html(findings: pd.DataFrame, reports: list[Report]) -> Any:
    """三、数据校验: per agency, how many errors/warnings and which rules."""
    from .html import NO_MATH, Fragment, esc

    out = [f'<section class="section summary-checks {NO_MATH}" lang="zh-CN">']
    out.append(f"<h2{_KEEP}>{heading(3)}</h2>")
    if findings.empty:
        out.append(f'<p class="checks-pass">{len(reports)} 个机关的报告全部通过数据校验。</p>')
    else:
        out.append('<table class="findings"><caption>各机关校验结果</caption><thead><tr>')
        out += [
            f'<th class="col" scope="col">{h}</th>' for h in ("机关", "错误", "警告", "涉及规则")
        ]
        out.append("</tr></thead><tbody>")
        for r in reports:
            mine = findings[findings["agency"] == r.agency]
            if mine.empty:
                continue
            n_err = int((mine["severity"] == "error").sum())
            codes = "、".join(sorted(set(mine["code"])))
            cls = "error" if n_err else "warning"
            out.append(
                f'<tr class="{cls}"><th scope="row">{esc(r.agency)}</th><td class="num">{n_err}'
                f'</td><td class="num">{len(mine) - n_err}</td><td>{esc(codes)}</td></tr>'
            )
        out.append("</tbody></table>")
        clean = [r.agency for r in reports if r.agency not in set(findings["agency"])]
        if clean:
            out.append(f"<p>全部通过：{esc('、'.join(clean))}。</p>")
    out.append("</section>")
    return Fragment("\n".join(out), f"数据校验：{len(findings)} 条")


def charts_html(charts: list[Any]) -> Any:
    """四、统计图表: each chart as a numbered figure with its alt text, or the sentence saying
    why there is nothing to draw."""
    from .html import NO_MATH, Fragment, esc

    out = [f'<section class="section summary-charts {NO_MATH}" lang="zh-CN">']
    out.append(f"<h2{_KEEP}>{heading(4)}</h2>")
    for n, chart in enumerate(charts, 1):
        out.append(f'<figure class="chart" data-chart="{esc(chart.key)}">')
        if chart.png is not None:
            out.append(f'<img src="{chart.data_uri}" alt="{esc(chart.alt)}">')
        else:
            out.append(f'<p class="chart-empty">{esc(chart.empty_message or "")}</p>')
        out.append(f"<figcaption>图{n}　{esc(chart.title)}</figcaption></figure>")
    out.append("</section>")
    return Fragment("\n".join(out), f"统计图表：{len(charts)} 幅")


def summary_charts(reports: list[Report], history: list[Report], year: int) -> list[Any]:
    """本年新收 and 予以公开率 by agency; the totals of every year up to `year` (trend), drawn
    like the report's charts (same fonts, palette, titles, units, years as 2024年)."""
    from .charts import Chart

    frame = rankings(reports, year)
    charts = [
        _bar_chart("summary-new", f"{year}年各机关本年新收政府信息公开申请数量", frame,
                   "本年新收", "件"),
        _bar_chart("summary-rate", f"{year}年各机关予以公开率", frame, RATE, "%"),
    ]  # fmt: skip
    years = sorted({r.year for r in history if r.year <= year} | {year})
    if len(years) > 1:
        charts.append(_trend_chart([r for r in history if r.year <= year], years))
    else:
        charts.append(
            Chart("summary-trend", "历年汇总趋势", "", None, "仅有一个年度的数据，无历年趋势。")
        )
    return charts


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def chart_text(text: str) -> str:
    """`text` for a chart: control characters (refused in names at load; this is for reports
    made in code) shown as escapes, not as missing glyphs."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _draw(key: str, title: str, alt: str, draw: Any) -> Any:
    """Drawn in the report's chart style (`charts._draw`); agency names are text, never
    mathtext ("$x^$")."""
    import matplotlib

    from . import charts

    with matplotlib.rc_context({"text.parse_math": False}):
        return charts._draw(key, title, alt, draw)


def _bar_chart(key: str, title: str, frame: pd.DataFrame, column: str, unit: str) -> Any:
    from matplotlib.figure import Figure

    from . import charts

    data = frame[["agency", column]].dropna()
    data = data.assign(agency=data["agency"].map(chart_text))
    if data.empty or not data[column].any():
        return charts.Chart(key, title, "", None, f"本年度无{column}数据。")
    scale = 100.0 if unit == "%" else 1.0
    data = data.sort_values(column)
    values = list(data[column] * scale)

    def text(v: float) -> str:
        return f"{v:.1f}%" if unit == "%" else f"{v:g} {unit}"

    def draw() -> Figure:
        fig, (ax,) = charts._figure(0.9 + 0.3 * len(data), left=2.2, bottom=0.5)
        ax.barh(list(data["agency"]), values, color=charts.PALETTE[0])
        for i, v in enumerate(values):
            ax.text(v, i, f" {text(v)}", va="center", fontsize=8)
        ax.set_xlabel("百分比（%）" if unit == "%" else f"数量（{unit}）")
        ax.set_xlim(0, max(values) * 1.18 or 1)
        if unit != "%":
            charts._integer_axis(ax, "x")
        ax.set_title(title)
        return fig

    alt = "；".join(f"{a} {text(v)}" for a, v in zip(data["agency"], values, strict=True))
    return _draw(key, title, alt, draw)


def _trend_chart(history: list[Report], years: list[int]) -> Any:
    """The report's trend chart, drawn for the totals of all agencies, year by year."""
    from matplotlib.figure import Figure

    from . import charts

    totals = [total_report([r for r in history if r.year == y], "合计", y) for y in years]
    series = charts.trend_series(totals)
    title = f"{years[0]}—{years[-1]}年各机关合计：申请、公开、复议与诉讼数量"
    alt = "；".join(
        f"{name}：" + "，".join(f"{y}年 {v:g}" for y, v in points)
        for name, points in series.items()
    )

    def draw() -> Figure:
        fig, (ax,) = charts._figure(3.0, bottom=0.7)
        for i, (name, points) in enumerate(series.items()):
            ax.plot([y for y, _ in points], [v for _, v in points], marker="o",
                    color=charts.PALETTE[i], label=name)  # fmt: skip
        ax.set_xticks(years, [f"{y}年" for y in years])
        ax.set_xmargin(0.08)
        ax.set_ylim(bottom=0)
        ax.margins(y=0.15)
        charts._integer_axis(ax)
        ax.set_ylabel("件数")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8,
                  ncols=4)  # fmt: skip
        return fig

    return _draw("summary-trend", title, alt, draw)
