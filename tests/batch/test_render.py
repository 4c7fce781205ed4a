"""Render one agency-year end to end: notebook → HTML → PDF, errors, failures, unsafe names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from disclosure_lib import __version__, locate, params, params_write
from disclosure_lib.batch import render as batch_render
from disclosure_lib.errors import RenderError
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.params import load_report
from disclosure_lib.rendering import notebook as nbr

from ..base import FIXTURES as ALL_FIXTURES
from ..base import PARAMS, ROOT

FIXTURES = ALL_FIXTURES / "render"
SEED = "硚口区企业服务中心"
HOSTILE = "<script>alert(1)</script> {{ agency }} **粗体** $x^2$"

pytestmark = pytest.mark.skipif(not (PARAMS / SEED / "2024.yaml").is_file(), reason="no seed")


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend([out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", [])])
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed(seed_rendered: batch_render.RenderResult) -> batch_render.RenderResult:
    """The seed rendered once per session (conftest), publish, every format."""
    return seed_rendered


def test_seed_outputs_written(seed: batch_render.RenderResult) -> None:
    assert seed.directory.parent.name == "2024" and seed.directory.name == SEED
    assert [p.suffix for p in seed.files] == [".ipynb", ".html", ".pdf", ".docx"]
    assert all(p.is_file() and p.parent == seed.directory for p in seed.files)
    assert sorted(p.name for p in seed.directory.iterdir()) == sorted(p.name for p in seed.files)
    assert set(seed.timings) == {"execute", "layout", "html", "pdf", "docx"}


def test_seed_pdf_text_and_fonts(seed: batch_render.RenderResult) -> None:
    assert seed.pdf is not None
    text = _squash(
        subprocess.run(
            ["pdftotext", str(seed.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    for needle in (
        SEED,
        "本年新收政府信息公开申请数量",
        "结转下年度继续办理",
        "维持",
        "027-83366995",
    ):
        assert needle in text
    assert "—1—" in text and "—4—" in text  # GB/T 9704 page numbers; the original's 4 pages
    fonts = subprocess.run(
        ["pdffonts", str(seed.pdf)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # emb column


def test_seed_notebook_metadata_and_no_missing_glyphs(seed: batch_render.RenderResult) -> None:
    nb = nbformat.read(seed.notebook, as_version=4)
    assert nb.metadata["disclosure_lib"]["version"] == __version__
    parameters = nb.metadata["papermill"]["parameters"]
    assert parameters["agency"] == SEED and parameters["year"] == 2024
    outputs = _outputs_text(nb)
    assert "missing from font" not in outputs and "Traceback" not in outputs
    assert "全部通过" not in outputs and "数据校验" not in outputs  # publish: the office's text


def test_seed_html_matches_exporter(seed: batch_render.RenderResult) -> None:
    assert seed.html is not None
    nb = nbformat.read(seed.notebook, as_version=4)
    assert seed.html.read_text(encoding="utf-8") == nbr.notebook_to_html(nb)
    soup = BeautifulSoup(seed.html.read_text(encoding="utf-8"), "html.parser")
    assert soup.html is not None and soup.html["lang"] == "zh-CN"
    assert len(soup.find_all("table", class_="official")) == 3


def test_unknown_agency_and_year_list_what_exists() -> None:
    with pytest.raises(RenderError, match=f"现有.*{SEED}（2024）"):
        batch_render.render("不存在的机关", 2024, PARAMS)
    with pytest.raises(RenderError, match="没有 1999 年的参数文件；现有年份：2024"):
        locate.find_params_file(SEED, 1999, PARAMS)


def test_parameter_types_are_checked() -> None:
    with pytest.raises(RenderError, match=r"year: 应为整数年份.*'2024年'"):
        locate.load_for_notebook(SEED, "2024年", PARAMS)
    with pytest.raises(RenderError, match="year"):
        locate.load_for_notebook(SEED, 2024.0, PARAMS)
    with pytest.raises(RenderError, match="agency"):
        locate.load_for_notebook(None, 2024, PARAMS)
    assert locate.load_for_notebook(SEED, "2024", PARAMS).year == 2024  # papermill -r gives str


def test_bad_format_rejected() -> None:
    with pytest.raises(RenderError, match="不支持的输出格式：odt"):
        batch_render.render(SEED, 2024, PARAMS, to="html,odt")


@pytest.mark.parametrize("agency", ["../../逃逸", "a/../../b", "..", "/etc/passwd", "名\\称:*?"])
def test_output_dir_stays_inside(tmp_path: Path, agency: str) -> None:
    target = batch_render.output_dir_for(tmp_path / "out", 2024, agency)
    assert (tmp_path / "out").resolve() in target.resolve().parents
    assert target.parent == tmp_path / "out" / "2024"


def test_unknown_agency_fails_in_first_notebook_cell() -> None:
    with pytest.raises(nbr.NotebookFailed) as info:
        nbr.execute_notebook("不存在的机关", 2024, PARAMS)
    nb = info.value.notebook
    failed = [
        i
        for i, c in enumerate(nb.cells)
        if c.get("metadata", {}).get("papermill", {}).get("exception")
    ]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    # the first code cell after the parameters (and papermill's injected-parameters) cell
    assert failed == [code[2]]
    assert "RenderError" in str(info.value) and SEED in _outputs_text(nb)


def test_failing_cell_keeps_failed_notebook_and_no_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = (
        batch_render.output_dir_for(out, 2024, SEED)
        / f"{batch_render.output_stem(SEED, 2024)}.html"
    )
    stale.parent.mkdir(parents=True)
    stale.write_text("旧的报告")
    with pytest.raises(nbr.NotebookFailed, match="ValueError: 故意失败") as info:
        batch_render.render(SEED, 2024, PARAMS, output_dir=out, notebook=FIXTURES / "failing.ipynb")
    files = list(stale.parent.iterdir())
    assert [p.name for p in files] == [f"{batch_render.output_stem(SEED, 2024)}.failed.ipynb"]
    assert info.value.path == files[0]
    nb = nbformat.read(files[0], as_version=4)
    assert "故意失败" in _outputs_text(nb)
    assert "不应执行到这里" not in _outputs_text(nb)
    assert "papermill-error-cell-tag" in nbformat.writes(nb)  # papermill's error marker


def test_hostile_text_and_agency_name(tmp_path: Path) -> None:
    agency = "../外部/机关"
    report = Report.blank(agency, 2024, fill=0)
    report.narrative["六"] = [Paragraph(HOSTILE, heading="（一）<b>标题</b>")]
    params_dir = tmp_path / "params"
    params_write.save_report(report, params.params_path(params_dir, agency, 2024))
    out = tmp_path / "out"
    result = batch_render.render(agency, 2024, params_dir, output_dir=out)
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert {p for p in written if out not in p.parents} == {
        params.params_path(params_dir, agency, 2024)
    }
    assert result.html is not None and result.pdf is not None
    markup = result.html.read_text(encoding="utf-8")
    soup = BeautifulSoup(markup, "html.parser")
    assert soup.find("script") is None and soup.find("b") is None
    assert HOSTILE in soup.get_text()
    text = subprocess.run(
        ["pdftotext", str(result.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "<script>alert(1)</script>" in text and "{{ agency }}" in text and "$x^2$" in text


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("papermill", path=str(Path(sys.executable).parent)) is None, reason="no CLI"
)
def test_plain_papermill_cli_runs_notebook(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    cli = Path(sys.executable).with_name("papermill")
    subprocess.run(
        [
            str(cli),
            str(locate.notebook_path()),
            str(out),
            "-p",
            "agency",
            SEED,
            "-p",
            "year",
            "2024",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    nb = nbformat.read(out, as_version=4)
    title = load_report(PARAMS / SEED / "2024.yaml").title  # the seed's own title
    assert title in _outputs_text(nb)
    html = nbr.notebook_to_html(nb)
    assert f"<title>{title}</title>" in html


def test_cli_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from disclosure_lib import cli

    base = ["render", SEED, "2024", "--params", str(PARAMS), "-o", str(tmp_path)]
    assert cli.main([*base, "--to", "html"]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).suffix for p in printed] == [".ipynb", ".html"]
    assert all(Path(p).is_file() for p in printed)
    assert cli.main(["render", "不存在的机关", "2024", "--params", str(PARAMS)]) == 2
    assert "现有" in capsys.readouterr().err


def test_profile_reaches_the_notebook_and_bad_profiles_are_refused(tmp_path: Path) -> None:
    result = batch_render.render(
        SEED, 2024, PARAMS, to="html", output_dir=tmp_path, profile="review"
    )
    nb = nbformat.read(result.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"]["profile"] == "review"
    assert nb.metadata["disclosure_lib"]["profile"] == "review"
    with pytest.raises(RenderError, match="publish"):
        batch_render.render(SEED, 2024, PARAMS, output_dir=tmp_path, profile="draft")


def test_render_into_a_file_is_a_clear_error(tmp_path: Path) -> None:
    """Issue 12.11: `-o` naming an existing file: one line, exit 2, no traceback."""
    blocker = tmp_path / "out.txt"
    blocker.write_text("x")
    run = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "render", SEED, "2024", "--params",
         str(PARAMS), "-o", str(blocker), "--to", "html"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "不是目录" in run.stderr and str(blocker) in run.stderr
    assert blocker.read_text() == "x"


def test_render_into_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    """Issue 12.11: a read-only `-o` (a read-only bind mount: root ignores permission bits)."""
    out = tmp_path / "ro"
    out.mkdir()
    render = [sys.executable, "-m", "disclosure_lib.cli", "render", SEED, "2024", "--params",
              str(PARAMS), "-o", str(out), "--to", "html"]  # fmt: skip
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("needs unshare to mount a read-only folder as root")
        script = (f"mount --bind {out} {out} && mount -o remount,ro,bind {out} && "
                  'exec "$@"')  # fmt: skip
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *render]
    else:
        out.chmod(0o555)
        cmd = render
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if "unshare" in run.stderr or "mount:" in run.stderr:
        pytest.skip(f"cannot mount read-only here: {run.stderr.strip()}")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "不可写" in run.stderr and str(out) in run.stderr


def test_render_into_a_folder_a_build_holds_is_refused(tmp_path: Path) -> None:
    """Issue 12.11: a running build's lock keeps `render` out (and the other way round)."""
    from disclosure_lib.batch.lock import OutputLock
    from disclosure_lib.errors import BuildError

    with OutputLock(tmp_path), pytest.raises(BuildError, match="另一个生成任务"):
        batch_render.render(SEED, 2024, PARAMS, to="html", output_dir=tmp_path)
    assert not list(tmp_path.rglob("*.html"))
