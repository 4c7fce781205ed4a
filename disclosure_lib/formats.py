"""The report formats a report can be kept in, as a registry over `format.py` and `format2019.py`.

A report is kept in the format it was published in (`Report.format`). A page may mix the two
(the 2019 tables of 二 beside the 2021 tables of 三/四): `Report.table_formats` names the
format of each table whose layout differs from the report's own. Everything that walks a
report's tables asks here for their specs instead of reading `format.TABLES` directly.
"""

from __future__ import annotations

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
