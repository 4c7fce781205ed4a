"""The official template aligned to a published page: headings and labels as offices print them.

Real pages differ from the template (`format.py`, `format2019.py`) by spaces inside labels
(`社会公益 组织`, `三、本年度办 理结果`), a character inserted, dropped or changed (`钩稽关系`,
`行政法复议`, `先行有效件数`), reworded or renumbered headings (`五、存在的主要问题及改进措施`,
`七、其他需要报告的事项` in a seven-part layout) and extra sections (`五、信息处理费收取情况`).
`align_page` finds the template's headings (`headings.page_headings`) and row labels in a
page's text in order, by edit distance (`rapidfuzz`), and rewrites each one found as the
template prints it, so the readers downstream (`oneline`, `tables`, `cellruns`) see official
labels; the figures between two labels are not touched. `table_scores` says how well each
format's labels fit a table section (the best one reads it).

What is searched for (never retyped here): the section titles of both formats and the known
heading variants (`headings`), the row labels and the notes of every table of both formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .. import format as fmt
from .. import format2019 as f19
from .appendix import appendix_moves, move_tables
from .headings import CANDIDATE, ORDINALS, fee_heading, page_headings
from .labels import MISSING_MARKERS, strip_ordinal
from .oneline import FLAT_MIN
from .squeezed import Squeezed, squeeze

LABEL_SCORE = 86.0  # … a row label with a typo (one or two characters in ten)
LONG_LABEL = 15  # a label this long may be printed three edits off (一 本年新收…申请: 、 数量)
LABEL_WINDOW = 160  # characters searched after the previous label for the next one
ALIGN_MAX = 200_000  # a longer line is no report page: left as it is (bounded time)
# figures, their units and the markers a cell prints for nothing (— / 无)
_FIGURE_CHARS = frozenset("0123456789.,元万个件").union(*MISSING_MARKERS)


@dataclass(frozen=True)
class Replacement:
    start: int  # in the original text
    end: int
    text: str  # what the template prints there
    spaced: bool = True  # set apart from the text around it


# --- what is searched for -----------------------------------------------------------------------


@cache
def table_labels(section: str, format_id: str) -> tuple[str, ...]:
    """Row labels (and the table note) of one table section in one format, in template order."""
    tables = fmt.TABLES if format_id == fmt.FORMAT_ID else f19.TABLES
    out: list[str] = []
    for t in tables:
        if t.section != section:
            continue
        if t.note:
            out.append(t.note)
        for r in t.rows:
            if r.group and r.group not in out and section == "二":
                out.append(r.group)
            out.append(r.label)
    return tuple(dict.fromkeys(out))


# --- table labels -------------------------------------------------------------------------------


def _find_label(label: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where `label` (or a spelling one or two edits off) first occurs in text[start:end]."""
    window = text[start:end]
    label = squeeze(label)
    at = window.find(label)
    if at >= 0:
        return start + at, start + at + len(label)
    if len(label) < 5:
        return None
    cutoff = LABEL_SCORE if 8 <= len(label) < LONG_LABEL else 80.0
    hit = fuzz.partial_ratio_alignment(label, window, score_cutoff=cutoff)
    if hit is None:
        return None
    a, b = hit.dest_start, hit.dest_end
    limit = 1 if len(label) < 10 else 2 if len(label) < LONG_LABEL else 3
    distance = Levenshtein.distance(label, window[a:b])
    for longer in (b + 1, b + 2):  # a character inserted (其他法律和行政法规禁止公开): the
        # best window may stop short of the label's end and leave 开 behind
        if longer <= len(window) and Levenshtein.distance(label, window[a:longer]) < distance:
            b, distance = longer, Levenshtein.distance(label, window[a:longer])
    a, b, distance = _tight(label, window, a, b, distance)
    if distance > limit:
        return None
    return start + a, start + b


def _tight(label: str, window: str, a: int, b: int, distance: int) -> tuple[int, int, int]:
    """The window [a, b) with the characters before it the label starts with (its 5.), and
    without an edge character the label does not need: one that makes it closer, or a figure
    (a label ends in none, and starts with one only as 1.属于…). The
    best-scored window of `一本年新收…数量` (、 dropped) may reach into the figures after it
    (`…数量5`: a cell taken away) or the header word before it (`他一本年…`)."""
    while a > 0 and (wider := Levenshtein.distance(label, window[a - 1 : b])) < distance:
        a, distance = a - 1, wider  # the window began after the label's 5. (…0000005.要求…)
    while b - a > 1:
        end = Levenshtein.distance(label, window[a : b - 1])
        if end < distance or (end == distance and _figure_edge(window[b - 1], label[-1])):
            b, distance = b - 1, end
            continue
        start = Levenshtein.distance(label, window[a + 1 : b])
        if start < distance or (start == distance and _figure_edge(window[a], label[0])):
            a, distance = a + 1, start
            continue
        return a, b, distance
    return a, b, distance


def _figure_edge(printed: str, template: str) -> bool:
    return printed in _FIGURE_CHARS and template not in _FIGURE_CHARS


CUT_MIN = 8  # characters of a long label a page prints alone, at the least


def _cut_short(label: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """A long label printed cut short, its figures right after (1.申请人无正当理由逾期不补正
    0000000 for 1.…逾期不补正、行政机关不再处理其政府信息公开申请): at least its first two
    fifths as the template prints them, then a figure; the rest of the label is not printed."""
    label = squeeze(label)
    if len(label) < 2 * CUT_MIN:
        return None
    least = max(CUT_MIN, len(label) * 2 // 5)
    at = text.find(label[:least], start, end)
    if at < 0:
        return None
    stop = at + least
    while stop - at < len(label) and stop < len(text) and text[stop] == label[stop - at]:
        stop += 1
    if stop - at == len(label) or stop >= len(text) or not text[stop].isdigit():
        return None  # the whole label (found before, if at all), or no figure after it
    return at, stop


def _unnumbered(label: str, text: str, pos: int, end: int) -> tuple[int, int] | None:
    """A row printed without its ordinal (其他 for 3.其他) right after the previous row's
    figures: only there, a word this short is that row."""
    core = strip_ordinal(squeeze(label))
    if core == squeeze(label):
        return None
    at = pos
    while at < end and text[at] in _FIGURE_CHARS:
        at += 1
        if text.startswith(core, at):
            return at, at + len(core)
    return None  # (checked at each step: a label may start with a marker's 无)


def align_labels(
    text: str, labels: tuple[str, ...], start: int, end: int
) -> tuple[list[tuple[str, int, int]], int]:
    """Template labels found in order in text[start:end]: (label, start, end), and how many."""
    out: list[tuple[str, int, int]] = []
    pos = start
    exact = {squeeze(label) for label in labels}
    for label in labels:
        reach = min(end, pos + LABEL_WINDOW + len(label))
        hit = None
        for form in _numberings(label):
            hit = _find_label(form, text, pos, reach)
            if hit is not None and text[hit[0] : hit[1]] in exact - {squeeze(label)}:
                # one edit off but exactly another label (第二十条第（八）项 for a 第（六）项
                # the page does not print): that label, not a misprint of this one
                hit = None
            hit = hit or _cut_short(form, text, pos, reach)
            if hit is not None:
                break
        if hit is None:
            hit = _unnumbered(label, text, pos, end)
        if hit is None:
            continue
        hit = hit[0], _own_ending(text, hit[1], end)
        out.append((label, *hit))
        pos = hit[1]
    return out, len(out)


_NUMBER = re.compile(r"^(\d+)\.")


def _numberings(label: str) -> tuple[str, ...]:
    """The label, and `(1)属于…` for `1.属于…`: a page may number sub-rows that way."""
    m = _NUMBER.match(label)
    return (label,) if m is None else (label, f"({m[1]}){label[m.end() :]}")


# 结转下年度继续办理的000000. A cell's marker (无, 空) or a Chinese numeral is a cell, not an
# ending (taking it would shift the row's figures one cell left); a figure with its unit after
# it is prose (行政复议案件1起)
_NOT_ENDING = "".join(
    sorted(m for m in MISSING_MARKERS if len(m) == 1 and "\u4e00" <= m <= "\u9fff")
)
_ENDING = re.compile(
    rf"(?:(?![{_NOT_ENDING}〇零一二两三四五六七八九十])[\u4e00-\u9fff]){{1,2}}(?=\d)"
    r"(?!\d+(?:\.\d+)?\s*(?:件|起|宗|条|人次|次|项)(?!\d))"
)


def _own_ending(text: str, b: int, end: int) -> int:
    """Where a label found ends, with one or two characters the page adds to it before its
    figures (…继续办理的0000000): those belong to no cell."""
    m = _ENDING.match(text, b, end)
    return m.end() if m else b


def table_scores(text: str, section: str) -> dict[str, float]:
    """Per format, the share of the section's template labels found in `text` in order."""
    sq = Squeezed(text)
    out: dict[str, float] = {}
    for format_id in (fmt.FORMAT_ID, f19.FORMAT_ID):
        labels = table_labels(section, format_id)
        _, n = align_labels(sq.text, labels, 0, len(sq.text))
        out[format_id] = n / max(1, len(labels))
    return out


# --- the page rewritten ---------------------------------------------------------------------------


def align_page(text: str, *, appendix: bool = True) -> str:
    """`text` with every heading and table label found rewritten as the template prints it
    (see the module doc); an extra 五、信息处理费收取情况 section moved into 六, tables printed
    as an appendix after the last section moved into their sections (`appendix`)."""
    if len(text) > ALIGN_MAX:
        return text
    sq = Squeezed(text)
    heads, strays = page_headings(sq)
    if len([h for h in heads if h[0] != "fee"]) < 2:
        return text
    if appendix and (moves := appendix_moves(sq, heads)):
        return align_page(move_tables(sq, moves), appendix=False)
    reps: list[Replacement] = []
    for a in strays:  # 二、… inside prose: an enumeration, (二) so no reader takes it
        # up to the words after it: a space left there would make them a heading's title
        words = a + 2 if sq.text[a + 1 : a + 2] in ("、", ".") else a + 1
        ob = sq.index[words] if words < len(sq.index) else len(text)
        reps.append(Replacement(sq.index[a], ob, f"（{sq.text[a]}）", spaced=False))
    for i, (key, a, b) in enumerate(heads):
        if key == "fee":
            continue
        title = fmt.section(key).heading
        if key in ("二", "三", "四") and (note := _TABLE_NOTE.match(sq.text, b)):
            b = note.end()  # 三、…情况（有关情况附表）: the heading's, not a line of the table
        oa, ob = sq.span(a, b)
        reps.append(Replacement(oa, ob, title))
        if key in ("二", "三", "四"):
            nxt = next((h[1] for h in heads[i + 1 :]), len(sq.text))
            reps.extend(_label_replacements(sq, key, b, nxt))
    reps.extend(_glued_ordinals(sq))
    out = _apply(text, reps)
    fee = next((h for h in heads if h[0] == "fee"), None)
    if fee is None:
        return out
    return _move_fee(out)


_TABLE_NOTE = re.compile(r"[（(][^（）()]{0,8}表[）)]")  # （有关情况附表）, （附表）


def _label_replacements(sq: Squeezed, section: str, start: int, end: int) -> list[Replacement]:
    best: list[tuple[str, int, int]] = []
    for format_id in (fmt.FORMAT_ID, f19.FORMAT_ID):
        found, _ = align_labels(sq.text, table_labels(section, format_id), start, end)
        if len(found) > len(best):
            best = found
    reps = []
    for label, a, b in best:
        oa, ob = sq.span(a, b)
        if sq.original[oa:ob] != label:
            reps.append(Replacement(oa, ob, label))
    if best:  # the figures after the last row, then prose (a paragraph after the table)
        at = best[-1][2]
        while at < end and sq.text[at] in _FIGURE_CHARS:
            at += 1
        if at < end and not _heading_next(sq.text, at):
            reps.append(_break(sq.original, sq.index[at]))
    return reps


def _glued_ordinals(sq: Squeezed) -> list[Replacement]:
    """A break before each `五、…` printed right after a figure (…0 0 00五、政务公开…): a
    heading the template does not know must not take the table's last figures with it."""
    out = []
    for m in CANDIDATE.finditer(sq.text):
        at = sq.index[m.start()]
        if m.start() and sq.text[m.start() - 1].isdigit() and not sq.original[at - 1].isspace():
            out.append(_break(sq.original, at))
    return out


def _break(text: str, at: int) -> Replacement:
    """A break at `at`: a line break on a page of many lines (a line is read as a whole), a
    space inside a whole page on one line (read as such, cut at every space: `oneline`)."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    if (len(text) if end < 0 else end) - start > FLAT_MIN:
        return Replacement(at, at, "")
    return Replacement(at, at, "\n", spaced=False)


def _heading_next(text: str, at: int) -> bool:
    return bool(CANDIDATE.match(text, at))


def _apply(text: str, reps: list[Replacement]) -> str:
    parts: list[str] = []
    pos = 0
    for r in sorted(reps, key=lambda r: r.start):
        if r.start < pos:
            continue
        parts.append(text[pos : r.start])
        # a label glued to the figures before it keeps a space: 0000000四、政府…
        if r.spaced and parts[-1] and not parts[-1][-1].isspace():
            parts.append(" ")
        parts.append(r.text)
        if r.spaced:
            parts.append(" ")
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


def _move_fee(text: str) -> str:
    """The page with an extra fee section (五、信息处理费收取情况 …) moved into 六."""
    sq = Squeezed(text)
    fee = fee_heading()
    m = re.search(rf"[{ORDINALS}]\s*[、.．]\s*" + r"\s*".join(map(re.escape, fee)), text)
    if m is None:
        return text
    heads = [(h[0], h[1]) for h in page_headings(sq)[0] if h[0] != "fee"]
    after = [sq.index[a] for _, a in heads if sq.index[a] > m.start()]
    stop = min(after) if after else len(text)
    block = fee + " " + text[m.end() : stop].strip()
    rest = text[: m.start()] + text[stop:]
    six = fmt.section("六").heading
    at = rest.find(six)
    if at >= 0:
        at += len(six)
        return rest[:at] + " " + block + " " + rest[at:]
    return rest.rstrip() + " " + six + " " + block


# --- where each row is printed (the cell log's source offset) ---------------------------------


@lru_cache(maxsize=1)
def _row_keys() -> dict[str, tuple[str, str]]:
    """Squeezed row label → (table key, row key), both formats."""
    out: dict[str, tuple[str, str]] = {}
    for t in (*fmt.TABLES, *f19.TABLES):
        for r in t.rows:
            out.setdefault(squeeze(r.label), (t.key, r.key))
    return out


def row_columns(line: str) -> dict[tuple[str, str], int]:
    """(table key, row key) → the 1-based column where the row's label starts in `line` (a
    page on one line), as the alignment finds it; rows not found are left out."""
    if len(line) > ALIGN_MAX:
        return {}
    sq = Squeezed(line)
    heads, _ = page_headings(sq)
    keys = _row_keys()
    out: dict[tuple[str, str], int] = {}
    for i, (key, _a, b) in enumerate(heads):
        if key not in ("二", "三", "四"):
            continue
        nxt = next((h[1] for h in heads[i + 1 :]), len(sq.text))
        best: list[tuple[str, int, int]] = []
        for format_id in (fmt.FORMAT_ID, f19.FORMAT_ID):
            found, _ = align_labels(sq.text, table_labels(key, format_id), b, nxt)
            best = found if len(found) > len(best) else best
        for label, a, _end in best:
            where = keys.get(squeeze(label))
            if where is not None:
                out.setdefault(where, sq.index[a] + 1)
    return out
