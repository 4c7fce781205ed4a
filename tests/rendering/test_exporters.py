"""nbconvert exporters: registered entry points, a lean page, CLI output equal to the API's."""

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
from disclosure_lib.rendering import compose as report_html
from disclosure_lib.rendering import exporters, outputs
from disclosure_lib.rendering import notebook as nbr

JUPYTER = Path(sys.executable).with_name("jupyter")


def _executed() -> nbformat.NotebookNode:
    """A notebook as the report notebook leaves it, outputs made by the library itself."""
    report = Report.blank("测试区某局", 2024, fill=0)
    report.narrative["一"] = [Paragraph("正文 <script>alert(1)</script>")]
    body = report_html.report_body(report)
    checks = report_html.checks_section(report, [])

    def display(part: report_html.Part) -> nbformat.NotebookNode:
        return new_output("display_data", data=part._repr_mimebundle_())

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
    assert get_exporter("disclosure-typst") is exporters.ReportTypstExporter
    assert get_exporter("disclosure-docx") is exporters.ReportDOCXExporter


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
    assert soup.find("p", class_="pass") is not None


def test_title_prefers_render_metadata() -> None:
    nb = _executed()
    nb.metadata["disclosure_lib"] = {"title": "元数据中的标题"}
    assert outputs.report_title(nb) == "元数据中的标题"
    del nb.metadata["disclosure_lib"], nb.metadata["papermill"]
    assert outputs.report_title(nb, fallback="文件名") == "文件名"


def test_title_is_the_reports_own_everywhere() -> None:
    """The layout carries `report.title` (the office's own title), ahead of the metadata."""
    report = Report.blank("测试区某局", 2024, fill=0)
    report.own_title = "测试区某局2024年政府信息公开年度报告"
    nb = new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("display_data", data=report_html.report_body(report)._repr_mimebundle_())
    ])])  # fmt: skip
    nb.metadata["disclosure_lib"] = {"title": report.official_title}
    doc = outputs.document_from_notebook(nb)
    assert doc.title == report.own_title
    soup = BeautifulSoup(nbr.notebook_to_html(nb), "html.parser")
    assert soup.title is not None and soup.title.get_text() == report.own_title
    assert (
        f'title: "{report.own_title}"' in exporters.ReportTypstExporter().from_notebook_node(nb)[0]
    )


def test_exporter_is_reused() -> None:
    assert exporters.html_exporter() is exporters.html_exporter()


def test_foreign_html_output_prints_in_pdf(tmp_path: Path) -> None:
    """A cell's own HTML (not from the layout) still reaches the PDF as its text, tables
    included; scripts and styles are not text."""
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("display_data", data={
        "text/html": "<h2>附加说明</h2><p>自定义段落</p><table><thead><tr><th colspan='2'>表头"
        "</th></tr></thead><tbody><tr><td>甲</td><td>1</td></tr></tbody></table>"
        "<script>var 脚本 = 1;</script><style>.x { color: red }</style>",
        "text/plain": "x",
    })])])  # fmt: skip
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(nbr.notebook_to_pdf(nb))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("附加说明", "自定义段落", "表头", "甲"):
        assert expected in text
    assert "脚本" not in text and "color" not in text


@pytest.mark.slow
def test_jupyter_nbconvert_cli_gives_same_file_as_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jupyter nbconvert --to disclosure-html/-pdf/-docx` give the bytes the API gives. The
    PDF through the real command (a process of its own: Jupyter's start-up, ≈ 4 CPU-s); HTML and
    DOCX through the same application run in this process (argument parsing, the exporter
    found by its entry point, nbconvert's writer), which the command only wraps."""
    from nbconvert.nbconvertapp import NbConvertApp

    source = tmp_path / "executed.ipynb"
    nbformat.write(_executed(), source)
    formats = {"disclosure-html": "html", "disclosure-pdf": "pdf", "disclosure-docx": "docx"}
    run = subprocess.Popen(
        [str(JUPYTER), "nbconvert", "--to", "disclosure-pdf", str(source), "--output", "cli-pdf"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the application puts its folder first
    for to in ("disclosure-html", "disclosure-docx"):
        app = NbConvertApp()
        app.initialize(["--to", to, str(source), "--output", f"cli-{formats[to]}"])
        app.start()
    log = run.communicate(timeout=120)[0].decode(errors="replace")
    assert run.returncode == 0, f"--to pdf: {log}"
    reread = nbformat.read(source, as_version=4)
    expected = nbr.convert(reread, list(formats.values()))
    for ext in formats.values():
        produced = (tmp_path / f"cli-{ext}.{ext}").read_bytes()
        want = expected[ext]
        assert produced == (want.encode() if isinstance(want, str) else want), ext
    assert (tmp_path / "cli-pdf.pdf").read_bytes().startswith(b"%PDF-")
