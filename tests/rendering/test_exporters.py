"""nbconvert exporters: registered entry points, lean template, CLI output equal to the API's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import get_exporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from disclosure_lib.model import Paragraph, Report
from disclosure_lib.rendering import exporters
from disclosure_lib.rendering import html as report_html
from disclosure_lib.rendering import notebook as nbr

JUPYTER = Path(sys.executable).with_name("jupyter")


def _executed() -> nbformat.NotebookNode:
    """A notebook as the report notebook leaves it, outputs made by the library itself."""
    report = Report.blank("测试区某局", 2024, fill=0)
    report.narrative["一"] = [Paragraph("正文 <script>alert(1)</script>")]
    body = report_html.report_body(report)
    checks = report_html.checks_section(report, [])

    def display(fragment: report_html.Fragment) -> nbformat.NotebookNode:
        data = {"text/html": str(fragment), "text/plain": repr(fragment)}
        return new_output("display_data", data=data)

    nb = new_notebook(
        cells=[
            new_markdown_cell("# 说明（不进入报告）"),
            new_code_cell('agency = "测试区某局"', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "import warnings; print('来自 stdout'); warnings.warn('噪音')",
                outputs=[
                    new_output("stream", name="stdout", text="来自 stdout\n"),
                    new_output("stream", name="stderr", text="UserWarning: 噪音\n"),
                ],
            ),
            new_code_cell("display(body)", outputs=[display(body)]),
            new_code_cell(
                "secret()",
                metadata={"tags": ["remove-cell"]},
                outputs=[new_output("stream", name="stdout", text="被移除的单元格\n")],
            ),
            new_code_cell("display(checks)", outputs=[display(checks)]),
        ]
    )
    nb.metadata["papermill"] = {"parameters": {"agency": "测试区某局", "year": 2024}}
    return nb


def test_entry_points_registered() -> None:
    assert get_exporter("disclosure-html") is exporters.ReportHTMLExporter
    assert get_exporter("disclosure-pdf") is exporters.ReportPDFExporter


def test_html_is_lean_self_contained_and_outputs_only() -> None:
    html = nbr.notebook_to_html(_executed())
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "zh-CN"
    assert (
        soup.title is not None
        and soup.title.get_text() == "测试区某局2024年政府信息公开工作年度报告"
    )
    text = soup.get_text()
    assert "来自 stdout" in text
    assert "噪音" not in text  # stderr is not report content
    assert "被移除的单元格" not in text and "说明（不进入报告）" not in text
    assert "display(body)" not in text and "agency =" not in text  # no code
    assert "In [" not in text and "Out[" not in text  # no prompts
    assert soup.find("script") is None and soup.find("link") is None
    assert "<script>alert(1)</script>" in text
    assert len(html) < 60_000  # the stock lab template inlines ~260 KB of CSS
    assert "@page" in html and "counter(pages)" in html
    assert soup.find("p", class_="checks-pass") is not None


def test_title_prefers_render_metadata() -> None:
    nb = _executed()
    nb.metadata["disclosure_lib"] = {"title": "元数据中的标题"}
    assert exporters.report_title(nb) == "元数据中的标题"
    del nb.metadata["disclosure_lib"], nb.metadata["papermill"]
    assert exporters.report_title(nb, fallback="文件名") == "文件名"


def test_exporter_is_reused() -> None:
    assert exporters.html_exporter() is exporters.html_exporter()


@pytest.mark.parametrize(
    ("to", "suffix"), [("disclosure-html", ".html"), ("disclosure-pdf", ".pdf")]
)
def test_jupyter_nbconvert_cli_gives_same_file_as_api(tmp_path: Path, to: str, suffix: str) -> None:
    nb = _executed()
    source = tmp_path / "executed.ipynb"
    nbformat.write(nb, source)
    subprocess.run(
        [str(JUPYTER), "nbconvert", "--to", to, str(source)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    produced = (tmp_path / "executed").with_suffix(suffix).read_bytes()
    reread = nbformat.read(source, as_version=4)
    html = nbr.notebook_to_html(reread)
    expected = html.encode() if suffix == ".html" else nbr.html_to_pdf_bytes(html)
    assert produced == expected
    if suffix == ".pdf":
        assert produced.startswith(b"%PDF-")


def test_pdf_gets_embedded_and_linked_images_alike(tmp_path: Path) -> None:
    """Embedded images reach WeasyPrint by URL rather than through its HTML parser; images
    it must fetch itself (a file next to the HTML) still work."""
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buf, format="PNG")
    png = buf.getvalue()
    (tmp_path / "linked.png").write_bytes(png)
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    html = (
        f'<html><body><p>图</p><img src="{uri}" alt="a"><img src="{uri}" alt="b">'
        f'<img src="{(tmp_path / "linked.png").as_uri()}" alt="c"></body></html>'
    )
    lifted, images = exporters._lift_images(html)
    assert "base64" not in lifted and len(images) == 2
    assert all(mime == "image/png" and body == png for mime, body in images.values())
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(exporters.html_to_pdf_bytes(html))
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(listing) == 3 and all(line.split()[3:5] == ["40", "20"] for line in listing)
