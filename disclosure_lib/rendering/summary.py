"""The year's summary (`disclosure_lib.summary.YearSummary`) as layout parts, one per section:
what `notebooks/summary.ipynb` displays and the three writers print.

标题 and scope (`header`), 一、汇总数据 (the official tables, summed: `totals_section`),
二、各机关排名 (the top agencies and the spread of each figure: `rankings_section`),
三、数据校验 (by rule, in Chinese, and the agencies with findings: `checks_section`),
四、统计图表 (`charts_section`), 五、未计入汇总的报告 (reports with check errors, reports not
built: `left_out_section`, only when there are such). Sized for thousands of agencies: tables
and bars list the top `TOP_N`, distributions show the rest.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import format as fmt
from ..errors import DisclosureError
from ..files import write_atomic
from ..findings import SEVERITY_LABEL
from ..names import agency_key, agency_order
from ..summary import RANKED, RATE, YearSummary, distribution
from . import layout as lo
from .compose import Part
from .grids import table_grid

if TYPE_CHECKING:
    from .charts import Chart

_ORDINALS = "一二三四五六七八九十"
SECTIONS = ("汇总数据", "各机关排名", "数据校验", "统计图表", "未计入汇总的报告")
TOP_N = 20  # agencies in the rankings table and the bar chart
AGENCY_ROWS = 50  # agencies listed with their findings (most errors first)
NAMES_LISTED = 30  # up to this many agencies, the scope and 全部通过 name them all
# Up to this many agencies every one's rank is listed too; a province's thousands are not (at
# 7,000 that table alone made a 9 MB PDF and 3 s of layout): the top TOP_N and the spread
# stand for them, each agency's figures are in the data (`YearSummary.figures`, export).
RANKS_LISTED = 200


# A build's workers keep the summary's charts here (`batch/summaries.py` sets it): a chart asked
# for with the same arguments of the same code and fonts is read back, not drawn again (≈ 0.25
# CPU-s a chart at 700 agencies; after one edit most of a year's charts are unchanged). None:
# every chart is drawn (`render`, the notebook run by hand).
CHART_CACHE: Path | None = None


def heading(n: int) -> str:
    """The n-th (1-based) top-level heading of the summary: 一、汇总数据 …"""
    return f"{_ORDINALS[n - 1]}、{SECTIONS[n - 1]}"


def _section(n: int, blocks: list[lo.Block], cls: str = "section") -> lo.Section:
    key = f"summary-{n}"
    head = lo.Heading(heading(n), level=1, id=f"heading-{key}")
    return lo.Section(id=key, cls=cls, blocks=[head, *blocks])


def _number(name: str, value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    if name == RATE:
        return f"{float(value) * 100:.1f}%"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _data_table(
    key: str, caption: str, head: Sequence[str], rows: list[list[str]], widths: Sequence[float]
) -> lo.Table:
    """A data table: one heading row, the first column names the row (an agency, a rule)."""
    header = [
        lo.Cell(h, header=True, cls="col", scope="col", id=f"{key}-{i}") for i, h in enumerate(head)
    ]
    grid = [header]
    for n, row in enumerate(rows):
        first = lo.Cell(
            row[0],
            header=True,
            scope="row",
            align="left",
            cls="row-head",
            id=f"{key}-r{n}",
            headers=(f"{key}-0",),
        )
        grid.append(
            [first]
            + [
                lo.Cell(
                    text,
                    headers=(f"{key}-{i}", f"{key}-r{n}"),
                    cls="num" if widths[i] else "",
                    align="center" if widths[i] else "left",
                )
                for i, text in enumerate(row[1:], 1)
            ]
        )
    return lo.Table(
        key=key, caption=caption, rows=grid, widths=tuple(widths), header_rows=1, style="data"
    )


# --- title and scope -----------------------------------------------------------------------


def header(s: YearSummary) -> Part:
    """Title and scope of the summary (the years its trend covers, when more than one)."""
    n = len(s.figures)
    names = f"：{'、'.join(s.names)}" if n <= NAMES_LISTED else ""
    years = s.years
    trend = f"历年趋势涵盖 {years[0]}—{years[-1]}年。" if len(years) > 1 else ""
    text = (
        f"本汇总涵盖 {n} 个机关 {s.year} 年度政府信息公开工作年度报告{names}。"
        f"所列统计数据时间范围为{s.year}年1月1日至{s.year}年12月31日，为各机关报告数据之和。"
        f"{trend}{left_out_note(s)}"
    )
    meta = {"title": s.title, "year": s.year, "agency": ""}
    return Part([lo.Title((s.title,)), lo.Para(text, "body")], meta, s.title)


# --- 一、汇总数据 ---------------------------------------------------------------------------


def totals_section(s: YearSummary) -> Part:
    """一、汇总数据: the summed report in the official table layout, （一）（二）（三）."""
    blocks: list[lo.Block] = []
    for n, table in enumerate(fmt.TABLES):
        title = f"（{_ORDINALS[n]}）{fmt.section(table.section).title}"
        blocks += [lo.Heading(title, level=2), table_grid(table, s.total)]
    return Part([_section(1, blocks)], text=SECTIONS[0])


# --- 二、各机关排名 -------------------------------------------------------------------------


def rankings_table(
    figures: pd.DataFrame,
    top: int = TOP_N,
    key: str = "rankings",
    caption: str = "各机关主要数据及排名",
) -> lo.Table:
    """The first `top` agencies (in `figures`' order) with each RANKED figure and its rank."""
    rows = []
    for record in figures.head(top).to_dict("records"):
        cells = [str(record["agency"])]
        for name in RANKED:
            rank = record.get(f"{name}排名")
            rank_text = "" if rank is None or pd.isna(rank) else f"（{int(rank)}）"
            cells.append(_number(name, record[name]) + rank_text)
        rows.append(cells)
    return _data_table(key, caption, ["机关", *RANKED], rows, [0.0, *([7.0] * len(RANKED))])


def spread_table(figures: pd.DataFrame) -> lo.Table:
    """Per RANKED figure: agencies reporting it, sum, mean, P25, median, P75, highest, lowest."""
    frame = distribution(figures)
    head = list(frame.columns)
    rows = [
        [str(r["指标"]), str(r["机关数"]), *(_number(r["指标"], r[c]) for c in head[2:])]
        for r in frame.to_dict("records")
    ]
    return _data_table("spread", "各项指标的分布", head, rows, [0.0, *([4.0] * (len(head) - 1))])


def rankings_section(s: YearSummary, top: int = TOP_N, listed: int = RANKS_LISTED) -> Part:
    """二、各机关排名: the top agencies with ranks, then how each figure spreads; every
    agency's rank when there are more than `top` and at most `listed`."""
    n = len(s.figures)
    shown = (
        f"下表列出本年新收申请数最多的 {top} 个机关（共 {n} 个）"
        if n > top
        else "下表按本年新收申请数排序"
    )
    blocks: list[lo.Block] = [
        lo.Para(
            f"{shown}；括号内为名次（1 为最高）。予以公开率 = 予以公开 ÷ 办理结果总计。", "plain"
        ),
        rankings_table(s.figures, top),
        lo.Para("各项指标在全部机关中的分布（P25、P75 为四分位数）：", "plain"),
        spread_table(s.figures),
    ]
    if top < n <= listed:  # every agency's rank, not only the first `top`
        by_name = s.figures.sort_values("agency", key=lambda a: a.map(agency_order(a)))
        everyone = rankings_table(by_name, n, "ranks-all", "全部机关的名次（按机关名称）")
        blocks += [lo.Para("全部机关的主要数据及名次：", "plain"), everyone]
    elif n > listed:
        blocks.append(
            lo.Para(
                f"{n} 个机关的名次不逐一列出：各机关的数据见其年度报告，"
                "或导出汇总数据（disclosure export）。",
                "plain",
            )
        )
    return Part([_section(2, blocks)], text=f"排名：{n} 个机关")


# --- 三、数据校验 ---------------------------------------------------------------------------


def checks_section(s: YearSummary, rows: int = AGENCY_ROWS) -> Part:
    """三、数据校验: how many agencies pass, each rule broken (its Chinese description, the code
    beside it) and the agencies with findings, most errors first."""
    n = len(s.figures) + s.with_errors  # every report checked, counted or not
    blocks: list[lo.Block] = []
    if s.findings.empty:
        blocks.append(lo.Para(f"{n} 个机关的报告全部通过数据校验。", "pass"))
        return Part([_section(3, blocks, "section summary-checks")], text="数据校验：全部通过")
    counts = s.severity_counts()
    blocks.append(
        lo.Para(
            f"{n} 个机关中，{counts['错误']} 个机关的报告有错误，{counts['警告']} 个仅有警告，"
            f"{counts['通过']} 个全部通过。",
            "fail",
        )
    )
    rule_rows = [
        [
            str(r["rule"]),
            SEVERITY_LABEL.get(r["severity"], r["severity"]),
            str(r["agencies"]),
            str(r["findings"]),
            str(r["code"]),
        ]
        for r in s.rules.to_dict("records")
    ]
    blocks.append(
        _data_table(
            "rules",
            "各规则校验结果",
            ["规则", "级别", "机关数", "条数", "代码"],
            rule_rows,
            [0.0, 2.6, 3.6, 2.6, 16.0],  # the longest code on one line (宋 or Fandol)
        )
    )
    agencies = s.agencies.head(rows)
    agency_rows = [
        [str(r["agency"]), str(r["errors"]), str(r["warnings"]), "；".join(r["rules"])]
        for r in agencies.to_dict("records")
    ]
    blocks.append(
        _data_table(
            "findings",
            "各机关校验结果",
            ["机关", "错误", "警告", "涉及规则"],
            agency_rows,
            [10.0, 2.6, 2.6, 0.0],
        )
    )
    rest = len(s.agencies) - len(agencies)
    if rest:
        blocks.append(lo.Para(f"另有 {rest} 个机关有校验结果，见各自报告的数据校验。", "plain"))
    clean = sorted(set(s.figures["agency"]) - set(s.agencies["agency"]), key=agency_key)
    if clean and len(clean) <= NAMES_LISTED:
        blocks.append(lo.Para(f"全部通过：{'、'.join(clean)}。", "plain"))
    return Part(
        [_section(3, blocks, "section summary-checks")], text=f"数据校验：{len(s.findings)} 条"
    )


# --- 四、统计图表 ---------------------------------------------------------------------------


def summary_charts(s: YearSummary, top: int = TOP_N) -> list[Chart]:
    """本年新收 of the top agencies, the spread of 予以公开率, the totals year by year."""
    from . import charts

    year, figures = s.year, s.figures
    new = figures.dropna(subset=["本年新收"]).head(top)
    scope = f"前 {top} 位" if len(figures) > top else "各"
    out = [
        _cached(
            charts.top_bars,
            "summary-new",
            f"{year}年本年新收政府信息公开申请数量（{scope}机关）",
            list(zip(new["agency"], new["本年新收"], strict=True)),
            "件",
            empty="本年度无本年新收数据。",
        ),
        _cached(
            charts.histogram,
            "summary-rate",
            f"{year}年各机关予以公开率分布",
            list(figures[RATE] * 100),
            "%",
            empty="本年度无予以公开率数据（各机关均无办理结果）。",
        ),
    ]
    years = s.years
    if len(years) < 2:
        out.append(
            charts.Chart(
                "summary-trend",
                "历年汇总趋势",
                "",
                empty_message="仅有一个年度的数据，无历年趋势。",
            )
        )
        return out
    names = ("本年新收", "予以公开", "行政复议", "行政诉讼")
    series = {name: [0.0 if pd.isna(v) else float(v) for v in s.trend[name]] for name in names}
    title = f"{years[0]}—{years[-1]}年各机关合计：申请、公开、复议与诉讼数量"
    alt = "；".join(
        f"{name}：" + "，".join(f"{y}年 {v:g}" for y, v in zip(years, values, strict=True))
        for name, values in series.items()
    )
    out.append(_cached(charts.lines_chart, "summary-trend", title, alt, years, series))
    return out


def _cached(draw: Callable[..., Chart], *args: Any, **kwargs: Any) -> Chart:
    """`draw(*args, **kwargs)`, or the chart it gave before for the same arguments (see
    `CHART_CACHE`); a cache that cannot be read or written only costs the drawing."""
    from .charts import Chart

    if CHART_CACHE is None:
        return draw(*args, **kwargs)
    call = pickle.dumps((draw.__name__, args, sorted(kwargs.items()), _chart_code()), protocol=4)
    path = CHART_CACHE / f"{hashlib.sha256(call).hexdigest()}.json"
    try:
        kept = json.loads(path.read_bytes())
        png = base64.b64decode(kept.pop("png")) if kept.get("png") else None
        return Chart(**kept, png=png)
    except (OSError, ValueError, TypeError, KeyError):
        pass
    chart = draw(*args, **kwargs)
    kept = {"key": chart.key, "title": chart.title, "alt": chart.alt,
            "empty_message": chart.empty_message,
            "png": base64.b64encode(chart.png).decode() if chart.png else ""}  # fmt: skip
    with contextlib.suppress(DisclosureError):  # a full disk: drawn again next time
        write_atomic(path, json.dumps(kept, ensure_ascii=False), parents=True)
    return chart


@functools.cache
def _chart_code() -> str:
    """What a chart's pixels depend on besides its arguments: this code, the charts', the
    matplotlib version and the CJK font it found."""
    import matplotlib

    from . import charts
    from .fonts import matplotlib_cjk_family

    code = Path(charts.__file__ or "").read_bytes() + Path(__file__).read_bytes()
    return f"{hashlib.sha256(code).hexdigest()} {matplotlib.__version__} {matplotlib_cjk_family()}"


def charts_section(s: YearSummary, charts: Sequence[Chart] | None = None) -> Part:
    """四、统计图表: each chart numbered 图1…, or the sentence saying why there is nothing."""
    from .compose import figure

    drawn = summary_charts(s) if charts is None else list(charts)
    figures: list[lo.Block] = []
    for n, chart in enumerate(drawn, 1):
        block = figure(chart)
        block.title = f"图{n}　{chart.title}"
        figures.append(block)
    return Part([_section(4, figures, "section summary-charts")], text=f"统计图表：{len(drawn)} 幅")


# --- 五、未计入汇总的报告 -------------------------------------------------------------------


def left_out_note(s: YearSummary) -> str:
    """The scope's sentence on the reports not counted, or "" when every report is."""
    if s.left_out.empty:
        return ""
    missing = len(s.left_out) - s.with_errors
    counts = ((s.with_errors, f"{s.with_errors} 份校验未通过"), (missing, f"{missing} 份未生成"))
    why = "，".join(text for n, text in counts if n)
    return f"另有 {len(s.left_out)} 份报告未计入汇总（{why}），见{heading(5)}。"


def left_out_section(s: YearSummary) -> Part:
    """五、未计入汇总的报告: agency, year, check errors and why, in name order; a Part without
    blocks when every report of the year is counted."""
    from ..summary import LEFT_OUT_MISSING

    if s.left_out.empty:
        return Part([], text="")
    rows = [
        [str(r["agency"]), f"{int(r['year'])}年",
         str(r["errors"]) if r["reason"] != LEFT_OUT_MISSING else "—", str(r["reason"])]
        for r in s.left_out.to_dict("records")
    ]  # fmt: skip
    blocks: list[lo.Block] = [
        lo.Para(
            "以下报告未计入本汇总的合计、排名和分布：校验未通过的报告须更正后重新生成；"
            "未生成的报告生成失败，见生成结果。",
            "plain",
        ),
        _data_table(
            "left-out",
            "未计入汇总的报告",
            ["机关", "年度", "错误数", "原因"],
            rows,
            [0.0, 4.0, 3.6, 6.0],
        ),
    ]
    return Part([_section(5, blocks, "section summary-left-out")],
                text=f"未计入汇总：{len(rows)} 份")  # fmt: skip


def summary_parts(s: YearSummary) -> list[Part]:
    """Every part of the summary, in order (what the notebook displays, cell by cell); the
    last, 五、未计入汇总的报告, has no blocks when every report is counted."""
    return [header(s), totals_section(s), rankings_section(s), checks_section(s),
            charts_section(s), left_out_section(s)]  # fmt: skip
