"""Every importer under explicit limits (issue 17 item 3): small generated inputs that exceed a
lowered cap are refused in one line naming the file and the limit; the reading of a PDF or a
page runs in a child stopped at the time and memory limits, the caller never growing."""

from __future__ import annotations

import io
import random
import re
import resource
import time
import zipfile
from pathlib import Path

import pytest

from disclosure_lib.errors import DisclosureError, ImportFailed
from disclosure_lib.importers import document, limits
from disclosure_lib.importers.bounded import run_bounded
from disclosure_lib.importers.document import import_bytes, import_file
from disclosure_lib.importers.excel import workbook_bytes
from disclosure_lib.importers.excel_read import check_zip
from disclosure_lib.importers.html import check_markup
from disclosure_lib.importers.pdf import read_pdf
from disclosure_lib.importers.pdf_scan import check_pdf
from disclosure_lib.importers.text import published_text
from disclosure_lib.synth import consistent_report

from ..base import IMPORT_FIXTURES
from . import hostile as h
from .pdfs import text_pdf


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(ImportFailed) as info:
        import_bytes(data, path=name)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message


def test_file_size_over_the_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(document, "MAX_BYTES", 1_000)
    monkeypatch.setattr(document, "MAX_PDF_BYTES", 2_000)
    text, pdf = tmp_path / "a.txt", tmp_path / "a.pdf"
    text.write_bytes("一、总体情况\n".encode() * 100)
    pdf.write_bytes(h.many_pages_pdf(30))
    assert len(pdf.read_bytes()) > 2_000
    for path in (text, pdf):
        with pytest.raises(ImportFailed, match="file too large") as info:
            import_file(path)
        assert str(info.value).startswith(f"{path}: ")


def test_pdf_pages_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 5)
    # no node lists more than 5: the pages are counted as the tree is walked
    assert "PDF 超过 5 页" in refusal(h.many_pages_pdf(6, per_node=3), "a.pdf")


def test_a_page_list_longer_than_the_page_limit_is_refused_unparsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 5)
    data = h.many_pages_pdf(6)
    check_pdf(h.many_pages_pdf(5), "a.pdf")  # five pages listed: the walk counts them
    with pytest.raises(ImportFailed, match="页面树的一个节点列出超过 5 项"):
        check_pdf(data, "a.pdf")


def test_pdf_pages_at_the_limit_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PAGES", 5)
    # five empty pages: no text layer, the scan refusal — not the page limit
    assert "没有文字层" in refusal(h.many_pages_pdf(5), "a.pdf")


def test_a_stream_shared_by_pages_counts_on_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_OPS", 250)
    # 100 operators: one page draws them, three pages draw 300
    message = refusal(h.shared_stream_pdf(3, 100), "a.pdf")
    assert "绘制指令共超过 250 条" in message and "too many drawing operators" in message


def test_content_drawn_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CONTENT", 10_000)
    stream = len(h.text_ops(100))  # ≈ 3.5 KB: the third page draws past 10 KB
    assert 2 * stream < 10_000 < 3 * stream
    assert "too much page content" in refusal(h.shared_stream_pdf(3, 100), "a.pdf")


def test_inflate_bomb_is_refused_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_STREAM", 2**20)
    for twice in (False, True):
        data = h.inflate_bomb_pdf(8 * 2**20, twice=twice)
        assert len(data) < 20_000
        message = refusal(data, "a.pdf")
        assert "解压后超过 1 MB" in message and "stream too large when decoded" in message


def test_a_stream_outside_the_pages_stops_at_the_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a font's map of 128 MB: no page content, so pdfminer inflates it, past 64 MB more
    monkeypatch.setattr(limits, "MAX_MEMORY", 64 * 2**20)
    message = refusal(h.font_bomb_pdf(128 * 2**20), "a.pdf")
    assert "读取 PDF 所需内存超过上限 64 MB" in message and "memory limit" in message


def test_forms_drawn_count_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_OPS", 1_000)
    # 20 operators drawn 100 times: 2,000 as drawn (and the 100 Do), from a 1 KB stream
    assert "too many drawing operators" in refusal(h.xobject_pdf(100, 20), "a.pdf")


def test_pdf_within_the_limits_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_OPS", 2)
    blocks = read_pdf(text_pdf(["Annual report", "of 2023"]), "a.pdf")  # in the child, and back
    assert " ".join(b.text or "" for b in blocks) == "Annual report of 2023"


def test_html_nesting_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_DEPTH", 40)
    assert "嵌套超过 40 层" in refusal(h.nested_html(41), "a.html")
    # closed tags do not nest: 1,000 siblings, each closed, are depth 3
    check_markup("<html><body>" + "<div>x</div>" * 1000 + "</body></html>")
    # unclosed inline tags nest as html.parser builds them
    assert "nested too deep" in refusal(h.nested_html(41, "b"), "a.html")


def test_html_depth_follows_the_parser() -> None:
    # void elements, self-closed tags, comments and script text open nothing
    page = "<br>" * 500 + "<div/>" * 500 + "<!--" + "<div>" * 500 + "-->"
    check_markup(page + "<script>" + "<div>" * 500 + "</script>")
    # an end tag closes every element opened inside its own
    check_markup(("<div>" + "<b><i>" * 100 + "</div>") * 10)
    with pytest.raises(ImportFailed, match="nested too deep"):
        check_markup("<div>" * 100 + "</span>" * 100 + "<p>" * 200)


def test_html_elements_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 1_000)
    assert "网页元素超过 1,000 个" in refusal(h.many_elements_html(1_000), "a.html")


def test_html_tags_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TAGS", 1_000)
    # end tags closing nothing: no element, but as much work for the parser
    message = refusal(h.unclosed_flood(10) + b"</i>" * 1_000, "a.html")
    assert "网页标签超过 1,000 个" in message and "too many tags" in message


def test_page_and_pdf_text_over_the_character_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CHARS", 1_000)
    message = refusal(h.long_paragraph_html(1_050), "a.html")
    assert "文字共 1,050 个字符，超出上限 1,000" in message
    lines = [f"Annual report of 2023, line {i}" for i in range(40)]
    assert "too many characters" in refusal(text_pdf(lines), "a.pdf")


def test_html_cells_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 500)
    message = refusal(h.wide_table_html(501, columns=100), "a.html")
    assert "表格单元格超过 500 个" in message and "too many table cells" in message


def test_html_markup_scan_is_linear() -> None:
    start = time.perf_counter()
    with pytest.raises(ImportFailed):  # `<a` without `>`: no tag, and no rescan per `<`
        check_markup("<a" * 200_000 + "<p>" * 300)
    assert time.perf_counter() - start < 5


def test_workbook_cells_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_WORKBOOK_CELLS", 300)
    message = refusal(h.big_sheet_xlsx(400, columns=20), "a.xlsx")
    assert "单元格超过 300 个" in message and "too many cells" in message
    # at the cap: read, and refused for what it is (no template)
    assert "not a disclosure template workbook" in refusal(h.big_sheet_xlsx(300), "a.xlsx")


def test_workbook_cells_are_counted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    data = workbook_bytes(consistent_report("示例区教育局", 2023, random.Random(1)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        cells = sum(
            len(re.findall(rb"<(?:c|si)[\s/>]", z.read(n)))
            for n in z.namelist()
            if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"
        )
    monkeypatch.setattr(limits, "MAX_WORKBOOK_CELLS", cells)
    check_zip(data)  # the filled-in template at the cap is read
    monkeypatch.setattr(limits, "MAX_WORKBOOK_CELLS", cells - 1)
    with pytest.raises(ImportFailed, match="too many cells"):
        check_zip(data)


def test_text_characters_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    report = published_text(consistent_report("示例区教育局", 2023, random.Random(1))).encode()
    monkeypatch.setattr(limits, "MAX_CHARS", len(report.decode()) - 1)
    assert "too many characters" in refusal(report, "a.txt")
    monkeypatch.setattr(limits, "MAX_CHARS", len(report.decode()))
    assert import_bytes(report, path="a.txt").report.agency == "示例区教育局"


def test_reading_past_the_time_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SECONDS", 0.5)
    start = time.perf_counter()
    with pytest.raises(ImportFailed) as info:
        run_bounded(lambda: time.sleep(30), "读取 PDF ", "a.pdf")
    assert time.perf_counter() - start < 5
    assert str(info.value) == "a.pdf: 读取 PDF 超过时限 0.5 秒，拒绝读取 (time limit)"


def test_pdfs_large_pages_and_workbooks_are_read_in_the_bounded_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (IMPORT_FIXTURES / "seed.html").read_bytes()
    workbook = h.big_sheet_xlsx(1_000)
    pdf = text_pdf(["Annual report"])
    monkeypatch.setattr(limits, "MAX_SECONDS", 0.005)  # each reading takes longer
    assert import_bytes(page, path="a.html").report.agency  # a usual page: in-process
    monkeypatch.setattr(limits, "IN_PROCESS_TAGS", 1_000)  # the seed page has ≈ 1,600 tags
    for data, name in ((page, "a.html"), (workbook, "a.xlsx"), (pdf, "a.pdf")):
        assert "超过时限 0.005 秒" in refusal(data, name)


def test_reading_past_the_memory_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MEMORY", 64 * 2**20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportFailed) as info:
        run_bounded(lambda: len(bytearray(512 * 2**20)), "读取网页", "a.html")
    assert str(info.value) == "a.html: 读取网页所需内存超过上限 64 MB，拒绝读取 (memory limit)"
    # the caller did not grow by the child's attempt
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024


def test_the_child_returns_its_value_and_raises_its_errors() -> None:
    assert run_bounded(lambda: [1, "二"], "读取网页", None) == [1, "二"]
    with pytest.raises(DisclosureError, match=r"^b\.pdf: 坏$"):
        run_bounded(lambda: (_ for _ in ()).throw(ImportFailed("坏", path="b.pdf")), "x", None)
    with pytest.raises(ValueError, match="bug"):  # a bug still surfaces as itself
        run_bounded(lambda: int("bug"), "x", None)
