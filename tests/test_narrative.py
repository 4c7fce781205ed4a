"""Rule 6: figures and years stated in the prose, Chinese numerals, text similarity."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from disclosure_lib import format as fmt
from disclosure_lib import narrative, narrative_patterns, params, synth
from disclosure_lib.checks import check_report
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.narrative_patterns import parse_chinese_number

from .base import SEED


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("23", 23),
        ("１２", 12),
        ("1,234", 1234),
        ("1.5", Decimal("1.5")),
        ("零", 0),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十三", 23),
        ("一百零五", 105),
        ("一百一十", 110),
        ("两千", 2000),
        ("一千零一", 1001),
        ("三万五千", 35000),
        ("一万零五", 10005),
        ("一亿二千万", 120_000_000),
        ("二〇二四", 2024),
        ("三点五", Decimal("3.5")),
    ],
)
def test_parse_chinese_number(text: str, value: int | Decimal) -> None:
    assert parse_chinese_number(text) == value
    assert type(parse_chinese_number(text)) is type(value)


@pytest.mark.parametrize("text", ["", "abc", "十十", "百千", "万", "一二三十", "三点"])
def test_parse_chinese_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_chinese_number(text)


def _report(text: str, *, year: int = 2024, section: str = "一", **cells: int) -> Report:
    """A consistent report whose 一 (or other section) holds `text` as its only prose."""
    r = synth.consistent_report("示例测试局", year, random.Random(3), scale=30)
    r.narrative = {section: [Paragraph(text)]}
    r.section_notes = {}
    for name, value in cells.items():
        r.set("applications", name, "total", value)
    return r


def _stated(text: str, **kw: object) -> list[tuple[str, object]]:
    return [(s.pattern.key, s.value) for s in narrative.statements(_report(text, **kw))]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年，本机关新收政府信息公开申请74件。", [("new", 74)]),
        ("全年共收到政府信息公开申请二十三件。", [("new", 23)]),
        ("本年度受理依申请公开一百零五件，办结一百零五件。", [("new", 105), ("total", 105)]),
        ("上年结转申请两件，结转下年度继续办理0件。", [("carried_over", 2), ("carry_forward", 0)]),
        ("其中予以公开30件，部分公开5件，不予公开3件，无法提供12件。",
         [("disclosed", 30), ("partial", 5), ("withheld", 3), ("unavailable", 12)]),
        ("现行有效规范性文件37件，现行有效规章2件。", [("in_force", 37), ("in_force", 2)]),
        ("被申请行政复议2件、提起行政诉讼1件。", [("reconsideration", 2), ("litigation", 1)]),
        ("行政复议、行政诉讼共3件。", [("review_both", 3)]),
        ("发生行政复议案件1起，行政诉讼案件2起。", [("reconsideration", 1), ("litigation", 2)]),
        ("全年共受理75件政府信息公开申请。", [("new", 75)]),
        ("本年度新收政府信息公开申请数量为74件，办结率100%。", [("new", 74)]),
        ("本年度收取行政事业性收费1.5万元。", [("fee", Decimal("1.5"))]),
        ("收取费用3000元。", [("fee_charged", Decimal("0.3"))]),
        ("制发、废止规章、行政规范性文件0件，处理行政许可、处罚、强制等0件。",
         [("issued_repealed", 0), ("decisions", 0)]),
        ("结转下一年度继续办理3件。", [("carry_forward", 3)]),  # not a plan for next year
        ("因依申请公开引发行政复议1起、行政诉讼1起。",
         [("reconsideration", 1), ("litigation", 1)]),
        ("立案查处各类违法行为并作出行政处罚决定545起。", [("decisions", 545)]),
        ("本年度制发规范性文件34件，现行有效件数424件。",
         [("issued_repealed", 34), ("in_force_bare", 424)]),
        ("本年度印发行政规范性文件3件，现行有效数为40件。",
         [("issued_repealed", 3), ("in_force_bare", 40)]),
    ],
)  # fmt: skip
def test_extraction(text: str, expected: list[tuple[str, object]]) -> None:
    assert _stated(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2024年度，我中心未收到和处理政府信息公开申请。", "new_none"),
        ("本年度没有收到政府信息公开申请。", "new_none"),
        ("我中心无因政府信息公开工作被申请行政复议、提起行政诉讼情况。", "review_both_none"),
        ("未发生行政复议案件。", "reconsideration_none"),
    ],
)
def test_negation_means_zero(text: str, key: str) -> None:
    assert _stated(text) == [(key, 0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年，我中心共办理议提案16件，其中区人大代表建议5件（主办1件，协办4件）。", []),
        ("所有议题案均已办结，满意率达到100%。", []),
        ("平台整合更新惠企政策92条，发布各类信息121条。", []),
        ("也未对申请人收取政府信息处理费。", []),
        ("收取信息处理费0.5万元。", []),  # 信息处理费 is not 行政事业性收费
        ("2023年收到政府信息公开申请60件。", []),  # another year: a comparison
        ("收到申请75件，较上年的60件增长25%。", [("new", 75)]),
        ("受理申请数同比增加10件。", []),
        ("现行有效件数424件。", []),  # which documents, the sentence does not say
        ("明年计划制发规范性文件5件。", []),  # a plan, not this year's figure
        ("2025年，我局计划制发规范性文件5件。", []),
        # the applicant's correction not received: not the count of applications (gaj-2021)
        ("作出补正告知，目前未收到该申请人提交的补正，结转下年度办理。", []),
        ("收到申请人提交的补正材料2件。", []),
    ],
)
def test_not_extracted(text: str, expected: list[tuple[str, object]]) -> None:
    assert _stated(text) == expected


def test_extraction_reaches_only_existing_cells() -> None:
    for p in narrative_patterns.PATTERNS:
        table = fmt.table(p.table)
        for spec in (p.rows, p.columns):
            keys = (
                spec
                if isinstance(spec, tuple)
                else tuple(k for ks in narrative_patterns.WORDS[spec].values() for k in ks)
            )
            assert keys
            assert all(
                k in {r.key for r in table.rows} | {c.key for c in table.columns} for k in keys
            )


def test_seed_has_no_findings() -> None:
    seed = params.load_report(SEED)
    assert check_report(seed) == []
    keys = {s.pattern.key for s in narrative.statements(seed)}
    # The seed states these figures (as 0 or by negation): all must have been read.
    assert {"new", "new_none", "carried_over", "carry_forward", "issued_repealed"} <= keys
    assert {"decisions", "fee", "review_both_none"} <= keys


def test_in_force_named_by_the_sentence_before() -> None:
    # 本年度制发规范性文件34件，现行有效件数424件: 现行有效 of the documents just named
    [issued, in_force] = narrative.statements(
        _report("本年度制发规范性文件34件，现行有效件数424件。")
    )
    assert issued.cells == (("proactive", "normative_documents", "issued"),)
    assert in_force.cells == (("proactive", "normative_documents", "in_force"),)
    both = "制发规章0件、行政规范性文件2件，现行有效件数89件。"
    *_, in_force = narrative.statements(_report(both))
    assert in_force.cells == (("proactive", "normative_documents", "in_force"),)


def test_text_against_the_table_is_a_finding() -> None:
    # 一 says 现行有效件数424件; the table has 89: an error naming that cell
    r = _report("2024年，本机关制发行政规范性文件2件，现行有效件数424件。")
    for col, v in (("issued", 2), ("repealed", 0), ("in_force", 89)):
        r.set("proactive", "normative_documents", col, v)
    [f] = [f for f in check_report(r) if f.code.startswith("R6")]
    assert f.code == "R6-NARRATIVE" and f.severity == "error"
    assert f.cells == (("proactive", "normative_documents", "in_force"),)
    assert (f.actual, f.expected) == (424, 89)


def test_mismatch_names_the_cell() -> None:
    r = _report("2024年，本机关新收政府信息公开申请999件。")
    [f] = [f for f in check_report(r) if f.code.startswith("R6")]
    assert f.code == "R6-NARRATIVE" and f.severity == "error"
    assert f.cells == (("applications", "new", "total"),)
    assert f.row == "一、本年新收政府信息公开申请数量" and f.column == "总计"
    assert f.actual == 999 and f.expected == r.get("applications", "new", "total")


def test_zero_statement_names_only_the_nonzero_cells() -> None:
    r = _report("制发、废止规章、行政规范性文件0件。")
    for row in ("regulations", "normative_documents"):
        for col in ("issued", "repealed"):
            r.set("proactive", row, col, 0)
    r.set("proactive", "normative_documents", "repealed", 2)
    r.set("proactive", "normative_documents", "in_force", 99)
    [f] = [f for f in check_report(r) if f.code == "R6-NARRATIVE"]
    assert f.cells == (("proactive", "normative_documents", "repealed"),)
    assert f.row == "第二十条第（一）项 › 行政规范性文件" and f.column == "本年废止件数"


def test_wrong_row_is_a_warning_naming_both_rows() -> None:
    r = _report("2024年，本机关共收到政府信息公开申请75件。", new=74, total=75)
    [f] = [f for f in check_report(r) if f.code.startswith("R6")]
    assert f.code == "R6-WRONG-ROW" and f.severity == "warning"
    assert f.cells == (("applications", "new", "total"),)
    assert f.related == (("applications", "total", "total"),)
    assert "一、本年新收政府信息公开申请数量" in f.message and "（七）总计" in f.message


def test_chinese_numeral_statement_checked() -> None:
    r = _report("予以公开二十三件。")
    r.set("applications", "disclosed", "total", 23)
    assert not [f for f in check_report(r) if f.code.startswith("R6")]
    r.set("applications", "disclosed", "total", 24)
    assert [f.code for f in check_report(r) if f.code.startswith("R6")] == ["R6-NARRATIVE"]


@pytest.mark.parametrize(
    ("text", "section", "severity"),
    [
        ("所列统计数据时间范围为2023年1月1日至2023年12月31日。", "一", "error"),
        ("2023年，我中心认真贯彻落实条例。", "一", "error"),
        ("依托门户网站，2023年发布信息100条。", "一", "error"),
        ("2021年存在的问题：栏目更新不及时。", "五", "warning"),
        ("本报告为《示例测试局2022年政府信息公开工作年度报告》。", "六", "error"),
        ("2025年，我局收到政府信息公开申请5件。", "一", "error"),  # a fact, not a plan
    ],
)
def test_year_mismatch(text: str, section: str, severity: str) -> None:
    r = _report(text, section=section)
    found = [f for f in check_report(r) if f.code == "R6-YEAR"]
    assert found and {f.severity for f in found} == {severity}
    assert all(f.expected == 2024 and f.actual != 2024 for f in found)


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("所列统计数据时间范围为2024年1月1日至2024年12月31日。", "一"),
        ("2023年存在的问题：栏目更新不及时。2025年，我中心将加强培训。", "五"),
        ("对照《示例测试局2023年政府信息公开工作年度报告》提出的问题逐项整改。", "五"),
        ("本报告于2025年1月20日发布。2024年度，我中心及个人未被责任追究。", "六"),
        ("2019年以来，我局持续推进政务公开。截至2023年底，累计公开信息5000条。", "一"),
        ("2025年，我局将继续深化政务公开。", "五"),
        ("2026年，我局计划进一步完善平台。", "五"),  # a plan two years ahead
        ("2025年，我局将继续深化政务公开。", "一"),  # a plan, wherever the page puts it
        ("2025年，我局将继续深化政务公开。", "六"),
    ],
)
def test_normal_year_mentions(text: str, section: str) -> None:
    assert [f for f in check_report(_report(text, section=section)) if f.code == "R6-YEAR"] == []


def test_text_similarity() -> None:
    a = "2023年存在的问题：政策解读形式较为单一。改进情况：丰富图表、视频等多样化解读形式。"
    assert narrative.text_similarity(a, a) == 1.0
    assert narrative.text_similarity(a, a.replace("2023", "2024")) > 0.9
    assert narrative.text_similarity(a, "完全不同的另一段文字，讲的是平台建设。") < 0.5
    assert narrative.text_similarity("", a) == 0.0


def test_year_finding_names_the_section() -> None:
    r = _report("2023年，我局新收政府信息公开申请5件。", section="六")
    [f] = [f for f in check_report(r) if f.code == "R6-YEAR"]
    assert (f.table, f.row) == ("六、其他需要报告的事项", "年份")


def test_correction_not_received_is_no_finding() -> None:
    # gaj-2021: 收到…申请1件 then 未收到该申请人提交的补正; the table says 1 new application
    text = (
        "2024年，我局收到政府信息公开申请1件，已按照相关法规，逐级审查，作出补正告知，"
        "目前未收到该申请人提交的补正，结转下年度办理。"
    )
    r = _report(text)
    r.set("applications", "new", "total", 1)
    assert _stated(text) == [("new", 1)]
    assert not [f for f in check_report(r) if f.code == "R6-NARRATIVE" and "申请" in f.message]
