"""Cut-down PDF faces: built once, used first, full faces for anything outside them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from disclosure_lib.rendering import exporters, pdf_fonts


@pytest.fixture(scope="module")
def built() -> Path:
    directory = pdf_fonts.build(log=lambda _: None)  # a no-op after `make setup`
    assert directory is not None, "Noto Sans CJK SC regular and bold are installed here"
    return directory


def _pdf_fonts(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    return fonts.stdout, text.stdout


def test_charset_is_gb2312_and_punctuation() -> None:
    chars = pdf_fonts.charset()
    for ch in "中华人民共和国政府信息公开、。《》〔〕（）：；“”①０A1":
        assert ord(ch) in chars, ch
    assert ord("硚") not in chars  # GBK only: comes from the full face
    assert 7000 < len(chars) < 8000


def test_pdf_uses_subset_first_and_full_face_for_the_rest(built: Path, tmp_path: Path) -> None:
    html = (
        '<!DOCTYPE html><html lang="zh-CN"><body><h1>硚口区年度报告</h1>'
        "<p>政府信息公开工作 2024</p></body></html>"
    )
    fonts, text = _pdf_fonts(exporters.html_to_pdf_bytes(html), tmp_path)
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    subset = pdf_fonts.FAMILY.replace(" ", "-")
    assert any(n.endswith("+" + subset) for n in names)  # body text
    assert any(n.endswith("+" + subset + "-Bold") for n in names)  # the heading
    assert any(n.endswith("+Noto-Sans-CJK-SC-Bold") for n in names)  # 硚 in the heading
    assert "硚口区年度报告" in text and "政府信息公开工作" in text


def test_css_names_the_built_faces(built: Path) -> None:
    css = pdf_fonts.font_face_css(built)
    assert css.count("@font-face") == len(pdf_fonts.WEIGHTS)
    for path in pdf_fonts.usable_faces(built).values():
        assert path.as_uri() in css and path.stat().st_size > 1_000_000
    assert f'"{pdf_fonts.FAMILY}", "{pdf_fonts.SOURCE_FAMILY}"' in css


def test_missing_or_stale_subsets_are_not_used(built: Path, tmp_path: Path) -> None:
    assert pdf_fonts.font_face_css(tmp_path / "nothing") == ""
    copy = tmp_path / "stale"
    copy.mkdir()
    meta = json.loads((built / pdf_fonts.META).read_text(encoding="utf-8"))
    for weight in pdf_fonts.WEIGHTS:
        (copy / meta["faces"][weight]["file"]).write_bytes(b"x")
    meta["faces"]["bold"]["mtime_ns"] += 1  # the system face changed since the build
    (copy / pdf_fonts.META).write_text(json.dumps(meta), encoding="utf-8")
    pdf_fonts.usable_faces.cache_clear()
    assert pdf_fonts.usable_faces(copy) == {}
    meta["faces"]["bold"]["mtime_ns"] -= 1
    (copy / pdf_fonts.META).write_text(json.dumps(meta), encoding="utf-8")
    pdf_fonts.usable_faces.cache_clear()
    assert set(pdf_fonts.usable_faces(copy)) == set(pdf_fonts.WEIGHTS)  # the control
    meta["version"] = pdf_fonts.VERSION + 1  # built by another version of the rules
    (copy / pdf_fonts.META).write_text(json.dumps(meta), encoding="utf-8")
    pdf_fonts.usable_faces.cache_clear()
    assert pdf_fonts.font_face_css(copy) == ""


def test_build_a_small_subset(tmp_path: Path) -> None:
    messages: list[str] = []
    directory = pdf_fonts.build(tmp_path, chars=map(ord, "政府信息公开"), log=messages.append)
    assert directory == tmp_path and messages
    faces = pdf_fonts.usable_faces(tmp_path)
    assert set(faces) == set(pdf_fonts.WEIGHTS)
    from fontTools.ttLib import TTFont

    cmap = TTFont(faces["regular"]).getBestCmap()
    assert {chr(c) for c in cmap} == set("政府信息公开")


def test_no_source_faces_builds_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_fonts, "find_sources", lambda: {})
    messages: list[str] = []
    assert pdf_fonts.build(tmp_path, log=messages.append) is None
    assert "系统字体" in messages[0] and not list(tmp_path.iterdir())


def test_weasyprint_font_copies_are_removed_and_swept(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import weasyprint

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    dead = tmp_path / f"disclosure-weasyprint-{dead_pid.pid}-x"
    alive = tmp_path / f"disclosure-weasyprint-{os.getpid()}-y"
    dead.mkdir()
    alive.mkdir()
    config = pdf_fonts.font_configuration()
    assert not dead.exists() and alive.exists()  # a folder of a finished process is swept
    folder = Path(config._folder)
    assert folder.parent == tmp_path and folder.name.startswith(
        f"disclosure-weasyprint-{os.getpid()}-"
    )
    weasyprint.CSS(string=pdf_fonts.font_face_css(built), font_config=config)
    assert len(list(folder.iterdir())) == len(pdf_fonts.WEIGHTS)  # WeasyPrint's copies
    pdf_fonts._remove_copies(config, os.getpid() + 1)  # a forked child leaves it alone
    assert folder.exists()
    pdf_fonts._remove_copies(config, os.getpid())  # what runs at exit
    assert not folder.exists() and config._folder is None


def test_command_line_is_quiet_when_current(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pdf_fonts.main([]) == 0
    assert capsys.readouterr().err == ""  # nothing to build, nothing said
    assert pdf_fonts.usable_faces()


def test_fingerprint_tells_subsets_from_system_faces(built: Path, tmp_path: Path) -> None:
    from disclosure_lib.batch.manifest import library_inputs

    assert pdf_fonts.fingerprint(tmp_path) == "system"
    assert pdf_fonts.fingerprint(built) not in ("system", "")
    assert library_inputs()["pdf_fonts"] == pdf_fonts.fingerprint(built)  # the manifest sees it
