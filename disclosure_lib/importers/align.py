"""The official template aligned to a published page: headings and labels as offices print them.

Real pages differ from the template (`format.py`, `format2019.py`) by spaces inside labels
(`社会公益 组织`, `三、本年度办 理结果`), a character inserted, dropped or changed (`钩稽关系`,
`行政法复议`, `先行有效件数`), reworded or renumbered headings (`五、存在的主要问题及改进措施`,
`七、其他需要报告的事项` in a seven-part layout) and extra sections (`五、信息处理费收取情况`).
`align_page` finds the template's headings and row labels in a page's text in order, by
edit distance (`rapidfuzz`), and rewrites each one found as the template prints it, so the
readers downstream (`oneline`, `tables`, `cellruns`) see official labels; the figures between
two labels are not touched. `table_scores` says how well each format's labels fit a table
section (the best one reads it).

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
from .headings import EXTRA_HEADINGS
from .labels import strip_ordinal
from .squeezed import Squeezed, squeeze

ORDINALS = "一二三四五六七八九"
SECTION_KEYS = "一二三四五六"
HEADING_SCORE = 84.0  # rapidfuzz ratio (0–100) a printed heading needs against a template one
LABEL_SCORE = 86.0  # … a row label with a typo (one or two characters in ten)
LABEL_WINDOW = 160  # characters searched after the previous label for the next one
ALIGN_MAX = 200_000  # a longer line is no report page: left as it is (bounded time)
MAX_CANDIDATES = 400  # ordinals (一、…) looked at as possible headings on one page
_CANDIDATE = re.compile(rf"([{ORDINALS}])\s*[、.．]")
_FIGURE_CHARS = frozenset("0123456789.,/-—元万个件")
# a heading's own words, as real reports vary them: (section, words that must follow the
# ordinal in this order within a short span); the template's titles are tried first
_HEADING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("二", ("主动公开", "情况")),  # 二、政府信息主动公开情况
    ("三", ("申请", "情况")),  # 三、依申请公开政府信息情况
    ("四", ("复议", "诉讼")),
    ("五", ("存在", "问题")),
    ("六", ("其他", "事项")),
)
_WORDS_SPAN = 16


@dataclass(frozen=True)
class Replacement:
    start: int  # in the original text
    end: int
    text: str  # what the template prints there
    spaced: bool = True  # set apart from the text around it


# --- what is searched for -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _heading_forms() -> tuple[tuple[str, str], ...]:
    """(section key, title without its ordinal) for both formats and the known variants."""
    out = [(s.key, s.title) for s in fmt.SECTIONS]
    for h in (*EXTRA_HEADINGS, *f19.SECTION_HEADINGS):
        out.append((h[0], h[2:]))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _ordinal_rows() -> tuple[str, ...]:
    """Row labels of 三 that start like a heading (一、本年新收…, 四、结转下年度继续办理)."""
    return tuple(r.label for r in fmt.APPLICATIONS.rows if r.label[:1] in ORDINALS)


@lru_cache(maxsize=1)
def _fee_heading() -> str:
    """六's sub-heading for the fee: some pages print it as a section of its own."""
    return next(h for h in fmt.section("六").subheadings if "信息处理费" in h)


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


# --- headings -----------------------------------------------------------------------------------


def _best_prefix(form: str, text: str) -> tuple[float, int]:
    """How well `text` starts with `form` (0–100, by edits), and the length of that prefix
    (the longer one on a tie: 及改进措施 is a changed ending, not a shorter heading)."""
    best, best_len = 0.0, 0
    n = len(form)
    form = squeeze(form)
    for length in range(max(1, n - 3), min(len(text), n + 3) + 1):
        score = 100 * Levenshtein.normalized_similarity(form, text[:length])
        if score >= best:
            best, best_len = score, length
    return best, best_len


def _heading_at(text: str, pos: int) -> tuple[str | None, int, float]:
    """(section, length of the heading's title, score) for the words after an ordinal."""
    following = text[pos : pos + 40]
    for label in _ordinal_rows():  # 三、本年度办理结果 is a row of table 三, not a heading
        if _best_prefix(label[2:], following)[0] >= HEADING_SCORE:
            return None, 0, 0.0
    best: tuple[str | None, int, float] = (None, 0, 0.0)
    for key, form in _heading_forms():
        score, length = _best_prefix(form, following)
        if score > best[2]:
            best = (key, length, score)
    if best[2] >= HEADING_SCORE:
        return best
    fee = _fee_heading()
    if following.startswith(fee):
        return "fee", len(fee), 100.0
    for key, words in _HEADING_WORDS:
        at = 0
        for w in words:
            at = following.find(w, at, _WORDS_SPAN + len(w))
            if at < 0:
                break
            at += len(w)
        else:
            end = at
            while end < len(following) and following[end] not in "0123456789，,。；;：:（(":
                end += 1
                if end - at > 8:
                    break
            return key, min(end, 30), HEADING_SCORE
    return None, 0, best[2]


@lru_cache(maxsize=1)
def _bare_ordinal() -> re.Pattern[str]:
    """An ordinal printed with no mark before a heading's first words (一总体情况)."""
    starts = {squeeze(form)[:4] for _, form in _heading_forms()}
    alts = "|".join(re.escape(x) for x in sorted(starts))
    return re.compile(rf"[{ORDINALS}](?=(?:{alts}))")


def _ordinals(sq: Squeezed) -> list[tuple[int, int]]:
    """(start, where the title starts) of each ordinal that may open a heading: `一、` `一.`
    `一．`, `一` then a space in the page (`一 总体情况`), or `一` glued to a heading's words."""
    out = {m.start(): m.end() for m in _CANDIDATE.finditer(sq.text)}
    for m in _bare_ordinal().finditer(sq.text):
        out.setdefault(m.start(), m.end())
    for i, ch in enumerate(sq.text[:-1]):
        if ch in ORDINALS and i not in out and sq.index[i + 1] > sq.index[i] + 1:
            out[i] = i + 1  # whitespace after it in the page
    return sorted(out.items())[:MAX_CANDIDATES]


def _headings(sq: Squeezed) -> tuple[list[tuple[str, int, int]], list[int]]:
    """(section, start, end) in the squeezed text of each section heading, in order, and
    where the others that read like headings start (prose: `二、主动公开…` said in 一). Of every
    place that reads like a heading, the longest run in section order (then the best-scored),
    so a stray `二、主动公开…` in 一's prose does not hide the real headings after it."""
    cands: list[tuple[int, float, int, int]] = []  # (section index, score, start, end)
    fees: list[tuple[str, int, int]] = []
    for start, after in _ordinals(sq):
        key, length, score = _heading_at(sq.text, after)
        if key == "fee":
            fees.append(("fee", start, after + length))
        elif key is not None:
            cands.append((SECTION_KEYS.index(key), score, start, after + length))
    cands, listed = _not_listed(cands)
    # best[i]: (count, total score, previous) of the best increasing chain ending at i
    best: list[tuple[int, float, int]] = []
    for i, (index, score, _, _) in enumerate(cands):
        top = (1, score, -1)
        for j in range(i):
            if cands[j][0] < index:
                n, total, _ = best[j]
                if (n + 1, total + score) >= top[:2]:  # a tie: the later one, next to what follows
                    top = (n + 1, total + score, j)
        best.append(top)
    chain: list[tuple[str, int, int]] = []
    at = max(range(len(best)), key=lambda i: (*best[i][:2], i), default=-1)
    while at >= 0:
        index, _, a, b = cands[at]
        chain.append((SECTION_KEYS[index], a, b))
        at = best[at][2]
    taken = {a for _, a, _ in chain}
    strays = [a for _, _, a, _ in cands if a not in taken] + listed
    if chain and chain[-1][0] == "二":  # chain is last-first: 二 opens it, no 一 found
        one = _section_one(sq.text, chain[-1][1])
        if one is not None:
            chain.append(("一", *one))
            strays = [a for a in strays if a != one[0]]
    return sorted([*reversed(chain), *fees], key=lambda h: h[1]), strays


LIST_GAP = 2  # characters (，；) between two headings named in a list, not printed as such
LIST_MIN = 3


def _not_listed(
    cands: list[tuple[int, float, int, int]],
) -> tuple[list[tuple[int, float, int, int]], list[int]]:
    """The candidates without those named one after the other in a sentence (本报告分为一、
    总体情况，二、主动公开政府信息情况，…六个部分), and where those start: three or more with
    nothing between them are a list of the parts, not headings (a heading has its text)."""
    runs: list[list[int]] = []
    for i, c in enumerate(cands):
        if runs and c[2] - cands[runs[-1][-1]][3] <= LIST_GAP and c[0] > cands[i - 1][0]:
            runs[-1].append(i)
        else:
            runs.append([i])
    listed = {i for run in runs if len(run) >= LIST_MIN for i in run}
    kept = [c for i, c in enumerate(cands) if i not in listed]
    return kept, [cands[i][2] for i in sorted(listed)]


_ONE_TITLE = re.compile(r"一[、.．]?" + fmt.section("一").title)
_ONE = re.compile(r"一[、.．]")
_ONE_END = re.compile(r"[（(\d，,。；;：:]")
ONE_TITLE_MAX = 16  # a reworded 一 heading (一、年度工作核心成效) is short


def _section_one(text: str, before: int) -> tuple[int, int] | None:
    """一's heading when the template's form of it is not found before 二 (at `before`):
    `一总体情况` without its 、, or the first `一、` heading reworded (一、年度工作核心成效), which
    ends where its text starts (（一）, a figure or punctuation)."""
    m = _ONE_TITLE.search(text, 0, before)
    if m is not None:
        return m.start(), m.end()
    m = _ONE.search(text, 0, before)
    if m is None:
        return None
    end = _ONE_END.search(text, m.end(), min(before, m.end() + ONE_TITLE_MAX + 1))
    if end is None or end.start() - m.end() < 2:
        return None
    return m.start(), end.start()


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
    cutoff = LABEL_SCORE if len(label) >= 8 else 80.0
    hit = fuzz.partial_ratio_alignment(label, window, score_cutoff=cutoff)
    if hit is None:
        return None
    a, b = hit.dest_start, hit.dest_end
    limit = 1 if len(label) < 10 else 2
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
    """The window [a, b) without an edge character the label does not need: one that makes
    it closer, or a figure (a label ends in none, and starts with one only as 1.属于…). The
    best-scored window of `一本年新收…数量` (、 dropped) may reach into the figures after it
    (`…数量5`: a cell taken away) or the header word before it (`他一本年…`)."""
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


def _unnumbered(label: str, text: str, pos: int, end: int) -> tuple[int, int] | None:
    """A row printed without its ordinal (其他 for 3.其他) right after the previous row's
    figures: only there, a word this short is that row."""
    core = strip_ordinal(squeeze(label))
    if core == squeeze(label):
        return None
    at = pos
    while at < end and text[at] in _FIGURE_CHARS:
        at += 1
    if at > pos and text.startswith(core, at):
        return at, at + len(core)
    return None


def align_labels(
    text: str, labels: tuple[str, ...], start: int, end: int
) -> tuple[list[tuple[str, int, int]], int]:
    """Template labels found in order in text[start:end]: (label, start, end), and how many."""
    out: list[tuple[str, int, int]] = []
    pos = start
    exact = {squeeze(label) for label in labels}
    for label in labels:
        hit = _find_label(label, text, pos, min(end, pos + LABEL_WINDOW + len(label)))
        if hit is not None and text[hit[0] : hit[1]] in exact - {squeeze(label)}:
            # one edit off but exactly another label (第二十条第（八）项 for a 第（六）项 the
            # page does not print): that label, not a misprint of this one
            hit = None
        if hit is None:
            hit = _unnumbered(label, text, pos, end)
        if hit is None:
            continue
        out.append((label, *hit))
        pos = hit[1]
    return out, len(out)


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
    heads, strays = _headings(sq)
    if len([h for h in heads if h[0] != "fee"]) < 2:
        return text
    if appendix and (moves := appendix_moves(sq, heads)):
        return align_page(move_tables(sq, moves), appendix=False)
    reps: list[Replacement] = []
    for a in strays:  # 二、… inside prose: an enumeration, (二) so no reader takes it
        oa, ob = sq.span(a, a + 2)
        reps.append(Replacement(oa, ob, f"（{sq.text[a]}）", spaced=False))
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
            reps.append(Replacement(sq.index[at], sq.index[at], ""))
    return reps


def _glued_ordinals(sq: Squeezed) -> list[Replacement]:
    """A space before each `五、…` printed right after a figure (…0 0 00五、政务公开工作…):
    a heading the template does not know must not take the table's last figures with it."""
    out = []
    for m in _CANDIDATE.finditer(sq.text):
        at = sq.index[m.start()]
        if m.start() and sq.text[m.start() - 1].isdigit() and not sq.original[at - 1].isspace():
            out.append(Replacement(at, at, ""))
    return out


def _heading_next(text: str, at: int) -> bool:
    return bool(_CANDIDATE.match(text, at))


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
    fee = _fee_heading()
    m = re.search(rf"[{ORDINALS}]\s*[、.．]\s*" + r"\s*".join(map(re.escape, fee)), text)
    if m is None:
        return text
    heads = [(h[0], h[1]) for h in _headings(sq)[0] if h[0] != "fee"]
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
    heads, _ = _headings(sq)
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
