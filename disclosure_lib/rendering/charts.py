"""Charts for a report: static PNGs with Chinese labels, drawn with matplotlib (no pyplot).

Each chart function returns a `Chart`. When there is nothing to draw (an all-zero report)
the chart carries a sentence such as 本年度未新收政府信息公开申请 instead of an empty box.
Labels come from `disclosure_lib.format`. A character the font cannot show raises
`fonts.FontError` instead of being drawn as a box.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .. import format as fmt
from ..model import Report
from . import fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 144
WIDTH_IN = 6.6
PALETTE = ("#2f5d8a", "#c0504d", "#6f9a3c", "#8064a2", "#d08a2c", "#4b9fb0", "#7f7f7f")

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_TAIL_NOTE = re.compile(r"（[^（）]*）$")


@dataclass(frozen=True)
class Chart:
    """One chart: a PNG, or a sentence saying why there is nothing to draw."""

    key: str
    title: str
    alt: str
    png: bytes | None = None
    empty_message: str | None = None

    @property
    def data_uri(self) -> str:
        if self.png is None:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def short_label(label: str, *, keep_ordinal: bool = False) -> str:
    """A row label for a chart: without a trailing （…） note and, unless asked, the ordinal."""
    text = label if keep_ordinal else _ORDINAL.sub("", label)
    note = _TAIL_NOTE.search(text)
    if note and note.start() > 0:  # a note after the label, not the （一） ordinal itself
        text = text[: note.start()]
    return text


def _num(value: int | Decimal | None) -> float:
    return 0.0 if value is None else float(value)


def _fmt_value(value: float) -> str:
    return f"{value:g}"


def _count_alt(values: Sequence[tuple[str, float]]) -> str:
    """Alt text of a one-series chart of counts: 标签 N 件；…"""
    return "；".join(f"{label} {_fmt_value(v)} 件" for label, v in values)


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib settings for one chart, scoped so nothing leaks into the caller's plots."""
    import matplotlib

    family = fonts.matplotlib_cjk_family()
    rc: dict[str, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "font.size": 9,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titley": 1.0,  # a fixed title position: no tick-label overlap search per draw
        "svg.hashsalt": "disclosure_lib",
        # agency names and labels are text, never mathtext: "$x^$" must print as typed
        "text.parse_math": False,
    }
    with matplotlib.rc_context(rc), fonts.no_missing_glyphs():  # type: ignore[arg-type]
        yield


def _figure(
    height: float, ncols: int = 1, *, left: float = 0.6, top: float = 0.35, bottom: float = 0.45
) -> tuple[Figure, list[Axes]]:
    """A figure with fixed margins (in inches): the labels are known in advance, and an
    automatic layout engine would double the drawing time."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.subplots_adjust(
        left=left / WIDTH_IN,
        right=1 - 0.15 / WIDTH_IN,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=0.25,
    )
    return fig, list(axes)


def _png(fig: Figure) -> bytes:
    """The figure as an opaque RGB PNG: no alpha channel (the background is white anyway), so
    the file is smaller and the PDF writer has one channel less to re-encode. No metadata:
    identical input gives identical bytes across matplotlib builds."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    # zlib level 1: as small as the default level 6 for these flat charts, 40 % faster
    image.convert("RGB").save(buf, format="PNG", dpi=(DPI, DPI), compress_level=1)
    return buf.getvalue()


def _integer_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(integer=True)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(locator)


def _draw(key: str, title: str, alt: str, draw: Callable[[], Figure]) -> Chart:
    with _style():
        fig = draw()
        png = _png(fig)
    return Chart(key=key, title=title, alt=alt, png=png)


# --- 三: outcomes and applicants ------------------------------------------------------------


def outcome_values(report: Report) -> list[tuple[str, float]]:
    """(label, figure) per outcome category of 三（一）–（六）, column 总计; headings summed."""
    table = fmt.APPLICATIONS
    out: list[tuple[str, float]] = []
    for row in table.children("outcome"):
        if row.key == "total":
            continue
        keys = [row.key] if row.figures else [r.key for r in table.children(row.key)]
        value = sum(_num(report.get(table.key, k, "total")) for k in keys)
        out.append((short_label(row.label, keep_ordinal=True), value))
    return out


def outcome_chart(report: Report) -> Chart:
    values = outcome_values(report)
    title = f"{report.year}年政府信息公开申请办理结果"
    alt = _count_alt(values)
    if not any(v for _, v in values):
        return Chart("outcome", title, alt, empty_message="本年度无政府信息公开申请办理结果。")

    def draw() -> Figure:
        fig, (ax,) = _figure(0.42 * len(values) + 0.9, left=1.05)
        labels = [label for label, _ in values]
        bars = ax.barh(labels, [v for _, v in values], color=PALETTE[0])
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[_fmt_value(v) for _, v in values], padding=3)
        _integer_axis(ax, "x")
        ax.set_xlabel("件数（总计）")
        ax.set_title(title)
        return fig

    return _draw("outcome", title, alt, draw)


def applicant_values(report: Report) -> list[tuple[str, float]]:
    """(column label, 本年新收 figure) per applicant type, without 总计."""
    table = fmt.APPLICATIONS
    return [
        (col.label, _num(report.get(table.key, "new", col.key)))
        for col in table.columns
        if col.key != "total"
    ]


def applicant_chart(report: Report) -> Chart:
    values = applicant_values(report)
    title = f"{report.year}年新收政府信息公开申请的申请人类型"
    alt = _count_alt(values)
    if not any(v for _, v in values):
        return Chart("applicants", title, alt, empty_message="本年度未新收政府信息公开申请。")

    def draw() -> Figure:
        fig, (ax,) = _figure(2.8)
        table = fmt.APPLICATIONS
        colors = [
            PALETTE[1] if table.column(c.key).group == fmt.LEGAL_PERSONS else PALETTE[0]
            for c in table.columns
            if c.key != "total"
        ]
        bars = ax.bar([label for label, _ in values], [v for _, v in values], color=colors)
        ax.bar_label(bars, labels=[_fmt_value(v) for _, v in values], padding=2)
        _integer_axis(ax)
        ax.set_ylabel("件数")
        ax.set_title(title)
        ax.text(
            0.99,
            0.97,
            f"蓝：{fmt.APPLICATIONS.column('natural').label}　红：{fmt.LEGAL_PERSONS}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
        )
        return fig

    return _draw("applicants", title, alt, draw)


# --- year-over-year trend --------------------------------------------------------------------


def trend_series(reports: Sequence[Report]) -> dict[str, list[tuple[int, float]]]:
    """Per series label, (year, figure) for 本年新收, 予以公开, 行政复议, 行政诉讼 (both kinds)."""
    apps, review = fmt.APPLICATIONS, fmt.REVIEW
    litigation = [r.key for r in review.rows if r.group == fmt.REVIEW_GROUP_LITIGATION]
    series: dict[str, Callable[[Report], float]] = {
        short_label(apps.row("new").label): lambda r: _num(r.get(apps.key, "new", "total")),
        short_label(apps.row("disclosed").label): lambda r: _num(
            r.get(apps.key, "disclosed", "total")
        ),
        review.row("reconsideration").label: lambda r: _num(
            r.get(review.key, "reconsideration", "total")
        ),
        fmt.REVIEW_GROUP_LITIGATION: lambda r: sum(
            _num(r.get(review.key, k, "total")) for k in litigation
        ),
    }
    ordered = sorted(reports, key=lambda r: r.year)
    return {name: [(r.year, get(r)) for r in ordered] for name, get in series.items()}


def trend_chart(report: Report, history: Sequence[Report]) -> Chart | None:
    """Trend over `history` (earlier years of the same agency) and `report`; None if no history."""
    earlier = [r for r in history if r.agency == report.agency and r.year < report.year]
    if not earlier:
        return None
    series = trend_series([*earlier, report])
    years = [y for y, _ in next(iter(series.values()))]
    title = f"{years[0]}—{years[-1]}年申请、公开、复议与诉讼数量"
    alt = "；".join(
        f"{name}：" + "，".join(f"{y}年 {_fmt_value(v)}" for y, v in points)
        for name, points in series.items()
    )
    if not any(v for points in series.values() for _, v in points):
        return Chart(
            "trend", title, alt, empty_message="历年均无政府信息公开申请及行政复议、行政诉讼。"
        )
    return lines_chart(
        "trend", title, alt, years, {k: [v for _, v in p] for k, p in series.items()}
    )


def lines_chart(
    key: str, title: str, alt: str, years: Sequence[int], series: Mapping[str, Sequence[float]]
) -> Chart:
    """One line per series over `years` (a report's trend, the summary's totals)."""

    def draw() -> Figure:
        fig, (ax,) = _figure(3.0, bottom=0.7)
        for i, (name, values) in enumerate(series.items()):
            ax.plot(list(years), list(values), marker="o", color=PALETTE[i], label=name)
        ax.set_xticks(list(years), [f"{y}年" for y in years])
        ax.set_xmargin(0.08)
        ax.set_ylim(bottom=0)
        ax.margins(y=0.15)
        _integer_axis(ax)
        ax.set_ylabel("件数")
        ax.set_title(title)
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8, ncols=4
        )
        return fig

    return _draw(key, title, alt, draw)


# --- 二: proactive disclosure ----------------------------------------------------------------


def proactive_chart(report: Report) -> Chart | None:
    """二 as bars; None for 2019-format reports, whose 二 columns differ."""
    if report.format == "2019":
        return None
    table = fmt.PROACTIVE
    (item1, docs, doc_cols), *decision_items, (_fee_item, fee_rows, fee_cols) = (
        fmt.proactive_items()
    )
    decision_rows = [row for _item, rows, _cols in decision_items for row in rows]
    decision_col = decision_items[0][2][0]
    doc_values = {
        (row.key, col.key): _num(report.get(table.key, row.key, col.key))
        for row in docs
        for col in doc_cols
    }
    decisions = [
        (row.label, _num(report.get(table.key, row.key, decision_col.key))) for row in decision_rows
    ]
    fee_row, fee_col = fee_rows[0], fee_cols[0]
    fee = report.get(table.key, fee_row.key, fee_col.key)
    fee_text = f"{fee_row.label}：{'—' if fee is None else _fmt_value(float(fee))} 万元"
    title = f"{report.year}年主动公开政府信息情况"
    alt = "；".join(
        [
            *(
                f"{row.label}{col.label} {_fmt_value(doc_values[(row.key, col.key)])}"
                for row in docs
                for col in doc_cols
            ),
            *(f"{label}{decision_col.label} {_fmt_value(v)}" for label, v in decisions),
            fee_text,
        ]
    )
    if not any(doc_values.values()) and not any(v for _, v in decisions) and not _num(fee):
        return Chart(
            "proactive",
            title,
            alt,
            empty_message=(
                "本年度无规章、行政规范性文件制发废止及行政许可、处罚、强制、收费等数字（均为 0）。"
            ),
        )

    def draw() -> Figure:
        fig, (left, right) = _figure(3.2, ncols=2, left=0.4, top=0.6, bottom=0.65)
        width = 0.8 / len(doc_cols)
        for i, col in enumerate(doc_cols):
            xs = [j + (i - (len(doc_cols) - 1) / 2) * width for j in range(len(docs))]
            bars = left.bar(
                xs,
                [doc_values[(row.key, col.key)] for row in docs],
                width=width,
                color=PALETTE[i],
                label=col.label,
            )
            left.bar_label(bars, fmt="%g", padding=1, fontsize=7)
        left.set_xticks(range(len(docs)), [row.label for row in docs])
        left.set_title(item1, fontsize=9)
        left.legend(
            frameon=False,
            fontsize=7,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=len(doc_cols),
        )
        bars = right.bar(
            [label for label, _ in decisions], [v for _, v in decisions], color=PALETTE[3]
        )
        right.bar_label(bars, fmt="%g", padding=1, fontsize=7)
        right.set_title(decision_col.label, fontsize=9)
        for ax in (left, right):
            _integer_axis(ax)
            ax.margins(y=0.3)
        fig.suptitle(f"{title}（{fee_text}）", fontsize=10, y=0.97)
        return fig

    return _draw("proactive", title, alt, draw)


def report_charts(report: Report, history: Sequence[Report] = ()) -> list[Chart]:
    """All charts for `report`, in the order they are shown."""
    drawn = [
        outcome_chart(report),
        applicant_chart(report),
        trend_chart(report, history),
        proactive_chart(report),
    ]
    return [chart for chart in drawn if chart is not None]


# --- across agencies (the yearly summary): top N and distributions, never a bar per agency -----

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def chart_text(text: str) -> str:
    """`text` for a chart: control characters (refused in names at load; this is for reports
    made in code) shown as escapes, not as missing glyphs."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _value_text(value: float, unit: str) -> str:
    return f"{value:.1f}%" if unit == "%" else f"{value:g} {unit}"


def top_bars(
    key: str, title: str, values: Sequence[tuple[str, float]], unit: str, *, empty: str
) -> Chart:
    """`values` (label, figure), already the top N in order, as horizontal bars, the first on
    top; `empty` when there is nothing to draw."""
    shown = [(chart_text(label), v) for label, v in values]
    alt = "；".join(f"{label} {_value_text(v, unit)}" for label, v in shown)
    if not any(v for _, v in shown):
        return Chart(key, title, alt, empty_message=empty)

    def draw() -> Figure:
        fig, (ax,) = _figure(0.9 + 0.3 * len(shown), left=2.2, bottom=0.5)
        bars = ax.barh([label for label, _ in shown], [v for _, v in shown], color=PALETTE[0])
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[" " + _value_text(v, unit) for _, v in shown], fontsize=8)
        ax.set_xlabel("百分比（%）" if unit == "%" else f"数量（{unit}）")
        ax.set_xlim(0, max(v for _, v in shown) * 1.18 or 1)
        if unit != "%":
            _integer_axis(ax, "x")
        ax.set_title(title)
        return fig

    return _draw(key, title, alt, draw)


def histogram(
    key: str, title: str, values: Sequence[float], unit: str, *, bins: int = 10, empty: str
) -> Chart:
    """How many agencies fall in each of `bins` equal ranges of `values` (percent: 0–100)."""
    import numpy as np

    data = np.asarray([v for v in values if v == v], dtype="float64")
    if not len(data):
        return Chart(key, title, "", empty_message=empty)
    limits = (0.0, 100.0) if unit == "%" else (0.0, max(float(data.max()), 1.0))
    counts, edges = np.histogram(data, bins=bins, range=limits)
    ranges = [f"{_fmt_value(round(a, 1))}–{_fmt_value(round(b, 1))}" for a, b in pairwise(edges)]
    suffix = "%" if unit == "%" else f" {unit}"
    alt = "；".join(f"{r}{suffix} {int(n)} 个机关" for r, n in zip(ranges, counts, strict=True))

    def draw() -> Figure:
        fig, (ax,) = _figure(2.8, bottom=0.55)
        ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=PALETTE[0],
               edgecolor="white")  # fmt: skip
        _integer_axis(ax)
        ax.set_xlabel("百分比（%）" if unit == "%" else f"数量（{unit}）")
        ax.set_ylabel("机关数")
        ax.set_title(title)
        return fig

    return _draw(key, title, alt, draw)
