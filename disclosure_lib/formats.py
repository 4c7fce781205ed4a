"""The report formats a report can be kept in, as a registry over `format.py` and `format2019.py`.

A report is kept in the format it was published in (`Report.format`). A page may mix the two
(the 2019 tables of 二 beside the 2021 tables of 三/四): `Report.table_formats` names the
format of each table whose layout differs from the report's own. Everything that walks a
report's tables asks here for their specs instead of reading `format.TABLES` directly.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Protocol, TypeVar

from . import format as fmt
from . import format2019 as f19
from .format import Table

CURRENT = fmt.FORMAT_ID
FORMATS: dict[str, tuple[Table, ...]] = {
    fmt.FORMAT_ID: fmt.TABLES,
    f19.FORMAT_ID: f19.TABLES,
}
DOCS: dict[str, str] = {fmt.FORMAT_ID: fmt.FORMAT_DOC, f19.FORMAT_ID: fmt.FORMAT_2019_DOC}


def tables(format_id: str) -> tuple[Table, ...]:
    """The tables of one format, in the official order."""
    try:
        return FORMATS[format_id]
    except KeyError:
        raise KeyError(
            f"unknown report format {format_id!r} (known: {', '.join(FORMATS)})"
        ) from None


def table(format_id: str, key: str) -> Table:
    """One table of one format, by key (proactive, applications, review)."""
    for t in tables(format_id):
        if t.key == key:
            return t
    raise KeyError(f"format {format_id} has no table {key!r}")


def report_tables(format_id: str, table_formats: dict[str, str] | None = None) -> tuple[Table, ...]:
    """The table specs of a report in `format_id` with per-table overrides (mixed pages)."""
    overrides = table_formats or {}
    return tuple(table(overrides.get(t.key, format_id), t.key) for t in tables(format_id))


# (table, row, column) of a cell in its own format → the 2021 cell holding the same figure
_TO_CURRENT: dict[str, dict[tuple[str, str, str], tuple[str, str, str] | None]] = {
    f19.FORMAT_ID: f19.MAPPING,
}


def current_cell(
    format_id: str, table_key: str, row: str, column: str
) -> tuple[str, str, str] | None:
    """The 2021 cell carrying the figure of a cell kept in `format_id`, or None (no counterpart)."""
    cell = (table_key, row, column)
    if format_id == CURRENT:
        return cell
    return _TO_CURRENT[format_id].get(cell)


class _Kept(Protocol):
    """What `as_current` reads and replaces of a report (model.Report; no import: model
    imports this module)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    format: str
    table_formats: dict[str, str]
    tables: dict[str, dict[tuple[str, str], Any]]


R = TypeVar("R", bound=_Kept)


def as_current(report: R) -> R:
    """`report` seen in the current format, for comparing years and summing agencies.

    Figures without a 2021 counterpart are dropped; 2021 cells without a source stay blank
    (None). The report itself is unchanged (it stays in its own format).
    """
    if report.format == CURRENT and not report.table_formats:
        return report
    current: dict[str, dict[tuple[str, str], Any]] = {
        t.key: dict.fromkeys(t.cells()) for t in tables(CURRENT)
    }
    for key, cells in report.tables.items():
        own = report.table_formats.get(key, report.format)
        for (row, column), value in cells.items():
            target = current_cell(own, key, row, column)
            if target is not None:
                current[target[0]][target[1], target[2]] = value
    return dataclasses.replace(report, format=CURRENT, table_formats={}, tables=current)
