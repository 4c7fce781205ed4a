"""The year's summary across agencies as plain data: totals, key figures, rankings, findings.

Everything is computed from one wide frame (`cell_frame`: a row per report, a column per
official cell, reports kept in the 2019 format seen in the current cells via
`formats.as_current`), with column-wise pandas operations: no per-agency loop beyond reading
each report's cells once. `year_summary` gathers what the summary document shows
(`rendering/summary.py` lays it out); `key_figures`, `rankings`, `yearly_totals`,
`findings_frame` and `check_matrix` are also what `explore.ipynb` tabulates.

At thousands of agencies the checks are most of the time (rules run report by report, the
narrative parsed): `year_findings` checks only the year's reports, and `year_summary` takes
findings a caller already has.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from . import checks_trend
from . import format as fmt
from .errors import RenderError
from .findings import RULE_TEXT, SEVERITY_LABEL, Finding
from .formats import as_current
from .model import Report
from .names import agency_key, agency_order

# Every official cell of the current format, in official order: the columns of `cell_frame`.
CELLS: tuple[tuple[str, str, str], ...] = tuple(
    (t.key, row, col) for t in fmt.TABLES for row, col in t.cells()
)
_AMOUNTS = tuple(i for i, (t, row, col) in enumerate(CELLS) if fmt.table(t).is_amount(row, col))

# The figures rankings and trends use: name -> the cells summed (table, row, column).
_APP, _REV = fmt.APPLICATIONS.key, fmt.REVIEW.key
_LITIGATION = tuple(r.key for r in fmt.REVIEW.rows if r.group == fmt.REVIEW_GROUP_LITIGATION)
KEY_FIGURES = checks_trend.KEY_FIGURES
KEY_CELLS = tuple(dict.fromkeys(c for keys in KEY_FIGURES.values() for c in keys))
RATE = "予以公开率"  # 予以公开 ÷ 办理总计 (0–1)
RANKED = ("本年新收", RATE, "行政复议", "行政诉讼", "复议诉讼纠正")
FIGURE_COLUMNS = ["agency", "year", *KEY_FIGURES, RATE]
FINDING_COLUMNS = ["agency", "year", "severity", "code", "table", "row", "column", "message"]
# reports a year's summary does not count: agency, year, check errors, why (LEFT_OUT_*)
LEFT_OUT_COLUMNS = ["agency", "year", "errors", "reason"]
LEFT_OUT_ERRORS = "校验未通过"
LEFT_OUT_MISSING = "未生成"


def title(year: int) -> str:
    return f"{year}年政府信息公开工作年度报告汇总"


# --- the wide frame ------------------------------------------------------------------------------


def cell_frame(
    reports: Iterable[Report], cells: Sequence[tuple[str, str, str]] = CELLS
) -> pd.DataFrame:
    """One row per report (index: agency, year), one float column per official cell (`cells`,
    a (table, row, column) MultiIndex); NaN where blank. 2019-format reports are mapped."""
    current = [as_current(r) for r in reports]
    runs = _runs(cells)
    data = _as_floats([_values(r, runs) for r in current], len(cells))
    return frame_of(data, [(r.agency, r.year) for r in current], cells)


def cell_values(report: Report) -> np.ndarray:
    """The report's every official cell (`CELLS`, current cells: 2019 mapped) as floats, NaN
    where blank: one row of `cell_frame`, as the collection cache keeps it."""
    return _as_floats([_values(as_current(report), _RUNS)], len(CELLS))[0]


def _as_floats(rows: list[list[object]], width: int) -> np.ndarray:
    values = np.array(rows, dtype=object)
    values[pd.isna(values)] = np.nan  # None: blank
    return values.astype("float64").reshape(len(rows), width)


def frame_of(
    data: np.ndarray,
    index: Sequence[tuple[str, int]],
    cells: Sequence[tuple[str, str, str]] = CELLS,
) -> pd.DataFrame:
    """A `cell_frame` from its values (a row per (agency, year) of `index`)."""
    rows = pd.MultiIndex.from_tuples(list(index), names=["agency", "year"])
    columns = pd.MultiIndex.from_tuples(list(cells), names=["table", "row", "column"])
    return pd.DataFrame(data, index=rows, columns=columns)


Run = tuple[str, tuple[tuple[str, str], ...]]


def _runs(cells: Sequence[tuple[str, str, str]]) -> list[Run]:
    """`cells` as runs of consecutive cells of one table: (table, ((row, column), …))."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for table, row, col in cells:
        if not out or out[-1][0] != table:
            out.append((table, []))
        out[-1][1].append((row, col))
    return [(table, tuple(keys)) for table, keys in out]


def _values(report: Report, runs: list[Run]) -> list[object]:
    # dict lookups mapped in C, a run at a time: the one pass over every report
    out: list[object] = []
    for table, keys in runs:
        out.extend(map(report.tables.get(table, {}).get, keys))
    return out


_RUNS = _runs(CELLS)


def total_report(reports: Sequence[Report], agency: str, year: int) -> Report:
    """One report whose every cell is the sum over `reports` (blank only where all are blank);
    the fee, kept in Decimal, summed exactly."""
    current = [as_current(r) for r in reports]
    return _total(cell_frame(current), [amounts_of(r) for r in current], agency, year)


def amounts_of(report: Report) -> tuple[object, ...]:
    """The amount cells (the fee, in 万元) of a report in the current cells, as kept (Decimal):
    summed exactly, not as floats."""
    return tuple(report.get(*CELLS[i]) for i in _AMOUNTS)


def _total(
    cells: pd.DataFrame, amounts: Sequence[tuple[object, ...]], agency: str, year: int
) -> Report:
    sums = cells.sum(min_count=1)
    total = Report.blank(agency, year)
    for (table, row, col), value in sums.items():
        if not pd.isna(value):
            total.tables[table][(row, col)] = int(value)
    for n, i in enumerate(_AMOUNTS):
        table, row, col = CELLS[i]
        known = [v for a in amounts if (v := a[n]) is not None]
        total.tables[table][(row, col)] = (
            sum(map(Decimal, known), Decimal(0)) if known else None  # type: ignore[arg-type]
        )
    return total


# --- key figures and rankings -------------------------------------------------------------------


def figures_of(cells: pd.DataFrame) -> pd.DataFrame:
    """The KEY_FIGURES and RATE of each row of a `cell_frame` (columns agency, year, …)."""
    out = pd.DataFrame(index=cells.index)
    for name, keys in KEY_FIGURES.items():
        out[name] = cells.loc[:, list(keys)].sum(axis=1, min_count=1)
    done = out["办理总计"].where(out["办理总计"] > 0)
    out[RATE] = out["予以公开"] / done
    out = out.reset_index()
    return out.sort_values(["year", "agency"], kind="stable").reset_index(drop=True)


def key_figures(reports: Iterable[Report]) -> pd.DataFrame:
    """One row per report: agency, year, the KEY_FIGURES and the 予以公开 rate (0–1)."""
    return figures_of(cell_frame(reports))[FIGURE_COLUMNS]


def rank(figures: pd.DataFrame) -> pd.DataFrame:
    """`figures` (one year) with a rank (1 = highest, ties share the best) for each RANKED
    figure, ordered by 本年新收 then name."""
    out = figures.copy()
    for name in RANKED:
        out[f"{name}排名"] = out[name].rank(ascending=False, method="min").astype("Int64")
    # ties in pinyin order, as agencies are ordered everywhere (names.agency_key)
    out["_name"] = out["agency"].map(agency_order(out["agency"]))
    order = out.sort_values(["本年新收", "_name"], ascending=[False, True], na_position="last")
    return order.drop(columns="_name").reset_index(drop=True)


def rankings(reports: Iterable[Report], year: int) -> pd.DataFrame:
    """Agencies of `year` with their key figures and a rank for each RANKED one."""
    return rank(key_figures(r for r in reports if r.year == year).drop(columns="year"))


def totals_by_year(figures: pd.DataFrame) -> pd.DataFrame:
    """Per year of a `figures_of` frame: the number of reports and each key figure summed."""
    if figures.empty:
        return pd.DataFrame(columns=["year", "报告数", *KEY_FIGURES, RATE])
    grouped = figures.groupby("year")
    totals = grouped[list(KEY_FIGURES)].sum(min_count=1)
    totals.insert(0, "报告数", grouped.size())
    totals[RATE] = totals["予以公开"] / totals["办理总计"].where(totals["办理总计"] > 0)
    return totals.reset_index()


def yearly_totals(reports: Iterable[Report]) -> pd.DataFrame:
    """Per year: number of reports and the sum of each key figure (for trend charts)."""
    return totals_by_year(key_figures(reports))


def distribution(figures: pd.DataFrame) -> pd.DataFrame:
    """Per RANKED figure: how many agencies report it, its sum, mean, P25, median (P50), P75,
    max and min (quantiles interpolated linearly, as the peer check's P75)."""
    rows = []
    for name in RANKED:
        col = figures[name].dropna().astype(float)
        rows.append(
            {
                "指标": name,
                "机关数": len(col),
                "合计": float("nan") if name == RATE else col.sum(),
                "平均": col.mean(),
                "P25": col.quantile(0.25),
                "中位数": col.median(),
                "P75": col.quantile(0.75),
                "最高": col.max(),
                "最低": col.min(),
            }
        )
    return pd.DataFrame(rows)


# --- findings -----------------------------------------------------------------------------------


def year_findings(reports: Iterable[Report], year: int) -> list[Finding]:
    """The findings of `year`'s reports: each checked, and against its agency's report of the
    year before when there is one (that one is not checked itself; other years are ignored)."""
    from .checks import check_against_previous, check_reports

    reports = list(reports)
    this = [r for r in reports if r.year == year]
    previous: dict[str, Report] = {}
    for r in reports:
        if r.year == year - 1:
            previous.setdefault(r.agency, r)  # a duplicate: the first, as check_reports does
    findings = check_reports(this)
    for r in this:
        if r.agency in previous:
            findings += check_against_previous(r, previous[r.agency])
    return findings


def findings_frame(reports: Iterable[Report], year: int | None = None) -> pd.DataFrame:
    """Check findings as rows (agency, year, severity, code, table, row, column, message).

    All reports are checked together so cross-year rules see the previous year; with `year`
    only that year's reports are checked (`year_findings`).
    """
    from .checks import check_reports

    reports = list(reports)
    return frame_of_findings(
        check_reports(reports) if year is None else year_findings(reports, year)
    )


def frame_of_findings(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as the rows `findings_frame` gives."""
    return pd.DataFrame(
        [[getattr(f, name) for name in FINDING_COLUMNS] for f in findings],
        columns=FINDING_COLUMNS,
    )


def check_matrix(findings: pd.DataFrame) -> pd.DataFrame:
    """Agencies × rule codes: how many findings each report has for each rule."""
    if findings.empty:
        return pd.DataFrame()
    return findings.pivot_table(
        index="agency", columns="code", values="message", aggfunc="count", fill_value=0
    )


def by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Per rule: code, its Chinese description, severity, agencies affected and findings, in
    the order errors first, then the most widespread."""
    columns = ["code", "rule", "severity", "agencies", "findings"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    grouped = findings.groupby("code")
    out = pd.DataFrame(
        {
            "agencies": grouped["agency"].nunique(),
            "findings": grouped.size(),
            # a rule's severity can vary (R6-YEAR: a warning in 五): an error if any is
            "severity": grouped["severity"].agg(
                lambda s: "error" if (s == "error").any() else s.iloc[0]
            ),
        }
    ).reset_index()
    out["rule"] = out["code"].map(lambda c: RULE_TEXT.get(c, c))
    out["_order"] = out["severity"] != "error"
    out = out.sort_values(["_order", "agencies", "code"], ascending=[True, False, True])
    return out[columns].reset_index(drop=True)


def by_agency(findings: pd.DataFrame) -> pd.DataFrame:
    """Per agency with findings: errors, warnings and the rules (descriptions, in code
    order), most errors first."""
    columns = ["agency", "errors", "warnings", "codes", "rules"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    is_error = findings["severity"] == "error"
    counts = findings.assign(errors=is_error, warnings=~is_error).groupby("agency")
    out = counts[["errors", "warnings"]].sum()
    codes = findings.drop_duplicates(["agency", "code"]).sort_values(["agency", "code"])
    out["codes"] = codes.groupby("agency")["code"].agg(tuple)
    out["rules"] = out["codes"].map(lambda cs: tuple(RULE_TEXT.get(c, c) for c in cs))
    out = out.reset_index().sort_values(
        ["errors", "warnings", "agency"], ascending=[False, False, True]
    )
    return out[columns].reset_index(drop=True)


# --- the year's summary --------------------------------------------------------------------------


def select_year(reports: Iterable[Report], year: int) -> list[Report]:
    """The reports of `year` by agency; a RenderError listing the years there are if none."""
    reports = list(reports)
    chosen = sorted((r for r in reports if r.year == year), key=lambda r: r.agency)
    if not chosen:
        raise no_reports(year, {r.year for r in reports})
    return chosen


def no_reports(year: int, years: Iterable[int]) -> RenderError:
    """The error for a summary of a year no report is of, naming the years there are."""
    there = "、".join(str(y) for y in sorted(years)) or "无"
    return RenderError(f"没有 {year} 年的报告；现有年份：{there} (no reports for that year)")


@dataclass(frozen=True)
class YearSummary:
    """What the summary of one year shows, as data.

    `figures`: one row per agency of `year` with its key figures and ranks (`rank`);
    `total`: the summed report (the official tables); `trend`: `totals_by_year` over every
    year up to `year`; `findings`: that year's findings (`findings_frame`), with `rules`
    (`by_rule`) and `agencies` (`by_agency`) counted from them.
    """

    year: int
    figures: pd.DataFrame
    total: Report
    trend: pd.DataFrame
    findings: pd.DataFrame
    rules: pd.DataFrame
    agencies: pd.DataFrame
    # reports of `year` not counted (`left_out`): check errors, or their build failed
    left_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEFT_OUT_COLUMNS))

    @property
    def title(self) -> str:
        return title(self.year)

    @property
    def with_errors(self) -> int:
        """Reports of the year left out for their check errors."""
        return int((self.left_out["reason"] == LEFT_OUT_ERRORS).sum())

    @property
    def names(self) -> list[str]:
        return sorted(self.figures["agency"], key=agency_key)

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.trend["year"]]

    def severity_counts(self) -> dict[str, int]:
        """Agencies with an error, with warnings only, and with none."""
        a = self.agencies
        errors = int((a["errors"] > 0).sum())
        checked = len(self.figures) + self.with_errors  # counted, and left out for errors
        return {
            SEVERITY_LABEL["error"]: errors,
            SEVERITY_LABEL["warning"]: len(a) - errors,
            "通过": checked - len(a),
        }


def left_out(findings: pd.DataFrame, year: int, missing: Iterable[str] = ()) -> pd.DataFrame:
    """The reports of `year` a summary does not count (`LEFT_OUT_COLUMNS`): those whose
    checks found errors (acknowledging never applies to errors), with how many, then
    `missing` agencies (their build failed: 未生成), each in name order."""
    errors = findings[(findings["year"] == year) & (findings["severity"] == "error")]
    counts = errors.groupby("agency").size().sort_index()
    rows = [[a, year, int(n), LEFT_OUT_ERRORS] for a, n in counts.items()]
    rows += [[a, year, 0, LEFT_OUT_MISSING] for a in sorted(set(missing) - set(counts.index))]
    return pd.DataFrame(rows, columns=LEFT_OUT_COLUMNS)


def year_summary(
    reports: Iterable[Report],
    year: int,
    findings: pd.DataFrame | None = None,
    *,
    missing: Iterable[str] = (),
) -> YearSummary:
    """The summary of `year` from every loaded report (earlier years feed the trend and the
    cross-year checks; later ones are ignored). No report of `year`: a RenderError.

    Reports of `year` with check errors, and those of `missing` agencies (a build whose
    report failed), are left out of the totals, rankings and spread and listed
    (`YearSummary.left_out`). `findings`: that year's `findings_frame` when the caller has it
    already (the checks are most of the time at thousands of agencies); else the reports are
    checked here.
    """
    reports = list(reports)
    select_year(reports, year)  # none of `year`: the error naming the years there are
    history = [r for r in reports if r.year <= year]
    if findings is None:
        findings = findings_frame(history, year)
    dropped = left_out(findings, year, missing)
    skip = set(dropped["agency"])
    chosen = [r for r in select_year(reports, year) if r.agency not in skip]
    # every cell of `year` (the summed tables); the key figures alone of earlier years (trend)
    cells = cell_frame(chosen)
    earlier = cell_frame([r for r in history if r.year < year], KEY_CELLS)
    amounts = [amounts_of(as_current(r)) for r in chosen]
    return summary_of(year, cells, earlier, amounts, findings, dropped)


def summary_of(
    year: int,
    cells: pd.DataFrame,
    earlier: pd.DataFrame,
    amounts: Sequence[tuple[object, ...]],
    findings: pd.DataFrame,
    dropped: pd.DataFrame | None = None,
) -> YearSummary:
    """The summary of `year` from its `cell_frame` (rows by agency), the KEY_CELLS of the years
    before (the trend), its reports' `amounts_of` (same order as `cells`), its findings and the
    reports it leaves out (`left_out`; `cells` holds none of them): what `year_summary`
    computes from reports and the collection cache from what it keeps."""
    # every report of the year may be left out: its figures are then an empty frame
    frames = [figures_of(f) for f in (earlier, cells) if len(f)] or [figures_of(cells)]
    figures = pd.concat(frames, ignore_index=True)
    this_year = figures[figures["year"] == year].drop(columns="year")
    return YearSummary(
        year=year,
        figures=rank(this_year),
        total=_total(cells, amounts, f"{len(cells)}个机关合计", year),
        trend=totals_by_year(figures),
        findings=findings,
        rules=by_rule(findings),
        agencies=by_agency(findings),
        left_out=left_out(findings, year) if dropped is None else dropped,
    )


def dump_summary(s: YearSummary) -> bytes:
    """`s` as bytes for `read_summary` (a build computes it and ships it to the notebook)."""
    import pickle
    import zlib

    return zlib.compress(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL), 1)


def read_summary(path: str | os.PathLike[str]) -> YearSummary:
    """The summary a build wrote (`dump_summary`) for `notebooks/summary.ipynb`; a file of the
    build's own temp folder, not one to take from elsewhere (it is a pickle)."""
    import pickle
    import zlib

    with open(path, "rb") as fh:
        s = pickle.loads(zlib.decompress(fh.read()))
    if not isinstance(s, YearSummary):
        raise RenderError(f"{path}: 不是年度汇总数据 (not a year summary)")
    return s
