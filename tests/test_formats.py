"""The formats registry: per-table specs and a report seen in the current format."""

from __future__ import annotations

from decimal import Decimal

from disclosure_lib import format2019 as f19
from disclosure_lib import formats
from disclosure_lib.model import Report


def test_as_current_keeps_a_current_report_as_is() -> None:
    report = Report.blank("某局", 2024, fill=3)
    assert formats.as_current(report) is report


def test_as_current_maps_every_2019_figure_with_a_counterpart() -> None:
    report = Report.blank("某局", 2020, format=f19.FORMAT_ID)
    for n, (table, row, column) in enumerate(f19.MAPPING, start=1):
        value = Decimal(n) if report.table_spec(table).is_amount(row, column) else n
        report.set(table, row, column, value)
    current = formats.as_current(report)
    assert current.format == formats.CURRENT
    for own, target in f19.MAPPING.items():
        if target is not None:
            assert current.get(*target) == report.get(*own)
    # the 2021 cells no 2019 cell feeds stay blank rather than 0
    fed = {t for t in f19.MAPPING.values() if t is not None}
    for t in formats.tables(formats.CURRENT):
        for row, column in t.cells():
            if (t.key, row, column) not in fed:
                assert current.get(t.key, row, column) is None
    assert report.format == f19.FORMAT_ID  # the report itself stays in its own format


def test_as_current_maps_only_the_tables_a_mixed_page_prints_in_2019() -> None:
    report = Report.blank("某局", 2021, fill=2, table_formats={"proactive": f19.FORMAT_ID})
    current = formats.as_current(report)
    assert current.get("applications", "new", "total") == 2
    assert current.get("proactive", "regulations", "issued") == 2  # 本年新制作数量
    assert current.get("proactive", "regulations", "repealed") is None


def test_own_cells_map_2021_cells_onto_a_format_or_say_it_has_none() -> None:
    made = ("proactive", "normative_documents", "made")
    issued = ("proactive", "normative_documents", "issued")
    assert formats.own_cells(f19.FORMAT_ID, (issued,)) == (made,)
    assert formats.own_cells(formats.CURRENT, (issued,)) == (issued,)
    assert (
        formats.own_cells(f19.FORMAT_ID, (("proactive", "normative_documents", "in_force"),))
        is None
    )
    # （六）其他处理's three 2021 sub-rows are the one 2019 figure; one of them alone is not
    subrows = f19.SUMS[("applications", "other_handling", "total")]
    assert formats.own_cells(f19.FORMAT_ID, subrows) == (
        ("applications", "other_handling", "total"),
    )
    assert formats.own_cells(f19.FORMAT_ID, subrows[:1]) is None
    new = tuple(("applications", "new", c.key) for c in f19.APPLICATIONS.columns)
    assert formats.own_cells(f19.FORMAT_ID, new) == new
    for own, target in f19.MAPPING.items():  # the inverse of every one-to-one mapping
        if target is not None:
            assert formats.own_cells(f19.FORMAT_ID, (target,)) == (own,)


def test_only_2019_changes_are_signed() -> None:
    assert formats.signed_cells(f19.PROACTIVE) == {
        (r.key, "change") for r in f19.PROACTIVE.rows if "change" in r.columns
    }
    assert all(not formats.signed_cells(t) for t in formats.tables(formats.CURRENT))
