"""The PDF's fonts by role: the installed faces, fallback to the next family of the same style
(said once), and no character ever dropped."""

from __future__ import annotations

import warnings

import pytest

from disclosure_lib.rendering import layout as lo
from disclosure_lib.rendering import pdf_fonts, typst_pdf
from disclosure_lib.rendering.fonts import FontError


@pytest.fixture
def fresh_roles(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Role resolution recomputed for the test and again after it."""
    for cached in (pdf_fonts.resolve, pdf_fonts.coverage):
        cached.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    for cached in (pdf_fonts.resolve, pdf_fonts.coverage):
        cached.cache_clear()


def test_roles_use_the_debian_faces() -> None:
    chosen = pdf_fonts.resolve()
    assert chosen == {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC", "kai": "AR PL UKai"}
    assert pdf_fonts.stack("kai") == ("AR PL UKai", "Noto Serif CJK SC", "Noto Sans CJK SC")


def test_missing_family_falls_back_to_the_next_and_says_so_once(fresh_roles) -> None:  # type: ignore[no-untyped-def]
    kai = ("方正楷体不存在", *pdf_fonts.FAMILIES["kai"])
    fresh_roles.setitem(pdf_fonts.FAMILIES, "kai", kai)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pdf_fonts.resolve()["kai"] == "AR PL UKai"
        pdf_fonts.resolve()
        pdf_fonts.stack("kai")
    said = [str(w.message) for w in caught if w.category is pdf_fonts.FontFallbackWarning]
    assert len(said) == 1 and "方正楷体不存在" in said[0] and "AR PL UKai" in said[0]


def test_role_with_no_family_borrows_the_nearest_style(fresh_roles) -> None:  # type: ignore[no-untyped-def]
    fresh_roles.setitem(pdf_fonts.FAMILIES, "kai", ("楷体甲", "楷体乙"))
    with pytest.warns(pdf_fonts.FontFallbackWarning, match="楷体甲、楷体乙"):
        assert pdf_fonts.resolve()["kai"] == "Noto Serif CJK SC"
    doc = lo.Document(title="t", blocks=[lo.Heading("（一）楷体缺失时用宋体", level=2)])
    assert typst_pdf.typeset(doc).startswith(b"%PDF-")


def test_character_no_font_has_is_an_error_naming_it() -> None:
    with pytest.raises(FontError, match="U\\+1F600"):
        pdf_fonts.check_glyphs([("serif", "正文 😀")])
    doc = lo.Document(title="t", blocks=[lo.Para("总体情况：\U0001f600")])
    with pytest.raises(FontError, match="😀"):
        typst_pdf.typeset(doc)
    # 硚 is outside GB 2312 and still set (the serif face has it)
    pdf_fonts.check_glyphs([("kai", "（一）硚口区"), ("serif", "硚口区")])


def test_fingerprint_names_the_faces() -> None:
    first = pdf_fonts.fingerprint()
    assert first == pdf_fonts.fingerprint() and len(first) == 24


def test_main_prints_the_roles(capsys: pytest.CaptureFixture[str]) -> None:
    assert pdf_fonts.main([]) == 0
    out = capsys.readouterr().out
    assert "Noto Serif CJK SC" in out and "AR PL UKai" in out


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
