"""Figures as unseen pages of the corpus's site print them (issue 15; variations in
`benchmarks/variations_numbers.py`): full-width digits, thousands separators, cells printed
as a marker, invisible characters, fees with units or decimals. Each variant of the fixture
page (a 2021-format report on one line, modelled on the corpus) gives the figures the page
gives as printed; a marker the arithmetic does not decide stays blank, never a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.checks import check_report
from disclosure_lib.importers.document import ImportResult, import_bytes, import_file
from disclosure_lib.importers.evidence import fill_blanks, table_constraints
from disclosure_lib.importers.text import clean_text
from tests.base import FIXTURES

PAGE = FIXTURES / "import" / "numbers_style.txt"
MARKS = ("—", "－", "-", "/", "／", "无")
FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


@pytest.fixture(scope="module")
def base() -> ImportResult:
    result = import_file(PAGE)
    assert result.log.cells == (200, 0, 0)  # the page as printed reads whole
    return result


def _text() -> str:
    return PAGE.read_text(encoding="utf-8")


def _import(text: str) -> ImportResult:
    return import_bytes(text.encode("utf-8"), path="numbers_style.txt")


def _swap(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _same(got: ImportResult, base: ImportResult) -> None:
    assert (got.report.agency, got.report.year) == (base.report.agency, base.report.year)
    assert got.report.tables == base.report.tables
    codes = sorted(f.code for f in check_report(got.report))
    assert codes == sorted(f.code for f in check_report(base.report))


def test_fullwidth_digits_and_points_read_as_printed(base: ImportResult) -> None:
    head, _, body = _text().rpartition("\n")
    got = _import(head + "\n" + body.translate(FULL))
    assert "１５２８" in body.translate(FULL) and "５９４９．０９" in body.translate(FULL)
    _same(got, base)
    assert got.report.get("proactive", "fees", "fee_amount") == Decimal("5949.09")


@pytest.mark.parametrize("comma", [",", "，"])
def test_thousands_separators_in_cells(comma: str, base: ImportResult) -> None:
    text = _swap(
        _text(),
        ("行政许可1528", f"行政许可1{comma}528"),
        ("行政事业性收费5949.09", f"行政事业性收费5{comma}949.09"),
    )
    got = _import(text)
    _same(got, base)
    assert got.report.get("proactive", "licensing", "decisions") == 1528


@pytest.mark.parametrize("comma", [",", "，"])
def test_thousands_separators_in_prose_keep_the_statements(comma: str, base: ImportResult) -> None:
    text = _swap(_text(), ("共主动公开政府信息1234条", f"共主动公开政府信息1{comma}234条"))
    _same(_import(text), base)


@pytest.mark.parametrize("figure", ["1,016", "1，016", "１，０１６"])
def test_a_statement_with_thousands_separators_is_checked(figure: str) -> None:
    # the text says 1016 applications, the table 1015: flagged however the figure is grouped
    text = _swap(
        _text(),
        ("全年收到政府信息公开申请15件", f"全年收到政府信息公开申请{figure}件"),
        ("数量 12 1 2 0 0 0 15 ", "数量 1012 1 2 0 0 0 1015 "),
        ("（七）总计 11 1 2 0 0 0 14 ", "（七）总计 1011 1 2 0 0 0 1014 "),
        ("（一）予以公开5100006", "（一）予以公开1005 1 0 0 0 0 1006"),
    )
    got = _import(text)
    assert got.report.get("applications", "new", "total") == 1015
    assert any(f.code.startswith("R6") and "1016" in f.message for f in check_report(got.report))


def test_only_a_thousands_comma_is_taken_out() -> None:
    assert clean_text("公开信息1,234条，12,345.5万元") == "公开信息1234条，12345.5万元"
    assert clean_text("收到申请1，016件") == "收到申请1016件"  # ，before a unit
    # not thousands: a list, a clause comma (full-width), a short group, a longer run
    for text in (
        "第1,2项",
        "收到申请15件，123件已办结",
        "12,34",
        "1,234,5",
        "2023,2024年",
        "5，949 三",
    ):
        assert clean_text(text) == text


@pytest.mark.parametrize("mark", MARKS)
def test_markers_the_arithmetic_decides(mark: str, base: ImportResult) -> None:
    m = mark
    text = _swap(
        _text(),
        # one part of a row whose total is printed: the row decides it (2)
        ("数量 12 1 2 0 0 0 15 ", f"数量 12 1 {m} 0 0 0 15 "),
        # every part of a row whose total is 0: each is 0 (counts are never negative)
        ("信访举报投诉类申请0000000", f"信访举报投诉类申请{m} {m} {m} {m} {m} {m} 0"),
        # the total with every part printed (1)
        ("2.重复申请1000001", f"2.重复申请1 0 0 0 0 0 {m}"),
        # 四: 尚未审结 of 行政复议 (1), and a whole group of markers with its total 0
        ("总计 1 0 0 1 2 0 0 0 0 0 0", f"总计 1 0 0 {m} 2 {m} {m} {m} {m} 0 0"),
    )
    got = _import(text)
    _same(got, base)
    status = got.log.cell_status
    assert status[("applications", "new", "research")] == "inferred"
    assert status[("applications", "not_processed.repeated", "total")] == "inferred"
    assert status[("review", "reconsideration", "pending")] == "inferred"
    assert got.log.cells == (200 - 13, 13, 0)  # 1 + 6 + 1 + 5 markers
    decided = [e.message for e in got.log.entries if e.row == "new" and "推断为" in e.message]
    assert any("科研机构=2" in x for x in decided), decided


def test_a_marker_the_equations_disagree_on_stays_blank(base: ImportResult) -> None:
    # 上年结转 printed as 0 (the page does not add up): 结转下年度 自然人 is 2 by its row but
    # 1 by 第一项加第二项 = 第三项加第四项 — left blank, both values in the log, flagged
    text = _swap(
        _text(),
        ("二、上年结转政府信息公开申请数量1000001", "二、上年结转政府信息公开申请数量0000000"),
        ("四、结转下年度继续办理2000002", "四、结转下年度继续办理— 0 0 0 0 0 2"),
    )
    got = _import(text)
    assert got.report.get("applications", "carry_forward", "natural") is None
    [warn] = [e for e in got.log.warnings if e.row == "carry_forward" and e.column == "natural"]
    assert "1（" in warn.message and "2（" in warn.message and "留空" in warn.message
    codes = {f.code for f in check_report(got.report)}
    assert {"R5-BLANK", "R1-APP-BALANCE"} <= codes
    # the cell's evidence (--log) and the params file's comments carry both values
    ev = got.log.evidence[("applications", "carry_forward", "natural")]
    assert (ev.status, ev.candidates) == ("blank", [1, 2])
    assert any(x.endswith("可能为 1、2") for x in got.log.open_cells())


def test_blanks_decided_only_where_one_value_fits() -> None:
    t = fmt.REVIEW
    cons = [c for c in table_constraints(t) if c.terms[0][0][0] == "reconsideration"]
    cells = [c for c, _ in cons[0].terms]  # total, upheld, corrected, other, pending

    def run(values: list[int | None]) -> list[int | None]:
        vals = dict(zip(cells, values, strict=True))
        status = {c: "blank" if v is None else "read" for c, v in vals.items()}
        fill_blanks(cons, vals, status)
        return [vals[c] for c in cells]  # type: ignore[misc]

    assert run([3, 1, None, 0, 0]) == [3, 1, 2, 0, 0]  # the one blank: 3 − 1
    assert run([None, 1, 2, 0, 0]) == [3, 1, 2, 0, 0]  # the total of its parts
    assert run([3, 1, None, 0, None]) == [3, 1, None, 0, None]  # 2 between two: unknown
    assert run([1, 2, None, 0, 0]) == [1, 2, None, 0, 0]  # would be −1: not a count


def test_invisible_characters_change_no_figure(base: ImportResult) -> None:
    text = _swap(
        _text(),
        ("行政许可1528", "行政\u200b许可15\u200b28"),
        ("本年制发件数", "本年\ufeff制发件数"),
        ("数量 12 1 2 0 0 0 15 ", "数量\u00a012&nbsp;1\u00a02 0&nbsp;0\t0 15 "),
        ("予以公开5100006", "予以公开51\u200b00006"),
        ("总计 1 0 0 1 2 0", "总计&nbsp;1&nbsp;0\u00a00 1 2 0"),
        ("本年度未收取", "<!--[if !supportLists]-->1.<!--[endif]-->本年度未收取"),
    )
    _same(_import("\ufeff" + text), base)


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("5949.09万元", "5949.09"),
        ("5949.0900", "5949.09"),
        ("59490900元", "5949.09"),
        ("5949．09", "5949.09"),
        ("0.00", "0"),
        ("0.0000", "0"),
        ("0万元", "0"),
        ("0元", "0"),
        ("1.5万元", "1.5"),
        ("15000元", "1.5"),
    ],
)
def test_fee_with_units_and_decimals(printed: str, value: str) -> None:
    got = _import(_swap(_text(), ("行政事业性收费5949.09", f"行政事业性收费{printed}")))
    fee = got.report.get("proactive", "fees", "fee_amount")
    assert isinstance(fee, Decimal) and fee == Decimal(value)
    assert got.log.cells == (200, 0, 0)
    if printed.endswith("元") and not printed.endswith("万元"):  # 元 → 万元 exactly, logged
        assert any("按万元记为" in e.message for e in got.log.entries)


@pytest.mark.parametrize("unit", ["件", " 项", "次"])
def test_one_count_cells_with_their_unit(unit: str, base: ImportResult) -> None:
    text = _swap(
        _text(), ("行政许可1528", f"行政许可1528{unit}"), ("行政处罚36", f"行政处罚36{unit}")
    )
    _same(_import(text), base)


def test_a_marker_in_the_proactive_table_is_blank_not_zero(base: ImportResult) -> None:
    # nothing in 二 adds up: a — printed for 规章's three cells decides nothing (never a guess)
    got = _import(_swap(_text(), ("规章000", "规章— / 无")))
    regs = {c: v for (r, c), v in got.report.tables["proactive"].items() if r == "regulations"}
    assert regs == {"issued": None, "repealed": None, "in_force": None}
    others = {k: v for k, v in base.report.tables["proactive"].items() if k[0] != "regulations"}
    assert {k: got.report.tables["proactive"][k] for k in others} == others
    assert got.report.tables["applications"] == base.report.tables["applications"]
    blank = [f for f in check_report(got.report) if f.code == "R5-BLANK"]
    assert blank and all(set(r for _t, r, _c in f.cells) == {"regulations"} for f in blank)


PAGE_2019 = FIXTURES / "import" / "corpus_style_2019.txt"


def _lines(text: str) -> str:
    """The page with every run of whitespace in its body a line break."""
    head, _, body = text.rpartition("\n")
    return head + "\n" + "\n".join(body.split())


def test_markers_in_the_2019_other_handling_row_keep_the_2019_table() -> None:
    # （六）其他处理 is one row of figures in the 2019 table: printed as markers, one a line,
    # it is still that row (not the 2021 heading of three sub-rows)
    text = PAGE_2019.read_text(encoding="utf-8")
    base = _import(_lines(text))
    marked = _swap(text, ("（六）其他处理 0 0 0 0 0 0 0", "（六）其他处理 - - - - - - 0"))
    got = _import(_lines(marked))
    assert got.log.table_formats == base.log.table_formats
    assert got.report.tables == base.report.tables
    assert got.log.cell_status[("applications", "other_handling", "natural")] == "inferred"


def test_an_amount_in_yuan_with_thousands_separators() -> None:
    text = PAGE_2019.read_text(encoding="utf-8")
    base = _import(text)
    got = _import(_swap(text, ("3个 3443000元", "3个 3,443,000元")))
    assert got.report.tables == base.report.tables
    assert got.report.get("proactive", "procurement", "purchase_amount") == Decimal("344.3")


def test_space_entities_and_a_word_comment_broken_over_lines() -> None:
    text = "行政强制0&ensp;(二)主动公开<!--[if\n!supportLists]-->（五）<!--[endif]-->项\u2003说明"
    # the comment goes, its line break stays: the source lines keep their numbers
    assert clean_text(text) == "行政强制0 (二)主动公开\n（五）项 说明"


def test_a_count_with_its_unit_run_into_the_amount() -> None:
    # 政府集中采购 3个3443000元: the unit ends the count's cell, the amount follows
    text = PAGE_2019.read_text(encoding="utf-8")
    base = _import(text)
    got = _import(_swap(text, ("3个 3443000元", "3个3443000元")))
    assert got.report.tables == base.report.tables
    assert got.report.get("proactive", "procurement", "purchases") == 3


@pytest.mark.parametrize(
    ("printed", "value"), [("-11", -11), ("－11", -11), ("−11", -11), ("+11", 11)]
)
def test_a_signed_change_in_the_2019_table(printed: str, value: int) -> None:
    # 本年增/减 as offices print a decrease: ASCII, full-width or the minus sign U+2212
    text = PAGE_2019.read_text(encoding="utf-8")
    got = _import(_swap(text, ("行政许可 15 11 0", f"行政许可 15 {printed} 0")))
    assert got.report.get("proactive", "licensing", "change") == value
    assert got.report.get("proactive", "licensing", "previous_items") == 15
