"""Tables printed as an appendix after the last section (`附表：` / `附件：`, 附表1 主动公开政府
信息情况 …), sections 二–四 holding only prose and a sentence pointing to them (详见附表1).

`appendix_moves` finds, for each of 二, 三, 四 whose own text holds no table, that table in the
text after the appendix mark: from the table's first words (第二十条, 申请人情况, 行政复议 …) to
the next table, the next 附表/附件 title or the end. `align.align_page` moves each one to the end
of its section, so the readers downstream see the tables where the template prints them.
Everything here works on the page with its spaces taken out (`squeezed.Squeezed`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import format as fmt
from .. import format2019 as f19
from .squeezed import Squeezed, squeeze

APPENDIX = re.compile(r"附[表件]")
# words only a table prints: present in a section's own text, that section holds its table
_TABLE_WORDS: dict[str, tuple[str, ...]] = {
    "二": ("信息内容", f19.PROACTIVE_ITEMS[0]),
    "三": (fmt.APPLICANT_HEADER, fmt.APPLICATIONS.rows[0].label),
    "四": ("未经复议直接起诉", "复议后起诉", "结果维持"),
}


@lru_cache(maxsize=1)
def _starts() -> dict[str, re.Pattern[str]]:
    """Per table section, the words its table starts with (the first found opens it)."""
    words = {
        "二": (*fmt.PROACTIVE_ITEMS, *f19.PROACTIVE_ITEMS, fmt.PROACTIVE_ROW_HEADER),
        "三": (fmt.APPLICATIONS_NOTE[:6], fmt.APPLICANT_HEADER, fmt.APPLICATIONS.rows[0].label),
        # the header's words, not 行政复议 alone (a table's title holds it: 附表3 …行政复议…)
        "四": (
            fmt.REVIEW_GROUP_RECONSIDERATION + fmt.REVIEW_GROUP_LITIGATION,
            fmt.REVIEW_GROUP_RECONSIDERATION + fmt.REVIEW.columns[0].label,
            fmt.REVIEW.columns[0].label + fmt.REVIEW.columns[1].label,
        ),
    }
    return {k: re.compile("|".join(re.escape(squeeze(w)) for w in v)) for k, v in words.items()}


def _holds_table(text: str, section: str, start: int, end: int) -> bool:
    return any(text.find(squeeze(w), start, end) >= 0 for w in _TABLE_WORDS[section])


def appendix_moves(
    sq: Squeezed, heads: list[tuple[str, int, int]]
) -> list[tuple[str, int, int, int]]:
    """(section, table start, table end, where it goes) in squeezed positions, for each table
    of 二–四 printed after the last section instead of in its own; [] if none."""
    spans = {}
    for i, (key, _a, b) in enumerate(heads):
        if key in _TABLE_WORDS:
            nxt = next((h[1] for h in heads[i + 1 :]), len(sq.text))
            spans[key] = (b, nxt)
    text = sq.text
    empty = [k for k, (a, b) in spans.items() if not _holds_table(text, k, a, b)]
    last = max((h[2] for h in heads if h[0] != "fee"), default=len(text))
    mark = APPENDIX.search(text, last)
    if not empty or mark is None:
        return []
    found: list[tuple[int, str]] = []
    pos = mark.end()
    for key in empty:  # in section order, each after the one before
        m = _starts()[key].search(text, pos)
        if m is not None:
            found.append((m.start(), key))
            pos = m.end()
    found.sort()
    out = []
    for n, (start, key) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(text)
        title = APPENDIX.search(text, start, stop)  # the next table's title, or 附件下载
        out.append((key, start, title.start() if title else stop, spans[key][1]))
    return out


def move_tables(sq: Squeezed, moves: list[tuple[str, int, int, int]]) -> str:
    """The page with each table of `moves` cut out of the appendix and put at its place."""
    text = sq.original
    events: list[tuple[int, int, str]] = []  # (position, end of a cut or -1, text to insert)
    for _key, a, b, dest in moves:
        oa, ob = sq.span(a, b)
        at = sq.index[dest] if dest < len(sq.index) else len(text)
        events += [(at, -1, f" {text[oa:ob]} "), (oa, ob, "")]
    out, pos = [], 0
    for at, end, insert in sorted(events):
        out.append(text[pos:at])
        out.append(insert)
        pos = max(at, end)
    return "".join([*out, text[pos:]])
