"""What `notebooks/explore.ipynb` shows, as functions (the notebook only calls them).

Rows keep their group (`（四）无法提供 › 1.本机关不掌握相关政府信息`), totals are kept apart from
the rows and columns they sum (`split_totals`), rates read as percentages (`41.3 %`), agencies
come in pinyin order character by character (`names.agency_key`), amounts stay exact
(`Decimal`, never float64: `fees`), and one agency's key figures are laid out year by year with
the change from the year before (`agency_years`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd

from . import formats
from .model import Report
from .names import agency_key

GROUP_SEP = " › "
ITEM = "item"  # the column `with_items` adds: a row with its group
RATE_COLUMNS = ("予以公开率",)  # summary.RATE; ratios 0–1 shown as percentages
CHANGE = "较上年"

# Every format's total rows and columns (（七）总计, 总计): what `split_totals` keeps apart.
TOTAL_ROWS = frozenset(
    r.label for f in formats.FORMATS for t in formats.tables(f) for r in t.rows if r.key == "total"
)
TOTAL_COLUMNS = frozenset(
    c.label
    for f in formats.FORMATS
    for t in formats.tables(f)
    for c in t.columns
    if c.key == "total"
)


def item_label(row: str, group: str = "") -> str:
    """A row with the group it sits under: （四）无法提供 › 1.本机关不掌握相关政府信息."""
    return f"{group}{GROUP_SEP}{row}" if group else row


def with_items(frame: pd.DataFrame) -> pd.DataFrame:
    """The tidy `frame` with `ITEM`: each row's label with its group, an ordered categorical in
    the official order (the rows' own order, a group's rows together)."""
    pairs = frame[["row", "row_group"]].drop_duplicates()
    pairs = pairs.assign(_code=pairs["row"].cat.codes).sort_values("_code", kind="stable")
    pairs_list = zip(pairs["row"], pairs["row_group"], strict=True)
    labels = [item_label(str(r), str(g)) for r, g in pairs_list]
    out = frame.copy()
    items = [
        item_label(str(r), str(g)) for r, g in zip(frame["row"], frame["row_group"], strict=True)
    ]
    out[ITEM] = pd.Categorical(items, categories=list(dict.fromkeys(labels)), ordered=True)
    return out


def split_totals(pivot: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pivot (rows: items or rows, columns: the form's columns) as (detail, totals): the
    detail is the pivot without its total rows and total columns; the totals are its total
    columns, every row (or, in a table without a total column, its total rows)."""
    total_rows = [str(i).rpartition(GROUP_SEP)[2] in TOTAL_ROWS for i in pivot.index]
    total_cols = [c for c in pivot.columns if str(c) in TOTAL_COLUMNS]
    kept = [c for c in pivot.columns if c not in total_cols]
    detail = pivot.loc[[not t for t in total_rows], kept]
    totals = pivot.loc[:, total_cols] if total_cols else pivot.loc[total_rows]
    return detail, totals


def bars(pivot: pd.DataFrame) -> pd.DataFrame:
    """What a bar chart of `pivot` draws, as floats: each detail row's total where the table
    has a total column, else the detail; never a total row beside the rows it sums."""
    detail, totals = split_totals(pivot)
    if len(totals.columns) and any(str(c) in TOTAL_COLUMNS for c in totals.columns):
        detail = totals.loc[detail.index]
    # drawn, not read: floats (an exact amount or <NA> has no length on an axis)
    return detail.apply(lambda col: col.map(lambda v: float("nan") if pd.isna(v) else float(v)))


def exact(value: float) -> int | Decimal | None:
    """A tidy frame's figure as the params file has it: a count as an int, an amount as the
    `Decimal` it was read as (its shortest repr: every params figure has ≤ 15 significant
    digits, 20 characters at most), blank as None."""
    if pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else Decimal(repr(float(value)))


def _exact_sum(values: pd.Series) -> object:
    known = [v for v in values if v is not None]
    return sum(known, 0) if known else pd.NA


def pivot(frame: pd.DataFrame, index: str, columns: str) -> pd.DataFrame:
    """The sum of the figures by `index` × `columns` in official order, exactly: counts as
    ints, amounts as `Decimal` (12.35 + 0.1 is 12.45, not 12.450000000000001), blank (<NA>)
    where every figure summed is blank."""
    values = frame.assign(value=frame["value"].map(exact).astype(object))
    grouped = values.groupby([index, columns], observed=True, sort=True)["value"]
    table = grouped.agg(_exact_sum).unstack(columns)
    table.columns.name = columns
    return table.astype(object).where(table.notna(), pd.NA)


def percent(value: object, digits: int = 1) -> str:
    """A ratio (0–1) as a percentage: 0.412587 → 41.3 %; blank → ""."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value) * 100:.{digits}f} %"  # type: ignore[arg-type]


def readable(frame: pd.DataFrame, rates: Sequence[str] = RATE_COLUMNS) -> pd.DataFrame:
    """`frame` for reading: whole figures as integers (24, not 24.0), rates as percentages."""
    from .tidy import integer_counts

    out = integer_counts(frame)
    for name in rates:
        if name in out.columns:
            out[name] = out[name].map(percent)
    return out


def by_pinyin(frame: pd.DataFrame, column: str = "agency") -> pd.DataFrame:
    """`frame`'s rows with agencies in pinyin order, character by character (古田… before
    国有…), other columns' order kept within an agency."""
    order = {n: i for i, n in enumerate(sorted(set(frame[column]), key=agency_key))}
    out = frame.sort_values(column, key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def agencies(names: Iterable[str]) -> list[str]:
    """Agency names, once each, in pinyin order."""
    return sorted(set(names), key=agency_key)


def fees(reports: Iterable[Report]) -> pd.DataFrame:
    """Each report's 行政事业性收费 amount (万元) exactly, as the params file has it: a
    `Decimal` (blank: None), never a float. Agencies in pinyin order, then years."""
    rows = []
    for r in reports:
        current = formats.as_current(r)
        rows.append((r.agency, r.year, current.get("proactive", "fees", "fee_amount")))
    frame = pd.DataFrame(rows, columns=["agency", "year", "fee"])
    frame["fee"] = frame["fee"].astype(object).where(frame["fee"].notna(), None)
    frame["fee"] = [None if v is None else Decimal(v) for v in frame["fee"]]
    return by_pinyin(frame.sort_values("year", kind="stable"))


def agency_years(reports: Iterable[Report], agency: str) -> pd.DataFrame:
    """One agency's key figures year by year (a column a year, a row a figure) and the change
    from the year before (`CHANGE`: the last year's minus the one before, where both are
    known; rates in percentage points); rates as percentages, counts as integers."""
    from .summary import RATE, key_figures

    mine = key_figures(r for r in reports if r.agency == agency)
    table = mine.set_index("year").drop(columns="agency").sort_index().T
    table.columns = [int(y) for y in table.columns]
    out = pd.DataFrame(index=table.index)
    for year in table.columns:
        column = table[year]
        out[f"{year}年"] = [percent(v) if name == RATE else _count(v) for name, v in column.items()]
    if len(table.columns) >= 2:
        last, before = table[table.columns[-1]], table[table.columns[-2]]
        out[CHANGE] = [
            _change(name == RATE, last[name], before[name]) for name in table.index
        ]  # fmt: skip
    out.index.name = agency
    return out


def _count(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    v = float(value)  # type: ignore[arg-type]
    return str(int(v)) if v.is_integer() else f"{v:g}"


def _change(rate: bool, last: object, before: object) -> str:
    if any(v is None or pd.isna(v) for v in (last, before)):
        return ""
    diff = float(last) - float(before)  # type: ignore[arg-type]
    if rate:
        return f"{diff * 100:+.1f} 个百分点"
    return f"{diff:+g}"
