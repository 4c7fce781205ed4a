"""Checks gate publishing (issue 10.5): a one-line check summary per report with findings,
`--strict` writes nothing for a report whose check finds errors, findings counted once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from disclosure_lib.batch import build as b
from disclosure_lib.batch import gate
from disclosure_lib.batch import render as batch_render
from disclosure_lib.batch.manifest import entry_rows
from disclosure_lib.checks import check_report
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
    assert summary.exit_code == 0 and len(summary.built) == 6
    errors = next(x.errors for x in summary.lines if x.label == f"{BROKEN} 2023年")
    assert errors > 0
    assert summary.check_errors == errors  # not again for the year's summary
    table = summary.table()
    assert f"校验错误 (check errors)         {errors}（1 份报告）" in table
    lines = [x for x in table.splitlines() if x.strip().startswith("校验 ")]
    assert lines == [
        f"  校验 {BROKEN} 2023年：错误 {errors} 条；首个错误：" + lines[0].split("首个错误：")[1]
    ]
    again = b.build([params], output_dir=_copy(built, tmp_path), to=("html",), progress=False)
    assert not again.built and again.check_errors == errors  # skipped reports still listed
    assert any(x.strip().startswith(f"校验 {BROKEN} 2023年") for x in again.table().splitlines())


def test_strict_build_blocks_the_report_and_its_year(
    params: Path, built: tuple[Path, b.BuildSummary], tmp_path: Path
) -> None:
    out = _copy(built, tmp_path)
    assert _outputs(out, BROKEN, 2023)  # published before --strict
    run = subprocess.run([*CLI, "build", str(params), "-o", str(out), "--to", "html", "--strict"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "已阻止" in run.stderr and f"校验 {BROKEN} 2023年" in run.stderr
    assert _outputs(out, BROKEN, 2023) == []  # nothing of it stays published
    assert not (out / "2023" / "summary.html").exists()  # its figures are in the summary
    assert _outputs(out, BROKEN, 2022) and (out / "2022" / "summary.html").is_file()
    entries = entry_rows(out)
    blocked = entries[f"report:{BROKEN}/2023"]
    assert blocked["status"] == "blocked" and blocked["outputs"] == []
    assert blocked["findings"] and blocked["findings"][0]["severity"] == "error"
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    section = soup.find("h3", id=f"blocked-{quote(f'report:{BROKEN}/2023', safe='')}")
    assert section is not None and "未发布" in section.find_previous("h2").get_text()
    listed = section.find_next("ul", class_="findings").get_text()
    assert blocked["findings"][0]["message"] in listed and "本年新收" in listed
    # unchanged and still strict: nothing to do, still blocked (exit 1)
    again = b.build([params], output_dir=out, to=("html",), progress=False, strict=True)
    assert not again.built and len(again.blocked) == 2 and again.exit_code == 1
    # without --strict it is published again
    relaxed = b.build([params], output_dir=out, to=("html",), progress=False)
    assert sorted(x.label for x in relaxed.built) == sorted([f"{BROKEN} 2023年", "2023年 汇总"])
    assert _outputs(out, BROKEN, 2023)


def test_render_prints_the_check_line_and_strict_blocks(params: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = batch_render.render(BROKEN, 2023, params, to="html", output_dir=out)
    assert result.checked.errors > 0 and result.html is not None and result.html.is_file()
    assert result.check_line.startswith(f"校验 {BROKEN} 2023年：错误 ")
    run = subprocess.run(
        [*CLI, "render", BROKEN, "2023", "--params", str(params), "-o", str(out), "--to", "html",
         "--strict"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "--strict" in run.stderr and str(params_path(params, BROKEN, 2023)) in run.stderr
    assert _outputs(out, BROKEN, 2023) == []  # the earlier render is not left published
    clean = batch_render.render(AGENCIES[0], 2023, params, to="html", output_dir=out, strict=True)
    assert clean.check_line == "" and clean.html is not None


def test_one_line_summary() -> None:
    assert (
        gate.one_line("甲 2024年", 2, 1, "总计不等")
        == "校验 甲 2024年：错误 2 条，警告 1 条；首个错误：总计不等"
    )
    assert gate.one_line("甲 2024年", 0, 3) == "校验 甲 2024年：警告 3 条"
