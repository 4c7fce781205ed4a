"""Year-over-year and peer checks (warnings, never errors): what an office asks about before
publishing — a key figure that jumps, 现行有效件数 halved, a 纠正 share far above its peers'.

Codes (listed in checks.py's docstring): Y1-JUMP, Y2-IN-FORCE-DROP, Y3-CORRECTED-SHARE.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from . import format as fmt
from .findings import Finding, column_label, make_finding, row_label, table_label
from .formats import as_current
from .model import Report

JUMP_FACTOR = 3  # a jump: at least this many times last year's figure…
JUMP_MIN = 20  # …and at least this many more
DROP_SHARE = 0.5  # 现行有效件数 below this share of last year's…
DROP_MIN = 5  # …and at least this many fewer (3 → 1 is no clean-up to ask about)
MIN_PEERS = 4  # a year's P75 needs at least this many agencies with cases
MIN_CASES = 5  # an agency's share is judged from this many cases on (1 of 1 says little)

_APP, _PRO, _REV = fmt.APPLICATIONS, fmt.PROACTIVE, fmt.REVIEW
LITIGATION = tuple(r.key for r in _REV.rows if r.group == fmt.REVIEW_GROUP_LITIGATION)
# The key figures (the summary's rankings and trends, the jumps watched here): name -> the
# cells summed (table, row, column). summary.KEY_FIGURES is this.
KEY_FIGURES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "本年新收": ((_APP.key, "new", "total"),),
    "办理总计": ((_APP.key, "total", "total"),),
    "予以公开": ((_APP.key, "disclosed", "total"),),
    "行政复议": ((_REV.key, "reconsideration", "total"),),
    "行政诉讼": tuple((_REV.key, r, "total") for r in LITIGATION),
    "复议诉讼纠正": tuple((_REV.key, r.key, "corrected") for r in _REV.rows),
}
IN_FORCE_ROWS = ("regulations", "normative_documents")
REVIEW_KINDS = {"行政复议": ("reconsideration",), "行政诉讼": LITIGATION}


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _cell_name(table: fmt.Table, row: str, column: str) -> str:
    return f"“{row_label(table, row)} › {column_label(table, column)}”"


def _cells_name(cells: tuple[tuple[str, str, str], ...]) -> str:
    return "、".join(_cell_name(fmt.table(t), row, col) for t, row, col in cells)


def _figure(report: Report, cells: tuple[tuple[str, str, str], ...]) -> int | None:
    values = [_whole(report.get(*c)) for c in cells]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def key_figures(report: Report) -> dict[str, int | None]:
    """Each of KEY_FIGURES for `report` (in the 2021 cells; None where a cell is blank)."""
    current = as_current(report)
    return {name: _figure(current, cells) for name, cells in KEY_FIGURES.items()}


def check_trend(report: Report, previous: Report) -> list[Finding]:
    """Y1-JUMP and Y2-IN-FORCE-DROP against the same agency's report of the year before."""
    now_r, before_r = as_current(report), as_current(previous)
    out: list[Finding] = []
    for name, cells in KEY_FIGURES.items():
        now, before = _figure(now_r, cells), _figure(before_r, cells)
        if now is None or before is None:
            continue
        if now >= JUMP_FACTOR * before and now - before >= JUMP_MIN:
            times = f"{now / before:.1f} 倍" if before else "由 0 起"
            where = _cells_name(cells) + ("之和" if len(cells) > 1 else "")
            out.append(
                make_finding(
                    report,
                    "Y1-JUMP",
                    "warning",
                    cells,
                    f"< {JUMP_FACTOR} × {before}",
                    now,
                    f"{name}：{report.year}年{where}为 {now}，{previous.year}年同一单元格为 "
                    f"{before}（{times}，增加 {now - before}）：请核实数字，或在正文说明原因",
                    row=name if len(cells) > 1 else "",
                )
            )
    for row in IN_FORCE_ROWS:
        now = _whole(now_r.get(_PRO.key, row, "in_force"))
        before = _whole(before_r.get(_PRO.key, row, "in_force"))
        if now is None or not before or now >= DROP_SHARE * before or before - now < DROP_MIN:
            continue
        out.append(
            make_finding(
                report,
                "Y2-IN-FORCE-DROP",
                "warning",
                ((_PRO.key, row, "in_force"),),
                f"≥ {DROP_SHARE:.0%} × {before}",
                now,
                f"{report.year}年{_cell_name(_PRO, row, 'in_force')}为 {now} 件，"
                f"{previous.year}年同一单元格为 {before} 件，减少过半："
                "如为集中清理，请在正文说明",
            )
        )
    return out


def corrected_shares(report: Report) -> dict[str, tuple[int, int]]:
    """行政复议 and 行政诉讼: (结果纠正, 总计) where both are whole and the total > 0."""
    r = as_current(report)
    out: dict[str, tuple[int, int]] = {}
    for kind, rows in REVIEW_KINDS.items():
        corrected = [_whole(r.get(_REV.key, row, "corrected")) for row in rows]
        total = [_whole(r.get(_REV.key, row, "total")) for row in rows]
        if any(v is None for v in (*corrected, *total)):
            continue
        n = sum(v for v in total if v is not None)
        if n > 0:
            out[kind] = (sum(v for v in corrected if v is not None), n)
    return out


def p75(values: list[float]) -> float:
    """The 75th percentile (linear interpolation between order statistics, as pandas)."""
    return statistics.quantiles(values, n=4, method="inclusive")[2]


def check_peers(reports: Iterable[Report]) -> list[Finding]:
    """Y3-CORRECTED-SHARE: a 行政复议/诉讼 纠正 share above the year's P75 among peers (the
    agencies of that year with cases; at least MIN_PEERS of them)."""
    return peer_findings((r, corrected_shares(r)) for r in reports)


Shares = dict[str, tuple[int, int]]


def peer_findings(rows: Iterable[tuple[Report, Shares]]) -> list[Finding]:
    """`check_peers` from each report's `corrected_shares`, kept beside it (the collection
    cache keeps them): the shares of a year compared in one array, a finding made only for
    the reports above the P75 (`report` needs only agency, year, formats, source, the review
    table's lines and `acknowledged`)."""
    import numpy as np  # here: `disclosure check` alone need not load it

    by_year: dict[int, list[tuple[Report, Shares]]] = {}
    for r, s in rows:
        by_year.setdefault(r.year, []).append((r, s))
    out: list[Finding] = []
    for group in by_year.values():
        for kind, review_rows in REVIEW_KINDS.items():
            have = [(r, s[kind]) for r, s in group if kind in s]
            if len(have) < MIN_PEERS:
                continue
            pairs = np.array([pair for _, pair in have], dtype="int64").reshape(-1, 2)
            shares = pairs[:, 0] / pairs[:, 1]
            limit = p75(shares.tolist())
            above = np.flatnonzero((pairs[:, 1] >= MIN_CASES) & (shares > limit))
            cells = tuple((_REV.key, row, "corrected") for row in review_rows)
            for i in above.tolist():
                r, (corrected, total) = have[i]
                out.append(_peer_finding(r, kind, cells, corrected, total, limit, len(have)))
    return out


def _peer_finding(
    r: Report,
    kind: str,
    cells: tuple[tuple[str, str, str], ...],
    corrected: int,
    total: int,
    limit: float,
    peers: int,
) -> Finding:
    return make_finding(
        r,
        "Y3-CORRECTED-SHARE",
        "warning",
        cells,
        f"≤ {limit:.0%}",
        f"{corrected / total:.0%}",
        f"{kind}结果纠正 {corrected} 件，占{kind}总计 {total} 件的 "
        f"{corrected / total:.0%}，高于{r.year}年 {peers} 个机关的 P75"
        f"（{limit:.0%}）：请核实“{table_label(_REV)}”",
        row=kind,
        column=column_label(_REV, "corrected"),
    )
