"""The collection as one tidy DataFrame (one figure a row), and its export.

Columns: agency, year, section, table, row, column, value, row_group. Labels are the official
ones; `table` is the 第二十条第（…）项 item for 二 and the table title for 三 and 四; in 四 the
`row` is the group (行政复议 / 未经复议直接起诉 / 复议后起诉) and `column` the result.
`row_group` is the heading the row sits under (（三）不予公开, 行政诉讼 …), or "".
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
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
    return frame


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


def _csv_text(frame: pd.DataFrame) -> str:
    out = frame.copy()
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
        frame.to_excel(buf, index=False, sheet_name="数据")
    else:
        frame.to_parquet(buf, index=False)
    return write_atomic(Path(output), buf.getvalue())
