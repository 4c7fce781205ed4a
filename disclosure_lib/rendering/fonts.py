"""CJK fonts for charts (matplotlib) and PDF (fontconfig): find them or fail clearly.

A report set in a font without Chinese glyphs shows boxes ("tofu"). Rather than produce that,
every entry point here raises `FontError` naming what to install. Matplotlib's
"Glyph … missing from font(s)" warnings are turned into errors by `no_missing_glyphs()`.

Command line (used by the setup): `python -m disclosure_lib.rendering.fonts --rebuild-cache`
rebuilds matplotlib's font cache (needed once after installing fonts) and prints the fonts
found. The PDF's fonts by role are `pdf_fonts`.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import RenderError

# Preference order: Simplified-Chinese faces first, then other CJK faces that still cover
# the GB 2312 set. Sans for charts; the PDF stylesheet names serif faces for body text.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)

INSTALL_HINT = (
    "请安装中文字体后重试：sudo apt-get install fonts-noto-cjk，"
    "然后运行 python -m disclosure_lib.rendering.fonts --rebuild-cache"
    "（no CJK font found: install fonts-noto-cjk and rebuild matplotlib's font cache）"
)

_MISSING_GLYPH = re.compile(r"missing from (?:current )?font")


class FontError(RenderError):
    """No font able to show Chinese text is available."""


@functools.cache
def matplotlib_cjk_family() -> str:
    """Family name of a CJK font matplotlib can use; registers system fonts it has not cached.

    Matplotlib's font list is cached on disk; a cache built before the fonts were installed
    does not list them. In that case the fontconfig font files are added for this process,
    so a stale cache costs time but never correctness.
    """
    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    names = known()
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in fontconfig_cjk_files():
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
    names = known()
    for family in CJK_FAMILIES:
        if family in names:
            return family
    raise FontError("matplotlib 找不到中文字体。" + INSTALL_HINT)


def _fc_list(*args: str) -> list[str]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, *args], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


@functools.cache
def fontconfig_cjk_files() -> tuple[str, ...]:
    """Font files fontconfig says cover Chinese."""
    return tuple(sorted(set(_fc_list(":lang=zh-cn", "file", "--format=%{file}\n"))))


@functools.cache
def fontconfig_cjk_families() -> tuple[str, ...]:
    """Family names fontconfig knows that cover Chinese, e.g. ('Noto Sans CJK SC', …)."""
    families: set[str] = set()
    for line in _fc_list(":lang=zh-cn", "--format=%{family}\n"):
        families.update(name.strip() for name in line.split(",") if name.strip())
    return tuple(sorted(families))


def require_cjk_fonts() -> tuple[str, ...]:
    """Fail with `FontError` unless fontconfig has a Chinese font."""
    families = fontconfig_cjk_families()
    if not families:
        raise FontError("系统中没有可用于 PDF 的中文字体。" + INSTALL_HINT)
    return families


def missing_glyph_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    """The matplotlib "missing from font" warnings among `caught`."""
    return [str(w.message) for w in caught if _MISSING_GLYPH.search(str(w.message))]


@contextmanager
def no_missing_glyphs() -> Iterator[None]:
    """Run a drawing block; raise `FontError` if matplotlib drew any character as tofu.

    Other warnings are re-emitted unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    missing = missing_glyph_messages(caught)
    for w in caught:
        if str(w.message) not in missing:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if missing:
        raise FontError(
            "图表字体缺少字形：" + "；".join(sorted(set(missing))) + "。" + INSTALL_HINT
        )


def rebuild_matplotlib_cache() -> Path:
    """Delete matplotlib's cached font list and rebuild it. Returns the cache directory."""
    import matplotlib

    cache = Path(matplotlib.get_cachedir())
    for stale in cache.glob("fontlist-*.json"):
        stale.unlink(missing_ok=True)
    already_loaded = "matplotlib.font_manager" in sys.modules
    # The first import of font_manager finds no cache file, so it scans and saves a new one.
    from matplotlib import font_manager

    if already_loaded:
        load = font_manager._load_fontmanager  # type: ignore[attr-defined]  # no public API
        font_manager.fontManager = load(try_read_cache=False)
    matplotlib_cjk_family.cache_clear()
    return cache


def main(argv: list[str] | None = None) -> int:
    """`python -m disclosure_lib.rendering.fonts [--rebuild-cache]`: report (and fix) font setup."""
    args = sys.argv[1:] if argv is None else argv
    if "--rebuild-cache" in args:
        print(f"matplotlib font cache rebuilt in {rebuild_matplotlib_cache()}")
    try:
        print(f"matplotlib: {matplotlib_cjk_family()}")
        print(f"fontconfig: {', '.join(require_cjk_fonts())}")
    except FontError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
