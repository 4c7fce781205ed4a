"""CJK font detection: found here, and a clear error (never tofu) when there is none."""

from __future__ import annotations

import pytest

from disclosure_lib.rendering import fonts


def test_cjk_fonts_found() -> None:
    assert fonts.matplotlib_cjk_family() in fonts.CJK_FAMILIES
    families = fonts.require_cjk_fonts()
    assert any("CJK" in f or "Han" in f or "Hei" in f for f in families)


def test_no_fontconfig_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_fc_list", lambda *args: [])
    fonts.fontconfig_cjk_families.cache_clear()
    try:
        with pytest.raises(fonts.FontError, match="fonts-noto-cjk"):
            fonts.require_cjk_fonts()
    finally:
        monkeypatch.undo()
        fonts.fontconfig_cjk_families.cache_clear()
    assert fonts.require_cjk_fonts()


def test_matplotlib_without_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such Font SC",))
    fonts.matplotlib_cjk_family.cache_clear()
    before = list(font_manager.fontManager.ttflist)
    try:
        with pytest.raises(fonts.FontError, match="matplotlib 找不到中文字体"):
            fonts.matplotlib_cjk_family()
    finally:
        font_manager.fontManager.ttflist = before
        monkeypatch.undo()
        fonts.matplotlib_cjk_family.cache_clear()


def test_cli_reports_fonts(capsys: pytest.CaptureFixture[str]) -> None:
    assert fonts.main([]) == 0
    out = capsys.readouterr().out
    assert "matplotlib:" in out and "fontconfig:" in out
