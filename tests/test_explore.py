"""What explore.ipynb shows (issue 19 item 8): rows with their group, totals apart from the
detail, exact amounts, rates as percentages, pinyin order, one agency's years."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from disclosure_lib import explore as ex
from disclosure_lib import format as fmt
from disclosure_lib.model import Report
from disclosure_lib.synth import demo_series
from disclosure_lib.tidy import reports_frame

APP, REV = fmt.APPLICATIONS, fmt.REVIEW


def _reports() -> list[Report]:
    out: list[Report] = []
    for i, name in enumerate(("国有资产局", "古田县局", "安平局")):
        out += demo_series(name, range(2023, 2025), seed=i, scale=20 + 5 * i)
    return out


def test_items_keep_their_group_in_official_order() -> None:
    frame = ex.with_items(reports_frame(_reports()))
    items = list(
        frame[frame.table == APP.title][ex.ITEM].cat.remove_unused_categories().cat.categories
    )
    not_held = APP.row("unavailable.not_held").label
    assert f"{APP.row('unavailable').label} › {not_held}" in items
    assert items.index(f"{APP.row('unavailable').label} › {not_held}") > items.index(
        f"{APP.row('withheld').label} › {APP.row('withheld.query').label}"
    )
    assert items[0] == APP.row("new").label  # no group: the row alone
    assert items[-1] == APP.row("carry_forward").label
    reviewed = frame[frame.table == REV.title][ex.ITEM].unique()
    assert ex.item_label(REV.row("direct_suit").label, "行政诉讼") in set(map(str, reviewed))


def test_pivot_is_exact_and_totals_stay_out_of_the_bars() -> None:
    reports = _reports()
    for r, fee in zip(reports, ("12.35", "0.1", "0.2", "1917.59", "0.3", None), strict=True):
        r.set("proactive", "fees", "fee_amount", None if fee is None else Decimal(fee))
    frame = ex.with_items(reports_frame(reports))
    fees = ex.pivot(frame[frame.row == "行政事业性收费"], index="agency", columns="column")
    values = dict(zip(fees.index, fees.iloc[:, 0], strict=True))
    assert values == {"国有资产局": Decimal("12.45"), "古田县局": Decimal("1917.79"),
                      "安平局": Decimal("0.3")}  # fmt: skip
    assert all(isinstance(v, Decimal) for v in values.values())  # never float64
    app = frame[(frame.table == APP.title) & (frame.year == 2024)]
    table = ex.pivot(app, index=ex.ITEM, columns="column")
    assert all(isinstance(v, int) for v in table.to_numpy().ravel())
    detail, totals = ex.split_totals(table)
    total_row = ex.item_label(APP.row("total").label, APP.row("outcome").label)
    total_col = APP.column("total").label
    assert total_row in table.index and total_row not in detail.index
    assert total_col not in detail.columns and list(totals.columns) == [total_col]
    drawn = ex.bars(table)
    assert list(drawn.columns) == [total_col] and total_row not in drawn.index
    assert drawn.dtypes.iloc[0] == "float64" and len(drawn) == len(table) - 1
    # a table without a total column (二): the bars are its figures
    proactive = ex.pivot(frame[frame.section == fmt.PROACTIVE.section], ex.ITEM, "column")
    assert ex.bars(proactive).shape == proactive.shape


def test_rates_read_as_percentages_and_counts_as_integers() -> None:
    from disclosure_lib.summary import RATE, key_figures

    figures = key_figures(_reports())
    shown = ex.readable(figures)
    rate = figures[RATE].iloc[0]
    assert shown[RATE].iloc[0] == f"{rate * 100:.1f} %"
    assert str(shown["本年新收"].dtype) == "Int64"
    assert ex.percent(0.412587) == "41.3 %" and ex.percent(float("nan")) == ""


def test_pinyin_order_character_by_character() -> None:
    # whole strings put guoyou before gutian; character by character gu comes before guo
    assert ex.agencies(["国有资产局", "古田县局", "安平局", "古田县局"]) == [
        "安平局", "古田县局", "国有资产局"
    ]  # fmt: skip
    frame = pd.DataFrame({"agency": ["国有资产局", "古田县局", "国有资产局"], "year": [1, 2, 3]})
    assert list(ex.by_pinyin(frame)["year"]) == [2, 1, 3]


def test_fees_exact_in_pinyin_order() -> None:
    reports = _reports()
    reports[0].set("proactive", "fees", "fee_amount", Decimal("0.10"))
    reports[1].set("proactive", "fees", "fee_amount", None)
    fees = ex.fees(reports)
    assert list(fees["agency"]) == ["安平局"] * 2 + ["古田县局"] * 2 + ["国有资产局"] * 2
    first = fees[(fees.agency == "国有资产局") & (fees.year == 2023)]["fee"].iloc[0]
    assert first == Decimal("0.10") and str(first) == "0.10"  # as typed
    assert fees[(fees.agency == "国有资产局") & (fees.year == 2024)]["fee"].iloc[0] is None


def test_one_agency_year_by_year_with_the_change() -> None:
    from disclosure_lib.summary import RATE, key_figures

    reports = _reports()
    table = ex.agency_years(reports, "古田县局")
    assert list(table.columns) == ["2023年", "2024年", ex.CHANGE]
    figures = key_figures(r for r in reports if r.agency == "古田县局").set_index("year")
    new = figures["本年新收"]
    assert table.loc["本年新收", "2024年"] == str(int(new[2024]))
    assert table.loc["本年新收", ex.CHANGE] == f"{int(new[2024] - new[2023]):+d}"
    points = (figures[RATE][2024] - figures[RATE][2023]) * 100
    assert table.loc[RATE, ex.CHANGE] == f"{points:+.1f} 个百分点"
    assert table.loc[RATE, "2023年"].endswith(" %")
    single = ex.agency_years(reports[:1], "国有资产局")
    assert ex.CHANGE not in single.columns
