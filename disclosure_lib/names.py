"""Names that become file names or go into files: agency names and titles.

`check_name` refuses text that cannot be a name (control characters, including the ESC that
starts terminal escape sequences, and line breaks), wherever a name enters: `new`, import,
params loading. `agency_dirname` makes a name one safe path component: readable, stable, and
different for different names.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .errors import ParamsError

# C0 and C1 control characters and DEL; line and paragraph separators; bidi overrides, which
# make a name display differently from what it is; invisible marks (zero-width spaces and
# joiners, bidi marks, soft hyphen, BOM), which make two different names look the same
_INVISIBLE_CLASS = r"\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f\ufeff"
CONTROL_CLASS = (
    r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069" + _INVISIBLE_CLASS
)  # regex range
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")

# Characters a file name cannot hold on Linux, Windows or macOS, and their full-width forms:
# the folder still reads as the name.
_FULL_WIDTH = str.maketrans(
    {
        "/": "／",
        "\\": "＼",
        ":": "：",
        "*": "＊",
        "?": "？",
        '"': "＂",
        "<": "＜",
        ">": "＞",
        "|": "｜",
    }
)
# ...and what cannot be encoded in a file name at all (lone surrogates)
_UNENCODABLE = re.compile("[\ud800-\udfff]")

# File names are limited to 255 bytes; outputs add suffixes (`.failed.ipynb`) and temp-file
# parts (`.<name>.<random>.tmp`) to a stem, so a component stays well below that.
MAX_COMPONENT_BYTES = 200
HASH_CHARS = 10
_HASHED = re.compile(rf"~[0-9a-f]{{{HASH_CHARS}}}\Z")


def check_name(
    text: str,
    what: str = "机关名称",
    *,
    path: Path | str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> str:
    """`text` stripped, or a ParamsError when it is empty or holds a control character."""
    bad = _CONTROL.search(text)
    if bad is not None:
        raise ParamsError(
            f"{what}含有控制字符或不可见字符 U+{ord(bad.group()):04X}，不能使用 "
            "(control or invisible character in name)",
            path=path,
            line=line,
            field=field,
        )
    name = text.strip()
    if not name:
        raise ParamsError(f"{what}不能为空 (empty name)", path=path, line=line, field=field)
    return name


# In text (narrative, contact, notes): what no report means and a terminal or page would act
# on — control characters but tab and line breaks, and bidi overrides
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_control(text: str) -> str | None:
    """The first control character of `text` that text may not hold (None: none)."""
    bad = _TEXT_CONTROL.search(text)
    return bad.group() if bad is not None else None


def without_controls(text: str) -> str:
    """`text` without the characters `text_control` refuses: what an importer read from a page
    (a stray form feed or escape) may not reach a params file."""
    return _TEXT_CONTROL.sub("", text)


def without_invisible(text: str) -> str:
    """`text` without invisible marks (zero-width spaces, bidi marks…): a name read from a
    page, where they are common and never part of the name."""
    return _INVISIBLE.sub("", text)


def visible(text: str) -> str:
    """`text` with the control characters `text_control` finds shown as escapes, line breaks
    kept: for a page (`index.html`) that quotes file names and messages."""
    return _TEXT_CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (`\\x1b`), for a terminal line: text
    from a file (a narrative sentence, a file name) cannot move the cursor or end the line."""
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


# A spreadsheet program reads a cell starting with one of these as a formula (CSV and XLSX
# alike: `=HYPERLINK(…)` in an agency name would become a live link in every row)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """`text` for a spreadsheet cell: prefixed with `'` when a spreadsheet would run it as a
    formula (the one sanitiser of `export` and the fill-in workbook)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def from_cell_text(text: str) -> str:
    """`cell_text` undone: a workbook's text read back as it was written."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def agency_dirname(agency: str, max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """A file or folder name for `agency` (or a title): one safe path component.

    A name that is already safe (the usual Chinese name) is its own folder name. Any other
    name is made safe — `/\\:*?"<>|` become their full-width forms, control characters `_`,
    a leading or trailing dot full-width, an over-long name cut in the middle to
    `max_bytes` (default `MAX_COMPONENT_BYTES`; less for a stem that gets a suffix) —
    and gets `~` plus a short hash of the full name, so two different names never share a
    folder (`示例/局` → `示例／局~…`, while `示例_局` and `示例／局` stay as they are). The
    full name stays inside the files.
    """
    name = _UNENCODABLE.sub("_", _CONTROL.sub("_", agency.translate(_FULL_WIDTH)))
    if name.startswith("."):
        name = "．" + name[1:]
    if name.endswith("."):
        name = name[:-1] + "．"
    if (
        name == agency
        and name == name.strip()
        and name
        and unicodedata.is_normalized("NFC", name)
        and not _HASHED.search(name)
        and len(name.encode("utf-8")) <= max_bytes
    ):
        return name
    tag = "~" + hashlib.sha256(agency.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    name = name.strip() or "_"
    budget = max_bytes - len(tag)
    if len(name.encode("utf-8")) > budget:
        name = _cut_middle(name, budget)
    return name + tag


def _cut_middle(name: str, budget: int) -> str:
    """`name` in at most `budget` UTF-8 bytes: its start, "…", and its end (a title's year,
    an office's own name), cut at character boundaries."""
    tail_budget = budget // 3
    tail = name[-1:]
    while len(tail.encode("utf-8")) < tail_budget and len(tail) < len(name):
        tail = name[-len(tail) - 1 :]
    tail = tail[1:] if len(tail.encode("utf-8")) > tail_budget else tail
    head_budget = budget - len(tail.encode("utf-8")) - len("…".encode())
    head = name.encode("utf-8")[:head_budget].decode("utf-8", "ignore")
    return f"{head}…{tail}"


# --- the order of agencies -------------------------------------------------------------------


# name -> its syllables worked out before (the collection cache keeps them): a process given
# them never loads pypinyin (≈ 1.5 s and 55 MB) to order agencies it already knows
_KNOWN: dict[str, tuple[str, ...]] = {}


def remember_syllables(known: Mapping[str, Sequence[str]]) -> None:
    """Take `pinyin_syllables` of these names as given (computed by this code before)."""
    _KNOWN.update((name, tuple(s)) for name, s in known.items())


def pinyin_syllables(name: str) -> tuple[str, ...]:
    """The pinyin of `name`, one syllable per Chinese character (phrases read as phrases:
    长沙 → chang sha), other runs (digits, Latin letters) kept, all lower case. Loads pypinyin's
    dictionaries (≈ 55 MB) on first use, unless the name was remembered
    (`remember_syllables`): a process that must stay small asks another (`batch.site`)."""
    known = _KNOWN.get(name)
    return known if known is not None else _syllables(name)


@functools.lru_cache(maxsize=1 << 16)
def _syllables(name: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default"))


def pinyin_search(name: str) -> tuple[str, str]:
    """`name`'s pinyin as the index keeps and matches it: the syllables separated by spaces
    (none inside one), and their initials."""
    syllables = [s for s in ("".join(x.split()) for x in pinyin_syllables(name)) if s]
    return " ".join(syllables), "".join(s[:1] for s in syllables)


def agency_key(name: str, syllables: Sequence[str] | None = None) -> tuple[tuple[str, ...], str]:
    """How agencies are ordered everywhere (the index, summary rankings): as Chinese readers
    look them up, by pinyin compared character by character (古田… gu before 国有… guo, which
    comparing whole strings puts first: "guoyou" < "gutian"), the name breaking ties.
    `syllables`: `pinyin_syllables(name)` when already known."""
    return (tuple(pinyin_syllables(name) if syllables is None else syllables), name)


def agency_order(names: Iterable[str]) -> dict[str, int]:
    """Each name's position in `agency_key` order (a column pandas can sort by)."""
    return {n: i for i, n in enumerate(sorted(set(names), key=agency_key))}
