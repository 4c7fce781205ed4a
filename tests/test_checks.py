"""Consistency rules 1–8, the copy warning, check_paths and its text/JSON output, the CLI."""

from __future__ import annotations

import copy
import datetime
import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_lib import format as fmt
from disclosure_lib import params, synth
from disclosure_lib.checks import check_paths, check_report, check_reports
from disclosure_lib.cli import main
from disclosure_lib.findings import (
    CheckResult,
    Finding,
    format_findings_json,
    format_findings_text,
    table_label,
)
from disclosure_lib.model import PLACEHOLDER, Paragraph, Report
from disclosure_lib.params_write import new_params_file, save_report

from .base import FIXTURES as ALL_FIXTURES
from .base import FORMAT2019_FIXTURES, PARAMS, SEED, report_2019, report_mixed

FIXTURES = ALL_FIXTURES / "checks"


@pytest.fixture(scope="module")
def series() -> list[Report]:
    return synth.demo_series("示例测试局", range(2023, 2025), seed=5, scale=40)


@pytest.fixture
def report(series: list[Report]) -> Report:
    return copy.deepcopy(series[-1])


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


def _bump(r: Report, table: str, row: str, col: str, delta: int = 1) -> None:
    value = r.get(table, row, col)
    assert isinstance(value, int | Decimal)
    r.set(table, row, col, value + delta)


def test_consistent_report_passes(series: list[Report]) -> None:
    assert check_report(series[0]) == []
    assert _errors(check_report(series[1], series[0])) == []


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        (("applications", "new", "natural"), {"R1-APP-BALANCE", "R3-APP-APPLICANT-TOTAL"}),
        (
            ("applications", "carry_forward", "business"),
            {"R1-APP-BALANCE", "R3-APP-APPLICANT-TOTAL"},
        ),
        (
            ("applications", "withheld.process", "natural"),
            {"R2-APP-OUTCOME-TOTAL", "R3-APP-APPLICANT-TOTAL"},
        ),
        (
            ("applications", "total", "other"),
            {"R1-APP-BALANCE", "R2-APP-OUTCOME-TOTAL", "R3-APP-APPLICANT-TOTAL"},
        ),
        (("review", "direct_suit", "pending"), {"R4-REVIEW-TOTAL"}),
        (("review", "reconsideration", "upheld"), {"R4-REVIEW-TOTAL"}),
    ],
)  # fmt: skip
def test_equations_fail_on_the_changed_cell(
    report: Report, cell: tuple[str, str, str], codes: set[str]
) -> None:
    _bump(report, *cell)
    found = _errors(check_report(report))
    assert {f.code for f in found} == codes
    assert all(cell in f.cells for f in found)
    assert all(f.line is None for f in found)  # built in code: no source lines


def test_equation_finding_labels_and_values(report: Report) -> None:
    _bump(report, "applications", "withheld.state_secret", "research", 2)
    by_code = {f.code: f for f in check_report(report)}
    col = by_code["R2-APP-OUTCOME-TOTAL"]
    assert col.table == "三、收到和处理政府信息公开申请情况"
    assert col.row == "三、本年度办理结果 › （七）总计"
    assert col.column == "法人或其他组织 › 科研机构"
    assert col.expected == col.actual + 2  # type: ignore[operator]
    row = by_code["R3-APP-APPLICANT-TOTAL"]
    assert row.row == "三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密"
    assert row.column == "总计"
    assert (
        "疑似出错：三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密/法人或其他组织 › 科研机构"
        in (row.message)
    )


def test_review_labels(report: Report) -> None:
    _bump(report, "review", "suit_after_review", "total")
    [f] = check_report(report)
    assert f.table == "四、政府信息公开行政复议、行政诉讼情况"
    assert f.row == "行政诉讼 › 复议后起诉"
    assert f.column == "总计"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "R5-BLANK"),
        (-1, "R5-NEGATIVE"),
        (Decimal("2.5"), "R5-NOT-INTEGER"),
        (True, "R5-NOT-INTEGER"),
        ("3", "R5-NOT-INTEGER"),
    ],
)
def test_rule5_counts(report: Report, value: object, code: str) -> None:
    report.set("proactive", "licensing", "decisions", value)  # type: ignore[arg-type]
    found = _errors(check_report(report))
    assert [f.code for f in found] == [code]
    assert found[0].cells == (("proactive", "licensing", "decisions"),)
    assert found[0].row == "第二十条第（五）项 › 行政许可"


def test_rule5_fee(report: Report) -> None:
    report.set("proactive", "fees", "fee_amount", Decimal("12.35"))
    assert not [f for f in check_report(report) if f.code.startswith("R5")]
    report.set("proactive", "fees", "fee_amount", Decimal("-0.01"))
    assert [f.code for f in _errors(check_report(report))] == ["R5-NEGATIVE"]
    report.set("proactive", "fees", "fee_amount", 0.5)  # type: ignore[arg-type]
    assert [f.code for f in _errors(check_report(report))] == ["R5-NOT-INTEGER"]


def test_rule5_blank_cell_missing_from_dict_and_missing_table(report: Report) -> None:
    del report.tables["applications"][("partial", "legal_service")]
    del report.tables["review"]
    codes = [f.code for f in check_report(report)]
    assert codes.count("R5-BLANK") == 1 and codes.count("R5-MISSING-TABLE") == 1
    assert "R3-APP-APPLICANT-TOTAL" not in codes  # blanks are not summed as 0


def test_rule7_carry_over(series: list[Report]) -> None:
    now = copy.deepcopy(series[1])
    _bump(now, "applications", "carried_over", "natural")
    _bump(now, "applications", "carried_over", "total")
    _bump(now, "applications", "total", "natural")
    _bump(now, "applications", "total", "total")
    _bump(now, "applications", "disclosed", "natural")
    _bump(now, "applications", "disclosed", "total")
    now.narrative = {}
    found = _errors(check_report(now, series[0]))
    assert {f.code for f in found} == {"R7-CARRY-OVER"}
    assert {f.column for f in found} == {"自然人", "总计"}
    assert all(
        f.expected == series[0].get("applications", "carry_forward", f.cells[0][2]) for f in found
    )
    assert check_report(now) == []  # without last year, nothing to compare


def test_rule8_in_force_warning(series: list[Report]) -> None:
    now = copy.deepcopy(series[1])
    now.narrative = {}
    _bump(now, "proactive", "regulations", "in_force", 2)
    [f] = check_report(now, series[0])
    assert (f.code, f.severity) == ("R8-IN-FORCE", "warning")
    assert f.row == "第二十条第（一）项 › 规章" and f.column == "现行有效件数"
    assert f.actual == f.expected + 2  # type: ignore[operator]


def test_copy_warning(series: list[Report]) -> None:
    now, before = copy.deepcopy(series[1]), copy.deepcopy(series[0])
    long_text = (
        "本年度政务公开工作仍存在一些不足：政策解读形式较为单一，部分栏目信息更新不够及时，"
        "依申请公开答复文书规范性有待提高。下一步将丰富解读形式，建立栏目更新提醒机制。"
    )
    before.narrative["五"] = [Paragraph(long_text)]
    now.narrative["五"] = [Paragraph(long_text.replace("下一步", "明年"))]
    found = [f for f in check_report(now, before) if f.code == "C1-NARRATIVE-COPY"]
    assert [f.table for f in found if f.table.startswith("五")] == ["五、存在的主要问题及改进情况"]
    now.narrative["五"] = [
        Paragraph("本年度问题：线上平台功能单一，咨询答复时限偏长；将上线智能问答，压缩答复时限。")
    ]
    assert not [
        f for f in check_report(now, before) if f.table.startswith("五") and f.code.startswith("C1")
    ]


def test_check_reports_pairs_consecutive_years(series: list[Report]) -> None:
    a, b = copy.deepcopy(series)
    b.narrative = {}
    _bump(b, "proactive", "normative_documents", "in_force")
    assert [f.code for f in check_reports([b, a])] == ["R8-IN-FORCE"]
    b.year, b.issued = 2025, datetime.date(2026, 1, 20)  # a gap: no cross-year rule applies
    assert [f.code for f in check_reports([b, a])] == []
    assert [f.code for f in check_reports([a, copy.deepcopy(a)])] == ["D1-DUPLICATE"]


def test_seed_every_figure_is_checked() -> None:
    """Changing any figure of the seed is an error naming that cell (except 现行有效件数,
    which only rule 8 constrains, and the seed has no previous year)."""
    seed = params.load_report(SEED)
    assert check_report(seed) == []
    unchecked = []
    for t in fmt.TABLES:
        for row, col in t.cells():
            r = copy.deepcopy(seed)
            r.set(t.key, row, col, Decimal(3) if t.is_amount(row, col) else 3)
            found = [f for f in _errors(check_report(r)) if (t.key, row, col) in f.cells]
            if not found:
                unchecked.append((row, col))
            else:
                # a table rule points at the cell; R6 at the prose that states the figure
                assert any(
                    f.line == seed.line_of(t.key, row, col)
                    or (f.code.startswith("R6") and f.line is not None)
                    for f in found
                )
    assert unchecked == [("regulations", "in_force"), ("normative_documents", "in_force")]


def test_check_paths_groups_and_outputs() -> None:
    result = check_paths([FIXTURES])
    assert len(result.reports) == 3 and len(result.load_errors) == 1
    assert result.has_errors
    grouped = {r.agency: fs for r, fs in result.by_report()}
    assert not _errors(grouped["示例检查局"])
    broken = grouped["示例错误局"]
    assert {f.code for f in broken} == {"R1-APP-BALANCE", "R3-APP-APPLICANT-TOTAL"}
    assert all(f.file.endswith("2024.yaml") and f.line for f in broken)

    text = format_findings_text(result)
    assert "示例错误局 2024年" in text and "R1-APP-BALANCE" in text and "无法读取" in text
    assert text.strip().splitlines()[-1].startswith("共检查 3 份报告：2 个错误")

    rows = [json.loads(line) for line in format_findings_json(result).splitlines()]
    keys = {"file", "agency", "year", "code", "severity", "table", "row", "column"}
    keys |= {"expected", "actual", "message"}
    assert all(keys <= set(r) for r in rows)
    assert rows[0]["code"] == "LOAD-ERROR" and rows[0]["line"] == 4
    assert sum(r["code"] == "R1-APP-BALANCE" for r in rows) == 1


def test_json_amounts_are_exact(report: Report) -> None:
    report.set("proactive", "fees", "fee_amount", Decimal("-12.35"))
    result = CheckResult(reports=[report], findings=check_report(report))
    [row] = [json.loads(x) for x in format_findings_json(result).splitlines()]
    assert row["actual"] == "-12.35"


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "good")]) == 0
    capsys.readouterr()
    assert main(["check", str(FIXTURES / "broken"), "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert all(json.loads(line)["severity"] for line in out.splitlines())
    assert main(["check", str(FIXTURES)]) == 2
    assert main(["check", str(tmp_path / "missing")]) == 2


def test_edited_seed_file_names_cell_and_line(tmp_path: Path) -> None:
    path = tmp_path / "2024.yaml"
    shutil.copy(SEED, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("行政许可: {本年处理决定数量: 0}", "行政许可: {本年处理决定数量: 7}"),
        encoding="utf-8",
    )
    result = check_paths([path])
    [f] = result.findings
    assert f.code == "R6-NARRATIVE" and f.row == "第二十条第（五）项 › 行政许可"
    assert (
        f.line is not None
        and "行政许可" in path.read_text(encoding="utf-8").splitlines()[f.line - 1]
    )


def test_random_reports_from_rng_pass() -> None:
    rng = random.Random(1)
    for scale in (0, 5, 300):
        r = synth.consistent_report("示例随机局", 2024, rng, scale=scale)
        assert check_report(r) == []


def test_a_2019_report_is_checked_on_its_own_cells_with_no_finding_for_its_format() -> None:
    for report in (report_2019(), report_mixed()):
        assert check_report(report) == []  # nothing for lacking 2021 cells
    report = report_2019()
    report.set("proactive", "normative_documents", "total_published", None)
    report.set("applications", "other_handling", "natural", 2)
    findings = check_report(report)
    blank = [f for f in findings if f.code == "R5-BLANK"]
    assert [f.cells for f in blank] == [(("proactive", "normative_documents", "total_published"),)]
    assert "规范性文件" in blank[0].row and blank[0].column == "对外公开总数量"
    # rules 1–3 from the 2019 equations: （六）其他处理 is one figure of the outcome sum
    codes = {f.code for f in findings if f.cells and ("applications", "other_handling", "natural")
             in f.cells}  # fmt: skip
    assert codes == {"R2-APP-OUTCOME-TOTAL", "R3-APP-APPLICANT-TOTAL"}
    outcome = next(f for f in findings if f.code == "R2-APP-OUTCOME-TOTAL")
    assert outcome.column == "自然人" and "（六）其他处理" in outcome.message + outcome.row


def test_a_2019_change_may_be_negative_but_other_2019_figures_not() -> None:
    report = report_2019()
    assert report.get("proactive", "licensing", "change") == -2
    report.set("proactive", "licensing", "previous_items", -1)
    (finding,) = check_report(report)
    assert finding.code == "R5-NEGATIVE" and finding.column == "上一年项目数量"


def test_narrative_figures_are_compared_with_the_2019_cells() -> None:
    report = report_2019()
    # 制发规范性文件5件 is 2019's 本年新制作数量; 现行有效 has no 2019 cell: not compared
    report.narrative["一"][0].text += "现行有效规范性文件99件，办理其他处理的申请1件。"
    assert check_report(report) == []
    report.set("proactive", "normative_documents", "made", 6)
    report.set("proactive", "normative_documents", "published", 6)
    (finding,) = check_report(report)
    assert finding.code == "R6-NARRATIVE"
    assert finding.cells == (("proactive", "normative_documents", "made"),)
    assert finding.column == "本年新制作数量" and (finding.expected, finding.actual) == (6, 5)


def test_cross_year_rules_across_formats() -> None:
    before, after = report_2019(year=2020), report_mixed(year=2021)
    assert check_reports([before, after]) == []
    # rule 7 through the current cells: a 2019 year's 结转 against a 2021 year's 上年结转
    for column in ("natural", "total"):
        before.set("applications", "carried_over", column, 1)
        before.set("applications", "carry_forward", column, 2)
    found = check_reports([before, after])
    assert {(f.code, f.year, f.expected, f.actual) for f in found} == {
        ("R7-CARRY-OVER", 2021, 2, 3)
    }
    assert [f.cells for f in found] == [
        (("applications", "carried_over", c),) for c in ("natural", "total")
    ]
    # …and a 2021 report after a 2019 one: rule 8 needs table 二 of 2021 in both years
    nxt = synth.consistent_report("示例区某某局", 2021, random.Random(3))
    nxt.set("proactive", "normative_documents", "in_force", 10_000)
    codes = {f.code for f in check_reports([before, nxt])}
    assert "R8-IN-FORCE" not in codes


def test_the_2019_fixtures_load_and_pass() -> None:
    result = check_paths([FORMAT2019_FIXTURES])
    assert result.load_errors == [] and result.findings == []
    assert [r.format for r in result.reports] == ["2019", "2021"]
    assert result.reports[1].table_formats == {"proactive": "2019"}


def test_a_new_params_file_fails_with_a_few_grouped_findings(tmp_path: Path) -> None:
    path = new_params_file("示例区新局", 2025, tmp_path)
    result = check_paths([path])
    text = path.read_text(encoding="utf-8").splitlines()
    blank = [f for f in result.findings if f.code == "R5-BLANK"]
    assert [f.table for f in blank] == [table_label(t) for t in fmt.TABLES]  # one per table
    assert [len(f.cells) for f in blank] == [len(t.cells()) for t in fmt.TABLES]
    for f in blank:  # located on the table's first row
        assert f.line is not None and text[f.line - 1].lstrip().startswith(("规章", "一、", "行政"))
    holders = [f for f in result.findings if f.code == "P1-PLACEHOLDER"]
    sections = [s.heading for s in fmt.NARRATIVE_SECTIONS]
    assert [f.table for f in holders][1:] == sections and "联系方式" in holders[0].table
    for f in holders:
        assert f.is_error and f.line is not None and PLACEHOLDER in text[f.line - 1]
    assert {f.code for f in result.findings} == {"R5-BLANK", "P1-PLACEHOLDER", "P2-ISSUED"}
    assert "全部通过" not in format_findings_text(result)
    assert main(["check", str(path)]) == 1


def test_blank_rows_and_cells_are_grouped_by_row(report: Report) -> None:
    for col in fmt.APPLICATIONS.columns:
        report.set("applications", "carried_over", col.key, None)
    report.set("applications", "new", "natural", None)
    report.set("review", "reconsideration", "total", None)
    blank = [f for f in check_report(report) if f.code == "R5-BLANK"]
    assert [(f.row, f.column, len(f.cells)) for f in blank] == [
        ("一、本年新收政府信息公开申请数量", "自然人", 1),
        ("二、上年结转政府信息公开申请数量", "全部", 7),
        ("行政复议", "总计", 1),
    ]
    assert "整行 7 个数字均为空白" in blank[1].message


def test_placeholders_left_in_any_text_are_flagged(report: Report) -> None:
    assert not [f for f in check_report(report) if f.code == "P1-PLACEHOLDER"]
    report.section_notes["三"] = f"本年度{PLACEHOLDER}件"
    report.narrative["五"][0].text += PLACEHOLDER
    report.own_title = f"{PLACEHOLDER}年度报告"
    found = [f.table for f in check_report(report) if f.code == "P1-PLACEHOLDER"]
    assert found == ["报告标题", fmt.section("三").heading, fmt.section("五").heading]


def test_text_output_shows_control_characters_as_escapes(
    tmp_path: Path, seed_report: Report
) -> None:
    seed_report.narrative["一"] = [
        Paragraph("2024年，本机关新收政府信息公开申请5件\x1b[2J\x1b]0;x\x07。")
    ]
    path = tmp_path / "\x1b[31m局" / "2024.yaml"
    save_report(seed_report, path)
    bad = tmp_path / "\x1b[31m局" / "2023.yaml"
    bad.write_text("agency: x\n", encoding="utf-8")
    result = check_paths([tmp_path])
    # issue 17.8: the sentence itself is refused where it is (file:line), not quoted
    assert any("控制字符 U+001B" in e.message and e.line for e in result.load_errors)
    text = format_findings_text(result)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31m局" in text  # file names too


# --- P2-ISSUED: the 落款 date (issue 18.3) -------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        (None, "缺少落款日期"),
        (datetime.date(2024, 12, 31), "早于报告年度结束"),
        (datetime.date(2099, 1, 20), "晚于今天"),
        (datetime.date(2025, 1, 20), None),
    ],
)
def test_the_signoff_date_must_be_there_and_possible(
    seed_report: Report, issued: datetime.date | None, expected: str | None
) -> None:
    seed_report.issued = issued
    found = [f for f in check_report(seed_report) if f.code == "P2-ISSUED"]
    if expected is None:
        assert not found
    else:
        assert len(found) == 1 and expected in found[0].message
        assert found[0].severity == "warning"


def test_new_writes_the_date_to_fill_and_check_names_its_line(tmp_path: Path) -> None:
    path = new_params_file("示例区新局", 2025, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("issued: null"))
    found = [f for f in check_paths([path]).findings if f.code == "P2-ISSUED"]
    assert [f.line for f in found] == [line]


def test_every_bundled_report_is_dated() -> None:
    result = check_paths([PARAMS])
    assert result.reports and all(r.issued is not None for r in result.reports)
    assert not [f for f in result.findings if f.code == "P2-ISSUED"]


def test_narrative_findings_quote_the_prose_as_printed_and_cite_its_line(tmp_path: Path) -> None:
    """Issue 18.6: the quote keeps the full-width punctuation; the line is the prose's own."""
    text = SEED.read_text(encoding="utf-8")
    said = "我中心新收到依申请公开政府信息0件，上年结转申请0件"
    assert said in text
    path = tmp_path / "硚口区企业服务中心" / "2024.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(said, said.replace("0件，", "３件，", 1)), encoding="utf-8")
    (finding,) = [f for f in check_paths([path]).findings if f.code.startswith("R6")]
    assert "新收到依申请公开政府信息３件，上年结转申请0件" in finding.message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert finding.line is not None and "３件，" in lines[finding.line - 1]
