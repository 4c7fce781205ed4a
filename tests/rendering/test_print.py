"""The PDF and DOCX as GB/T 9704-2012 sets an official document, measured from the files:
faces and sizes by role (pdfplumber), 22 lines × 28 characters a page, embedded CID fonts
(pdffonts), tables that keep their header and row-group labels on a continuation page and
never split a row; the DOCX's fonts, sizes and grid read back from its XML."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.params import load_report
from disclosure_lib.rendering import compose, docx_writer, typst_pdf
from disclosure_lib.rendering import layout as lo

from ..base import SEED

MM = 72 / 25.4
LINE_PITCH = 225 * MM / 22  # pt


def _document(report: Any) -> lo.Document:
    part = compose.report_body(report)._repr_mimebundle_()[lo.MIME]
    return lo.document([lo.part_from_json(part)])


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = tmp_path_factory.mktemp("print") / "seed.pdf"
    pdf.write_bytes(typst_pdf.typeset(_document(load_report(SEED))))
    return pdf


def _face(char: dict[str, Any]) -> str:
    return str(char["fontname"]).split("+")[-1]


def _chars(pdf: Path) -> list[list[dict[str, Any]]]:
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        return [list(page.chars) for page in doc.pages]


def _faces_of(pages: list[list[dict[str, Any]]], text: str) -> Counter[tuple[str, float]]:
    """Face and size of the characters of the printed line holding `text`."""
    for chars in pages:
        lines: dict[float, list[dict[str, Any]]] = defaultdict(list)
        for ch in chars:
            lines[round(ch["bottom"])].append(ch)
        for line in lines.values():
            line.sort(key=lambda c: c["x0"])
            if text in "".join(c["text"] for c in line):
                return Counter((_face(c), round(c["size"], 1)) for c in line)
    raise AssertionError(f"not printed: {text}")


def test_faces_and_sizes_by_role(seed_pdf: Path) -> None:
    pages = _chars(seed_pdf)
    report = load_report(SEED)
    title = _faces_of(pages, report.title[-10:])
    assert title.most_common(1)[0][0] == ("NotoSerifCJKsc-Bold", 22.0)  # 小标宋-like, 2号
    assert set(_faces_of(pages, "一、总体情况")) == {("FandolHei-Regular", 16.0)}  # 黑体 3号
    assert set(_faces_of(pages, "（一）政府信息主动公开情况")) == {("FandolKai-Regular", 16.0)}
    body = report.narrative["一"][0].text[:12]
    assert _faces_of(pages, body[:8]).most_common(1)[0][0] == ("FandolFang-Regular", 16.0)
    assert _faces_of(pages, fmt.APPLICANT_HEADER).most_common(1)[0][0] == (
        "FandolSong-Regular", 10.5)  # fmt: skip
    everything = Counter((_face(c), round(c["size"], 1)) for p in pages for c in p)
    assert everything.most_common(1)[0][0] == ("FandolFang-Regular", 16.0)
    # 硚 is in no Fandol face: the one character set in Noto (its nearest 宋)
    borrowed = {c["text"] for p in pages for c in p if _face(c).startswith("NotoSerifCJKsc-Reg")}
    assert borrowed == {"硚"}


def test_full_page_has_22_lines_of_28_characters(tmp_path: Path) -> None:
    text = "本机关坚持以习近平新时代中国特色社会主义思想为指导，全面落实政府信息公开条例规定。" * 5
    blocks: list[lo.Block] = [lo.Title(lines=("示例区某局", "2024年政府信息公开工作年度报告"))]
    blocks += [lo.Para(text) for _ in range(12)]
    pdf = tmp_path / "full.pdf"
    pdf.write_bytes(typst_pdf.typeset(lo.Document(title="t", blocks=blocks)))
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        page = doc.pages[1]  # a page of body text only
        lines: dict[float, list[dict[str, Any]]] = defaultdict(list)
        for ch in page.chars:
            if round(ch["size"]) == 16:
                lines[round(ch["bottom"], 1)].append(ch)
    bottoms = sorted(lines)
    assert 21 <= len(bottoms) <= 22
    pitches = {round(b - a, 1) for a, b in itertools.pairwise(bottoms)}
    assert pitches <= {round(LINE_PITCH, 1), round(LINE_PITCH, 1) - 0.1}
    assert bottoms[0] - 16 == pytest.approx(37 * MM, abs=1.5)  # the first line at the top margin
    counts = Counter(len(line) for line in lines.values())
    assert counts.most_common(1)[0][0] == 28  # full lines: 28 characters
    full = max(lines.values(), key=len)
    assert min(c["x0"] for c in full) == pytest.approx(28 * MM, abs=0.5)
    assert max(c["x1"] for c in full) == pytest.approx((210 - 26) * MM, abs=1.0)


def test_fonts_are_embedded_cid_fonts(seed_pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(seed_pdf)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows and all(re.search(r"CID (Type 0C|TrueType)", row) for row in rows), out.stdout
    assert all(row.split()[-5] == "yes" for row in rows)  # emb
    names = {row.split()[0].split("+")[-1].removesuffix("-Identity-H") for row in rows}
    assert {"FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular",
            "FandolSong-Regular", "NotoSerifCJKsc-Bold"} <= names  # fmt: skip


def _page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return [re.sub(r"\s+", "", page) for page in out.split("\f")]


def test_table_continuing_on_a_new_page_repeats_header_and_row_groups(seed_pdf: Path) -> None:
    pages = _page_texts(seed_pdf)
    first = next(n for n, p in enumerate(pages) if "一、本年新收政府信息公开申请数量" in p)
    rest = pages[first + 1]
    assert "（七）总计" in rest and "一、本年新收" not in rest  # 三 continues here
    # its header rows, then the labels of the groups it is in the middle of
    assert rest.index(fmt.APPLICANT_HEADER) < rest.index("三、本年度办理结果")
    assert "三、本年度办理结果" in rest and "（三）不予公开" in rest
    assert rest.index("（三）不予公开") < rest.index("（四）无法提供")
    # printed once a page: no label repeated on the page the group starts on
    assert pages[first].count("三、本年度办理结果") == 1


def test_group_heading_rows_go_with_the_rows_of_their_group() -> None:
    """二 breaking inside its 第二十条 groups, wherever it breaks: each row's page shows its
    group's heading rows."""
    report = load_report(SEED.parent.parent / "示例区教育局" / "2024.yaml")
    doc = _document(report)
    table = next(b for b in doc.walk() if isinstance(b, lo.Table) and b.key == "proactive")
    line = lo.Para("主动接受社会监督，收到政务公开相关意见建议，均已答复。")
    broken = 0
    for n in range(8, 22, 2):  # the table starting lower and lower on the page
        pdf = typst_pdf.typeset(lo.Document(title="t", blocks=[*[line] * n, table]))
        out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                             check=True).stdout.decode()  # fmt: skip
        pages = [re.sub(r"\s+", "", p) for p in out.split("\f")]
        if sum(1 for p in pages if "第二十条" in p) < 2:
            continue
        broken += 1
        for item, rows in (("第二十条第（五）项", ("行政许可",)),
                           ("第二十条第（六）项", ("行政处罚", "行政强制")),
                           ("第二十条第（八）项", ("行政事业性收费",))):  # fmt: skip
            for row in rows:
                page = next(p for p in pages if row in p)
                assert item in page and "信息内容" in page, (n, row)
    assert broken >= 2


def test_table_breaking_anywhere_settles_and_repeats_its_header() -> None:
    """三 starting one line lower each time: the layout always settles (a row group whose
    first part is too short for its label leaves the label to the next page) and every
    continuation page opens with the header rows."""
    report = load_report(SEED.parent.parent / "示例区教育局" / "2024.yaml")
    table = next(b for b in _document(report).walk()
                 if isinstance(b, lo.Table) and b.key == "applications")  # fmt: skip
    line = lo.Para("主动接受社会监督，收到政务公开相关意见建议，均已答复。")
    broken = 0
    for n in range(0, 22):
        pdf = typst_pdf.typeset(lo.Document(title="t", blocks=[*[line] * n, table]))
        out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                             check=True).stdout.decode()  # fmt: skip
        pages = [re.sub(r"\s+", "", p) for p in out.split("\f") if p.strip()]
        holding = [p for p in pages if "政府信息公开申请" in p or "总计" in p]
        broken += len(holding) > 1
        assert all(fmt.APPLICANT_HEADER in p for p in holding), n
    assert broken >= 10


def test_no_row_is_split_across_pages(tmp_path: Path) -> None:
    rows = [[lo.Cell("项目", header=True), lo.Cell("说明", header=True)]]
    rows += [
        [lo.Cell(f"第{n}行"), lo.Cell(f"甲{n}甲\n乙{n}乙\n丙{n}丙\n丁{n}丁", align="left")]
        for n in range(40)
    ]
    table = lo.Table(key="t", caption="", rows=rows, widths=(6.0, 0.0), header_rows=1,
                     style="data")  # fmt: skip
    pdf = tmp_path / "rows.pdf"
    pdf.write_bytes(typst_pdf.typeset(lo.Document(title="t", blocks=[table])))
    pages = _page_texts(pdf)
    assert len(pages) > 2 and all(p.startswith("项目说明") for p in pages if p)
    for n in range(40):
        holding = {
            i for i, p in enumerate(pages) for part in ("甲", "丁") if f"{part}{n}{part}" in p
        }
        assert len(holding) == 1, n


def test_a_table_moves_on_whole_only_when_less_than_40_percent_is_left() -> None:
    """A heading and its table start lower and lower on the page: where less than 40 % of the
    type area is left and the unit fits a page, heading and table move on together; else the
    unit starts where it is (no page left half empty) and breaks, its header repeated."""
    import pdfplumber

    rows = [[lo.Cell("项目", header=True), lo.Cell("说明", header=True)]]
    rows += [[lo.Cell(f"第{n}行"), lo.Cell(f"甲{n}甲\n乙{n}乙")] for n in range(14)]
    table = lo.Table(key="t", caption="", rows=rows, widths=(6.0, 0.0), header_rows=1,
                     style="data")  # fmt: skip
    unit = lo.Section(blocks=[lo.Heading("一、单元标题", level=1), table])
    line = lo.Para("主动接受社会监督，收到政务公开相关意见建议，均已答复。")
    bottom = (297 - 35) * MM  # the type area's foot
    seen = set()
    for n in range(0, 21, 2):
        pdf = typst_pdf.typeset(lo.Document(title="t", blocks=[*[line] * n, unit]))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            texts = ["".join(c["text"] for c in page.chars) for page in doc.pages]
            at = next(i for i, t in enumerate(texts) if "单元标题" in t)
            top = min(c["top"] for c in doc.pages[at].chars if c["text"] == "单")
        rows_on = {i for i, t in enumerate(texts) for r in ("第0行", "第13行") if r in t}
        moved = n > 0 and "均已答复" not in texts[at]
        if moved:  # only when less than 40 % was left under the last paragraph
            left = bottom - max(c["bottom"] for c in doc.pages[at - 1].chars if c["text"] == "复")
            assert left < 0.4 * 225 * MM and rows_on == {at}, n
        elif len(rows_on) > 1:  # broken: it started with 40 % or more left
            assert bottom - top >= 0.4 * 225 * MM - LINE_PITCH, n
            assert texts[max(rows_on)].count("项目说明") == 1, n
        seen.add("moved" if moved else "broken" if len(rows_on) > 1 else "whole")
    assert seen == {"moved", "broken", "whole"}


# --- DOCX ------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def seed_docx() -> dict[str, Any]:
    from lxml import etree

    data = docx_writer.docx_bytes(_document(load_report(SEED)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(f"word/{n}.xml"))
                for n in ("document", "styles", "fontTable", "footer1")}  # fmt: skip


def _style(styles: Any, style_id: str) -> Any:
    return next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == style_id)


def test_docx_names_office_fonts_with_substitutes(seed_docx: dict[str, Any]) -> None:
    styles = seed_docx["styles"]
    east = {
        sid: _style(styles, sid).find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")
        for sid in ("Normal", "Heading1", "Heading2", "Title")
    }
    assert east == {"Normal": "仿宋_GB2312", "Heading1": "黑体", "Heading2": "楷体_GB2312",
                    "Title": "方正小标宋简体"}  # fmt: skip
    # no theme font overrides the names
    attrs = {k for sid in east for k in _style(styles, sid).find(f"{W}rPr/{W}rFonts").attrib}
    assert not any("Theme" in k or "theme" in k for k in attrs)
    alt = {f.get(f"{W}name"): (f.find(f"{W}altName").get(f"{W}val")
           if f.find(f"{W}altName") is not None else None)
           for f in seed_docx["fontTable"].iter(f"{W}font")}  # fmt: skip
    assert (alt["仿宋_GB2312"], alt["仿宋"]) == ("仿宋", "FangSong")
    assert (alt["楷体_GB2312"], alt["楷体"], alt["黑体"]) == ("楷体", "KaiTi", "SimHei")
    assert (alt["方正小标宋简体"], alt["宋体"]) == ("宋体", "SimSun")
    runs = seed_docx["document"].iter(f"{W}r")
    table_fonts = {r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") for r in runs
                   if any(a.tag == f"{W}tc" for a in r.iterancestors())}  # fmt: skip
    assert table_fonts == {"宋体"}


def test_docx_sizes_and_grid(seed_docx: dict[str, Any]) -> None:
    styles = seed_docx["styles"]

    def size(sid: str) -> float:
        return int(_style(styles, sid).find(f"{W}rPr/{W}sz").get(f"{W}val")) / 2

    assert (size("Normal"), size("Heading1"), size("Heading2"), size("Title")) == (16, 16, 16, 22)
    grid = seed_docx["document"].find(f".//{W}sectPr/{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars"
    pitch = int(grid.get(f"{W}linePitch"))
    assert 225 * 1440 / 25.4 / pitch == pytest.approx(22, abs=0.05)  # 22 lines a page
    char_pitch = 16 + int(grid.get(f"{W}charSpace")) / 4096
    assert 156 * MM / char_pitch == pytest.approx(28, abs=0.05)  # 28 characters a line
    spacing = _style(styles, "Normal").find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == (str(pitch), "exact")
    cell_sizes = {int(s.get(f"{W}val")) / 2 for tc in seed_docx["document"].iter(f"{W}tc")
                  for s in tc.iter(f"{W}sz")}  # fmt: skip
    assert cell_sizes == {10.5}  # 五号
    # table paragraphs keep their own line height: off the body's grid
    tables = list(seed_docx["document"].iter(f"{W}tbl"))
    paras = [p for t in tables for p in t.iter(f"{W}p")]
    assert all(p.find(f"{W}pPr/{W}snapToGrid").get(f"{W}val") == "0" for p in paras)
    footer_sizes = {int(s.get(f"{W}val")) / 2 for s in seed_docx["footer1"].iter(f"{W}sz")}
    assert footer_sizes == {14}  # page numbers in 4号


def test_docx_tables_repeat_header_rows_and_never_split_a_row(
    seed_docx: dict[str, Any],
) -> None:
    apps = next(
        t for t in seed_docx["document"].iter(f"{W}tbl")
        if fmt.APPLICANT_HEADER in "".join(t.itertext())
    )  # fmt: skip
    rows = apps.findall(f"{W}tr")
    header = [r for r in rows if r.find(f"{W}trPr/{W}tblHeader") is not None]
    assert len(header) == 3 and rows[:3] == header
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    merged = [tc for tc in apps.iter(f"{W}tc") if tc.find(f"{W}tcPr/{W}gridSpan") is not None]
    restarts = [v for v in apps.iter(f"{W}vMerge") if v.get(f"{W}val") == "restart"]
    assert merged and restarts
