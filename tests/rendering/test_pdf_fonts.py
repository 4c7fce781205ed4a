"""The PDF's fonts by role: the Fandol faces (仿宋/黑/楷/宋) and a heavy serif title, fallback to
the next family of the same style (said once), and no character ever dropped."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from disclosure_lib.params import load_report
from disclosure_lib.rendering import compose, pdf_fonts, typst_pdf
from disclosure_lib.rendering import layout as lo
from disclosure_lib.rendering.fonts import FontError

from ..base import PARAMS


@pytest.fixture
def fresh_roles(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Role resolution recomputed for the test and again after it."""
    for cached in (pdf_fonts.resolve, pdf_fonts.coverage):
        cached.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    for cached in (pdf_fonts.resolve, pdf_fonts.coverage):
        cached.cache_clear()


def test_roles_use_the_fandol_faces_and_a_heavy_serif_title() -> None:
    chosen = pdf_fonts.resolve()
    assert chosen == {"fang": "FandolFang R", "hei": "FandolHei", "kai": "FandolKai",
                      "song": "FandolSong", "title": "Noto Serif CJK SC"}  # fmt: skip
    fang = pdf_fonts.stack("fang")
    # its own style first, then the nearest (宋, 楷), Noto last for what Fandol lacks (硚)
    assert fang[0] == "FandolFang R" and "Noto Serif CJK SC" in fang
    assert fang.index("FandolSong") < fang.index("FandolHei")
    assert {f.weight for f in pdf_fonts.faces("title")[:1]} == {700}
    assert all(pdf_fonts.FONT_DIR in Path(f.path).parents for f in pdf_fonts.faces("fang")[:1])


def test_font_folders_named_by_the_environment_come_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(pdf_fonts.FONT_DIR_ENV, f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    dirs = pdf_fonts.font_dirs()
    assert dirs[:2] == (str(tmp_path / "a"), str(tmp_path / "b"))
    assert dirs[2:] == (str(pdf_fonts.FONT_DIR),)


def test_missing_family_falls_back_to_the_next_and_says_so_once(fresh_roles) -> None:  # type: ignore[no-untyped-def]
    kai = ("方正楷体不存在", *pdf_fonts.FAMILIES["kai"])
    fresh_roles.setitem(pdf_fonts.FAMILIES, "kai", kai)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pdf_fonts.resolve()["kai"] == "FandolKai"
        pdf_fonts.resolve()
        pdf_fonts.stack("kai")
    said = [str(w.message) for w in caught if w.category is pdf_fonts.FontFallbackWarning]
    assert len(said) == 1 and "方正楷体不存在" in said[0] and "FandolKai" in said[0]


def test_role_with_no_family_borrows_the_nearest_style(fresh_roles) -> None:  # type: ignore[no-untyped-def]
    fresh_roles.setitem(pdf_fonts.FAMILIES, "kai", ("楷体甲", "楷体乙"))
    with pytest.warns(pdf_fonts.FontFallbackWarning, match="楷体甲、楷体乙"):
        assert pdf_fonts.resolve()["kai"] == "FandolFang R"  # 楷 → 仿宋
    doc = lo.Document(title="t", blocks=[lo.Heading("（一）楷体缺失时用仿宋", level=2)])
    assert typst_pdf.typeset(doc).startswith(b"%PDF-")


def test_character_no_font_has_is_an_error_naming_it() -> None:
    with pytest.raises(FontError, match="U\\+1F600"):
        pdf_fonts.check_glyphs([("fang", "正文 😀")])
    doc = lo.Document(title="t", blocks=[lo.Para("总体情况：\U0001f600")])
    with pytest.raises(FontError, match="😀"):
        typst_pdf.typeset(doc)
    # 硚 is in no Fandol face and still set in every role (Noto has it)
    pdf_fonts.check_glyphs([(role, "（一）硚口区") for role in pdf_fonts.FAMILIES])


def test_every_bundled_report_is_set_in_its_roles_faces() -> None:
    """Every character of every bundled report has a glyph in its role's stack; the Fandol
    faces themselves lack only characters outside GB 2312 (硚 comes from Noto)."""
    lacking: set[str] = set()
    for path in sorted(PARAMS.glob("*/*.yaml")):
        doc = lo.document([lo.part_from_json(
            compose.report_body(load_report(path))._repr_mimebundle_()[lo.MIME])])  # fmt: skip
        texts = typst_pdf.source(doc)[2]
        pdf_fonts.check_glyphs(texts)
        for role, text in texts:
            own = pdf_fonts._cmap(pdf_fonts.faces(role)[0].path, pdf_fonts.faces(role)[0].index)
            lacking |= {ch for ch in text if ord(ch) not in own and not ch.isspace()}
    assert "硚" in lacking  # the seed agency's name: set in Noto

    def in_gb2312(ch: str) -> bool:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    assert not {ch for ch in lacking if in_gb2312(ch)}, lacking  # Fandol covers GB 2312


def test_fingerprint_names_the_faces() -> None:
    first = pdf_fonts.fingerprint()
    assert first == pdf_fonts.fingerprint() and len(first) == 24


def test_main_prints_the_roles(capsys: pytest.CaptureFixture[str]) -> None:
    assert pdf_fonts.main([]) == 0
    out = capsys.readouterr().out
    assert "仿宋（正文、落款）: FandolFang R" in out and "小标宋（标题）: Noto Serif CJK SC" in out
    assert "FandolFang-Regular.otf" in out


def test_glyph_tables_are_cached_per_font_file(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_FONT_CACHE", str(tmp_path))
    face = pdf_fonts.faces("kai")[0]
    pdf_fonts._cmap.cache_clear()
    first = pdf_fonts._cmap(face.path, face.index)
    (cached,) = list(tmp_path.glob("cmap-*.bin"))  # type: ignore[attr-defined]
    pdf_fonts._cmap.cache_clear()
    assert pdf_fonts._cmap(face.path, face.index) == first and ord("楷") in first
    cached.write_bytes(b"\x00")  # damaged: read again from the font
    pdf_fonts._cmap.cache_clear()
    assert pdf_fonts._cmap(face.path, face.index) == first
    pdf_fonts._cmap.cache_clear()
