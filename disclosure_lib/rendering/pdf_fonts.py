"""Cut-down copies of Noto Sans CJK SC that make report PDFs faster and smaller.

WeasyPrint embeds a subset of every face a PDF uses. For a CJK face of 65,535 glyphs that
costs ≈ 0.04 s per face and PDF, because HarfBuzz keeps glyph ids and so works up to the
highest id used. A copy of each face cut down once to GB 2312 and common punctuation
(≈ 13,000 glyphs) is put first in the PDF's font stack: on a report PDF with charts this
measured 0.57 → 0.49 s and 534 → 329 KB. A character outside it (e.g. 硚) falls back to the
full system face, so nothing is lost. Until the copies are built, PDFs use the system faces.

`python -m disclosure_lib.rendering.fonts --rebuild-cache` (run by `make setup`) builds them into
``$DISCLOSURE_FONT_CACHE`` (default ``~/.cache/disclosure_lib/fonts``); a copy whose source
face has changed since is ignored until rebuilt.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

FAMILY = "Noto Sans CJK SC GB2312"
SOURCE_FAMILY = "Noto Sans CJK SC"
WEIGHTS = {"regular": 400, "bold": 700}
VERSION = 1  # bump when the character set or the subsetting options change
META = "fonts.json"

# Besides the GB 2312 hanzi: ASCII, Latin-1, general punctuation, letterlike symbols,
# enclosed numbers (①), CJK symbols and punctuation (、。《》〔〕), full-width forms.
_RANGES = ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500),
           (0x3000, 0x3040), (0xFF00, 0xFFF0))  # fmt: skip


def cache_dir() -> Path:
    """Where the cut-down faces live (``$DISCLOSURE_FONT_CACHE`` or the user cache)."""
    explicit = os.environ.get("DISCLOSURE_FONT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "disclosure_lib" / "fonts"


def charset() -> set[int]:
    """Code points kept: the GB 2312 hanzi (both levels) and the ranges above."""
    chars = {c for lo, hi in _RANGES for c in range(lo, hi)}
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def _stamp(path: str) -> dict[str, int]:
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def find_sources() -> dict[str, tuple[str, int]]:
    """Font file and collection index of each weight of Noto Sans CJK SC, via fontconfig."""
    exe = shutil.which("fc-match")
    found: dict[str, tuple[str, int]] = {}
    for weight in WEIGHTS:
        if exe is None:
            break
        pattern = f"{SOURCE_FAMILY}:style={weight.capitalize()}"
        try:
            out = subprocess.run(
                [exe, "--format=%{family}\n%{style}\n%{file}\n%{index}", pattern],
                capture_output=True, text=True, timeout=30, check=False,
            ).stdout.splitlines()  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            break
        # fc-match always answers; only an exact family and style is the face we want
        if len(out) == 4 and SOURCE_FAMILY in out[0].split(",") and weight in out[1].lower():
            found[weight] = (out[2], int(out[3] or 0))
    return found


def _subset(source: str, index: int, chars: list[int], target: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=True)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep names and licence text
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    tmp = f"{target}.tmp-{os.getpid()}"
    font.save(tmp)
    os.replace(tmp, target)


def build(
    directory: Path | None = None,
    *,
    force: bool = False,
    chars: Iterable[int] | None = None,
    log: Callable[[str], None] = print,
) -> Path | None:
    """Build the cut-down faces (≈ 12 s, both weights in parallel); None without sources."""
    directory = directory or cache_dir()
    sources = find_sources()
    if set(sources) != set(WEIGHTS):
        log(f"未找到 {SOURCE_FAMILY} 常规和粗体字体，PDF 使用系统字体（subsets not built）")
        return None
    faces = {w: {"file": f"{w}.otf", "source": s, "index": i, **_stamp(s)}
             for w, (s, i) in sources.items()}  # fmt: skip
    meta = {"version": VERSION, "family": FAMILY, "faces": faces}
    if not force and chars is None and _read_meta(directory) == meta:
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    (directory / META).unlink(missing_ok=True)  # the faces are not usable while rebuilt
    wanted = sorted(charset() if chars is None else set(chars))
    log(f"正在生成 PDF 字体子集（仅需一次）：{directory}")
    with ProcessPoolExecutor(len(sources)) as pool:
        jobs = [pool.submit(_subset, s, i, wanted, str(directory / f"{w}.otf"))
                for w, (s, i) in sources.items()]  # fmt: skip
        for job in jobs:
            job.result()
    tmp = directory / f"{META}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, directory / META)
    usable_faces.cache_clear()
    return directory


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


@functools.cache
def usable_faces(directory: Path | None = None) -> dict[str, Path]:
    """weight -> cut-down face file, when all are built and their sources are unchanged."""
    directory = directory or cache_dir()
    meta = _read_meta(directory)
    if not meta or meta.get("version") != VERSION or meta.get("family") != FAMILY:
        return {}
    faces: dict[str, Path] = {}
    try:
        for weight in WEIGHTS:
            face = meta["faces"][weight]
            if _stamp(face["source"]) != {"size": face["size"], "mtime_ns": face["mtime_ns"]}:
                return {}
            path = directory / face["file"]
            if not path.is_file():
                return {}
            faces[weight] = path
    except (KeyError, TypeError, OSError):
        return {}
    return faces


def fingerprint(directory: Path | None = None) -> str:
    """What the PDFs' faces are, for the build manifest: the cut-down faces' record, or
    "system" when PDFs use the system faces (building the faces then rebuilds the PDFs)."""
    if not usable_faces(directory):
        return "system"
    meta = _read_meta(directory or cache_dir())
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:24]


def font_face_css(directory: Path | None = None) -> str:
    """A stylesheet for WeasyPrint putting the cut-down faces first; "" when not built.

    The report's own stylesheet names the fonts for browsers; this one is given to WeasyPrint
    only, as a user stylesheet, hence ``!important``.
    """
    faces = usable_faces(directory)
    if not faces:
        return ""
    rules = [
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {WEIGHTS[weight]}; }}"
        for weight, path in faces.items()
    ]
    stack = f'"{FAMILY}", "{SOURCE_FAMILY}", sans-serif'
    rules.append(f"html {{ font-family: {stack} !important; }}")
    rules.append(f"@page {{ @bottom-center {{ font-family: {stack} !important; }} }}")
    return "\n".join(rules)


# --- WeasyPrint's copies of @font-face files ---------------------------------------------------

_COPIES_PREFIX = "disclosure-weasyprint-"


def font_configuration() -> Any:
    """A WeasyPrint FontConfiguration whose copies of @font-face files do not pile up.

    WeasyPrint copies every @font-face file (here ≈ 7 MB) into a temporary folder that only
    its ``__del__`` removes, which never runs in processes ending with ``os._exit`` (the batch
    workers) and fails at interpreter exit. The folder is named after this process instead,
    removed at exit, and folders of processes that are gone are swept now.
    """
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    if getattr(config, "_folder", "missing") is None:  # WeasyPrint's private attribute
        _sweep_copies()
        folder = Path(tempfile.mkdtemp(prefix=f"{_COPIES_PREFIX}{os.getpid()}-"))
        config._folder = folder
        atexit.register(_remove_copies, config, os.getpid())
    return config


def _remove_copies(config: Any, owner: int) -> None:
    if os.getpid() != owner:  # a forked child exiting normally: the folder is its parent's
        return
    folder, config._folder = config._folder, None  # nothing left for __del__ at teardown
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep_copies() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{_COPIES_PREFIX}*"):
        pid = folder.name[len(_COPIES_PREFIX) :].split("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def main(argv: list[str] | None = None) -> int:
    """`python -m disclosure_lib.rendering.pdf_fonts [--force]`: build missing/stale faces."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    build(force="--force" in args, log=lambda message: print(message, file=sys.stderr))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
