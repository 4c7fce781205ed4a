"""Text against tables as unseen pages word it (issue 15, kinds 7 and 8), found by
`benchmarks/variations_narrative.py`: a statement of the report's own figure, in any wording
real pages use, raises nothing; the same statement with another figure is an R6 finding
naming the cell; comparisons, plans and other work's counts are not this year's figures.

The page is a fixture modelled on the corpus (a cover-letter report on one line, 2023:
本年新收 6, 上年结转 1, （七）总计 6, 结转 1, 予以公开 4, 部分公开 1, 无法提供 1, 行政复议 2,
直接起诉 1, 规范性文件 制发 2 现行有效 9, 行政事业性收费 12.5 万元)."""

from __future__ import annotations

import pytest

from disclosure_lib.checks import check_report
from disclosure_lib.findings import Finding
from disclosure_lib.importers.align import align_page
from disclosure_lib.importers.document import ImportResult, import_bytes
from tests.base import FIXTURES

PAGE = (FIXTURES / "import" / "corpus_style.txt").read_text(encoding="utf-8")
TWO = "二、主动公开政府信息情况"
FIVE = "七、其他需报告的事项"  # the fixture prints 五 as 六 (its fee section is 五)


def _import(sentence: str, before: str = TWO) -> ImportResult:
    """The page with `sentence` at the end of the section `before` starts (一 by default)."""
    assert PAGE.count(before) == 1
    return import_bytes(PAGE.replace(before, sentence + before).encode("utf-8"))


def _r6(got: ImportResult) -> list[Finding]:
    return [f for f in check_report(got.report) if f.code.startswith("R6")]


BASE = _import("")


def test_the_fixture_states_its_figures_and_has_no_r6() -> None:
    r = BASE.report
    assert (r.year, r.get("applications", "new", "total")) == (2023, 6)
    assert r.get("applications", "partial", "total") == 1
    assert r.get("review", "reconsideration", "total") == 2
    assert _r6(BASE) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年，我局共收到政府信息公开申请6件，上年结转1件，全年办结依申请公开6件，结转下年度1件。",
        "全年共接收各类政府信息公开申请六件，其中网上申请4件。",  # 各类: not "each"
        "共收到政府信息公开申请6条。",
        "本年度政府信息公开申请6件，均在法定期限内答复。",
        "办结政府信息公开申请6件，其中自然人政府信息公开申请5件。",
        "其中同意公开4件，区分处理后公开1件，无法提供1件，不予公开、不予处理均为0件。",
        "本年度因政府信息公开工作被申请行政复议两起，行政诉讼一起。",
        "现行有效规范性文件9件，本年度制发规范性文件2件。",
        "行政复议、行政诉讼共3件。",  # the sum
        "依申请公开工作中，收取费用0元。",  # a fee for applications, not 行政事业性收费
        "未出现不予公开的情况，无不予处理情况。",
        "对无需公开或不予公开的信息严格审查。",  # no negation of the row
    ],
)
def test_a_correct_statement_raises_nothing(sentence: str) -> None:
    got = _import(sentence)
    assert got.report.tables == BASE.report.tables
    assert _r6(got) == []


@pytest.mark.parametrize(
    ("sentence", "cell", "said"),
    [
        ("全年共接收各类政府信息公开申请七件。", ("applications", "new", "total"), 7),
        ("共收到政府信息公开申请9条。", ("applications", "new", "total"), 9),
        ("全年政府信息公开申请数量为8件。", ("applications", "new", "total"), 8),
        # the district or all levels named, but not as the subject of the count
        (
            "按照全区政务公开工作要点要求，共收到政府信息公开申请8件。",
            ("applications", "new", "total"),
            8,
        ),
        (
            "落实各级关于政务公开的部署要求，办结政府信息公开申请8件。",
            ("applications", "total", "total"),
            8,
        ),
        ("其中同意公开3件。", ("applications", "disclosed", "total"), 3),
        ("区分处理后公开2件。", ("applications", "partial", "total"), 2),
        ("部分公开、不予公开均为0件。", ("applications", "partial", "total"), 0),
        ("本年度未出现部分公开的情况。", ("applications", "partial", "total"), 0),
        ("行政复议、行政诉讼均为零。", ("review", "reconsideration", "total"), 0),
        ("现行有效规范性文件12件。", ("proactive", "normative_documents", "in_force"), 12),
        ("本年新制作规范性文件3件。", ("proactive", "normative_documents", "issued"), 3),
    ],
)
def test_a_statement_off_the_table_is_flagged_naming_the_cell(
    sentence: str, cell: tuple[str, str, str], said: int
) -> None:
    got = _import(sentence)
    assert got.report.tables == BASE.report.tables  # evidence that disagrees decides nothing
    [f] = [f for f in _r6(got) if cell in f.cells]
    assert f.code in ("R6-NARRATIVE", "R6-WRONG-ROW") and f.actual == said


@pytest.mark.parametrize(
    "sentence",
    [
        "明年，我局将力争办结政府信息公开申请10件以上。",
        "下一步，我局计划制定规范性文件5件，继续做好依申请公开工作。",
        "下一年度拟清理现行有效规范性文件20件。",
    ],
)
def test_a_plan_is_not_this_years_figure(sentence: str) -> None:
    assert _r6(_import(sentence, FIVE)) == []
    assert _r6(_import(sentence)) == []


def test_carry_forward_is_no_plan() -> None:
    # 结转下一年度 names this year's row 四, not next year
    [f] = _r6(_import("全年结转下一年度继续办理3件。"))
    assert f.cells == (("applications", "carry_forward", "total"),) and f.actual == 3


@pytest.mark.parametrize(
    "sentence",
    [
        "通过12345便民服务平台受理群众诉求3519件，办结3512件。",
        "受理行政许可申请1200件，办结1180件。",
        "办理行政许可事项356件，作出行政处罚决定的案件全部公开。",
        "全年办理人大代表建议5件、政协委员提案3件，均已按时办结。",
        "指导全区各单位共受理政府信息公开申请300件，办结297件。",
        "全区各部门现行有效行政规范性文件180件。",
        "受理群众来信来访12件，办结12件。",
        "通过门户网站答复网民留言50件，办结49件。",
    ],
)
def test_other_works_counts_are_not_compared(sentence: str) -> None:
    assert _r6(_import(sentence)) == []


def test_other_work_before_disclosure_in_one_sentence() -> None:
    # the figure after the disclosure subject is read, the one after the hotline is not
    said = "受理群众诉求3519件，办结3512件，收到政府信息公开申请8件。"
    [f] = _r6(_import(said))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度共收到政府信息公开申请6件，2022年收到政府信息公开申请9件。",
        "2022年同期受理9件。",
        "1月份按时发布2022年度政府信息公开工作年度报告。",
        "2022年度政务公开工作考核中，我局获评优秀等次。",
        "2022年政务公开工作要点明确的12项任务已全部完成。",
        "2024年初完成网站集约化迁移，2022年上半年已完成栏目梳理。",
        "根据《示例区2022年政务公开工作要点》（示管办〔2022〕5号）要求，按照条例第二十条规定"
        "公开信息，咨询电话0591-86177916，12345热线按时答复率100%。",
    ],
)
def test_other_years_and_numbers_clean_pages_print_raise_nothing(sentence: str) -> None:
    assert _r6(_import(sentence)) == []


def test_a_sentence_about_last_year_opening_the_text_is_still_flagged() -> None:
    # the copied sentence of last year's report: its year opens the sentence
    [f] = _r6(_import("2022年，我局共收到政府信息公开申请6件。"))
    assert f.code == "R6-YEAR" and f.severity == "error" and f.actual == 2022


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度共收到政府信息公开申请6件，上年度收到政府信息公开申请10件。",
        "本年度共收到政府信息公开申请6件，条例实施以来累计受理政府信息公开申请126件。",
        "历年累计办结依申请公开90件。",
        "本年度办结政府信息公开申请6件，其中按时办结5件，延期办结1件。",
        "本年度共收到政府信息公开申请6件，其中通过网络收到申请5件。",
        "共收到政府信息公开申请6件，经审查依法受理申请5件，1件不属于政府信息公开申请。",
        "本年度被申请行政复议2件，行政复议案件结果维持1件。",
        "其中4件予以公开，1件区分处理后公开，1件告知无法提供，1件结转下年度继续办理。",
    ],
)
def test_other_periods_parts_and_results_are_not_the_row(sentence: str) -> None:
    got = _import(sentence)
    assert got.report.tables == BASE.report.tables
    assert _r6(got) == []


def test_this_years_figure_beside_other_periods_is_still_checked() -> None:
    # 上年结转 is this year's row 二; 全年累计 this year's: both are compared
    [f] = _r6(_import("上年度结转申请3件。"))
    assert f.cells == (("applications", "carried_over", "total"),) and f.actual == 3
    [f] = _r6(_import("全年累计收到政府信息公开申请8件。"))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8


@pytest.mark.parametrize(
    ("sentence", "cell", "said"),
    [
        ("其中3件予以公开。", ("applications", "disclosed", "total"), 3),
        ("2件区分处理后公开。", ("applications", "partial", "total"), 2),
        ("其中2件结转下年度继续办理。", ("applications", "carry_forward", "total"), 2),
        ("共收到政府信息公开申请7件，经审查依法受理申请5件。", ("applications", "new", "total"), 7),
    ],
)
def test_figure_first_and_told_apart_statements_off_the_table_are_flagged(
    sentence: str, cell: tuple[str, str, str], said: int
) -> None:
    found = [(f.cells, f.actual) for f in _r6(_import(sentence))]
    assert ((cell,), said) in found


def test_each_of_two_rows() -> None:
    # 各1起 / 均为1件: each row's figure, not their sum (2 行政复议, 1 直接起诉 in the fixture)
    assert _r6(_import("予以公开、部分公开均为1件。")) != []  # 予以公开 is 4
    assert _r6(_import("部分公开、无法提供各1件。")) == []
    [f] = _r6(_import("行政复议、行政诉讼各1起。"))
    assert f.cells == (("review", "reconsideration", "total"),) and f.actual == 1
    # 分别为 (respectively) is no 各: not read as each
    assert _r6(_import("行政复议、行政诉讼分别为2起、1起。")) == []


def test_a_district_figure_decides_no_cell() -> None:
    # the solver takes the prose's figures as evidence: a district's 现行有效 must not decide
    # a run of the report's own row (`2119`: 2|1|19 or 2|11|9, left blank)
    page = PAGE.replace("规范性文件 2 1 9", "规范性文件 2119")
    base = import_bytes(page.encode("utf-8"))
    assert base.report.get("proactive", "normative_documents", "in_force") is None
    said = "全区各部门现行有效行政规范性文件19件。"
    got = import_bytes(page.replace(TWO, said + TWO).encode("utf-8"))
    assert got.report.tables == base.report.tables


@pytest.mark.parametrize("said", ["共收到政府信息公开申请 8 件", "共收到政府信息公开申请８件"])
def test_spaced_and_full_width_figures_are_read(said: str) -> None:
    # 申请 8 件 reaches the prose with the figure on a line of its own: still one statement
    [f] = _r6(_import(said + "、上年结转 1 件。"))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8


def test_six_may_name_last_years_report() -> None:
    said = "对照2022年度政府信息公开工作年度报告，更正了其中1处表述。"
    assert _r6(_import(said, "示例区海湾片区管理局 2024年1月18日")) == []
    [f] = _r6(_import("2024年度政府信息公开工作年度报告。", "示例区海湾片区管理局 2024年1月18日"))
    assert f.code == "R6-YEAR" and f.actual == 2024


def test_a_lead_sentence_of_four_is_kept_whole_by_the_alignment() -> None:
    # 行政复议案件3起 is prose (a figure with its unit), not the header word 行政复议 with two
    # characters the page added before its figures: the alignment must not cut 案件 off (on
    # a page whose cells run together the note was then cut at 行政复议 and 3起 lost)
    four = "四、政府信息公开行政法复议与行政诉讼情况"
    said = "本年度发生政府信息公开行政复议案件3起，行政诉讼1起。"
    body = PAGE.split("\n")[9]
    assert said in align_page(body.replace(four, four + said))
    got = _import(four + said, four)
    assert got.report.tables == BASE.report.tables
    [f] = _r6(got)
    assert f.cells == (("review", "reconsideration", "total"),) and f.actual == 3


@pytest.mark.parametrize(
    "sentence",
    [
        "申请人主动撤回政府信息公开申请1件。",
        "本年度延期办理政府信息公开申请2件。",
        "本年度转办政府信息公开申请2件。",
        "向上级机关转送政府信息公开申请3件。",
    ],
)
def test_applications_withdrawn_delayed_or_passed_on_are_not_the_new_row(sentence: str) -> None:
    assert _r6(_import(sentence)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "2022年度政府信息公开工作中，我局共收到政府信息公开申请6件。",
        "2022年政务公开工作扎实推进，全年共收到政府信息公开申请6件。",
        "全年工作有序推进，2022年我局共收到政府信息公开申请6件。",
    ],
)
def test_last_years_text_opening_with_its_year_is_flagged(sentence: str) -> None:
    # a 2023 report: the figure agrees, the year is last year's (a copied paragraph)
    assert [f.code for f in _r6(_import(sentence))] == ["R6-YEAR"]


@pytest.mark.parametrize(
    "sentence",
    [
        "督促各部门做好信息公开工作，本年度共收到政府信息公开申请8件。",
        "积极争取上级支持，全年共收到政府信息公开申请8件。",
    ],
)
def test_a_scope_or_effort_without_a_figure_does_not_hide_the_next_clause(sentence: str) -> None:
    [f] = _r6(_import(sentence))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8


def test_the_same_words_twice_with_another_figure_are_not_two_notions() -> None:
    said = "本年度收到政府信息公开申请6件，后经核实实际收到政府信息公开申请8件。"
    [f] = _r6(_import(said))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8


def test_disclosures_own_business_is_no_other_work() -> None:
    [f] = _r6(_import("本年度共受理依申请公开业务8件。"))
    assert f.cells == (("applications", "new", "total"),) and f.actual == 8
