"""PDF input: reports this project renders import back to identical params; scans are refused.

The PDFs are rendered here, at test time, by the project's own renderer through the public
API (`disclosure_lib.build`): the reader must follow whatever that renderer prints, reading the
PDF by its text and table structure."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

import disclosure_lib as dl
from disclosure_lib import cli
from disclosure_lib.errors import ImportError_
from disclosure_lib.importers.document import import_bytes, import_file
from disclosure_lib.model import Report
from disclosure_lib.params import load_report
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series

from ..base import IMPORT_FIXTURES as FIX
from .pdfs import pdf_without_text

ISSUED = datetime.date(2025, 1, 20)


def _reports(seed: Report) -> list[Report]:
    figures = load_report(FIX / "figures.yaml")
    figures.agency = "示例区图表局"
    series = demo_series("示例区连续局", range(2022, 2024), seed=7, scale=200)
    series[-1].own_title = "示例区连续局2023年度政府信息公开年度报告"
    series[-1].issued = ISSUED
    return [seed, figures, *series]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Report, Path]]:
    """(params, PDF) for a few reports, built to PDF by the project's renderer."""
    base = tmp_path_factory.mktemp("pdf")
    reports = _reports(
        load_report(Path(dl.find_params_dir("params")) / "硚口区企业服务中心/2024.yaml")
    )
    for r in reports:
        save_report(r, dl.params_path(base / "params", r.agency, r.year))
    summary = dl.build(
        [base / "params"], to=("pdf",), output_dir=base / "out", summaries=False, progress=False
    )
    assert not summary.failed, summary.table()
    pdfs = sorted((base / "out").rglob("*.pdf"))
    assert len(pdfs) == len(reports)
    out = []
    for pdf in pdfs:
        got = import_file(pdf).report
        [want] = [r for r in reports if (r.agency, r.year) == (got.agency, got.year)]
        out.append((want, pdf))
    return out


def _text(pdf: Path) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


@pytest.mark.slow
def test_rendered_pdfs_import_back_to_identical_params(
    rendered: list[tuple[Report, Path]],
) -> None:
    for want, pdf in rendered:
        result = import_file(pdf)
        got = result.report
        d = want.issued
        if d is not None and f"{d.year}年{d.month}月{d.day}日" not in _text(pdf):
            want.issued = None  # this renderer prints no 落款 date: nothing to read back
        assert got.tables == want.tables, pdf.name
        assert got.narrative == want.narrative, pdf.name
        assert got.section_notes == want.section_notes, pdf.name
        assert got == want, pdf.name
        assert result.log.kind == "pdf" and not result.log.blank
        assert sum(s.inferred for s in result.log.stats.values()) == 0  # read, not inferred


@pytest.mark.slow
def test_cli_imports_a_folder_of_pdfs(
    rendered: list[tuple[Report, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = rendered[0][1].parents[2]
    params = tmp_path / "params"
    # exit 1: the figures fixture's narrative says 0件 where its tables do not (R6 errors)
    assert cli.main(["import", str(folder), "-o", str(params)]) == 1
    out = capsys.readouterr().out
    assert out.count("已写入") == len(rendered)
    # the index pages (their generator meta), the manifest: not reports, skipped
    assert re.search(f"写入 {len(rendered)}，失败 0，跳过 [1-9]", out), out
    for want, _pdf in rendered:
        assert load_report(dl.params_path(params, want.agency, want.year)).tables == want.tables


def test_a_scan_without_text_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_without_text())
    with pytest.raises(ImportError_, match="OCR"):
        import_bytes(scan.read_bytes(), path=scan)
    assert cli.main(["import", str(scan), "-o", str(tmp_path / "params")]) == 2
    err = capsys.readouterr().err
    assert "scan.pdf" in err and "OCR" in err and "ocrmypdf" in err and "Traceback" not in err
    assert not (tmp_path / "params").exists()


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", b"%PDF" + b"\xff" * 500],
)
def test_damaged_pdfs_are_a_clear_error(data: bytes) -> None:
    with pytest.raises(ImportError_, match="PDF"):
        import_bytes(data, path="bad.pdf")


def test_a_row_cut_by_a_page_break_is_made_whole() -> None:
    from disclosure_lib.importers.pdf import _blocks

    label = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    cut = [None, "（六）其他处理", label[:14], *["0"] * 7]
    rest = ["", "", label[14:], *[""] * 7]
    header = [
        "",
        "",
        "",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    nxt = [None, None, "2.申请人逾期未按收费通知要求缴纳费用", *["1"] * 7]
    blocks = _blocks([(1, 700.0, cut), (2, 60.0, rest), (2, 90.0, nxt)])
    assert [b.cells for b in blocks] == [
        ["（六）其他处理", label, *["0"] * 7],
        ["2.申请人逾期未按收费通知要求缴纳费用", *["1"] * 7],
    ]
    repeated = _blocks([(1, 700.0, cut), (2, 60.0, header)])
    assert len(repeated) == 2  # a header repeated on the next page is not a continuation
    same_page = _blocks([(1, 600.0, cut), (1, 640.0, rest)])
    assert len(same_page) == 2


def test_spacing_between_chinese_and_digits_is_not_text() -> None:
    from disclosure_lib.importers.pdf import _AUTOSPACE

    assert _AUTOSPACE.sub("", "2022年发布信息130 条，电话 027-1234 5678") == (
        "2022年发布信息130条，电话027-1234 5678"
    )
