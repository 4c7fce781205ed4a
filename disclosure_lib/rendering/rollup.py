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


def summary_title(year: int) -> str:
    return f"{year}年政府信息公开工作年度报告汇总"


def select_year(reports: Iterable[Report], year: int) -> list[Report]:
    """The reports of `year`; a RenderError listing the years there are if none."""
    from ..errors import RenderError

    reports = list(reports)
    chosen = sorted((r for r in reports if r.year == year), key=lambda r: r.agency)
    if not chosen:
        years = "、".join(str(y) for y in sorted({r.year for r in reports})) or "无"
        raise RenderError(f"没有 {year} 年的报告；现有年份：{years} (no reports for that year)")
    return chosen


def header_html(year: int, reports: list[Report]) -> Any:
    """Title and scope of the summary."""
    from .html import NO_MATH, Fragment, esc

    names = "、".join(r.agency for r in reports)
    html = (
        f'<article class="report {NO_MATH}" lang="zh-CN">'
        f'<h1 class="title">{esc(summary_title(year))}</h1>'
        f"<p>本汇总涵盖 {len(reports)} 个机关 {year} 年度政府信息公开工作年度报告：{esc(names)}。"
        f"所列统计数据时间范围为{year}年1月1日至{year}年12月31日，为各机关报告数据之和。</p>"
        "</article>"
    )
    return Fragment(html, summary_title(year))


def totals_html(total: Report) -> Any:
    """Sections 二–四 of the summed report in the official table layout."""
    from .html import NO_MATH, Fragment, esc, table_html

    out = [f'<section class="section {NO_MATH}" lang="zh-CN"><h2>一、汇总数据</h2>']
    for table in fmt.TABLES:
        out.append(f"<h3>{esc(fmt.section(table.section).heading)}</h3>")
        out.append(table_html(table, total))
    out.append("</section>")
    return Fragment("\n".join(out), "汇总数据")


def _cell_text(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if name == RATE:
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rankings_html(frame: pd.DataFrame) -> Any:
    """The rankings as an HTML table (机关, figures, ranks)."""
    from .html import NO_MATH, Fragment, esc

    cols = ["agency", *RANKED]
    head = ["机关", *RANKED]
    out = [
        f'<section class="section {NO_MATH}" lang="zh-CN"><h2>二、各机关排名</h2>',
        "<p>按本年新收申请数排序；括号内为名次（1 为最高）。"
        "予以公开率 = 予以公开 ÷ 办理结果总计。</p>",
        '<table class="rankings"><thead><tr>',
        *(f'<th class="col">{esc(h)}</th>' for h in head),
        "</tr></thead><tbody>",
    ]
    for _, row in frame.iterrows():
        cells = [f'<th class="row-label">{esc(row["agency"])}</th>']
        for name in cols[1:]:
            rank = row.get(f"{name}排名")
            rank_text = "" if rank is None or pd.isna(rank) else f"（{int(rank)}）"
            cells.append(f'<td class="num">{esc(_cell_text(name, row[name]))}{rank_text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")
    return Fragment("\n".join(out), f"排名：{len(frame)} 个机关")


def findings_html(findings: pd.DataFrame, reports: list[Report]) -> Any:
    """三、数据校验: per agency, how many errors/warnings and which rules."""
    from .html import NO_MATH, Fragment, esc

    out = [f'<section class="checks {NO_MATH}" lang="zh-CN"><h2>三、数据校验</h2>']
    if findings.empty:
        out.append('<p class="checks-pass">全部通过</p>')
    else:
        out.append('<table class="findings"><thead><tr>')
        out += [f'<th class="col">{h}</th>' for h in ("机关", "错误", "警告", "涉及规则")]
        out.append("</tr></thead><tbody>")
        for r in reports:
            mine = findings[findings["agency"] == r.agency]
            if mine.empty:
                continue
            n_err = int((mine["severity"] == "error").sum())
            codes = "、".join(sorted(set(mine["code"])))
            cls = "error" if n_err else "warning"
            out.append(
                f'<tr class="{cls}"><td>{esc(r.agency)}</td><td class="num">{n_err}</td>'
                f'<td class="num">{len(mine) - n_err}</td><td>{esc(codes)}</td></tr>'
            )
        out.append("</tbody></table>")
        clean = [r.agency for r in reports if r.agency not in set(findings["agency"])]
        if clean:
            out.append(f"<p>全部通过：{esc('、'.join(clean))}。</p>")
    out.append("</section>")
    return Fragment("\n".join(out), f"数据校验：{len(findings)} 条")


def summary_charts(reports: list[Report], history: list[Report], year: int) -> list[Any]:
    """Bar charts of 本年新收 and 予以公开率 by agency; totals over the years if several."""
    from .charts import Chart

    frame = rankings(reports, year)
    charts = [
        _bar_chart("summary-new", "各机关本年新收政府信息公开申请数量", frame, "本年新收", "件"),
        _bar_chart("summary-rate", "各机关予以公开率", frame, RATE, "%"),
    ]
    totals = yearly_totals(history)
    if len(totals) > 1:
        charts.append(_trend_chart(totals))
    else:
        charts.append(
            Chart("summary-trend", "历年汇总趋势", "", None, "仅有一个年度的数据，无历年趋势")
        )
    return charts


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def chart_text(text: str) -> str:
    """`text` for a chart: control characters (refused in names at load; this is for reports
    made in code) shown as escapes, not as missing glyphs."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _draw(key: str, title: str, alt: str, draw: Any) -> Any:
    import io

    import matplotlib

    from . import fonts
    from .charts import Chart

    rc: dict[str, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": [fonts.matplotlib_cjk_family()],
        "font.size": 9,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # an agency named "$x^$" is text, not mathtext
    }
    with matplotlib.rc_context(rc), fonts.no_missing_glyphs():  # type: ignore[arg-type]
        fig = draw()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=144, metadata={"Software": None})
    return Chart(key, title, alt, buf.getvalue())


def _bar_chart(key: str, title: str, frame: pd.DataFrame, column: str, unit: str) -> Any:
    from matplotlib.figure import Figure

    from .charts import Chart

    data = frame[["agency", column]].dropna()
    data = data.assign(agency=data["agency"].map(chart_text))
    if data.empty or not data[column].any():
        return Chart(key, title, "", None, f"本年度无{column}数据")
    scale = 100.0 if unit == "%" else 1.0
    data = data.sort_values(column)

    def draw() -> Figure:
        height = 0.8 + 0.32 * len(data)
        fig = Figure(figsize=(6.6, height))
        ax = fig.add_axes((0.32, 0.6 / height, 0.62, 1 - 0.9 / height))
        values = data[column] * scale
        ax.barh(list(data["agency"]), values, color="#2f5d8a")
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:.1f}{unit}" if unit == "%" else f" {v:g}", va="center", fontsize=8)
        ax.set_xlabel(unit)
        ax.spines[["top", "right"]].set_visible(False)
        return fig

    alt = "；".join(
        f"{a} {v * scale:g}{unit}" for a, v in zip(data["agency"], data[column], strict=True)
    )
    return _draw(key, title, alt, draw)


def _trend_chart(totals: pd.DataFrame) -> Any:
    from matplotlib.figure import Figure

    names = ("本年新收", "予以公开", "行政复议", "行政诉讼")

    def draw() -> Figure:
        fig = Figure(figsize=(6.6, 2.8))
        ax = fig.add_axes((0.1, 0.18, 0.86, 0.72))
        for name in names:
            ax.plot(totals["year"], totals[name], marker="o", label=name)
        ax.set_xticks(list(totals["year"]))
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return fig

    alt = "；".join(f"{int(r.year)}年 本年新收 {r.本年新收:g}" for r in totals.itertuples())
    return _draw("summary-trend", "历年汇总：本年新收、予以公开、复议、诉讼", alt, draw)
