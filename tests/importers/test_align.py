"""The template aligned to pages as real offices publish them (issue 15, kinds 2–6).

Fixtures: `corpus_style.txt` (a 2021-format page after a crawler header, on one line: page
chrome, a cover-letter title, labels with spaces, 钩稽/先行有效件数/行政法复议 typos, no 规章
row, 规范性文件 for 行政规范性文件, an extra 五、信息处理费收取情况 section, seven parts, 附件下载)
and `corpus_style_2019.txt` (the 2019 format in a seven-part layout, money with units).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib.cli import main
from disclosure_lib.errors import DisclosureError
from disclosure_lib.importers.align import align_page, table_scores
from disclosure_lib.importers.document import import_bytes, import_file
from tests.base import FIXTURES

PAGE = FIXTURES / "import" / "corpus_style.txt"
PAGE_2019 = FIXTURES / "import" / "corpus_style_2019.txt"


def _figures(result):
    return {k: dict(v) for k, v in result.report.tables.items()}


def test_headings_and_labels_as_offices_print_them() -> None:
    r = import_file(PAGE)
    assert r.log.sections_found == list("一二三四五六")
    rep = r.report
    # 规范性文件 under 先行有效件数: the 2021 row, read
    cols = ("issued", "repealed", "in_force")
    assert [rep.get("proactive", "normative_documents", c) for c in cols] == [2, 1, 9]
    assert rep.get("proactive", "fees", "fee_amount") == Decimal("12.5")
    # 社会公益 组织 / 三、本年度办 理结果 / 结转下年度继续 办理: every row of 三 found
    assert rep.get("applications", "new", "total") == 6
    assert rep.get("applications", "disclosed", "business") == 1
    assert rep.get("applications", "carry_forward", "total") == 1
    assert rep.get("applications", "other_handling.other", "total") == 0  # printed as 其他
    # 四、…行政法复议与行政诉讼情况: the review table read in order
    assert rep.get("review", "reconsideration", "total") == 2
    assert rep.get("review", "direct_suit", "total") == 1
    # only the row the page does not print is missing
    assert set(r.log.blank) == {("proactive", "regulations", c) for c in cols}
    assert set(r.log.blank.values()) == {"未找到"}


def test_extra_fee_section_and_seven_parts_land_in_five_and_six() -> None:
    rep = import_file(PAGE).report
    five = rep.narrative_text("五")
    six = rep.narrative_text("六")
    assert "仍有不足" in five and "信息处理费收取情况" not in five
    assert six.startswith("信息处理费收取情况") and "本年度未收取信息处理费" in six
    assert "附件下载" not in six


def test_cover_letter_title_gives_the_agency_not_the_letter() -> None:
    rep = import_file(PAGE).report
    # the title is a letter (…关于报送…的函); the body cites 《…管委会办公室关于编制公布…》
    assert (rep.agency, rep.year) == ("示例区海湾片区管理局", 2023)


def test_same_figures_when_flattened_onto_one_line() -> None:
    text = PAGE.read_text(encoding="utf-8")
    flat = re.sub(r"\s+", " ", text).encode("utf-8")
    a, b = import_file(PAGE), import_bytes(flat)
    assert (b.report.agency, b.report.year) == (a.report.agency, a.report.year)
    assert _figures(b) == _figures(a)


def test_ideographic_and_uneven_spaces_separate_cells() -> None:
    text = PAGE.read_text(encoding="utf-8")
    text = text.replace("行政处罚 4 行政强制 0", "行政处罚\u30004\u3000\u3000行政强制  0")
    text = text.replace("5 1 0 0 0 0 6 二、", "5\u30001  0\u30000 0   0 6 二、")
    r = import_bytes(text.encode("utf-8"))
    assert r.report.get("proactive", "penalty", "decisions") == 4
    new = [r.report.get("applications", "new", c.key) for c in fmt.APPLICATIONS.columns]
    assert new == [5, 1, 0, 0, 0, 0, 6]


def test_a_2021_page_with_the_2019_other_handling_row_is_mixed() -> None:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("（六）其他处理")
    end = text.index("（七）总计")
    text = text[:start] + "（六）其他处理 0 0 0 0 0 0 0 " + text[end:]
    r = import_bytes(text.encode("utf-8"))
    assert r.log.format == "2021"
    assert r.log.table_formats == {"applications": "2019"}
    assert r.report.get("applications", "total", "total") == 6
    # （六）其他处理 is one row of the 2019 table, read into its own cells
    assert r.report.get("applications", "other_handling", "total") == 0
    assert ("applications", "other_handling.other", "total") not in r.log.evidence


def test_2019_page_in_seven_parts_with_money_in_yuan() -> None:
    r = import_file(PAGE_2019)
    assert (r.report.agency, r.report.year, r.log.format) == ("示例区文化体育局", 2020, "2019")
    assert r.log.sections_found == list("一二三四五六")
    assert r.report.get("proactive", "normative_documents", "made") == 5
    assert r.report.get("applications", "carry_forward", "total") == 1
    # 二、政务公开工作主要任务落实情况 is part of 一, not a section
    assert "权责清单" in r.report.narrative_text("一")
    # 3个 3443000元: the count, and the amount in 万元 exactly, with the conversion logged
    assert r.report.get("proactive", "procurement", "purchases") == 3
    assert r.report.get("proactive", "procurement", "purchase_amount") == Decimal("344.3000")
    assert any("3443000元 按万元记为 344.3000" in e.message for e in r.log.entries)


def test_amount_run_into_its_count_is_left_blank_with_readings() -> None:
    text = PAGE_2019.read_text(encoding="utf-8").replace("3个 3443000元", "328291965元")
    r = import_bytes(text.encode("utf-8"))
    assert r.report.get("proactive", "procurement", "purchase_amount") is None
    warning = next(e.message for e in r.log.entries if "328291965元 前未单独印出" in e.message)
    assert "3 | 28291965元" in warning and "空 | 328291965元" in warning


def test_fee_keeps_every_digit() -> None:
    text = PAGE.read_text(encoding="utf-8").replace(
        "行政事业性收费 12.5", "行政事业性收费 4166.214619"
    )
    r = import_bytes(text.encode("utf-8"))
    assert r.report.get("proactive", "fees", "fee_amount") == Decimal("4166.214619")


@pytest.mark.parametrize(
    ("printed", "official"),
    [
        ("四、政府信息公开行政复议与行政诉讼情况", "四、政府信息公开行政复议、行政诉讼情况"),
        ("四、政府信息公开行政法复议、行政诉讼情况", "四、政府信息公开行政复议、行政诉讼情况"),
        ("五、存在的主要问题及改进措施", "五、存在的主要问题及改进情况"),
        ("六、其他需报告的事项", "六、其他需要报告的事项"),
    ],
)
def test_heading_variants_become_the_official_heading(printed: str, official: str) -> None:
    line = f"一、总体情况 正文。二、主动公开政府信息情况 表。{printed}正文。"
    out = align_page(line)
    assert official in out and printed not in out.replace(official, "")


def test_a_table_scores_best_in_its_own_format() -> None:
    text = PAGE_2019.read_text(encoding="utf-8")
    part = text[text.index("三、主动公开") : text.index("四、收到")]
    scores = table_scores(part, "二")
    assert scores["2019"] > scores["2021"]


def test_import_log_writes_one_json_line_per_cell(tmp_path, capsys) -> None:
    log = tmp_path / "cells.jsonl"
    code = main(["import", str(PAGE), "-o", str(tmp_path / "params"), "--log", str(log)])
    assert code in (0, 1)
    records = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == sum(len(t.cells()) for t in fmt.TABLES)
    by = {(r["table"], r["row"], r["column"]): r for r in records}
    missing = by[("proactive", "regulations", "issued")]
    assert (missing["status"], missing["why"], missing["value"]) == ("blank", "未找到", None)
    read = by[("applications", "new", "total")]
    assert (read["status"], read["value"], read["line"]) == ("read", "6", 10)
    page = PAGE.read_text(encoding="utf-8").splitlines()[9]
    label = fmt.APPLICATIONS.row("new").label
    assert page[read["column_at"] - 1 :].startswith(label)
    assert "单元格日志" in capsys.readouterr().out


def test_import_log_of_a_2019_page_lists_its_own_cells(tmp_path) -> None:
    log = tmp_path / "cells.jsonl"
    code = main(["import", str(PAGE_2019), "-o", str(tmp_path / "params"), "--log", str(log)])
    assert code in (0, 1)
    records = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == sum(len(t.cells()) for t in f19.TABLES)
    by = {(r["table"], r["row"], r["column"]): r for r in records}
    amount = by[("proactive", "procurement", "purchase_amount")]
    assert (amount["format"], amount["value"]) == ("2019", "344.3000")
    assert amount["label"] == "政府集中采购·采购总金额"
    assert ("proactive", "normative_documents", "in_force") not in by


def test_yuan_in_the_column_header_converts_the_column() -> None:
    text = PAGE_2019.read_text(encoding="utf-8").replace(
        "采购总金额 政府集中采购 3个 3443000元", "采购总金额（元） 政府集中采购 3 3443000"
    )
    r = import_bytes(text.encode("utf-8"))
    assert r.report.get("proactive", "procurement", "purchase_amount") == Decimal("344.3000")


def _body_only(text: str) -> str:
    return text.split("==================== 正文 ====================\n", 1)[1]


def test_year_from_period_and_file_name_when_the_body_names_the_next_year() -> None:
    body = _body_only(PAGE_2019.read_text(encoding="utf-8")).replace(
        "示例区文化体育局2020年度政府信息公开工作年度报告",
        "示例区文化体育局2021年度政府信息公开工作年度报告",
    )
    r = import_bytes(body.encode("utf-8"), path="wtj-2020.txt")
    assert (r.report.agency, r.report.year) == ("示例区文化体育局", 2020)
    assert any("统计期限与文件名均为2020年" in e.message for e in r.log.entries)
    # without the file name's evidence the title's year stands
    assert import_bytes(body.encode("utf-8")).report.year == 2021


def test_a_phrase_before_the_year_is_not_an_agency() -> None:
    body = _body_only(PAGE_2019.read_text(encoding="utf-8")).replace(
        "示例区文化体育局2020年度政府信息公开工作年度报告",
        "结合实际，编制完成2020年度政府信息公开工作年度报告。",
    )
    with pytest.raises(DisclosureError, match="机关名称"):
        import_bytes(body.encode("utf-8"))
    r = import_bytes(body.encode("utf-8"), agency="示例区文化体育局")
    assert (r.report.agency, r.report.year) == ("示例区文化体育局", 2020)


def test_a_heading_said_in_prose_does_not_hide_the_real_one() -> None:
    text = PAGE.read_text(encoding="utf-8").replace(
        "共主动公开政府信息120条。", "共主动公开政府信息120条。二、主动公开政府信息情况较好。"
    )
    r = import_bytes(text.encode("utf-8"))
    assert r.log.sections_found == list("一二三四五六")
    assert _figures(r) == _figures(import_file(PAGE))
    assert "（二）主动公开政府信息情况较好" in r.report.narrative_text("一")


def test_signature_glued_to_its_date_and_letter_formalities_are_not_narrative() -> None:
    text = PAGE.read_text(encoding="utf-8").replace(
        "示例区海湾片区管理局 2024年1月18日 附件下载 （此件主动公开）",
        "此函 示例区海湾片区管理局2024年1月18日（此件主动公开）",
    )
    rep = import_bytes(text.encode("utf-8")).report
    assert rep.issued is not None and rep.issued.isoformat() == "2024-01-18"
    assert rep.narrative_text("六").endswith("本年度未收取信息处理费。")


def test_a_page_without_six_signs_under_five_with_a_typo_in_the_name() -> None:
    text = PAGE.read_text(encoding="utf-8")
    text = text[: text.index("七、其他需报告的事项")] + "示例区海湾片区管埋局 2024年1月18日"
    text = text.replace(
        "五、信息处理费收取情况 通知收取件数 通知收取金额（元） 实际收取金额（元） 0 0 0 ", ""
    )
    rep = import_bytes(text.encode("utf-8")).report
    assert rep.issued is not None and rep.issued.isoformat() == "2024-01-18"
    assert rep.narrative_text("五").endswith("继续加强培训。")


@pytest.mark.parametrize("marker", ["无", "空"])
def test_a_marker_cell_after_a_label_is_a_cell_not_the_labels_ending(marker: str) -> None:
    # review finding 1: 无 right after 2.重复申请 was read as the label's ending, so the row
    # lost its first cell and the arithmetic moved 商业企业's 1 into 自然人
    page = FIXTURES / "import" / "numbers_style.txt"
    text = page.read_text(encoding="utf-8")
    assert text.count("2.重复申请1000001") == 1
    text = text.replace("2.重复申请1000001", f"2.重复申请 {marker} 1 0 0 0 0 1")
    rep = import_bytes(text.encode("utf-8"), path="numbers_style.txt").report
    row = "not_processed.repeated"
    assert rep.get("applications", row, "natural") in (None, 1)  # blank or inferred
    assert rep.get("applications", row, "business") == 1  # as printed
    others = ("research", "nonprofit", "legal_service", "other")
    assert [rep.get("applications", row, c) for c in others] == [0, 0, 0, 0]
    assert rep.get("applications", row, "total") == 1
