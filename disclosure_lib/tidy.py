"""The collection as one tidy DataFrame (one figure a row), and its export.

Columns: agency, year, section, table, row, column, value, row_group, format. Labels are the
official ones of each table's own format; `table` is the 第二十条第（…）项 item for 二 and the
table title for 三 and 四; in 四 the `row` is the group (行政复议 / 未经复议直接起诉 / 复议后起诉)
and `column` the result. `row_group` is the heading the row sits under (（三）不予公开, 行政诉讼 …),
or "". `format` is the format the table is kept in (2021, or 2019 for reports kept as published);
`export(..., as_format="2021")` maps every report onto the current cells first
(`formats.as_current`), for comparing years.

section, table, row, column and row_group are ordered categoricals in the official order, so
sorting, grouping and pivots (`pivot_figures`) follow the form, not the alphabet.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from . import formats
from .errors import DisclosureError
from .files import refuse_overwrite, write_atomic
from .model import Report
from .names import agency_key
from .params import load_reports

COLUMNS = ("agency", "year", "section", "table", "row", "column", "value", "row_group", "format")
EXPORT_FORMATS = ("csv", "xlsx", "parquet")


class _Cell(NamedTuple):
    table_key: str
    row_key: str
    column_key: str
    section: str
    table: str
    row_group: str
    row: str
    column: str


def _table_layout(format_id: str, table_key: str) -> list[_Cell]:
    """Every cell of one table of one format with its tidy labels, in official order."""
    out = []
    t = formats.table(format_id, table_key)
    for row_key, col_key in t.cells():
        row = t.row(row_key)
        if t.key == "proactive":
            table_label, group = row.group or t.title, ""
        else:
            table_label = t.title
            group = t.row(row.parent).label if row.parent else (row.group or "")
        out.append(
            _Cell(
                t.key,
                row_key,
                col_key,
                t.section,
                table_label,
                group,
                row.label,
                t.column(col_key).label,
            )
        )
    return out


_LAYOUTS = {(f, t.key): _table_layout(f, t.key) for f in formats.FORMATS for t in formats.tables(f)}
_LAYOUT = [cell for cells in _LAYOUTS.values() for cell in cells]  # every format's, in order


def _merged_order(sequences: Iterable[Sequence[str]]) -> list[str]:
    """One order of every label that keeps each sequence's own order: a label several tables
    share (总计 ends both 三's and 四's columns) comes after all that precedes it anywhere."""
    before: dict[str, set[str]] = {}
    for seq in sequences:
        for i, label in enumerate(seq):
            before.setdefault(label, set()).update(seq[:i])
    out: list[str] = []
    while len(out) < len(before):
        # the first label (in order of appearance) whose predecessors are all placed
        label = next(x for x in before if x not in out and before[x] <= set(out))
        out.append(label)
    return out


def _categories(format_id: str | None = None) -> dict[str, list[str]]:
    by_table: dict[str, dict[str, list[str]]] = {}
    layout = (
        _LAYOUT
        if format_id is None
        else [cell for (f, _), cells in _LAYOUTS.items() if f == format_id for cell in cells]
    )
    for cell in layout:
        seqs = by_table.setdefault(cell.table, {"row": [], "column": [], "row_group": [""]})
        for name in ("row", "column", "row_group"):
            value = getattr(cell, name)
            if value not in seqs[name]:
                seqs[name].append(value)
    out = {
        name: _merged_order(seqs[name] for seqs in by_table.values())
        for name in ("row", "column", "row_group")
    }
    out["table"] = list(by_table)
    out["section"] = list(dict.fromkeys(cell.section for cell in layout))
    return out


CATEGORIES = _categories()  # column -> its labels in official order, every format's
CURRENT_CATEGORIES = _categories(formats.CURRENT)  # …of the current format only


def report_records(report: Report) -> list[dict[str, Any]]:
    """One dict per official figure of `report` in its own format, in official order."""
    records = []
    for t in report.table_specs():
        format_id = report.table_formats.get(t.key, report.format)
        for cell in _LAYOUTS[(format_id, t.key)]:
            value = report.get(cell.table_key, cell.row_key, cell.column_key)
            records.append(
                {
                    "agency": report.agency,
                    "year": report.year,
                    "section": cell.section,
                    "table": cell.table,
                    "row": cell.row,
                    "column": cell.column,
                    "value": float(value) if value is not None else float("nan"),
                    "row_group": cell.row_group,
                    "format": format_id,
                }
            )
    return records


def reports_frame(reports: Iterable[Report]) -> pd.DataFrame:
    """Tidy DataFrame of `reports` (value: float, NaN where the cell is blank)."""
    rows: list[dict[str, Any]] = []
    for r in sorted(reports, key=lambda r: (agency_key(r.agency), r.year)):  # pinyin order
        rows.extend(report_records(r))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    frame["format"] = frame["format"].astype("string")
    # a collection all in the current format is offered no 2019 label (selectors, pivots)
    only_current = set(frame["format"]) <= {formats.CURRENT}
    for name, labels in (CURRENT_CATEGORIES if only_current else CATEGORIES).items():
        frame[name] = pd.Categorical(frame[name], categories=labels, ordered=True)
    return frame


def integer_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each float column whose figures are all whole (or blank) as nullable
    integers: counts read 24, not 24.0; a fee such as 12.35 stays a float."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_float_dtype(col) and (col.dropna() % 1 == 0).all():
            out[name] = col.astype("Int64")
    return out


def pivot_figures(
    frame: pd.DataFrame, index: str | list[str], columns: str, values: str = "value"
) -> pd.DataFrame:
    """The sum of `values` by `index` × `columns`, rows and columns in official order (only
    the labels present), blank where every figure summed is blank, counts as integers."""
    keys = [index] if isinstance(index, str) else list(index)
    sums = frame.groupby([*keys, columns], observed=True, sort=True)[values].sum(min_count=1)
    table = sums.unstack(columns)
    table.columns.name = columns
    return integer_counts(table)


def collection_frame(
    paths: Iterable[Path | str] = ("params",),
    *,
    strict: bool = True,
    as_format: str | None = None,
) -> pd.DataFrame:
    """Load every params file under `paths` as one tidy DataFrame.

    With `strict`, the first unreadable file raises its ParamsError; otherwise it is skipped.
    With `as_format` (the current format, "2021"), every report is first seen in the current
    cells (`formats.as_current`: figures without a counterpart dropped, cells without a source
    blank), so years and agencies line up.
    """
    reports, errors = load_reports(paths)
    if errors and strict:
        raise errors[0]
    if as_format is not None:
        if as_format != formats.CURRENT:
            raise DisclosureError(
                f"只能按现行格式 {formats.CURRENT} 导出，而不是 {as_format!r} (--as-format)"
            )
        reports = [formats.as_current(r) for r in reports]
    return reports_frame(reports)


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` for a spreadsheet: every text cell through `names.cell_text`, so a name such as
    `=HYPERLINK(…)` is text, not a formula."""
    from .names import cell_text

    out = frame.copy()
    for col in out.columns:
        if col != "value" and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [cell_text(v) if isinstance(v, str) else v for v in out[col]]
    return out


def _csv_text(frame: pd.DataFrame) -> str:
    out = _cells(frame)
    # counts print as 3, the fee as 12.35; blanks stay empty
    out["value"] = [
        "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))
        for v in out["value"]
    ]
    buf = io.StringIO()
    out.to_csv(buf, index=False)
    return buf.getvalue()


def export(
    paths: Iterable[Path | str],
    to: str = "csv",
    output: Path | str | None = None,
    *,
    force: bool = False,
    as_format: str | None = None,
) -> Path | None:
    """Export the collection under `paths` as csv/xlsx/parquet; csv without `output` → stdout.
    An existing `output` is refused unless `force`; `as_format`: see `collection_frame`."""
    if to not in EXPORT_FORMATS:
        raise DisclosureError(f"未知的导出格式 {to!r}，应为 {'、'.join(EXPORT_FORMATS)}")
    if output is not None:
        refuse_overwrite(output, force)
    frame = collection_frame(paths, as_format=as_format)
    if to == "csv":
        text = _csv_text(frame)
        if output is None:
            sys.stdout.write(text)
            return None
        return write_atomic(Path(output), text.encode("utf-8-sig"))  # BOM: Excel opens it as UTF-8
    if output is None:
        raise DisclosureError(f"导出 {to} 需要用 -o 指定输出文件 (--format {to} needs -o FILE)")
    buf = io.BytesIO()
    if to == "xlsx":
        _cells(frame).to_excel(buf, index=False, sheet_name="数据")
    else:
        frame.to_parquet(buf, index=False)
    return write_atomic(Path(output), buf.getvalue())
