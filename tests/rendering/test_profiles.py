"""The notebook's profiles end to end (papermill): publish is what the office wrote (charts only
when the params ask), review adds the charts appendix and 数据校验; `--pdf-standard` reaches
the PDF from the command line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib import cli
from disclosure_lib.batch import render as batch_render
from disclosure_lib.params import load_report
from disclosure_lib.params_write import save_report

from ..base import BUSY_AGENCY as BUSY
from ..base import PARAMS


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("params")
    shutil.copytree(PARAMS / BUSY, folder / BUSY)
    return folder


def _soup(result: batch_render.RenderResult) -> BeautifulSoup:
    assert result.html is not None
    return BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")


def test_publish_then_review(
    params: Path, tmp_path: Path, busy_review_rendered: batch_render.RenderResult
) -> None:
    publish = _soup(batch_render.render(BUSY, 2024, params, to="html", output_dir=tmp_path / "p"))
    text = publish.get_text()
    assert "数据校验" not in text and "附：统计图表" not in text
    assert publish.find("img") is None  # charts: not asked for
    last = publish.find("article").find_all(recursive=False)[-1]  # type: ignore[union-attr]
    assert "signature" in last["class"]  # the 落款 ends it: the agency, then the date
    assert [p.get_text() for p in last.find_all("p")] == [BUSY, "2025年1月20日"]
    review = _soup(busy_review_rendered)  # the same params, rendered once per session
    sections = [s.get("id") for s in review.find_all("section")]
    assert sections[-2:] == ["charts", "checks"]
    assert len(review.select("section#charts img")) == 4
    assert review.select_one("section#checks p.pass") is not None


def test_charts_true_prints_them_in_their_sections(params: Path, tmp_path: Path) -> None:
    report = load_report(params / BUSY / "2024.yaml")
    report.charts = True
    save_report(report, params / BUSY / "2024.yaml")
    try:
        soup = _soup(batch_render.render(BUSY, 2024, params, to="html", output_dir=tmp_path))
    finally:
        report.charts = False
        save_report(report, params / BUSY / "2024.yaml")
    assert "附：统计图表" not in soup.get_text()
    assert len(soup.select("section#section-二 img")) == 1
    assert len(soup.select("section#section-三 img")) == 3
    assert all(img["alt"] for img in soup.find_all("img"))


def test_pdf_standard_from_the_command_line(params: Path, tmp_path: Path) -> None:
    import pdfplumber

    code = cli.main(["render", BUSY, "2024", "--params", str(params), "--to", "pdf", "-o",
                     str(tmp_path), "--pdf-standard", "a-2b"])  # fmt: skip
    assert code == 0
    (pdf,) = tmp_path.rglob("*.pdf")
    with pdfplumber.open(str(pdf)) as p:
        xmp = p.doc.catalog["Metadata"].resolve().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(?:>|=\")2", xmp)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    assert cli.main(["render", BUSY, "2024", "--params", str(params), "--to", "pdf", "-o",
                     str(tmp_path), "--pdf-standard", "a-9"]) == 2  # fmt: skip
