"""The collection as one tidy DataFrame (one figure a row), and its export.

Columns: agency, year, section, table, row, column, value, row_group. Labels are the official
ones; `table` is the 第二十条第（…）项 item for 二 and the table title for 三 and 四; in 四 the
`row` is the group (行政复议 / 未经复议直接起诉 / 复议后起诉) and `column` the result.
`row_group` is the heading the row sits under (（三）不予公开, 行政诉讼 …), or "".

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

from . import format as fmt
from .errors import DisclosureError
from .files import refuse_overwrite, write_atomic
from .model import Report
from .params import load_reports

COLUMNS = ("agency", "year", "section", "table", "row", "column", "value", "row_group")
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


def _layout() -> list[_Cell]:
    """Every official cell with its tidy labels, in official order."""
    out = []
    for t in fmt.TABLES:
        for row_key, col_key in t.cells():
            row = t.row(row_key)
            if t is fmt.PROACTIVE:
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


_LAYOUT = _layout()


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


def _categories() -> dict[str, list[str]]:
    by_table: dict[str, dict[str, list[str]]] = {}
    for cell in _LAYOUT:
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
    out["section"] = list(dict.fromkeys(cell.section for cell in _LAYOUT))
    return out


CATEGORIES = _categories()  # column -> its labels in official order


def report_records(report: Report) -> list[dict[str, Any]]:
    """One dict per official figure of `report`, in official order."""
    records = []
    for cell in _LAYOUT:
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
            }
        )
    return records


def reports_frame(reports: Iterable[Report]) -> pd.DataFrame:
    """Tidy DataFrame of `reports` (value: float, NaN where the cell is blank)."""
    rows: list[dict[str, Any]] = []
    for r in sorted(reports, key=lambda r: (r.agency, r.year)):
        rows.extend(report_records(r))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    for name, labels in CATEGORIES.items():
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
    paths: Iterable[Path | str] = ("params",), *, strict: bool = True
) -> pd.DataFrame:
    """Load every params file under `paths` as one tidy DataFrame.

    With `strict`, the first unreadable file raises its ParamsError; otherwise it is skipped.
    """
    reports, errors = load_reports(paths)
    if errors and strict:
        raise errors[0]
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
) -> Path | None:
    """Export the collection under `paths` as csv/xlsx/parquet; csv without `output` → stdout.
    An existing `output` is refused unless `force`."""
    if to not in EXPORT_FORMATS:
        raise DisclosureError(f"未知的导出格式 {to!r}，应为 {'、'.join(EXPORT_FORMATS)}")
    if output is not None:
        refuse_overwrite(output, force)
    frame = collection_frame(paths)
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
