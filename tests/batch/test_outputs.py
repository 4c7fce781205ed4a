"""What an output folder holds after builds and renders: only what the current params produce,
each output verified against the manifest, one folder per agency, nothing without params."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from disclosure_lib import names
from disclosure_lib.batch import build as b
from disclosure_lib.batch import render as batch_render
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.batch.manifest import MANIFEST_NAME, entry_rows
from disclosure_lib.errors import BuildError
from disclosure_lib.model import Paragraph
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series

from .test_build import (
    AGENCIES,
    CLI,
    _reports_recorded,
    _wait_for,
    cli_holding_2023,
    make_params,
)


def _entries(out: Path) -> dict[str, dict]:
    return entry_rows(out)


def _html(out: Path, agency: str, year: int) -> Path:
    return out / str(year) / agency / f"{agency}{year}年政府信息公开工作年度报告.html"


def _set_first_paragraph(path: Path, text: str) -> None:
    report = load_report(path)
    report.narrative["一"] = [Paragraph(text), *report.narrative.get("一", [])[1:]]
    save_report(report, path)


@pytest.fixture(scope="module")
def one_agency(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, b.BuildSummary]:
    """One agency's two years built to HTML without summaries, once for the module; the tests
    that start from there copy it (`_one_agency`)."""
    base = tmp_path_factory.mktemp("one-agency")
    params = make_params(base / "params", AGENCIES[:1])
    return base, b.build([params], output_dir=base / "out", to=("html",), progress=False,
                         summaries=False)  # fmt: skip


def _one_agency(built: tuple[Path, b.BuildSummary], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the params and of the outputs built from them: (params, out)."""
    for name in ("params", "out"):
        shutil.copytree(built[0] / name, tmp_path / name)
    return tmp_path / "params", tmp_path / "out"


def test_a_render_is_recorded_and_a_draft_it_wrote_is_rebuilt(
    one_agency: tuple[Path, b.BuildSummary], tmp_path: Path
) -> None:
    """Issue 12.2 (a): render a draft into a build's folder, revert the edit, build: the draft
    must not stay published. Issue 9: a render is recorded, so a build does not redo it."""
    params, out = _one_agency(one_agency, tmp_path)
    agency = AGENCIES[0]
    assert len(one_agency[1].built) == 2
    path = params_path(params, agency, 2023)
    original = path.read_bytes()
    _set_first_paragraph(path, "草稿：尚未审定的内容。")
    batch_render.render(agency, 2023, params, to="html", output_dir=out)
    assert "草稿" in _html(out, agency, 2023).read_text(encoding="utf-8")
    entry = _entries(out)[f"report:{agency}/2023"]
    assert entry["status"] == "built" and entry["stamps"]  # the render is in the manifest
    after_render = b.build([params], output_dir=out, to=("html",), progress=False,
                           summaries=False)  # fmt: skip
    assert not after_render.built and len(after_render.skipped) == 2  # not redone
    path.write_bytes(original)  # revert the draft
    reverted = b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    assert [x.label for x in reverted.built] == [f"{agency} 2023年"]
    assert "草稿" not in _html(out, agency, 2023).read_text(encoding="utf-8")


def test_an_output_changed_behind_the_build_is_rebuilt(
    one_agency: tuple[Path, b.BuildSummary], tmp_path: Path
) -> None:
    params, out = _one_agency(one_agency, tmp_path)
    html = _html(out, AGENCIES[0], 2022)
    good = html.read_bytes()
    html.write_bytes(good.replace("政府信息公开".encode(), "草稿信息公开".encode(), 1))
    again = b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    assert [x.label for x in again.built] == [f"{AGENCIES[0]} 2022年"]
    assert html.read_bytes() == good
    os.utime(html)  # touched, not changed: still up to date
    assert not b.build([params], output_dir=out, to=("html",), progress=False,
                       summaries=False).built  # fmt: skip


def test_outputs_whose_params_are_gone_are_removed(tmp_path: Path) -> None:
    """Issue 12.2 (b): deleted and unreadable params files take their outputs with them, with
    --force too; the index lists only what the current params produce."""
    params = make_params(tmp_path / "params")
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False)
    gone, broken = AGENCIES
    params_path(params, gone, 2023).unlink()
    params_path(params, broken, 2022).write_text("agency: [unclosed\n", encoding="utf-8")
    summary = b.build([params], output_dir=out, to=("html",), progress=False, force=True)
    assert sorted(summary.removed) == sorted([f"{gone} 2023年", f"{broken} 2022年"])
    assert not (out / "2023" / gone).exists() and not (out / "2022" / broken).exists()
    assert _html(out, gone, 2022).is_file() and _html(out, broken, 2023).is_file()
    keys = set(_entries(out))
    assert f"report:{gone}/2023" not in keys and f"report:{broken}/2022" not in keys
    assert any(k.startswith("file:") for k in keys)  # the unreadable file is listed as failed
    assert gone not in read_rows(out / "index-2023.json")
    assert broken not in read_rows(out / "index-2022.json")  # listed as an unreadable file
    assert read_rows(out / "index-2023.json")[broken]["files"] == "hn"
    # no params file of 2023 left: its summary and folder go too
    params_path(params, broken, 2023).unlink()
    last = b.build([params], output_dir=out, to=("html",), progress=False)
    assert sorted(last.removed) == sorted(["2023年 汇总", f"{broken} 2023年"])
    assert not (out / "2023").exists()
    reports = {k for k in _entries(out) if not k.startswith("file:")}
    assert reports == {f"report:{gone}/2022", "summary:2022"}


def test_outputs_of_params_outside_this_build_are_kept(tmp_path: Path) -> None:
    first = make_params(tmp_path / "a", AGENCIES[:1])
    second = make_params(tmp_path / "b", AGENCIES[1:])
    out = tmp_path / "out"
    b.build([first, second], output_dir=out, to=("html",), progress=False, summaries=False)
    only = b.build([first], output_dir=out, to=("html",), progress=False, summaries=False)
    assert not only.removed and len(_entries(out)) == 4


def test_build_without_params_creates_no_output_folder(tmp_path: Path) -> None:
    """Issue 9: `build` in a folder with no params does not create outputs/."""
    (tmp_path / "params").mkdir()
    with pytest.raises(BuildError, match="没有参数文件"):
        b.build([tmp_path / "params"], output_dir=tmp_path / "outputs", progress=False)
    run = subprocess.run([*CLI, "build", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 2 and "没有参数文件" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "outputs").exists()


def test_two_agencies_one_folder_is_refused_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12.1, whatever `agency_dirname` returns: a mapping that gives two agencies one
    folder is refused, naming both params files, before anything is written."""
    params = tmp_path / "params"
    files = []
    for folder, agency in (("a", "示例/局"), ("b", "示例_局")):
        for report in demo_series(agency, range(2023, 2024), seed=1, scale=10):
            files.append(save_report(report, params / folder / f"{report.year}.yaml"))
    monkeypatch.setattr(names, "agency_dirname", lambda name, *a: name.replace("/", "_"))
    with pytest.raises(BuildError, match="输出目录") as info:
        b.build([params], output_dir=tmp_path / "out", progress=False)
    assert all(str(f.resolve()) in str(info.value) for f in files)
    assert "示例/局" in str(info.value) and "示例_局" in str(info.value)
    assert not list((tmp_path / "out").rglob("*.html"))


def test_two_agencies_with_the_real_mapping_get_their_own_reports(tmp_path: Path) -> None:
    agencies = ("示例/局", "示例_局")
    if names.agency_dirname(agencies[0]) == names.agency_dirname(agencies[1]):
        pytest.skip("this agency_dirname maps both to one folder (refused: test above)")
    params = make_params(tmp_path / "params", agencies)
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      year=2023)  # fmt: skip
    assert not summary.failed and len(summary.built) == 3
    htmls = [p for p in (tmp_path / "out" / "2023").rglob("*.html") if p.name != "summary.html"]
    texts = [p.read_text(encoding="utf-8") for p in htmls]
    assert len(htmls) == 2 and all(any(a in t for t in texts) for a in agencies)
    summary_html = (tmp_path / "out" / "2023" / "summary.html").read_text(encoding="utf-8")
    assert "2 个机关" in summary_html


@pytest.mark.slow
def test_interrupted_build_writes_an_index_marked_incomplete(tmp_path: Path) -> None:
    """Issue 12.13: after Ctrl-C the index lists what exists and says it is incomplete; the
    next build completes it and the mark goes."""
    params = make_params(tmp_path / "params")
    out = tmp_path / "out"
    cli, hold = cli_holding_2023(tmp_path)
    cmd = [*cli, "build", str(params), "-o", str(out), "--to", "html", "-j", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: _reports_recorded(out) > 0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err
    assert "未完成" in (out / "index.html").read_text(encoding="utf-8")
    built = [e for e in _entries(out).values() if e["status"] == "built" and e["agency"]]
    assert built
    for e in built:
        assert "未完成" in (out / f"index-{e['year']}.html").read_text(encoding="utf-8")
        assert "h" in read_rows(out / f"index-{e['year']}.json")[e["agency"]]["files"]
    hold.unlink()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "未完成" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_long_agency_names_build_and_render(tmp_path: Path) -> None:
    """Issue 12.6: a 66- and a 95-character name (≈ 200–290 bytes) must not crash a batch:
    every output path fits the file system, the full name stays inside the files, nothing
    leaks. Both names in one build (each would be a whole build)."""
    long_names = [("长" * (length - 1) + "局")[:length] for length in (66, 95)]
    params = make_params(tmp_path / "params", (*long_names, AGENCIES[0]))
    out, temp = tmp_path / "out", tmp_path / "tmp"
    temp.mkdir()
    cmd = [*CLI, "build", str(params), "-o", str(out), "--to", "html", "-q"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TMPDIR": str(temp)})  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    # issue 17.14: ≤ 200 bytes, as the README says, suffix included (not 204)
    assert all(len(part.encode()) <= 200 for p in written for part in p.relative_to(out).parts)
    rows = read_rows(out / "index-2023.json")
    for agency in long_names:
        folders = {out / str(year) / names.agency_dirname(agency) for year in (2022, 2023)}
        mine = [p for p in written if p.suffix == ".html" and p.parent in folders]
        assert len(mine) == 2 and all(agency in p.read_text(encoding="utf-8") for p in mine)
        base = rows[agency]["base"]  # not where the page would look by the name
        assert base and (out / f"{base}.html").is_file()
        result = batch_render.render(agency, 2023, params, to="html", output_dir=tmp_path / "r")
        assert result.html is not None and agency in result.html.read_text(encoding="utf-8")
        assert all(len(part.encode()) <= 200 for part in result.html.parts)
    assert list(temp.iterdir()) == [] and not list(out.rglob("*.tmp"))


def test_a_params_file_over_the_size_limit_fails_alone_and_fast(tmp_path: Path) -> None:
    """Issue 12.12: a 50 MB params file is that unit's failure, refused without being read."""
    from disclosure_lib.params_limits import MAX_BYTES

    params = make_params(tmp_path / "params", AGENCIES[:1])
    huge = tmp_path / "params" / "巨大" / "2023.yaml"
    huge.parent.mkdir()
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB that take no disk
    assert huge.stat().st_size > MAX_BYTES
    started = time.monotonic()
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      summaries=False)  # fmt: skip
    assert time.monotonic() - started < 60
    assert len(summary.built) == 2 and [x.label for x in summary.failed] == [str(huge)]
    assert "文件过大" in summary.failed[0].message


def test_a_params_link_leaving_the_folder_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$SECRET:19000:0:99999:7:::\n")
    params = make_params(tmp_path / "params", AGENCIES[:1])
    (params / "链接").mkdir()
    (params / "链接" / "2023.yaml").symlink_to(secret)
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      summaries=False)  # fmt: skip
    assert len(summary.built) == 2  # the link is not read, and not skipped silently (17.12)
    assert [x.label for x in summary.failed] == [str(params / "链接" / "2023.yaml")]
    assert "符号链接" in summary.failed[0].message
    for name in ("index.html", MANIFEST_NAME):
        assert b"SECRET" not in (tmp_path / "out" / name).read_bytes()
    named = b.build([params / "链接" / "2023.yaml"], output_dir=tmp_path / "out",
                    progress=False)  # fmt: skip
    assert [x.label for x in named.failed] == [str(params / "链接" / "2023.yaml")]
    assert "符号链接" in named.failed[0].message
    for name in ("index.html", MANIFEST_NAME):
        assert b"SECRET" not in (tmp_path / "out" / name).read_bytes()


def test_outputs_under_a_former_name_do_not_stay_behind(
    one_agency: tuple[Path, b.BuildSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When an output's name changes (e.g. a new folder-name mapping), the files under the old
    name are removed with the rebuild, not left unlisted."""
    params, out = _one_agency(one_agency, tmp_path)
    old = {p.relative_to(out) for p in out.glob("20*/**/*.html")}  # not the index's pages
    real = names.agency_dirname
    monkeypatch.setattr(names, "agency_dirname", lambda name, *a: real(name, *a) + "（新）")
    again = b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    assert len(again.built) == 2
    now = {p.relative_to(out) for p in out.glob("20*/**/*.html")}
    assert len(now) == 2 and not now & old
    assert all("（新）" in str(p) for p in now)
    assert not (out / "2022" / AGENCIES[0]).exists()  # the old folders went with their files
