"""Section headings (一 … 六) as published: recognised when not letter-perfect.

Published headings differ from the official ones (`format.SECTIONS`) by a character inserted,
dropped or changed (情况 / 情况统计, 一、/ 一. / 一 , a typo), by trailing punctuation, or by
wording the 2019 format and real reports use (四、因政府信息公开工作被申请行政复议…).
`section_of_heading` accepts: an official heading (or a known variant) within one edit after
trailing punctuation and a trailing 统计/统计表 are dropped; the title alone (no ordinal); or
an ordinal followed by the section's key words. Prose (a clause with ，。 or digits) and
unrelated headings (二、工作措施) are not headings.
`split_embedded_headings` cuts run-together text at the official headings inside it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .. import format as fmt
from .. import format2019 as f19
from .labels import norm

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
    return re.compile("|".join(re.escape(h) for h in alts))


def count_headings(line: str) -> int:
    """How many official section headings `line` holds."""
    return len(_embedded_heading_re().findall(unicodedata.normalize("NFKC", line)))


def split_embedded_headings(line: str) -> list[str]:
    """Split a run-together line before and after any official section heading inside it
    (…0000000四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼… → three lines)."""
    if "、" not in line[1:] and "." not in line[1:]:
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
