"""Splitting run-together digit runs by the table's own arithmetic (format.py Equations)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers import cellruns
from disclosure_lib.importers.cellruns import Segment, parse_value, resolve

APP = fmt.APPLICATIONS
COLS = tuple(c.key for c in APP.columns)


def row(key: str, *cells: str) -> Segment:
    return Segment(tuple((key, c) for c in COLS), list(cells), 1, key)


def test_the_issue_example_is_split_by_the_row_sum() -> None:
    res = resolve(APP, [row("new", "385001044")])
    assert [res.values[("new", c)] for c in COLS] == [38, 5, 0, 0, 1, 0, 44]
    assert {res.status[("new", c)] for c in COLS} == {"inferred"}
    assert any("推断" in msg and "38|5|0|0|1|0|44" in msg for _c, _l, msg in res.notes)


def test_a_whole_review_row_of_zeros() -> None:
    seg = Segment(fmt.REVIEW.cells(), ["000000000000000"], 3, "四")
    res = resolve(fmt.REVIEW, [seg])
    assert all(res.values[c] == 0 for c in fmt.REVIEW.cells())
    assert set(res.status.values()) == {"read"}  # one digit per cell: only one way to cut


def test_review_run_split_by_group_totals() -> None:
    # 行政复议 1|0|0|1|2, 未经复议直接起诉 10|0|0|0|10, 复议后起诉 0|0|0|0|0
    seg = Segment(fmt.REVIEW.cells(), ["100121000010", "00000"], 3, "四")
    res = resolve(fmt.REVIEW, [seg])
    got = [res.values[c] for c in fmt.REVIEW.cells()]
    assert got == [1, 0, 0, 1, 2, 10, 0, 0, 0, 10, 0, 0, 0, 0, 0]


def test_ambiguity_settled_by_the_column_rules() -> None:
    # 新收 natural 11, business 1, total 12: 11|1|…|12, 1|11|…|12, 1|1|10|…|12 fit the row;
    # only the first fits 一 + 二 = （七）总计 + 四 in each column.
    segs = [row("new", "111000012"), row("carried_over", *"0000000")]
    for r in APP.figure_rows:
        if r.key in ("new", "carried_over"):
            continue
        values = ["0"] * 7
        if r.key in ("disclosed", "total"):
            values = ["11", "1", "0", "0", "0", "0", "12"]
        segs.append(row(r.key, *values))
    res = resolve(APP, segs)
    assert [res.values[("new", c)] for c in COLS] == [11, 1, 0, 0, 0, 0, 12]
    assert res.status[("new", "natural")] == "inferred"
    assert any("全表" in msg for _c, _l, msg in res.notes)


DOCS = tuple(("normative_documents", c) for c in ("issued", "repealed", "in_force"))


def test_still_ambiguous_cells_stay_blank_and_flagged() -> None:
    # "11011": 1|10|11, 11|0|11 and 1|101|1 keep 现行有效 ≥ 制发 − 废止; 110|1|1 does not
    res = resolve(fmt.PROACTIVE, [Segment(DOCS, ["11011"])])
    assert all(res.values[s] is None for s in DOCS)
    [(_cell, level, msg)] = res.notes
    assert level == "warning" and "1|10|11" in msg and "11|0|11" in msg
    assert "110|1|1" not in msg


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("2023", (2, 0, 23)),  # 20|2|3 would need last year's 现行有效 = 3 − 20 + 2 < 0
        ("3040", (3, 0, 40)),  # 30|4|0: 0 < 30 − 4
    ],
)
def test_in_force_inequality_decides_the_split(run: str, expected: tuple[int, ...]) -> None:
    res = resolve(fmt.PROACTIVE, [Segment(DOCS, [run], 1, "行政规范性文件")])
    assert tuple(res.values[s] for s in DOCS) == expected
    assert {res.status[s] for s in DOCS} == {"inferred"}


def test_forced_split_of_one_review_group() -> None:
    seg = Segment(fmt.REVIEW.cells()[:5], ["10012"], 1, "行政复议")
    res = resolve(fmt.REVIEW, [seg])
    assert [res.values[c] for c in seg.slots] == [1, 0, 0, 1, 2]  # one digit each: forced


def test_cells_all_solutions_agree_on_are_kept() -> None:
    # 规章 "0510": 0|5|10 or 0|51|0 — 本年制发件数 is 0 either way, the rest is open
    slots = tuple(("regulations", c) for c in ("issued", "repealed", "in_force"))
    res = resolve(fmt.PROACTIVE, [Segment(slots, ["0510"], 1, "规章")])
    assert res.values[slots[0]] == 0 and res.status[slots[0]] == "inferred"
    assert res.values[slots[1]] is None and res.values[slots[2]] is None


def test_nothing_fits_leaves_the_row_blank() -> None:
    res = resolve(APP, [row("new", "12345678")])
    assert all(res.values[("new", c)] is None for c in COLS)
    assert any(level == "warning" and "无符合" in msg for _c, level, msg in res.notes)


def test_forced_split_is_kept_even_if_the_sum_is_wrong() -> None:
    # seven digits for seven cells: only one way to read it; the checks report the bad total
    res = resolve(APP, [row("new", "1111111")])
    assert [res.values[("new", c)] for c in COLS] == [1] * 7
    assert res.status[("new", "total")] == "read"


def test_too_few_separate_cells_are_not_guessed() -> None:
    res = resolve(APP, [row("new", "1", "0", "1")])
    assert all(res.values[("new", c)] is None for c in COLS)
    assert any("只读到3个" in msg for _c, _l, msg in res.notes)


def test_too_many_cells_are_not_guessed() -> None:
    res = resolve(APP, [row("new", *"123456789")])
    assert all(res.values[("new", c)] is None for c in COLS)


def test_trailing_blank_cells_are_padding() -> None:
    res = resolve(APP, [row("new", *"1000001", "", "")])
    assert [res.values[("new", c)] for c in COLS] == [1, 0, 0, 0, 0, 0, 1]


def test_blank_and_marker_cells_inside_a_run_row() -> None:
    # a blank cell holds one slot; the run fills the other six
    res = resolve(APP, [row("new", "", "100001")])
    assert res.values[("new", "natural")] is None
    assert [res.values[("new", c)] for c in COLS[1:]] == [1, 0, 0, 0, 0, 1]


def test_leading_zeros_are_never_a_number() -> None:
    cands = list(cellruns._splits("0510", 3))
    assert (0, 5, 10) in cands and (0, 51, 0) in cands
    assert all(not str(v).startswith("0") or v == 0 for c in cands for v in c)
    assert (5, 1, 0) not in cands


def test_huge_runs_are_refused_not_enumerated() -> None:
    seg = Segment(fmt.REVIEW.cells(), ["1" * 45], 1, "四")
    res = resolve(fmt.REVIEW, [seg])
    assert all(res.values[c] is None for c in fmt.REVIEW.cells())
    assert any("过多" in msg for _c, _l, msg in res.notes)


def test_runs_longer_than_any_split_fit_nothing() -> None:
    res = resolve(APP, [row("new", "1" * 60)])  # 7 cells of at most 6 digits
    assert all(res.values[("new", c)] is None for c in COLS)
    assert any(level == "warning" for _c, level, _m in res.notes)


@pytest.mark.parametrize(
    ("text", "amount", "signed", "expected"),
    [
        ("12", False, False, (12, "read")),
        ("12", True, False, (Decimal("12"), "read")),
        ("12.35", True, False, (Decimal("12.35"), "read")),
        ("3.0", False, False, (3, "read")),
        ("3.5", False, False, (None, "flagged")),
        ("-2", False, True, (-2, "read")),
        ("-2", False, False, (None, "flagged")),
        ("", False, False, (None, "blank")),
        ("abc", False, False, (None, "flagged")),
    ],
)
def test_parse_value(text: str, amount: bool, signed: bool, expected: tuple) -> None:
    assert parse_value(text, amount=amount, signed=signed) == expected


def full_table(new: Segment) -> list[Segment]:
    """三 with 新收 as given; the other rows printed whole (11 natural, 1 business: as 38|5|…)."""
    segs = [new, row("carried_over", *"0000000")]
    for r in APP.figure_rows:
        if r.key in ("new", "carried_over"):
            continue
        values = ["0"] * 7
        if r.key in ("disclosed", "total"):
            values = ["38", "5", "0", "0", "1", "0", "44"]
        segs.append(row(r.key, *values))
    return segs


def test_a_short_row_gets_its_missing_cell_where_one_reading_fits() -> None:
    # 新收 prints 6 of its 7 cells (a 0 lost): the row sum and 一 + 二 = （七）+ 四 per
    # column leave one reading, 38|5|0|0|1|0|44
    res = resolve(APP, full_table(row("new", "38", "5", "0", "1", "0", "44")))
    assert [res.values[("new", c)] for c in COLS] == [38, 5, 0, 0, 1, 0, 44]
    assert {res.status[("new", c)] for c in COLS} == {"inferred"}


def test_a_short_row_alone_is_not_guessed() -> None:
    # without the other rows, the missing 0 could stand in four places, or 总计 be missing
    res = resolve(APP, [row("new", "38", "5", "0", "1", "0", "44")])
    assert all(res.values[("new", c)] is None for c in COLS)
    [p] = res.pending
    assert (38, 5, 0, 0, 1, 0, 44) in p.cands and (38, 5, 0, 1, 0, 44, 88) in p.cands
    assert len(p.cands) == 5 and any("等5种" in m for _c, _l, m in res.notes)
    assert any("少一个单元格，有多种读法" in m for _c, _l, m in res.notes)


def test_a_short_row_of_two_without_rules_stays_open() -> None:
    # 行政规范性文件 prints 2 and 89: which of the three cells is missing, nothing says
    res = resolve(fmt.PROACTIVE, [Segment(DOCS, ["2", "89"], 1, "行政规范性文件")])
    assert all(res.values[s] is None for s in DOCS)
