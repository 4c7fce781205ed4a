"""Pages whose whole body is one line: crawler output that lost every line break.

Such a line (often 20,000+ characters) holds the title, the preamble, every heading, the
narrative and the tables, with or without spaces where the page had cell or line breaks:
`…（一）予以公开 130000013（二）部分公开（区分处理的，只计这一情形，不计其他情形） 5200007…`.
It is cut back into lines in three steps, each using only what the format fixes:

1. `explode`: whitespace was a cell or line break; official section headings start lines;
2. `split_note` (table sections): the prose note under a heading ends at the last 。 before
   the table's first header word (第二十条第（一）项, 申请人情况, 结果维持, …);
3. `split_subheadings` (narrative sections): a sub-heading （一）… starts where a sentence
   ends, in sequence （一）（二）…; it runs to its first 情况/举措 or 。, the text follows.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from .. import format as fmt
from .. import format2019 as f19
from .headings import count_headings, split_embedded_headings
from .labels import MAX_OTHER, tokenize

FLAT_MIN = 500  # a line this long holding two or more section headings is a whole page
HEADING_CHARS = 30  # a sub-heading is short
_WS = re.compile(r"\s+")
_ORDINALS = "一二三四五六七八九十"
_MARKER = re.compile(rf"[（(]([{_ORDINALS}]{{1,2}})[）)]")
_SENTENCE_END = "。！？；：!?;:”」"
_HEADING_END = re.compile(r"情况|举措|。")
_NO_HEADING = re.compile(r"[，,；;：:\d]")


def is_flat_page_line(line: str) -> bool:
    """True for a line that holds (most of) a page: long, with several section headings."""
    return len(line) > FLAT_MIN and count_headings(line) >= 2


def page_lines(line: str) -> tuple[list[str], bool]:
    """The lines a text line stands for, and whether it was a whole page on one line."""
    if is_flat_page_line(line):
        return explode(line), True
    return split_embedded_headings(line), False


def explode(line: str) -> list[str]:
    """A whole page on one line → its lines (step 1 of the module doc)."""
    out: list[str] = []
    for chunk in _WS.split(line):
        if chunk:
            out.extend(p for p in split_embedded_headings(chunk) if p)
    return out


# --- table sections: the note, then the table -------------------------------------------------


@lru_cache(maxsize=1)
def _anchors() -> dict[str, re.Pattern[str]]:
    """Per table section, the header words a table starts with (never in a note's prose)."""
    words: dict[str, set[str]] = {
        "二": {*fmt.PROACTIVE_ITEMS, *f19.PROACTIVE_ITEMS, fmt.PROACTIVE_ROW_HEADER},
        "三": {fmt.APPLICANT_HEADER, fmt.APPLICATIONS_NOTE, fmt.APPLICATIONS.rows[0].label},
        "四": {c.label for c in fmt.REVIEW.columns if c.key != "total"},
    }
    words["三"].add(fmt.APPLICATIONS_NOTE.strip("（）"))
    words["四"].add(fmt.REVIEW.rows[1].label)
    return {
        k: re.compile("|".join(re.escape(_nfkc(w)) for w in sorted(v, key=len, reverse=True)))
        for k, v in words.items()
    }


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def split_note(text: str, section: str) -> list[str]:
    """'note。table…' → ['note。', 'table…'] when a table starts after the note's last 。."""
    anchors = _anchors().get(section)
    if anchors is None:
        return [text]
    nf = _nfkc(text)
    if len(nf) != len(text):  # positions would not line up
        nf = text
    m = anchors.search(nf)
    end = nf.rfind("。", 0, m.start() if m else len(nf))
    if end < 0 or end == len(nf) - 1:
        return [text]
    if m is None:  # no header word: split only when what follows the 。 is all table words
        toks, other = tokenize(text[end + 1 :], section)
        if other > MAX_OTHER or not toks:
            return [text]
    head, tail = text[: end + 1].strip(), text[end + 1 :].strip()
    return [p for p in (head, tail) if p]


# --- narrative sections: sub-headings run into their text --------------------------------------


def split_subheadings(text: str) -> list[str]:
    """'lead。（一）标题情况正文…（二）…' → ['lead。', '（一）标题情况', '正文…', '（二）…', …]."""
    cuts: list[int] = []
    expected = 0
    for m in _MARKER.finditer(text):
        number = _ORDINALS.index(m.group(1)[-1]) + 1 + (10 if len(m.group(1)) == 2 else 0)
        start = m.start()
        at_break = start == 0 or text[start - 1] in _SENTENCE_END or text[start - 1].isspace()
        if at_break and number in (expected + 1, 1):
            cuts.append(start)
            expected = number
    if not cuts:
        return [text]
    out: list[str] = []
    bounds = [0, *cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        part = text[a:b].strip()
        if not part:
            continue
        if a in cuts:
            out.extend(_heading_and_text(part))
        else:
            out.append(part)
    return out


def _heading_and_text(part: str) -> list[str]:
    """'（一）政府信息主动公开情况按照…' → ['（一）政府信息主动公开情况', '按照…']."""
    marker = _MARKER.match(part)
    assert marker is not None
    window = part[: HEADING_CHARS + 1]
    m = _HEADING_END.search(window, marker.end())
    if m is None or _NO_HEADING.search(part, marker.end(), m.start()):
        return [part]  # no recognisable heading: the paragraph starts with an enumeration
    cut = m.end()
    while cut < len(part) and part[cut] in "。：:":  # （一）主动公开情况。正文…
        cut += 1
    heading, rest = part[:cut].strip(), part[cut:].strip()
    return [p for p in (heading, rest) if p]
