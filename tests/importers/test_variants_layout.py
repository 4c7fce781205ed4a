"""Page structure as unseen pages of the corpus's site print it (issue 15, brief i15lay; found
by `benchmarks/variations_layout.py`): numbering forms, reworded titles, the title and the
header metadata, the tables as an appendix. Each variant of the corpus-style fixture page must
give the figures, the agency and the year the page gives as it is."""

from __future__ import annotations

import re

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers.align import align_labels
from disclosure_lib.importers.document import ImportResult, import_bytes, import_file
from disclosure_lib.importers.headings import count_headings, split_embedded_headings
from tests.base import FIXTURES

PAGE = FIXTURES / "import" / "corpus_style.txt"
HEADER_LINES = 9


def _page() -> tuple[list[str], str]:
    lines = PAGE.read_text(encoding="utf-8").split("\n")
    return lines[:HEADER_LINES], "\n".join(lines[HEADER_LINES:])


def _import(head: list[str], body: str, name: str = "page.txt") -> ImportResult:
    return import_bytes("\n".join([*head, body]).encode("utf-8"), path=name)


def _same_as_printed(got: ImportResult) -> None:
    base = import_file(PAGE)
    assert (got.report.agency, got.report.year) == (base.report.agency, base.report.year)
    assert got.report.tables == base.report.tables


@pytest.mark.parametrize("mark", ["．", ".", " ", "\u3000", ""])
def test_section_numbering_forms_find_the_same_sections(mark: str) -> None:
    # 一．总体情况 / 一 总体情况 / 一总体情况 for 一、总体情况, the same on the whole page
    head, body = _page()
    for s in fmt.SECTIONS:
        body = body.replace(s.heading, s.key + mark + s.title)
    got = _import(head, body)
    assert got.log.sections_found[:4] == list("一二三四")
    _same_as_printed(got)


AGENCY = "示例区海湾片区管理局"


def _title_line(head: list[str], title: str) -> list[str]:
    return [f"标题: {title}".rstrip() if x.startswith("标题:") else x for x in head]


@pytest.mark.parametrize(
    "title",
    [
        f"{AGENCY}政府信息公开工作年度报告",  # no year: the statistics period decides
        "",  # empty: the body's cover-letter title decides
        f"{AGENCY} 2023年度政府信息公开工作年度报告",
        f"{AGENCY}2023年度政府信息公开年度工作报告",
        f"{AGENCY}2023年政府信息公开年度报告",
        f"{AGENCY}政府信息公开工作年度报告（2023年度）",
        f"{AGENCY}二〇二三年度政府信息公开工作年度报告",
        f"{AGENCY}关于公布2023年度政府信息公开工作年度报告的通知",
        f"{AGENCY}2023年度政府信息公开工作年度报告_示例区政府门户网站",
        "示例区 海湾片区管理局2023年度政府信息公开工作年度报告",  # the area, a space, the office
    ],
)
def test_the_crawler_title_as_offices_print_it(title: str) -> None:
    # where the body repeats the title it prints it the same way
    head, body = _page()
    if title:
        body = body.replace(f"{AGENCY}关于报送2023年度政府信息公开工作年度报告的函", title)
    _same_as_printed(_import(_title_line(head, title), body, "page.txt"))


def test_a_title_without_its_year_is_not_beaten_by_chrome_or_prose() -> None:
    # the header's title names the agency but not the year; the body's breadcrumb and prose
    # (首页…政府信息公开年报…局2023年度…, 特向社会公布…) must not become the agency
    head, body = _page()
    head = _title_line(head, f"{AGENCY}政府信息公开工作年度报告")
    body = (
        f"当前位置： 首页政务公开政府信息公开{AGENCY}政府信息公开年报{AGENCY}"
        f"2023年度政府信息公开工作年度报告 " + body
    )
    got = _import(head, body)
    assert got.report.agency == AGENCY
    assert got.report.year == 2023
    body = body.replace("当前位置： 首页政务公开政府信息公开", "现将本局工作情况特向社会公布")
    assert _import(head, body).report.agency == AGENCY


def test_breadcrumb_chrome_on_the_title_line_is_not_the_agency() -> None:
    head, body = _page()
    crumb = f"当前位置： 首页政务公开政府信息公开{AGENCY}政府信息公开年报{AGENCY}"
    got = _import(_title_line(head, ""), crumb + "2023年度政府信息公开工作年度报告 " + body)
    assert got.report.agency == AGENCY


@pytest.mark.parametrize(
    "period", ["2023年1月1日起至2023年12月31日止", "2023年1月1日至2023年12月31日"]
)
def test_a_title_naming_the_publishing_year_reads_the_data_year(period: str) -> None:
    # the title says 2024 (the year it is published), the statistics period and the file name
    # 2023 (the period in either form real pages print: 起…止 or not): the tables are 2023's
    head, body = _page()
    body = re.sub(r"统计期限[^。]*。", f"统计期限自{period}。", body, count=1)
    head = [x.replace("2023年度", "2024年度") for x in head]
    body = body.replace(f"{AGENCY}关于报送2023年度", f"{AGENCY}关于报送2024年度")
    got = _import(head, body, "hwpq-2023.txt")
    assert got.report.year == 2023
    assert any("统计期限与文件名均为2023年" in e.message for e in got.log.entries)
    _same_as_printed(got)


_TABLES = (  # (where the table starts, the heading after it) on the fixture page
    ("第二十条第（一）项", "三、收到和处理政府信息公开申请情况"),
    ("（本列数据的钩稽关系", "四、政府信息公开行政法复议"),
    ("行政复议 行政诉讼", "五、信息处理费收取情况"),
)


@pytest.mark.parametrize(
    ("mark", "titled"), [("附表：", False), ("附件：", False), ("附表：", True)]
)
def test_tables_printed_as_an_appendix_after_the_last_section(mark: str, titled: bool) -> None:
    # 二–四 hold a sentence pointing to the table, the tables follow the 落款 under their
    # titles (附表1 主动公开政府信息情况 …), then the page's chrome (附件下载)
    head, body = _page()
    tables = []
    for n, (start, end) in enumerate(_TABLES, start=1):
        a, b = body.index(start), body.index(end)
        # each under its title: the section's own (附表3 政府信息公开行政复议、行政诉讼情况
        # holds 行政复议, which is not where the table starts) or another
        title = fmt.section("一二三四"[n]).title if titled else f"表{n}情况"
        tables.append(f"附表{n} {title} {body[a:b].strip()}")
        body = body[:a] + f"详见附表{n}。 " + body[b:]
    chrome = "附件下载 （此件主动公开）"
    assert body.endswith(chrome)
    body = body.removesuffix(chrome) + f"{mark} " + " ".join(tables) + " " + chrome
    got = _import(head, body)
    _same_as_printed(got)
    assert "附表" not in " ".join(p.text for ps in got.report.narrative.values() for p in ps)


def test_an_appendix_without_the_tables_moves_nothing() -> None:
    # 附件：a list of attachments after 六 while the tables are where the template prints them
    head, body = _page()
    body += " 附件：1.政务公开工作要点 2.联系方式"
    _same_as_printed(_import(head, body))


@pytest.mark.parametrize(
    ("key", "heading"),
    [
        ("二", "二、政府信息主动公开情况"),
        ("三", "三、依申请公开政府信息情况"),
        ("三", "三、收到和处理政府信息公开申请的情况"),
        ("四", "四、因政府信息公开申请行政复议、提起行政诉讼的情况"),
    ],
)
def test_table_sections_reworded_as_offices_title_them(key: str, heading: str) -> None:
    head, body = _page()
    official = {"四": "四、政府信息公开行政法复议与行政诉讼情况"}.get(key, fmt.section(key).heading)
    assert official in body
    got = _import(head, body.replace(official, heading))
    assert key in got.log.sections_found
    _same_as_printed(got)


@pytest.mark.parametrize("mark", ["．", ".", " "])
def test_rows_of_three_numbered_like_the_sections(mark: str) -> None:
    # 一 本年新收…数量5 1 0…: the row's label found one character off must not take the
    # row's first figure with it
    head, body = _page()
    body = re.sub(r"([一二三四])、(?=本年新收|上年结转|本年度办|结转下年度)", rf"\1{mark}", body)
    body = body.replace("数量 5 1 0", "数量5 1 0")
    assert "一" + mark + "本年新收政府信息公开申请数量5 1 0" in body
    got = _import(head, body)
    _same_as_printed(got)
    assert got.report.get("applications", "new", "natural") == 5


@pytest.mark.parametrize(
    "before", ["", "x", "其他", "法律服务机构其他", "申请人情况自然人法人或其他组织总计其他"]
)
def test_a_label_one_character_off_takes_no_figure_or_header_word_with_it(before: str) -> None:
    # 一本年新收…数量 (、 dropped) before its figures 5100006: the label found is exactly what
    # the page prints of it, neither the 5 after it nor the 他 of the header word before it
    label = fmt.APPLICATIONS.rows[0].label
    printed = label.replace("、", "")
    text = before + printed + "5100006二上年结转"
    found, n = align_labels(text, (label,), 0, len(text))
    assert n == 1
    assert text[found[0][1] : found[0][2]] == printed


@pytest.mark.parametrize("sep", ["，", "；", " "])
def test_the_parts_listed_with_their_numbers_are_not_the_headings(sep: str) -> None:
    # 本报告分为一、总体情况，二、主动公开政府信息情况，…六个部分。 before the real 一: a list,
    # not six empty sections (the real ones reworded score lower than the list's exact words)
    head, body = _page()
    parts = sep.join(s.heading for s in fmt.SECTIONS)
    at = body.index("一、总体情况")
    body = body[:at] + f"本报告分为{parts}六个部分。" + body[at:]
    got = _import(head, body)
    _same_as_printed(got)
    assert got.report.narrative["一"][0].text.startswith("2023年，我局")


def test_a_section_the_template_lacks_glued_to_the_last_figures_takes_none_of_them() -> None:
    # …1 0 0 0 0五、政务公开工作开展情况…: an extra section after 四 printed right after 四's
    # last figure (the sections after it renumbered) leaves 四's figures whole
    head, body = _page()
    body = body.replace("1 0 0 1 2 0 0 0 1 1 0 0 0 0 0", "100120001100000")  # run together
    four_end = body.index(" 五、信息处理费收取情况")
    extra = "五、政务公开工作开展情况 围绕年度工作要点，推进政务公开标准化建设。"
    body = (
        body[:four_end]
        + extra
        + body[four_end:]
        .replace("七、其他需报告的事项", "八、其他需报告的事项")
        .replace("六、存在的主要问题", "七、存在的主要问题")
        .replace("五、信息处理费收取情况", "六、信息处理费收取情况")
    )
    assert "100000" + extra in body
    _same_as_printed(_import(head, body))


def test_long_row_labels_printed_cut_short_keep_their_rows() -> None:
    # 1.申请人无正当理由逾期不补正 1 0 0 … for 1.…逾期不补正、行政机关不再处理其政府信息公开申请
    # (and row 2 the same): the rows are found, so no figure moves to the row before
    head, body = _page()
    tail = "、行政机关不再处理其政府信息公开申请"
    assert body.count(tail) == 2
    body = body.replace(tail, "").replace("逾期不补正 0 0 0 0 0 0 0", "逾期不补正 1 0 0 0 0 0 1")
    got = _import(head, body)
    assert got.report.get("applications", "other_handling.no_correction", "natural") == 1
    assert got.report.get("applications", "other_handling.no_correction", "total") == 1
    base = import_file(PAGE).report
    for row in ("not_processed.confirm", "other_handling.no_payment"):
        for col in ("natural", "total"):
            assert got.report.get("applications", row, col) == base.get("applications", row, col)


PROACTIVE_RUN = (  # 二 as nyncj-2024 prints it: run together, 本年废止件 for 本年废止件数
    "二、主动公开政府信息情况第二十条第（一）项 信息内容本年制发件数本年废止件现行有效件数"
    "规范性文件100第二十条第（五）项信息内容本年处理决定数量行政许可1323第二十条第（六）项"
    "信息内容本年处理决定数量行政处罚57行政强制0第二十条第（八）项信息内容{fee}行政事业性收费0"
)


@pytest.mark.parametrize(
    "header", ["本年收费金额（单位：万元）", "本年收费金额(万元)", "本年收费金额（万元）"]
)
def test_the_fee_column_headed_without_its_unit_word(header: str) -> None:
    head, body = _page()
    a, b = body.index("二、主动公开政府信息情况"), body.index("三、收到和处理")
    body = body[:a] + PROACTIVE_RUN.format(fee=header) + body[b:]
    got = _import(head, body).report
    assert got.get("proactive", "licensing", "decisions") == 1323
    assert got.get("proactive", "penalty", "decisions") == 57
    assert got.get("proactive", "normative_documents", "issued") == 1


@pytest.mark.parametrize("ending", ["的", "情况"])
def test_a_label_with_a_word_added_before_its_run_together_figures(ending: str) -> None:
    # 四、结转下年度继续办理的1000001: the 的 is the label's, the seven figures the row's
    head, body = _page()
    old = "四、结转下年度继续 办理 1 0 0 0 0 0 1"
    assert old in body
    got = _import(head, body.replace(old, f"四、结转下年度继续办理{ending}1000001"))
    _same_as_printed(got)
    assert got.report.get("applications", "carry_forward", "total") == 1


def test_a_table_run_into_the_prose_after_it_on_a_page_of_many_lines() -> None:
    # a page broken into lines where one line holds 二's run-together table and the prose
    # after it (…行政事业性收费0(二)主动公开的主要类别…。): the table is read as on one line
    head, body = _page()
    a, b = body.index("二、主动公开政府信息情况"), body.index("三、收到和处理")
    prose = "(二)主动公开政府信息的主要类别：政策文件、财政预决算等共120条。"
    table = PROACTIVE_RUN.format(fee="本年收费金额（单位：万元）").replace("废止件现", "废止件数现")
    one_line = body[:a] + table + prose + " "
    one_line += body[b:]
    base = _import(head, one_line).report
    assert base.get("proactive", "licensing", "decisions") == 1323
    lines = one_line.replace(" ", "\n").replace(
        "二、主动公开政府信息情况", "二、主动公开政府信息情况\n"
    )
    got = _import(head, lines).report
    assert got.tables["proactive"] == base.tables["proactive"]
    assert got.tables == base.tables


@pytest.mark.parametrize("mark", ["、", ".", "．", " ", ""])
def test_headings_inside_run_together_text_in_any_numbering_form(mark: str) -> None:
    # a line holding several headings (how a page of many lines is found to be a flattened
    # one) whatever mark follows the ordinal; the line is cut at each of them
    three, four = "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况"
    line = f"0 0 00三{mark}{three}（本列数据）0 0四{mark}{four}"
    assert count_headings(line) == 2
    parts = split_embedded_headings(line)
    assert parts[1].startswith(f"三{mark}收到和处理") and parts[-1].startswith(f"四{mark}政府")


def test_a_reworded_label_keeps_its_number_after_run_together_figures() -> None:
    # …申请00000005.要求行政机关确认或者重新出具已获取信息0000000: a label one character off
    # (或者 for 或) starts at its 5., which is not the row before's eighth figure
    label = "5.要求行政机关确认或重新出具已获取信息"
    text = (
        "4.无正当理由大量反复申请00000005.要求行政机关确认或者重新出具已获取信息0000000"
        "（六）其他处理1.申请人"  # (the best-scored window depends on the text after it)
    )
    found, n = align_labels(text, (label,), 0, len(text))
    assert n == 1
    assert text[found[0][1] : found[0][2]] == "5.要求行政机关确认或者重新出具已获取信息"


def test_parts_listed_with_a_space_after_each_number_are_no_headings_either() -> None:
    # 本报告分为一、 总体情况 二、 主动公开政府信息情况 …: the list's words, once its numbers
    # are taken off, must not stand alone as a heading's title (主动公开政府信息情况)
    head, body = _page()
    parts = " ".join(f"{s.key}、 {s.title}" for s in fmt.SECTIONS)
    at = body.index("一、总体情况")
    got = _import(head, body[:at] + f"本报告分为{parts}六个部分。" + body[at:])
    _same_as_printed(got)


def test_a_title_without_its_year_in_the_crawler_path_only() -> None:
    # 标题 empty, the body without a title, 本地目录 ending in the title without its year: the
    # agency from the path, the year from the statistics period
    head, body = _page()
    head = _title_line(head, "")
    head = [
        f"本地目录: zfxxgknb/1_{AGENCY}政府信息公开工作年度报告" if x.startswith("本地目录") else x
        for x in head
    ]
    body = body.replace(f"{AGENCY}关于报送2023年度政府信息公开工作年度报告的函", "")
    got = _import(head, body, "page.txt")
    assert (got.report.agency, got.report.year) == (AGENCY, 2023)


def test_row_numbers_with_a_comma_and_a_reworded_label() -> None:
    # 2、其他法律和行政法规禁止公开 (、 for ., 和 added): the two differences together
    head, body = _page()
    old = "2.其他法律行政法规禁止公开 0 0 0 0 0 0 0"
    assert old in body
    body = body.replace(old, "2、其他法律和行政法规禁止公开0000000")
    _same_as_printed(_import(head, body))


def test_sub_rows_numbered_in_brackets_and_labels_two_ways_off() -> None:
    # （1）申请人无正当理由逾期不补正0000000 (bracketed number, label cut short) and
    # 一 本年新收政府信息公开申请5100006 (a space for 、 and no 数量): rows still found
    head, body = _page()
    body = body.replace(
        "一、本年新收政府信息公开申请数量 5 1 0 0 0 0 6", "一 本年新收政府信息公开申请5100006"
    )
    body = body.replace(
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
        "（1）申请人无正当理由逾期不补正0000000",
    )
    assert "（1）申请人" in body and "申请5100006" in body
    _same_as_printed(_import(head, body))


def test_a_page_on_one_line_with_spaced_headings_is_read_as_one_page() -> None:
    # 二、 主动公开政府信息情况 …: the page is still a whole page on one line (counted by its
    # headings), so the breaks the alignment puts after a table do not cut it into lines
    head, body = _page()
    for s in fmt.SECTIONS:
        body = body.replace(s.heading, f"{s.key}、 {s.title}")
    assert count_headings(body) >= 2
    _same_as_printed(_import(head, body))


def test_a_page_without_the_last_headings_ends_the_review_table_at_its_prose() -> None:
    # no 五/六 headings: 四's figures, then the text of 五 and a lone 无 (六's "nothing to
    # report"), which is no cell of 四
    head, body = _page()
    start = body.index("五、信息处理费收取情况")
    end = body.index("本年度未收取信息处理费。") + len("本年度未收取信息处理费。")
    body = body[:start] + " 2023年，我局政府信息公开工作仍有不足，将继续加强培训。 无 " + body[end:]
    # the figures run together as crawled pages print them (15 digits, 9 pieces)
    figures = "1 0 0 1 2 0 0 0 1 1 0 0 0 0 0 "
    assert body.count(figures) == 1
    body = body.replace(figures, "1 00 12 0 00 11 0 00 00 ")
    got = _import(head, body)
    base = import_file(PAGE)
    assert got.report.tables["review"] == base.report.tables["review"]
