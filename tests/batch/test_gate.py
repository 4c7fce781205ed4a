"""Checks gate publishing (issue 10.5): a one-line check summary per report with findings,
`--strict` writes nothing for a report whose check finds errors, findings counted once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib.batch import build as b
from disclosure_lib.batch import gate
from disclosure_lib.batch import render as batch_render
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.batch.manifest import entry_rows
from disclosure_lib.checks import check_report
from disclosure_lib.cli import main
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report

from .test_build import AGENCIES, CLI, make_params

BROKEN = AGENCIES[1]


def _break(params: Path, agency: str = BROKEN, year: int = 2023) -> int:
    """Make 本年新收 总计 disagree with its columns; return the report's check errors."""
    path = params_path(params, agency, year)
    report = load_report(path)
    report.set(
        "applications", "new", "total", (report.get("applications", "new", "total") or 0) + 5
    )
    save_report(report, path)
    return sum(f.is_error for f in check_report(load_report(path), None))


def _outputs(out: Path, agency: str, year: int) -> list[Path]:
    folder = out / str(year) / agency
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_params(tmp_path_factory.mktemp("gate") / "params")
    _break(folder)
    return folder


@pytest.fixture(scope="module")
def built(params: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, b.BuildSummary]:
    """The params built once (html, not strict); tests that build on copy the folder."""
    out = tmp_path_factory.mktemp("gate-built") / "out"
    return out, b.build([params], output_dir=out, to=("html",), progress=False)


def _copy(built: tuple[Path, b.BuildSummary], tmp_path: Path) -> Path:
    shutil.copytree(built[0], tmp_path / "out")
    return tmp_path / "out"


def test_findings_are_listed_once_per_report(
    params: Path, built: tuple[Path, b.BuildSummary], tmp_path: Path
) -> None:
    summary = built[1]
    # published, marked as a draft: exit 1 (issue 19 item 6)
    assert summary.exit_code == 1 and len(summary.built) == 6
    assert [x.label for x in summary.drafts] == [f"{BROKEN} 2023年"]
    errors = next(x.errors for x in summary.lines if x.label == f"{BROKEN} 2023年")
    assert errors > 0
    assert summary.check_errors == errors  # not again for the year's summary
    table = summary.table()
    cut = [x.strip().split("  ") for x in table.splitlines()[1:8]]
    rows = {parts[0]: parts[-1].strip() for parts in cut}
    assert rows["校验错误 (check errors)"] == f"{errors}（1 份报告）"
    assert rows["已标记为草稿 (marked draft: check errors)"] == "1"
    lines = [x for x in table.splitlines() if x.strip().startswith("校验 ")]
    assert lines == [
        f"  校验 {BROKEN} 2023年：错误 {errors} 条；首个错误：" + lines[0].split("首个错误：")[1]
    ]
    assert lines[0].endswith("（已标记为草稿（校验未通过））")
    again = b.build([params], output_dir=_copy(built, tmp_path), to=("html",), progress=False)
    assert not again.built and again.check_errors == errors  # skipped reports still listed
    assert any(x.strip().startswith(f"校验 {BROKEN} 2023年") for x in again.table().splitlines())
    assert [x.label for x in again.drafts] == [f"{BROKEN} 2023年"] and again.exit_code == 1


def test_draft_pages_and_the_summary_leaving_it_out(built: tuple[Path, b.BuildSummary]) -> None:
    out = built[0]
    (page,) = [p for p in _outputs(out, BROKEN, 2023) if p.suffix == ".html"]
    banner = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".draft")
    assert banner is not None and "草稿（校验未通过）" in banner.get_text()
    assert "校验发现" in banner.get_text()
    (clean,) = [p for p in _outputs(out, AGENCIES[0], 2023) if p.suffix == ".html"]
    assert "草稿" not in clean.read_text(encoding="utf-8")
    summary = BeautifulSoup((out / "2023" / "summary.html").read_text(encoding="utf-8"),
                            "html.parser")  # fmt: skip
    left_out = summary.find("section", id="summary-5")
    assert left_out is not None and "五、未计入汇总的报告" in left_out.get_text()
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in left_out.find_all("tr")]
    assert rows[1][0] == BROKEN and rows[1][1] == "2023年" and rows[1][3] == "校验未通过"
    assert f"本汇总涵盖 {len(AGENCIES) - 1} 个机关" in summary.get_text()
    # 2022 has no report with errors: nothing left out
    assert "未计入" not in (out / "2022" / "summary.html").read_text(encoding="utf-8")


def test_strict_build_blocks_the_report_not_its_year(
    params: Path, built: tuple[Path, b.BuildSummary], tmp_path: Path
) -> None:
    out = _copy(built, tmp_path)
    assert _outputs(out, BROKEN, 2023)  # published before --strict
    run = subprocess.run([*CLI, "build", str(params), "-o", str(out), "--to", "html", "--strict"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "已阻止" in run.stderr and f"校验 {BROKEN} 2023年" in run.stderr
    assert _outputs(out, BROKEN, 2023) == []  # nothing of it stays published
    # the year's summary is not blocked: it leaves the report out and lists it
    assert "未计入汇总" in (out / "2023" / "summary.html").read_text(encoding="utf-8")
    assert _outputs(out, BROKEN, 2022) and (out / "2022" / "summary.html").is_file()
    entries = entry_rows(out)
    blocked = entries[f"report:{BROKEN}/2023"]
    assert blocked["status"] == "blocked" and blocked["outputs"] == []
    assert blocked["findings"] and blocked["findings"][0]["severity"] == "error"
    row = read_rows(out / "index-2023.json")[BROKEN]
    assert row["statuses"] == "b" and row["files"] == "" and row["first_error"]
    soup = BeautifulSoup((out / "findings-2023.html").read_text(encoding="utf-8"), "html.parser")
    section = soup.find("h2", id=f"r{row['findings_anchor']}")
    assert section is not None and section.get_text() == BROKEN
    listed = section.find_next("ul", class_="findings").get_text()
    assert blocked["findings"][0]["message"] in listed and "本年新收" in listed
    # unchanged and still strict: nothing to do, still blocked (exit 1)
    again = b.build([params], output_dir=out, to=("html",), progress=False, strict=True)
    assert not again.built and len(again.blocked) == 1 and again.exit_code == 1
    assert not again.drafts  # blocked, not published as a draft
    # without --strict it is published again, marked as a draft
    relaxed = b.build([params], output_dir=out, to=("html",), progress=False)
    assert [x.label for x in relaxed.built] == [f"{BROKEN} 2023年"]
    assert _outputs(out, BROKEN, 2023) and relaxed.exit_code == 1


def test_render_prints_the_check_line_and_strict_blocks(
    params: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The API's result, then `disclosure render` (`main` in this process: its messages and exit
    code; the command's own process is tested in test_render) with and without --strict."""
    out = tmp_path / "out"
    result = batch_render.render(BROKEN, 2023, params, to="html", output_dir=out)
    assert result.checked.errors > 0 and result.html is not None and result.html.is_file()
    assert result.check_line.startswith(f"校验 {BROKEN} 2023年：错误 ")
    assert result.draft and "草稿（校验未通过）" in result.html.read_text(encoding="utf-8")
    assert result.draft_line.startswith(f"已标记为草稿（校验未通过） {BROKEN} 2023年：校验发现 ")
    capsys.readouterr()
    code = main(["render", BROKEN, "2023", "--params", str(params), "-o", str(out), "--to", "html"])
    drafted = capsys.readouterr()
    assert code == 1 and "Traceback" not in drafted.err
    assert result.draft_line in drafted.err and str(result.html) in drafted.out
    review = batch_render.render(BROKEN, 2023, params, to="html", output_dir=tmp_path / "review",
                                 profile="review")  # fmt: skip
    assert not review.draft and review.html is not None
    assert "草稿（校验未通过）" not in review.html.read_text(encoding="utf-8")
    code = main(["render", BROKEN, "2023", "--params", str(params), "-o", str(out), "--to", "html",
                 "--strict"])  # fmt: skip
    run = capsys.readouterr()
    assert code == 1 and "Traceback" not in run.err
    assert "--strict" in run.err and str(params_path(params, BROKEN, 2023)) in run.err
    assert _outputs(out, BROKEN, 2023) == []  # the earlier render is not left published
    clean = batch_render.render(AGENCIES[0], 2023, params, to="html", output_dir=out, strict=True)
    assert clean.check_line == "" and clean.html is not None


def test_one_line_summary() -> None:
    assert (
        gate.one_line("甲 2024年", 2, 1, "总计不等")
        == "校验 甲 2024年：错误 2 条，警告 1 条；首个错误：总计不等"
    )
    assert gate.one_line("甲 2024年", 0, 3) == "校验 甲 2024年：警告 3 条"


def test_a_failed_report_is_listed_as_not_built_in_its_summary(tmp_path: Path) -> None:
    """Issue 17 item 7: a report whose build failed is 未生成 in its year's summary, not
    counted; once it builds, the summary counts it again."""
    from .test_build import make_params, notebook_with

    params = make_params(tmp_path / "params")
    failing = notebook_with(
        tmp_path, f'if agency == "{BROKEN}" and year == 2023:\n    raise ValueError("故意失败")'
    )
    out = tmp_path / "out"
    first = b.build([params], output_dir=out, to=("html",), progress=False, notebook=failing)
    assert [x.label for x in first.failed] == [f"{BROKEN} 2023年"] and first.exit_code == 1
    page = BeautifulSoup((out / "2023" / "summary.html").read_text(encoding="utf-8"),
                         "html.parser")  # fmt: skip
    left_out = page.find("section", id="summary-5")
    assert left_out is not None
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in left_out.find_all("tr")]
    assert rows[1:] == [[BROKEN, "2023年", "—", "未生成"]]
    assert "本汇总涵盖 1 个机关" in page.get_text() and "1 份未生成" in page.get_text()
    assert "未计入" not in (out / "2022" / "summary.html").read_text(encoding="utf-8")
    # built again with the bundled notebook: the report builds, its summary counts it again
    again = b.build([params], output_dir=out, to=("html",), progress=False)
    assert sorted(x.label for x in again.built) == sorted([f"{BROKEN} 2023年", "2023年 汇总",
                                                           f"{AGENCIES[0]} 2023年",
                                                           f"{AGENCIES[0]} 2022年",
                                                           f"{BROKEN} 2022年"])  # fmt: skip
    text = (out / "2023" / "summary.html").read_text(encoding="utf-8")
    assert "未计入" not in text and f"本汇总涵盖 {len(AGENCIES)} 个机关" in text


def test_draft_lines_in_progress_summary_table_and_render() -> None:
    import io

    from disclosure_lib.batch.progress import Line, Progress, summary_table

    stream = io.StringIO()
    show = Progress(2, stream=stream, tty=False)
    lines = [
        Line("甲 2024年", "built", 1.0, errors=2, check_error="总计不等", draft=True),
        Line("乙 2024年", "built", 1.0),
    ]
    for line in lines:
        show.add(line)
    assert "完成 甲 2024年 (1.0 s)，校验错误 2，已标记为草稿" in stream.getvalue()
    table = summary_table(lines, 1.0)
    assert "已标记为草稿 (marked draft: check errors)" in table
    assert "  校验 甲 2024年：错误 2 条；首个错误：总计不等（已标记为草稿（校验未通过））" in table
    assert (
        gate.draft_line("甲 2024年", 2, "总计不等")
        == "已标记为草稿（校验未通过） 甲 2024年：校验发现 2 个错误，首个错误：总计不等"
    )
    clean = summary_table(lines[1:], 1.0)
    assert "草稿" not in clean
