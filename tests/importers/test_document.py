"""Import of published reports: every fixture kind, every figure, the params files written."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_lib import cli
from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib.errors import ImportError_
from disclosure_lib.importers.collection import import_files
from disclosure_lib.importers.document import import_bytes, import_file
from disclosure_lib.model import Contact, Report
from disclosure_lib.params import load_report, params_path

from ..base import IMPORT_FIXTURES as FIX
from ..base import SEED as SEED_PARAMS

# cells the blank-cell fixtures leave empty ('', '/', '—', '-')
BLANKS = {
    ("proactive", "normative_documents", "repealed"),
    ("applications", "partial", "research"),
    ("applications", "withheld.process", "total"),
    ("applications", "not_processed.repeated", "natural"),
    ("review", "direct_suit", "pending"),
}
# …of which these are 0 and a row or column total says so (the cells present balance)
ZERO_BY_ARITHMETIC = {
    ("applications", "partial", "research"),
    ("applications", "withheld.process", "total"),
}
# …and these (`-`, empty) are the only blank of their row, whose 总计 is printed: the row's
# equation decides them (1 each)
DECIDED_BY_ROW = {
    ("applications", "not_processed.repeated", "natural"),
    ("review", "direct_suit", "pending"),
}


SEED_TITLE = "硚口区企业服务中心2024年政府信息公开年度报告"  # the office's own title


@pytest.fixture(scope="module")
def seed() -> Report:
    """The seed's params, with the title the published page prints (kept by the import)."""
    report = load_report(SEED_PARAMS)
    report.own_title = report.own_title or SEED_TITLE
    # the bundled params carry the 落款 date of the published report; the seed page prints
    # none, so its import has no date (issued: null, and `check` warns P2-ISSUED)
    report.issued = None
    return report


@pytest.fixture(scope="module")
def figures() -> Report:
    report = load_report(FIX / "figures.yaml")
    report.own_title = SEED_TITLE  # the fixtures print the seed's title
    return report


def assert_figures(got: Report, expected: Report, *, except_cells: set | None = None) -> None:
    """Every official cell equal (type included: int counts, Decimal fee), except the listed."""
    except_cells = except_cells or set()
    for t in fmt.TABLES:
        for cell in t.cells():
            key = (t.key, *cell)
            want = None if key in except_cells else expected.get(*key)
            have = got.get(*key)
            assert have == want, f"{key}: {have!r} != {want!r}"
            assert type(have) is type(want), key


@pytest.mark.parametrize("name", ["seed.txt", "seed.html", "seed_gbk.html"])
def test_seed_imports_to_the_bundled_params(name: str, seed: Report) -> None:
    result = import_file(FIX / name)
    assert result.report == seed
    assert_figures(result.report, seed)
    assert result.report.contact == Contact(
        "硚口区企业服务中心党政办公室", "硚口区中山大道51号", "027-83366995"
    )
    assert result.log.sections_found == list("一二三四五六")
    assert result.log.narrative_sections == ["一", "五", "六"]
    assert {k: (s.read, s.inferred, s.missing) for k, s in result.log.stats.items()} == {
        "proactive": (10, 0, 0),
        "applications": (175, 0, 0),
        "review": (15, 0, 0),
    }
    assert not result.log.warnings


def test_seed_narrative_and_notes(seed: Report) -> None:
    r = import_file(FIX / "seed.txt").report
    one = r.narrative["一"]
    assert one[0].heading is None and one[0].text.startswith("2024年，在区委")
    assert [p.heading for p in one[1:]] == [
        "（一）政府信息主动公开情况",
        "（二）政府信息依申请公开情况",
        "（三）政府信息管理情况",
        "（四）政府信息公开平台建设情况",
        "（五）监督保障情况",
    ]
    assert r.narrative["五"][0].text.count("\n") == 1  # two lines under one sub-heading
    assert r.narrative["六"][2].heading == "（三）重点领域政府信息公开情况"
    assert r.section_notes["二"].endswith("行政事业性收费0万元。")
    assert (
        r.section_notes["四"]
        == "2024年，我中心无因政府信息公开工作被申请行政复议、提起行政诉讼情况。"
    )


@pytest.mark.parametrize("name", ["figures.txt", "figures_fullwidth.html", "pipes.txt"])
def test_figure_fixtures(name: str, figures: Report) -> None:
    result = import_file(FIX / name)
    assert result.report == figures
    assert_figures(result.report, figures)
    assert result.report.get("proactive", "fees", "fee_amount") == Decimal("12.35")
    assert result.log.stats["applications"].missing == 0


def test_run_together_text_is_split_by_the_tables_arithmetic(figures: Report) -> None:
    result = import_file(FIX / "runtogether.txt")
    # 行政规范性文件3040 fits 3|0|40 and 30|4|0; 现行有效件数 ≥ 制发 − 废止 rules out 30|4|0
    assert_figures(result.report, figures)
    said = [e for e in result.log.entries if e.row == "normative_documents"]
    assert said and "3|0|40" in said[0].message and "现行有效件数不少于" in said[0].message
    stats = result.log.stats
    assert stats["applications"].inferred > 0 and stats["applications"].missing == 0
    assert (stats["review"].read, stats["review"].missing) == (15, 0)
    inferred = [e for e in result.log.entries if "推断" in e.message]
    assert inferred, "inferred cells must be named in the log"
    assert result.report.narrative == figures.narrative
    assert result.report.section_notes == figures.section_notes


@pytest.mark.parametrize("name", ["blank_cells.txt", "blank_cells.html"])
def test_blank_cells_are_missing_not_zero(name: str, figures: Report) -> None:
    result = import_file(FIX / name)
    left = BLANKS - ZERO_BY_ARITHMETIC - DECIDED_BY_ROW
    assert_figures(result.report, figures, except_cells=left)
    for key in left:
        assert result.report.get(*key) is None
    for key in ZERO_BY_ARITHMETIC:
        assert result.report.get(*key) == 0 == figures.get(*key)
    blank_rows = {e.row for e in result.log.warnings if "空白" in e.message}
    assert {row for _t, row, _c in left} <= blank_rows
    assert set(result.log.blank) == left and set(result.log.blank.values()) == {"空白"}
    zeros = {e.row for e in result.log.entries if "推断为 0" in e.message}
    assert zeros == {row for _t, row, _c in ZERO_BY_ARITHMETIC}
    stats = result.log.stats.values()
    assert sum(s.missing for s in stats) == len(left)
    assert sum(s.inferred for s in stats) == len(ZERO_BY_ARITHMETIC | DECIDED_BY_ROW)


def test_blank_cells_are_reported_by_check(tmp_path: Path) -> None:
    out = import_files([FIX / "blank_cells.txt"], params_dir=tmp_path)[0]
    assert out.error is None
    blank = {(f.code, f.row, f.column) for f in out.findings if f.code == "R5-BLANK"}
    assert len(blank) == len(BLANKS - ZERO_BY_ARITHMETIC - DECIDED_BY_ROW)


def test_blank_as_zero_fills_every_blank_and_says_so(tmp_path: Path, figures: Report) -> None:
    [out] = import_files([FIX / "blank_cells.txt"], params_dir=tmp_path, blank_as_zero=True)
    assert out.written is not None and out.result is not None
    report = load_report(out.written)
    for key in BLANKS:
        assert report.get(*key) == 0
    assert any("--blank-as-zero" in e.message for e in out.result.log.entries)
    comments = [x for x in out.written.read_text(encoding="utf-8").splitlines() if x[:1] == "#"]
    assert any("--blank-as-zero" in c for c in comments)
    assert not [f for f in out.findings if f.code == "R5-BLANK"]


def test_truncated_report_imports_what_is_there(figures: Report) -> None:
    result = import_file(FIX / "truncated.txt")
    app = fmt.APPLICATIONS
    rows = [r.key for r in app.figure_rows]
    cut = rows.index("withheld.internal")  # the row the text stops in
    for t in fmt.TABLES:
        for row, col in t.cells():
            got = result.report.get(t.key, row, col)
            if t.key == "proactive" or (t.key == "applications" and rows.index(row) < cut):
                assert got == figures.get(t.key, row, col)
            else:
                assert got is None
    assert result.log.sections_missing == ["四", "五", "六"]
    missing_rows = {e.row for e in result.log.warnings if e.message.startswith("未找到")}
    assert set(rows[cut + 1 :]) <= missing_rows
    assert {"reconsideration", "direct_suit", "suit_after_review"} <= missing_rows
    assert result.log.stats["review"].missing == 15


def test_2019_format_is_read_into_its_own_cells() -> None:
    result = import_file(FIX / "format2019.txt")
    r, log = result.report, result.log
    assert (r.agency, r.year, r.format, log.format) == ("示例区档案馆", 2020, "2019", "2019")
    assert r.table_formats == {} and r.table_specs() == f19.TABLES
    assert r.contact == Contact("示例区档案馆办公室", "示例区人民路8号", "010-12345678")
    # 二 in the 2019 columns: 本年新制作数量, 上一年项目数量, 本年增/减 (may be negative),
    # 第二十条第（九）项
    assert r.get("proactive", "normative_documents", "made") == 2
    assert r.get("proactive", "licensing", "decisions") == 27
    assert r.get("proactive", "licensing", "change") == -1
    assert r.get("proactive", "penalty", "decisions") == 9
    assert r.get("proactive", "procurement", "purchase_amount") == Decimal("36.5")
    # no 2021 cell is made up for it
    assert ("normative_documents", "in_force") not in r.tables["proactive"]
    assert ("fees", "fee_amount") not in r.tables["proactive"]
    assert [r.get("applications", "new", c.key) for c in fmt.APPLICATIONS.columns] == [
        6,
        1,
        0,
        0,
        1,
        0,
        8,
    ]
    assert r.get("applications", "total", "total") == 9
    assert r.get("applications", "unavailable.not_held", "natural") == 2
    # （六）其他处理 is one figure row
    assert r.get("applications", "other_handling", "total") == 2
    assert ("other_handling.other", "total") not in r.tables["applications"]
    assert r.get("review", "reconsideration", "upheld") == 1
    assert r.get("review", "reconsideration", "total") == 1
    # the log counts the cells of the 2019 tables
    for t in f19.TABLES:
        s = log.stats[t.key]
        assert s.read + s.inferred + s.missing == len(t.cells()), t.key
    assert set(log.evidence) == {(t.key, *c) for t in f19.TABLES for c in t.cells()}
    assert "2019" in log.summary()


def test_a_2019_page_round_trips_through_its_params(tmp_path: Path) -> None:
    [out] = import_files([FIX / "format2019.txt"], params_dir=tmp_path)
    assert out.written is not None
    back = load_report(out.written)
    assert out.result is not None
    assert back.format == "2019"
    assert back.tables == out.result.report.tables
    assert back.get("proactive", "licensing", "change") == -1


def test_agency_and_year_overrides() -> None:
    r = import_file(FIX / "seed.txt", agency="另一机关", year=2023).report
    assert (r.agency, r.year) == ("另一机关", 2023)


def test_title_variants_and_chinese_year() -> None:
    text = (
        "标题：二〇二三年示例县水务局政府信息公开工作年度报告\n"
        "一、总体情况\n正文。\n二、主动公开政府信息情况\n"
    )
    r = import_bytes(text.encode("utf-8")).report
    assert (r.agency, r.year) == ("示例县水务局", 2023)


def test_import_files_writes_refuses_and_forces(
    tmp_path: Path, seed: Report, figures: Report
) -> None:
    [out] = import_files([FIX / "seed.txt"], params_dir=tmp_path)
    assert out.error is None and out.written == params_path(tmp_path, seed.agency, 2024)
    assert load_report(out.written) == seed
    # the seed passes every check but the 落款 date its page does not print
    assert [f.code for f in out.findings] == ["P2-ISSUED"]
    before = out.written.read_bytes()
    [again] = import_files([FIX / "figures.txt"], params_dir=tmp_path)
    assert isinstance(again.error, ImportError_) and "--force" in str(again.error)
    assert out.written.read_bytes() == before
    [forced] = import_files([FIX / "figures.txt"], params_dir=tmp_path, force=True)
    assert forced.error is None and forced.written is not None
    assert load_report(forced.written) == figures
    assert any(f.code.startswith("R6") for f in forced.findings)  # narrative says 0件


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "空"),
        (b"   \n\n", "空"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 8, "二进制"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "Excel"),
        ("<html><body><h1>天气预报</h1><p>晴，25度。</p></body></html>".encode(), "未识别"),
        ("今天天气很好。\n明天下雨。\n".encode("gbk"), "未识别"),
        ("一、总体情况\n二、主动公开政府信息情况\n".encode(), "机关名称"),
    ],
)
def test_bad_input_is_a_clear_error(data: bytes, needle: str) -> None:
    with pytest.raises(ImportError_) as info:
        import_bytes(data, path="in.txt")
    assert needle in str(info.value)
    assert str(info.value).startswith("in.txt")


def test_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(11 * 1024 * 1024)
    with pytest.raises(ImportError_, match="过大"):
        import_file(big)


def test_cli_exit_codes_and_no_half_written_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "params"
    assert cli.main(["import", str(FIX / "seed.txt"), "-o", str(params)]) == 0
    assert "已写入" in capsys.readouterr().out
    assert cli.main(["import", str(FIX / "seed.txt"), "-o", str(params)]) == 2
    assert "--force" in capsys.readouterr().err
    blank = ["import", str(FIX / "blank_cells.txt"), "--year", "2023", "-o", str(params)]
    assert cli.main(blank) == 1  # imported, but check finds errors (blank cells)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    assert cli.main(["import", str(junk), "-o", str(params)]) == 2
    err = capsys.readouterr().err
    assert "junk.bin" in err and "Traceback" not in err
    files = sorted(p.relative_to(params) for p in params.rglob("*") if p.is_file())
    assert [str(p) for p in files] == [
        "硚口区企业服务中心/2023.yaml",
        "硚口区企业服务中心/2024.yaml",
    ]


def test_round_trip_through_the_projects_html(seed: Report) -> None:
    report_html = pytest.importorskip("disclosure_lib.rendering.compose")
    from disclosure_lib.synth import consistent_report

    reports = [seed, load_report(FIX / "figures.yaml")]
    reports += [consistent_report("示例区测试局", 2023, random.Random(i)) for i in range(5)]
    blank = Report.blank("示例区空白局", 2022)  # missing cells survive the round trip too
    reports.append(blank)
    for report in reports:
        page = f"<html><body>{report_html.report_body(report).html}</body></html>"
        back = import_bytes(page.encode("utf-8"), path="page.html").report
        assert back == report


def test_a_table_fragment_imports_with_agency_and_year_given() -> None:
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 38 5 0 0 1 0 44\n"
    r = import_bytes(text.encode(), path="fragment.txt", agency="示例区片段局", year=2024).report
    assert [r.get("applications", "new", c) for c in ("natural", "business", "total")] == [
        38,
        5,
        44,
    ]


@pytest.mark.parametrize(
    ("signoff", "date"),
    [
        ("硚口区企业服务中心\n2025年1月20日", datetime.date(2025, 1, 20)),
        ("二〇二五年一月二十日", datetime.date(2025, 1, 20)),
        ("硚口区企业服务中心\n2025年2月30日", None),  # not a date: left as text
    ],
)
def test_the_signoff_date_is_read_and_taken_out_of_the_narrative(
    signoff: str, date: datetime.date | None, seed: Report
) -> None:
    text = (FIX / "seed.txt").read_text(encoding="utf-8").rstrip("\n") + "\n" + signoff + "\n"
    r = import_bytes(text.encode(), path="signed.txt").report
    assert r.issued == date
    if date is not None:
        assert r.narrative == seed.narrative
    else:
        assert r.narrative["六"][-1].text.endswith("2025年2月30日")


def test_control_characters_of_a_page_do_not_reach_the_params_file(tmp_path: Path) -> None:
    """Issue 17.8: params text may not hold control characters (refused on loading), so what
    a page carries — an escape sequence, a form feed — is dropped on import, not a failure."""
    text = (FIX / "seed.txt").read_text(encoding="utf-8")
    assert "我中心坚持" in text
    page = tmp_path / "x.txt"
    page.write_text(text.replace("我中心坚持", "我中心\x1b[2J坚持\x0c", 1), encoding="utf-8")
    [out] = import_files([page], params_dir=tmp_path / "p")
    assert out.written is not None, out.error
    report = load_report(out.written)
    assert "我中心[2J坚持" in report.narrative["一"][0].text


def test_zero_width_marks_of_a_page_are_not_part_of_the_name(tmp_path: Path) -> None:
    """Issue 17.14: names holding invisible marks are refused; a page's title often has them."""
    text = (FIX / "seed.txt").read_text(encoding="utf-8")
    data = text.replace("硚口区企业服务中心", "硚口区\u200b企业服务中心\u200d", 1).encode()
    assert import_bytes(data).report.agency == "硚口区企业服务中心"
