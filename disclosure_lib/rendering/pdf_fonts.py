"""The PDF's fonts by role, after GB/T 9704-2012: 仿宋 for the body (3号), 黑体 for 一、
headings, 楷体 for （一） headings, a heavy 宋 for the title (小标宋-like), 宋 for the tables.

The 仿宋/黑/楷/宋 faces are the Fandol faces (GPL with the font exception), which
`scripts/fetch-fonts.sh` takes out of Debian's texlive-lang-chinese into `fonts/fandol/` of
the checkout (or a folder named by ``$DISCLOSURE_FONT_DIR``); the title is Noto Serif CJK SC
Bold (`fonts-noto-cjk`), whose heavy strokes stand nearest to 方正小标宋. Each role names
families in order of preference; a role with none of them falls back to the nearest style
(楷 → 仿宋 → 宋 …) and says so once per process. A role's stack goes on with its other
installed families, then the other roles' faces, so a character its face lacks (硚 is in no
Fandol face) is set in the next, the closest style first; a character no listed face has is
an error naming it (`check_glyphs`): a PDF never shows a blank box. Typst embeds only the
glyphs used, so the faces are used whole (no cut-down copies).

`python -m disclosure_lib.rendering.pdf_fonts` prints the face chosen for each role.
"""

from __future__ import annotations

import array
import contextlib
import functools
import hashlib
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fonts import INSTALL_HINT, FontError

# the checkout's font folder, filled by scripts/fetch-fonts.sh (`make setup`)
FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
FONT_DIR_ENV = "DISCLOSURE_FONT_DIR"
# role -> families, preferred first (the Fandol faces as Typst names them)
FAMILIES: dict[str, tuple[str, ...]] = {
    "fang": ("FandolFang R", "FangSong", "FangSong_GB2312", "Noto Serif CJK SC",
             "Source Han Serif SC", "AR PL UMing"),
    "hei": ("FandolHei", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC",
            "WenQuanYi Zen Hei", "Droid Sans Fallback"),
    "kai": ("FandolKai", "KaiTi", "AR PL UKai", "LXGW WenKai", "AR PL KaitiM GB"),
    "song": ("FandolSong", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC",
             "AR PL UMing"),
    "title": ("Noto Serif CJK SC", "Source Han Serif SC", "FandolSong"),
}  # fmt: skip
# where a role with none of its families installed borrows from, in order; also the order in
# which a role's stack goes on to the other roles' faces
NEAREST = {
    "fang": ("song", "kai", "title", "hei"),
    "kai": ("fang", "song", "title", "hei"),
    "song": ("title", "fang", "kai", "hei"),
    "title": ("song", "fang", "hei"),
    "hei": ("title", "song", "fang", "kai"),
}
ROLE_NAMES = {
    "fang": "仿宋（正文、落款）",
    "hei": "黑体（一级标题）",
    "kai": "楷体（二级标题）",
    "song": "宋体（表格、页码）",
    "title": "小标宋（标题）",
}
# role -> weight the document sets in it (the file whose glyphs count)
WEIGHTS = {"fang": (400,), "hei": (400,), "kai": (400,), "song": (400, 700), "title": (700,)}


class FontFallbackWarning(UserWarning):
    """A role's preferred families are not installed; another family stands in."""


@dataclass(frozen=True)
class Face:
    family: str
    path: str
    index: int
    weight: int


@functools.cache
def typst_fonts() -> Any:
    """Typst's view of the system fonts, scanned once per process (shared by its compilers)."""
    import typst

    return typst.Fonts(
        include_system_fonts=True, include_embedded_fonts=False, font_paths=list(font_dirs())
    )


def font_dirs() -> tuple[str, ...]:
    """Font folders read besides the system's: ``$DISCLOSURE_FONT_DIR`` (several joined by
    ``os.pathsep``), then the checkout's `fonts/` when it exists."""
    dirs = [d for d in os.environ.get(FONT_DIR_ENV, "").split(os.pathsep) if d]
    if FONT_DIR.is_dir():
        dirs.append(str(FONT_DIR))
    return tuple(str(Path(d).resolve()) for d in dirs)


@functools.cache
def installed() -> dict[str, tuple[Face, ...]]:
    """Installed faces by family name, as Typst names them."""
    out: dict[str, list[Face]] = {}
    for info in typst_fonts().fonts():
        if info.path:
            face = Face(info.family, str(info.path), int(info.index), int(info.weight))
            out.setdefault(info.family, []).append(face)
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def resolve() -> dict[str, str]:
    """The family chosen for each role; warns once for a role that had to borrow."""
    have = installed()
    chosen: dict[str, str] = {}
    for role, families in FAMILIES.items():
        found = next((f for f in families if f in have), None)
        if found is not None:
            chosen[role] = found
            if found != families[0]:
                _say(f"{ROLE_NAMES[role]}：未安装“{families[0]}”，改用“{found}”")
    for role in FAMILIES:
        if role in chosen:
            continue
        for other in NEAREST[role]:
            if other in chosen:
                chosen[role] = chosen[other]
                _say(
                    f"{ROLE_NAMES[role]}：未安装{'、'.join(FAMILIES[role])}，改用“{chosen[other]}”"
                )
                break
    if not chosen:
        raise FontError("系统中没有可用于 PDF 的中文字体。" + INSTALL_HINT)
    return chosen


def _say(message: str) -> None:
    warnings.warn(f"PDF 字体 (font fallback)：{message}", FontFallbackWarning, stacklevel=3)


def stack(role: str) -> tuple[str, ...]:
    """The role's family first, then its other installed families, then the other roles'
    families (nearest style first), for characters it lacks."""
    chosen = resolve()
    have = installed()
    own = [f for f in FAMILIES[role] if f in have]
    rest = [chosen[r] for r in NEAREST[role]]
    return tuple(dict.fromkeys([chosen[role], *own, *rest]))


def faces(role: str) -> tuple[Face, ...]:
    """The faces a role's text is set in (its weights), first family first."""
    have = installed()
    out: list[Face] = []
    for family in stack(role):
        for weight in WEIGHTS[role]:
            candidates = have.get(family, ())
            if candidates:
                out.append(min(candidates, key=lambda f: abs(f.weight - weight)))
    return tuple(dict.fromkeys(out))


def cache_dir() -> Path:
    """Where the fonts' glyph tables are kept (``$DISCLOSURE_FONT_CACHE`` or the user cache)."""
    explicit = os.environ.get("DISCLOSURE_FONT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "disclosure_lib" / "fonts"


def _cmap_file(path: str, index: int) -> Path | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = hashlib.sha256(f"{path}\0{index}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return cache_dir() / f"cmap-{key.hexdigest()[:20]}.bin"


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    """The code points a face maps, read once per font file version: reading a CJK face's
    table takes ≈ 0.1 s, its cached copy ≈ 1 ms."""
    cached = _cmap_file(path, index)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError):
            data = array.array("I")
            data.frombytes(cached.read_bytes())
            return frozenset(data)
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        points = frozenset(font.getBestCmap() or {})
    finally:
        font.close()
    if cached is not None:
        from ..files import write_atomic

        with contextlib.suppress(OSError):  # a read-only cache only costs time
            write_atomic(cached, array.array("I", sorted(points)).tobytes())
    return points


@functools.cache
def coverage(role: str) -> frozenset[int]:
    """Code points some face of the role's stack has a glyph for (every weight it uses)."""
    by_family: dict[str, set[int]] = {}
    for face in faces(role):
        cmap = _cmap(face.path, face.index)
        got = by_family.get(face.family)
        by_family[face.family] = set(cmap) if got is None else got & cmap
    have = frozenset().union(*by_family.values()) if by_family else frozenset()
    return have - _CONTROLS  # the Fandol faces map C0 controls (to blanks): never printable


_CONTROLS = frozenset([*range(0x20), *range(0x7F, 0xA0)])


_IGNORED = frozenset(map(ord, "\n\r\t\u00ad\u200b\u200c\u200d\ufeff"))


def check_glyphs(texts: Iterable[tuple[str, str]]) -> None:
    """`texts` as (role, text): a FontError naming the first character no face of its role's
    stack can show (Typst would otherwise print a blank box and say nothing)."""
    for role, text in texts:
        have = coverage(role)
        for ch in text:
            cp = ord(ch)
            if cp not in have and cp not in _IGNORED and not ch.isspace():
                snippet = text if len(text) <= 30 else text[:30] + "…"
                raise FontError(
                    f"PDF 字体中没有字符“{ch}”（U+{cp:04X}），见于：{snippet}"
                    f"（no installed font has this character; fonts tried: "
                    f"{', '.join(stack(role))}）"
                )


def prepare() -> None:
    """Scan fonts and read the glyph tables once (a batch process, before forking workers)."""
    for role in FAMILIES:
        coverage(role)


def fingerprint() -> str:
    """Names, files and sizes of the faces every role uses: a changed font rebuilds the PDFs."""
    try:
        used = sorted({f for role in FAMILIES for f in faces(role)}, key=lambda f: f.path)
    except FontError:
        return "none"
    h = hashlib.sha256()
    for face in used:
        try:
            st = os.stat(face.path)
        except OSError:
            continue
        h.update(f"{face.family}\0{face.path}\0{face.index}\0{st.st_size}\0".encode())
    return h.hexdigest()[:24]


def main(argv: list[str] | None = None) -> int:
    """Print the family chosen for each role, its files and the families after it, or what to
    install."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chosen = resolve()
        for w in caught:
            print(str(w.message), file=sys.stderr)
        for role, family in chosen.items():
            files = ", ".join(Path(f.path).name for f in faces(role) if f.family == family)
            print(
                f"{ROLE_NAMES[role]}: {family} [{files}] (then {', '.join(stack(role)[1:]) or '-'})"
            )
    except FontError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
