"""Variations unseen reports will print, found by `benchmarks/bench_corpus_mutate.py`: each
variant of a page must give the figures the page gives as it is (or leave blank what the
variant really loses), never other figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib.checks import check_report
from disclosure_lib.importers.align import align_page
from disclosure_lib.importers.document import import_bytes, import_file
from tests.base import FIXTURES

PAGE = FIXTURES / "import" / "corpus_style.txt"
PAGE_2019 = FIXTURES / "import" / "corpus_style_2019.txt"

# 二 in the 2019 tables, cells run together, the page on one line as shsyj-2021 prints it
PROACTIVE_2019 = (
    "二、主动公开政府信息情况"
    "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000"
    "行政规范性文件123第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量"
    "行政许可8 9 7第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚7 4 0"
    "行政强制000第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00"
    # 三 in the 2021 table (（六）其他处理 in three rows), as shsyj-2021 mixes them
    + fmt.section("三").heading
    + "".join(f"{r.label}0000000" for r in fmt.APPLICATIONS.figure_rows)
)


def _import(text: str):  # type: ignore[no-untyped-def]
    return import_bytes(text.encode(), path="fragment.txt", agency="示例区片段局", year=2021)


def test_2019_header_words_split_by_spaces_keep_the_2019_format() -> None:
    # every header word of 二 split by a space (本年新 制作数量, 上一年 项目数量): the 2019
    # format is still found, so 行政许可8 9 7 is not read into the one 2021 cell
    base = _import(PROACTIVE_2019)
    spaced = PROACTIVE_2019
    for marker in {*f19.MARKERS, "处理决定数量"} - {f19.ITEM_9}:
        spaced = spaced.replace(marker, marker[:3] + " " + marker[3:])
    got = _import(spaced)
    assert base.log.format == got.log.format == f19.FORMAT_ID
    assert got.report.tables == base.report.tables
    assert got.report.get("proactive", "licensing", "previous_items") == 8
    assert got.report.get("proactive", "licensing", "decisions") == 7


def test_2021_header_words_split_by_spaces_keep_the_2021_format() -> None:
    text = PROACTIVE_2019
    for old, new in zip(
        f19.MARKERS[:4], ("本年制 发件数", "本年废 止件数", "现行有 效件数"), strict=False
    ):
        text = text.replace(old, new)
    text = text.replace("上一年项目数量本年增/减", "").replace("行政许可8 9 7", "行政许可7")
    got = _import(text)
    assert got.log.format == fmt.FORMAT_ID
    assert got.report.get("proactive", "normative_documents", "in_force") == 3
    assert got.report.get("proactive", "licensing", "decisions") == 7


def test_an_item_header_not_printed_is_not_taken_for_the_next_one() -> None:
    # lwtj-2020 prints 行政处罚 without its 第二十条第（六）项 header: the alignment must not
    # take 第二十条第（八）项 (one character off) for it and skip the rows between
    page = PAGE_2019.read_text(encoding="utf-8")
    base = import_file(PAGE_2019)
    item6 = "第二十条第（六）项 信息内容 上一年 项目数量 本年增/减量 处理决定数量 "
    assert item6 in page
    page = page.replace(item6, "")
    assert "第二十条第（九）项" in align_page(page.split("\n")[9])
    spaced = page.replace("行政处罚", "行政处 罚").replace("行政强制", "行政强 制")
    got = import_bytes(spaced.encode("utf-8"))
    assert got.report.tables == base.report.tables
    assert got.report.get("proactive", "penalty", "previous_items") == 30


def test_a_flattened_page_with_its_pieces_on_lines_reads_as_on_one_line() -> None:
    # the body's first part on one line (several headings), every piece after it on a line of
    # its own: table rows, then `0 四、…` glued headings and prose, as a crawler may keep them
    base = import_file(PAGE)
    *head, body = PAGE.read_text(encoding="utf-8").split("\n")
    cut = body.index(" ", 700)
    lines = [*head, body[:cut], *body[cut:].split()]
    got = import_bytes("\n".join(lines).encode("utf-8"))
    assert (got.report.agency, got.report.year) == (base.report.agency, base.report.year)
    assert got.report.tables == base.report.tables


@pytest.mark.parametrize(
    "heading",
    ["一总体情况", "一、年度工作核心成效"],  # jjpq-2020 (no 、), jspq-2025 (reworded)
)
def test_section_one_under_another_heading_is_read_and_checked(heading: str) -> None:
    # 一's text (where a wrong figure is stated) must be 一's, not the preamble's
    page = PAGE.read_text(encoding="utf-8")
    assert "一、总体情况2023年，" in page
    stated = "本年度新收政府信息公开申请9件。"
    page = page.replace("一、总体情况2023年，", f"{heading}2023年，").replace(
        "二、主动公开政府信息情况", stated + "二、主动公开政府信息情况"
    )
    got = import_bytes(page.encode("utf-8"))
    assert got.log.sections_found == list("一二三四五六")
    assert "共主动公开政府信息120条" in got.report.narrative_text("一")
    [r6] = [f for f in check_report(got.report) if f.code == "R6-NARRATIVE"]
    assert (r6.actual, r6.expected) == (9, 6)


@pytest.mark.parametrize("page", [PAGE, PAGE_2019], ids=["2021", "2019"])
def test_a_page_one_piece_a_line_reads_as_on_one_line(page: Path) -> None:
    # every run of spaces a line break: `四、结转下年度继续` / `办理` is one label cut over
    # two lines, `0 四、…` headings after figures; the figures are those of the page as it is
    base = import_file(page)
    *head, body = page.read_text(encoding="utf-8").split("\n")
    got = import_bytes("\n".join([*head, *body.split()]).encode("utf-8"))
    assert (got.report.agency, got.report.year) == (base.report.agency, base.report.year)
    assert got.report.tables == base.report.tables


def test_a_label_with_a_character_inserted_is_rewritten_whole() -> None:
    # jspq-2025 prints 其他法律和行政法规禁止公开: the label found one character longer is
    # rewritten whole (no 开 left behind), so a page of many lines still reads row by row
    base = import_file(PAGE)
    *head, body = PAGE.read_text(encoding="utf-8").split("\n")
    body = body.replace("2.其他法律行政法规禁止公开", "2.其他法律和行政法规禁止公开")
    assert "禁止公开 开" not in align_page(body)
    got = import_bytes("\n".join([*head, *body.split()]).encode("utf-8"))
    assert got.report.tables == base.report.tables


def test_a_table_heading_with_a_note_glued_to_the_table() -> None:
    # jjpq-2020: 三、收到和处理政府信息公开申请情况（有关情况附表）（本列数据…）申请人情况…
    # 一、本年新收政府信息公开申请数量 on one line, its figures on the next
    base = import_file(PAGE)
    *head, body = PAGE.read_text(encoding="utf-8").split("\n")
    heading = "三、收到和处理政府信息公开申请情况"
    body = body.replace(heading + " ", heading + "（有关情况附表）", 1)
    assert "（有关情况附表）" in body
    label = "一、本年新收政府信息公开申请数量"
    start, at = body.index(heading), body.index(label) + len(label)
    glued = body[start:at].replace(" ", "")  # heading, note, header words and label glued
    lines = [*head, *body[:start].split(), glued, *body[at:].split()]
    got = import_bytes("\n".join(lines).encode("utf-8"))
    assert got.report.tables == base.report.tables
