"""Section headings (一 … 六) as published: recognised when not letter-perfect.

Published headings differ from the official ones (`format.SECTIONS`) by a character inserted,
dropped or changed (情况 / 情况统计, 一、/ 一. / 一 , a typo), by trailing punctuation, or by
wording the 2019 format and real reports use (四、因政府信息公开工作被申请行政复议…).
`section_of_heading` accepts: an official heading (or a known variant) within one edit after
trailing punctuation and a trailing 统计/统计表 are dropped; the title alone (no ordinal); or
an ordinal followed by the section's key words. Prose (a clause with ，。 or digits) and
unrelated headings (二、工作措施) are not headings.
`split_embedded_headings` cuts run-together text at the official headings inside it.
`page_headings` finds the headings of a whole page (its spaces taken out, `squeezed`) in
section order by edit distance (`rapidfuzz`): numbered 一、/一./一 /一, reworded, renumbered
(seven sections), not a list of the parts (本报告分为一、总体情况，二、…) — `align` rewrites
each one as the template prints it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .. import format as fmt
from .. import format2019 as f19
from .labels import norm
from .squeezed import Squeezed, squeeze

# key words after the ordinal: real reports' wording of each section
_SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "一": ("总体情况",),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请公开情况", "申请情况"),
    "四": ("行政复议", "行政诉讼"),
    "五": ("存在的主要问题", "主要问题", "改进情况"),
    "六": ("其他需要报告",),
}
EXTRA_HEADINGS = ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",)
HEADING_MAX = 40  # normalised characters; longer lines are prose
_TRAILING = re.compile(r"[\s。．.：:；;，,、!！?？]+$")
_SUFFIX = re.compile(r"(?:统计表|统计|表)$")
_PROSE = re.compile(r"[，,。；;\d]")
_ORDINAL = re.compile(r"^([一二三四五六])[、.]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _forms() -> tuple[tuple[str, str, bool], ...]:
    """(normalised form, section key, has ordinal) for every heading and known variant."""
    out: list[tuple[str, str, bool]] = []
    for s in fmt.SECTIONS:
        out.append((norm(s.heading), s.key, True))
        out.append((norm(s.title), s.key, False))
    for h in (*EXTRA_HEADINGS, *f19.SECTION_HEADINGS):
        key = h[0]
        out.append((norm(h), key, True))
        out.append((norm(h[2:]), key, False))
    return tuple(dict.fromkeys(out))


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one inserted, dropped or changed character."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


@lru_cache(maxsize=8192)
def section_of_heading(line: str) -> str | None:
    """The section key (一…六) if `line` is a section heading, else None."""
    if len(line) > HEADING_MAX * 2 or not _CJK.search(line):
        return None
    key = norm(line)
    if not key or len(key) > HEADING_MAX:
        return None
    core = _TRAILING.sub("", key)
    if not core or _PROSE.search(core.lstrip("一二三四五六、.")):
        return None
    bare = _SUFFIX.sub("", core)
    for candidate in dict.fromkeys((core, bare)):
        for form, section, ordinal in _forms():
            if candidate == form or (
                (ordinal or len(form) >= 8) and within_one_edit(candidate, form)
            ):
                return section
    m = _ORDINAL.match(core)
    if m and any(w in core[m.end() :] for w in _SECTION_WORDS[m.group(1)]):
        return m.group(1)
    return None


@lru_cache(maxsize=1)
def _embedded_heading_re() -> re.Pattern[str]:
    heads = {norm(s.heading) for s in fmt.SECTIONS} | {norm(h) for h in EXTRA_HEADINGS}
    heads |= {norm(h) for h in f19.SECTION_HEADINGS}
    alts = sorted(heads, key=len, reverse=True)
    # the ordinal's mark as pages print it: 、 . ． or none, spaces or not (一、 总体情况)
    mark = r"[、.．]?[ \u3000]*"
    return re.compile("|".join(re.escape(h[0]) + mark + re.escape(h[2:]) for h in alts))


def count_headings(line: str) -> int:
    """How many official section headings `line` holds."""
    return len(_embedded_heading_re().findall(unicodedata.normalize("NFKC", line)))


def split_embedded_headings(line: str) -> list[str]:
    """Split a run-together line before and after any official section heading inside it
    (…0000000四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼… → three lines)."""
    if not any(ch in "一二三四五六" for ch in line):  # no heading can be inside
        return [line]
    nf = unicodedata.normalize("NFKC", line)
    if len(nf) != len(line):  # positions would not line up; leave the line alone
        return [line]
    cuts: list[int] = []
    for m in _embedded_heading_re().finditer(nf):
        if m.start() > 0:
            cuts.append(m.start())
        if re.search(r"\w", nf[m.end() :]):
            cuts.append(m.end())
    if not cuts:
        return [line]
    parts, prev = [], 0
    for c in cuts:
        parts.append(line[prev:c])
        prev = c
    parts.append(line[prev:])
    return [p for p in parts if p.strip()]


# --- the headings of a whole page (`align`) ---------------------------------------------------

ORDINALS = "一二三四五六七八九"
SECTION_KEYS = "一二三四五六"
HEADING_SCORE = 84.0  # rapidfuzz ratio (0–100) a printed heading needs against a template one
MAX_CANDIDATES = 400  # ordinals (一、…) looked at as possible headings on one page
CANDIDATE = re.compile(rf"([{ORDINALS}])\s*[、.．]")
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
def fee_heading() -> str:
    """六's sub-heading for the fee: some pages print it as a section of its own."""
    return next(h for h in fmt.section("六").subheadings if "信息处理费" in h)


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
    fee = fee_heading()
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
    out = {m.start(): m.end() for m in CANDIDATE.finditer(sq.text)}
    for m in _bare_ordinal().finditer(sq.text):
        out.setdefault(m.start(), m.end())
    for i, ch in enumerate(sq.text[:-1]):
        if ch in ORDINALS and i not in out and sq.index[i + 1] > sq.index[i] + 1:
            out[i] = i + 1  # whitespace after it in the page
    return sorted(out.items())[:MAX_CANDIDATES]


def page_headings(sq: Squeezed) -> tuple[list[tuple[str, int, int]], list[int]]:
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
