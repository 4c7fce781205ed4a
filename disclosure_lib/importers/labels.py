"""Label normalisation and matching against the official format.

Published reports spell the official labels in many ways: full- or half-width punctuation
(（一） / (一), 第二十条第(一)项), spaces inside label cells (商业 企业), straight or curly
quotes, 1、 for 1., labels without their ordinal, headings that vary (四、因政府信息公开工作
被申请行政复议…). Everything here compares *normalised* text (`norm`), built from the labels
in `format.py` and `format2019.py`, so the importers never retype a label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from .. import format as fmt
from .. import format2019 as f19

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
# spaces inside labels go; spaces next to figures or blank markers (/ — -) separate cells
_JOIN_WS = re.compile(r"(?<=[^\d\s/—\-－])\s+(?=[^\d\s/—\-－])")
_WS = re.compile(r"\s+")
_ORDINAL_DOT = re.compile(r"(?<=\d)[、．]")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\(\d+\)|\d+[.)])"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
MISSING_MARKERS = frozenset({"", "/", "-", "—", "——", "–", "−", "--", "无", "空", "×", "\\"})


def norm(text: str) -> str:
    """Normalised form for matching: NFKC (full → half width), no quotes, 1、→1., spaces
    removed between non-digits (label cells split by spaces) and collapsed elsewhere (they
    still separate numbers)."""
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    s = _ORDINAL_DOT.sub(".", s)
    s = _JOIN_WS.sub("", s)
    return _WS.sub(" ", s).strip()


def strip_ordinal(key: str) -> str:
    """'(三)不予公开' → '不予公开', '1.属于国家秘密' → '属于国家秘密'."""
    return _ORDINAL.sub("", key, count=1)


def variants(label: str, *, min_core: int = 4) -> set[str]:
    """Normalised spellings of an official label that published reports use."""
    key = norm(label)
    out = {key}
    short = _TRAILING_NOTE.sub("", key)
    if short and short != key and len(strip_ordinal(short)) >= min_core:
        out.add(short)
    for k in list(out):
        core = strip_ordinal(k)
        if core != k and len(core) >= min_core:
            out.add(core)
        m = re.match(r"^(\d+)\.", k)
        if m:  # 1.属于… also printed as (1)属于…
            out.add(f"({m.group(1)}){k[m.end() :]}")
    return out


# --- table label index --------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One piece of a table line: a row label, a header word, a value run or other text."""

    # "row" | "header" | "value" | "missing" | "other" | "break" (a prose line) | "unit" (元)
    kind: str
    text: str
    key: str = ""  # row key for kind == "row"


@dataclass(frozen=True)
class LabelIndex:
    pattern: re.Pattern[str]
    kinds: dict[str, tuple[str, str]]  # normalised variant -> (kind, row key)


def _build_index(rows: dict[str, str], headers: set[str]) -> LabelIndex:
    kinds: dict[str, tuple[str, str]] = {}
    for h in headers:
        for v in variants(h, min_core=99):
            kinds.setdefault(v, ("header", ""))
    for label, key in rows.items():
        for v in variants(label):
            kinds[v] = ("row", key)  # row labels win over header words
    alts = sorted(kinds, key=len, reverse=True)
    return LabelIndex(re.compile("|".join(re.escape(a) for a in alts)), kinds)


@cache
def table_index(section: str) -> LabelIndex:
    """Label index for the table(s) of section 二, 三 or 四 (both formats)."""
    rows: dict[str, str] = {}
    headers: set[str] = set()
    tables = [t for t in (*fmt.TABLES, *f19.TABLES) if t.section == section]
    for t in tables:
        for r in t.rows:
            rows[r.label] = r.key
            if r.group:
                headers.add(r.group)
        for c in t.columns:
            headers.add(c.label)
            if c.group:
                headers.add(c.group)
    headers |= set(SECTION_HEADER_WORDS.get(section, ())) | set(UNIT_WORDS)
    return _build_index(rows, headers)


UNIT_WORDS = (
    "（单位：件）",
    "单位：件",
    "（单位：万元）",
    "单位：万元",
    "（单位：个）",
    "单位：个",
    "（万元）",  # 本年收费金额（万元）: the fee column's unit without 单位：
)
SECTION_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "二": (fmt.PROACTIVE_ROW_HEADER, *fmt.PROACTIVE_ITEMS, *f19.PROACTIVE_ITEMS),
    "三": (
        fmt.APPLICANT_HEADER,
        fmt.LEGAL_PERSONS,
        fmt.APPLICATIONS_NOTE,
        "本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和",
        "商业企业",
        "科研机构",
    ),
    "四": (
        fmt.REVIEW_GROUP_RECONSIDERATION,
        fmt.REVIEW_GROUP_LITIGATION,
        *(r.label for r in fmt.REVIEW.rows),
        *(c.label for c in fmt.REVIEW.columns),
    ),
}

_RUN_SPLIT = re.compile(r"[\s|,;，；]+")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# the units a figure prints after it (3件, 5949.09万元): one list for every importer
UNITS = ("件", "条", "个", "项", "次", "家", "份", "万元", "元")
_UNITS = "|".join(UNITS)


def thousands(sep: str, after: str = r"(?![\d,])") -> str:
    """A figure with thousands separators from the class `sep` (1,234 or 1,234.5), `after`
    the lookahead that ends it. Its first group has no leading 0: 0,100,200 is
    three cells (full-width digits too: pages are cleaned before digits are normalised)."""
    return rf"(?<![\d.])(?<!\d[,，])(?![0０])\d{{1,3}}(?:{sep}\d{{3}})+(?:\.\d+)?{after}"


THOUSANDS = re.compile(thousands(","))
_UNIT = re.compile(rf"(?:{_UNITS})$")
_MINUS = re.compile("\u2212(?=\\d)")
_UNIT_THEN_FIGURE = re.compile(rf"(?<=\d)(?:{_UNITS})(?=\d)")
YUAN = "元"
_YUAN_MARK = re.compile(r"\((?:单位:)?元\)")
MAX_OTHER = 3  # more leftover text than this makes a line prose, not a table line


def tokenize(text: str, section: str) -> tuple[tuple[Token, ...], int]:
    """Tokens of one table line or cell, and how many characters were not understood.
    (Short texts are cached: the same cells — 0, the row labels — recur in every report.)"""
    if len(text) > 512:
        return _tokenize(text, section)
    return _tokenize_cached(text, section)


@lru_cache(maxsize=8192)
def _tokenize_cached(text: str, section: str) -> tuple[tuple[Token, ...], int]:
    return _tokenize(text, section)


def _tokenize(text: str, section: str) -> tuple[tuple[Token, ...], int]:
    s = norm(text)
    idx = table_index(section)
    tokens: list[Token] = []
    other = 0
    pos = 0
    for m in idx.pattern.finditer(s):
        other += _values(s[pos : m.start()], tokens)
        kind, key = idx.kinds[m.group(0)]
        tokens.append(Token(kind, m.group(0), key))
        pos = m.end()
    other += _values(s[pos:], tokens)
    return tuple(tokens), other


def _values(chunk: str, out: list[Token]) -> int:
    """Append value/missing tokens found in `chunk`; return the count of other characters."""
    if not chunk.strip():
        return 0
    # 1,234 / 5,949.09 (a full-width ，is a , here): one figure, not cells split by commas.
    # Text imports had this done by `text.clean_text`; Excel, Word and PDF cells have not
    chunk = THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), chunk)
    chunk = _UNIT_THEN_FIGURE.sub(r"\g<0> ", chunk)  # 3个3443000元: a unit ends its cell
    chunk = _MINUS.sub("-", chunk)  # −11 (U+2212) in 本年增/减: a minus sign, not a marker
    other = 0
    for run in _RUN_SPLIT.split(_YUAN_MARK.sub(" (元) ", chunk)):
        if not run:
            continue
        if run == "(元)":  # 采购总金额（元）: the column's amounts are in 元
            out.append(Token("unit", YUAN))
            continue
        bare = _UNIT.sub("", run)
        if _NUMBER.match(bare):
            # an amount printed in 元 keeps its unit: the table converts it to 万元
            yuan = run.endswith(YUAN) and not run.endswith("万" + YUAN)
            out.append(Token("value", bare + YUAN if yuan else bare))
        elif run in MISSING_MARKERS or set(run) <= {"-", "—", "/", "－"}:
            out.append(Token("missing", run))
        else:
            out.append(Token("other", run))
            other += len(run)
    return other


def is_missing_marker(text: str) -> bool:
    s = norm(text)
    return s in MISSING_MARKERS or (bool(s) and set(s) <= {"-", "—", "/", "－"})
