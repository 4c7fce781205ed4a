"""Variations of a report page's structure, as other pages of the same site plausibly print it
(issue 15, brief i15lay): numbering forms, reworded headings, table notes, titles and header
metadata, the tables as an appendix after 六, header words in another order or spaced.

Picked up by `bench_corpus_mutate.py` (`MUTATIONS`, `LOST`); each function takes the crawler's
header lines and the body (one line) and returns the varied page, or None where the variation
does not apply to that page. None of them takes a figure off the page (`LOST` is empty).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from variation_tools import Page

from disclosure_lib import format as fmt

_KEYS = "一二三四五六"


_LISTED = re.compile(r"本报告分为.{0,200}?六个部分")


def _heading_spans(body: str) -> dict[str, tuple[int, int]] | None:
    """Where each official section heading (一、总体情况 … 六、其他需要报告的事项) is printed,
    in order; None unless all of 二, 三, 四 are found."""
    out: dict[str, tuple[int, int]] = {}
    listed = _LISTED.search(body)  # the parts named in the preamble (`toc`) are not headings
    pos = listed.end() if listed else 0
    for key in _KEYS:
        h = fmt.section(key).heading
        at = body.find(h, pos)
        if at < 0:
            continue
        out[key] = (at, at + len(h))
        pos = at + len(h)
    return out if all(k in out for k in "二三四") else None


def _renumber(body: str, spans: dict[str, tuple[int, int]], form: str) -> str:
    """Each heading's `X、` printed as `X` + form."""
    for _, (a, _b) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        body = body[: a + 1] + form + body[a + 2 :]
    return body


def sec_dot(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Section numbering `一．` / `一.` / `一 ` (a space) / none (`一总体情况`) for `一、`, the
    same on the whole page."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    return head, _renumber(body, spans, rnd.choice(("．", ".", " ", "")))


def sec_space(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """A space after the numbering: `二、 主动公开政府信息情况`."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    return head, _renumber(body, spans, rnd.choice(("、 ", "、\u3000", "． ")))


_PAREN = re.compile(r"（([一二三四五六七八九十]{1,2})）")


def paren_half(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Half-width `(一)` for `（一）` all over the page (rows of 三, sub-headings)."""
    out = _PAREN.sub(r"(\1)", body)
    return None if out == body else (head, out)


def _table_span(body: str) -> tuple[int, int] | None:
    spans = _heading_spans(body)
    if spans is None:
        return None
    end = spans["五"][0] if "五" in spans else len(body)
    return spans["二"][0], end


_ROW_DOT = re.compile(r"(?<=\d)\.(?=[\u4e00-\u9fff])")


def row_ordinal(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """`1．` or `1、` for `1.` in 三's rows (`1．属于国家秘密`)."""
    span = _table_span(body)
    if span is None:
        return None
    a, b = span
    mark = rnd.choice(("．", "、"))
    out = body[:a] + _ROW_DOT.sub(mark, body[a:b]) + body[b:]
    return None if out == body else (head, out)


FOUR_2019 = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"


def heading_words(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Headings reworded within what offices write: 一、基本情况 / 一、概述, 三 with （单位：件）,
    四 as FORMAT.md's 2019 wording (因政府信息公开工作被申请行政复议、提起行政诉讼情况)."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    new = {
        "一": rnd.choice(("一、基本情况", "一、概述", "一、总体概况")),
        "三": fmt.section("三").heading + rnd.choice(("（单位：件）", "(单位：件)")),
        "四": FOUR_2019,
    }
    out = body
    for key, (a, b) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        if key in new:
            out = out[:a] + new[key] + out[b:]
    return head, out


def unit_note(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """`单位：件` / `（单位：件）` before the tables of 三 and 四 (after the heading)."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    unit = rnd.choice(("单位：件", "（单位：件）", "单位:件 "))
    out = body
    for key in "四三":
        b = spans[key][1]
        out = out[:b] + unit + out[b:]
    return head, out


_NOTE = re.compile(r"[（(]本列数据的[勾钩]稽关系为[^）)]*[）)]")


def no_note(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """三 without its 勾稽关系 note."""
    m = _NOTE.search(body)
    return None if m is None else (head, body[: m.start()] + body[m.end() :])


def note_after(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The 勾稽关系 note printed after 三's table (before 四's heading), not before it."""
    m = _NOTE.search(body)
    spans = _heading_spans(body)
    if m is None or spans is None or not spans["三"][0] < m.start() < spans["四"][0]:
        return None
    four = spans["四"][0]
    note = m.group(0)
    return head, body[: m.start()] + body[m.end() : four] + note + body[four:]


# --- titles and header metadata -------------------------------------------------------------

_TITLE = re.compile(r"^(?P<agency>.+?)\s*(?:关于)?\s*(?P<year>\d{4})(?P<rest>年度?政府信息公开.*)$")


def _title(head: list[str]) -> re.Match[str] | None:
    return _TITLE.match(head[0].removeprefix("标题:").strip())


def _set(head: list[str], prefix: str, value: str) -> list[str]:
    return [f"{prefix} {value}".rstrip() if x.startswith(prefix) else x for x in head]


def title_empty(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The crawler's 标题 empty; the 本地目录 path still names the report."""
    if not head[0].startswith("标题:"):
        return None
    return _set(head, "标题:", ""), body


def title_body(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """标题 empty and 本地目录 without the title: the body's first line, the title, decides."""
    m = _title(head)
    if m is None:
        return None
    title = head[0].removeprefix("标题:").strip()
    new = _set(_set(head, "标题:", ""), "本地目录:", "zwgk/zfxxgk/zfxxgknb/202401/86001")
    return new, body if body.startswith(title) else title + " " + body


def title_noyear(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The header's title (and 本地目录) without the year: the body or the period decides."""
    m = _title(head)
    if m is None:
        return None
    title = f"{m['agency']}政府信息公开工作年度报告"
    old = head[0].removeprefix("标题:").strip()
    new = [x.replace(old, title) for x in _set(head, "标题:", title)]
    return new, body


def title_forms(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The title as offices print it: a space before the year, `年度` twice, 年 for 年度 —
    in the header and where the body repeats it."""
    m = _title(head)
    if m is None:
        return None
    old = head[0].removeprefix("标题:").strip()
    agency, year = m["agency"], m["year"]
    title = rnd.choice(
        (
            f"{agency} {year}年度政府信息公开工作年度报告",
            f"{agency}{year}年度政府信息公开年度工作报告",
            f"{agency}{year}年政府信息公开年度报告",
            f"{agency}{year}年度 政府信息公开工作年度报告",
            f"{year}年{agency}政府信息公开工作年度报告",
            f"{agency}政府信息公开工作年度报告（{year}年度）",
            f"{agency}{year}年度政府信息公开工作年度报告_平潭综合实验区政府门户网站",
            f"{agency}关于公布{year}年度政府信息公开工作年度报告的通知",
            f"{agency}{_chinese_year(year)}年度政府信息公开工作年度报告",
            f"{agency.replace('实验区', '实验区 ', 1)}{year}年度政府信息公开工作年度报告",
        )
    )
    return [x.replace(old, title) for x in head], body.replace(old, title, 1)


def _chinese_year(year: str) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in year)


def publisher(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """发布机构 empty or `桌面`, 发布时间 the same year as the data or two years later."""
    m = _title(head)
    if m is None:
        return None
    year = int(m["year"]) + rnd.choice((0, 2))
    out = _set(head, "发布机构:", rnd.choice(("", "桌面")))
    return _set(out, "发布时间:", f"{year}-12-30 09:00"), body


def title_next_year(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The title names the publishing year while the tables are the year before (as
    lwtj-2022's body does): the statistics period says the data year."""
    m = _title(head)
    period = re.search(r"(\d{4})年1月1日(?:起)?至\1年12月31日", body)
    if m is None or period is None or period[1] != m["year"]:
        return None
    old = head[0].removeprefix("标题:").strip()
    title = f"{m['agency']}{int(m['year']) + 1}{m['rest']}"
    return [x.replace(old, title) for x in head], body.replace(old, title, 1)


# --- the tables as an appendix ------------------------------------------------------------------

_TABLE_START = {"二": re.compile(r"第二十条"), "三": re.compile(r"[（(]本列数据|申请人情况")}
_TABLE_START["四"] = re.compile(r"行政\s*复议\s*(?:行政\s*诉讼|结果)")
_PROSE_AFTER = re.compile(r"[（(][一二三四五六七八九]+[）)](?!项)")  # 二's prose after its table


def appendix(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The tables printed after 六 (`附表：` / `附件：`), each under its title (附表1 主动公开
    政府信息情况); sections 二–四 keep their prose with a sentence pointing to the table."""
    spans = _heading_spans(body)
    if spans is None or "五" not in spans or "六" not in spans:
        return None
    tables: list[str] = []
    out = body
    for n, key in reversed(list(enumerate("二三四", start=1))):
        b = spans[key][1]
        nxt = spans[_KEYS[_KEYS.index(key) + 1]][0]
        start = _TABLE_START[key].search(body, b, nxt)
        if start is None:
            return None
        end = nxt
        if key == "二" and (prose := _PROSE_AFTER.search(body, start.end(), nxt)):
            end = prose.start()
        table = body[start.start() : end].strip()
        tables.insert(0, f"附表{n} {fmt.section(key).title} {table}")
        pointer = f"{fmt.section(key).title}详见附表{n}。"
        out = out[: start.start()] + pointer + out[end:]
    word = rnd.choice(("附表：", "附件："))
    return head, out.rstrip() + " " + word + " " + " ".join(tables)


# --- header words -------------------------------------------------------------------------------

_FOUR_HEAD_OFFICIAL = (
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
)
_RESULTS = "结果维持结果纠正其他结果尚未审结总计"
_R = "结果维持 结果纠正 其他结果 尚未审结 总计"
_R_SPACED = "结果 维持 结果 纠正 其他 结果 尚未 审结 总计"
_FOUR_HEAD_ALT = (
    f"行政复议 {_R} 行政诉讼 未经复议直接起诉 {_R} 复议后起诉 {_R}",
    f"行政 复议 行政 诉讼 {_R_SPACED} 未经复议 直接起诉 复议后 起诉 {_R_SPACED} {_R_SPACED}",
)
_THREE_HEAD_OFFICIAL = (
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
_THREE_HEAD_ALT = (
    "申请人情况 自然人 法人或其他组织 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",
    "申请人 情况 自然人 法人或 其他组织 总计 商业 企业 科研 机构 社会公益 组织 法律服务 机构 其他",
)


def header_words(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """三's and 四's header words in the other order a flattened table gives (the column
    groups' words first, or last) or spaced (`行政复议 行政诉讼`, `结果 维持`, `申请人 情况`)."""
    out = body
    four = out.find(_FOUR_HEAD_OFFICIAL)
    if four >= 0:
        end = four + len(_FOUR_HEAD_OFFICIAL)
        while out.startswith(_RESULTS, end):  # the two 诉讼 groups' header words
            end += len(_RESULTS)
        out = out[:four] + " " + rnd.choice(_FOUR_HEAD_ALT) + " " + out[end:]
    three = out.find(_THREE_HEAD_OFFICIAL)
    if three >= 0:
        end = three + len(_THREE_HEAD_OFFICIAL)
        out = out[:three] + " " + rnd.choice(_THREE_HEAD_ALT) + " " + out[end:]
    return None if out == body else (head, out)


_REWORDED = {
    "二": (
        "二、主动公开政府信息的情况",
        "二、政府信息主动公开情况",
        "二、主动公开政府信息情况统计",
    ),
    "三": (
        "三、收到和处理政府信息公开申请的情况",
        "三、依申请公开政府信息情况",
        "三、收到和处理政府信息公开申请情况统计",
    ),
    "四": (
        "四、政府信息公开行政复议和行政诉讼情况",
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "四、政府信息公开行政复议、行政诉讼情况统计",
    ),
    "五": ("五、政府信息公开工作存在的主要问题及改进情况", "五、存在的问题及改进措施"),
}


def heading_reworded(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """二–五 in other wordings offices use (…的情况, 依申请公开…, …统计, 因政府信息公开申请
    行政复议、提起行政诉讼的情况, 政府信息公开工作存在的主要问题…), one picked per section."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    out = body
    for key, (a, b) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        if key in _REWORDED:
            out = out[:a] + rnd.choice(_REWORDED[key]) + out[b:]
    return head, out


def heading_colon(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Each section heading followed by a colon (`二、主动公开政府信息情况：`)."""
    spans = _heading_spans(body)
    if spans is None:
        return None
    colon = rnd.choice(("：", ":", "。"))
    out = body
    for _, (_a, b) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        out = out[:b] + colon + out[b:]
    return head, out


_CAPTION = {"二": "主动公开政府信息情况统计表", "三": "收到和处理政府信息公开申请情况统计表"}
_CAPTION["四"] = "政府信息公开行政复议、行政诉讼情况统计表"


def captions(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """A caption before each table (`表1 主动公开政府信息情况统计表`, `附表2：…`, `（一）…`,
    the table a sub-section of its own), the way a Word table's title is printed above it."""
    out = body
    form = rnd.choice(("表{n} ", "表{n}：", "附表{n} ", "（表{n}）", "（一）", "1.", "（{n}）"))
    for n, key in enumerate("二三四", start=1):
        spans = _heading_spans(out)
        start = None if spans is None else _TABLE_START[key].search(out, spans[key][1])
        if start is None:
            return None
        caption = form.format(n=n) + _CAPTION[key] + " "
        out = out[: start.start()] + caption + out[start.start() :]
    return head, out


_ROW_ORDINAL = re.compile(r"([一二三四])、(?=本年新收|上年结转|本年度办理|结转下年度)")


def row_numbering(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """三's rows numbered as the page numbers its sections: `一．本年新收…` / `一.` / `一 `,
    and `（1）` for `1.` in the sub-rows."""
    out = _ROW_ORDINAL.sub(lambda m: m[1] + rnd.choice(("．", ".", " ")), body)
    span = _table_span(out)
    if span is not None and rnd.random() < 0.5:
        a, b = span
        out = out[:a] + re.sub(r"(?<=\D)(\d)\.(?=[\u4e00-\u9fff])", r"（\1）", out[a:b]) + out[b:]
    return None if out == body else (head, out)


# row labels as offices shorten or punctuate them (each applied with probability 1/2)
_ROW_WORDS = (
    ("（区分处理的，只计这一情形，不计其他情形）", ("", "(区分处理的,只计这一情形,不计其他情形)")),
    ("其他法律行政法规禁止公开", ("其他法律、行政法规禁止公开",)),
    ("危及“三安全一稳定”", ("危及‘三安全一稳定’", "危及三安全一稳定", '危及"三安全一稳定"')),
    ("、行政机关不再处理其政府信息公开申请", ("", "，行政机关不再处理其政府信息公开申请")),
    ("本年新收政府信息公开申请数量", ("本年新收政府信息公开申请",)),
    ("上年结转政府信息公开申请数量", ("上年结转政府信息公开申请",)),
    ("要求行政机关确认或重新出具已获取信息", ("要求行政机关确认或者重新出具已获取信息",)),
    ("本年收费金额（单位：万元）", ("本年收费金额(万元)", "本年收费金额（万元）")),
    ("法人或其他组织", ("法人或者其他组织", "法人和其他组织")),
    ("（七）总计", ("（七）合计", "（七）总 计")),
    ("四、结转下年度继续办理", ("四、结转下年度继续办理的", "四、结转下一年度继续办理")),
    ("本年度办理结果", ("本年度办理结果情况", "本年办理结果")),
    ("（四）无法提供", ("（四）无法提供的",)),
)


def row_labels(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Row labels and headers as offices shorten or punctuate them: 部分公开 without its
    parenthesis, 其他法律、行政法规禁止公开, 危及三安全一稳定 with other or no quotes, the
    other-handling rows without their tail, 本年新收政府信息公开申请 without 数量, …"""
    span = _table_span(body)
    if span is None:
        return None
    a, b = span
    table = body[a:b]
    for old, news in _ROW_WORDS:
        if rnd.random() < 0.5:
            table = table.replace(old, rnd.choice(news))
    out = body[:a] + table + body[b:]
    return None if out == body else (head, out)


def toc(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The preamble lists the six parts with their numbers (本报告分为一、总体情况，二、…，
    六、其他需要报告的事项六个部分。) before the first real heading."""
    spans = _heading_spans(body)
    if spans is None or "一" not in spans:
        return None
    sep = rnd.choice(("，", "；", " "))
    parts = sep.join(s.heading for s in fmt.SECTIONS)
    at = spans["一"][0]
    return head, body[:at] + f"本报告分为{parts}六个部分。" + body[at:]


def extra_after_four(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """An extra section after the tables (五、政务公开工作开展情况), 五 and 六 renumbered 六
    and 七 (jspq-2025 prints seven sections)."""
    spans = _heading_spans(body)
    if spans is None or "五" not in spans:
        return None
    out = body
    for key, nxt in (("六", "七"), ("五", "六")):
        if key in spans:
            a = spans[key][0]
            out = out[:a] + nxt + out[a + 1 :]
    a = spans["五"][0]
    extra = "五、政务公开工作开展情况 围绕年度工作要点，推进政务公开标准化规范化建设。"
    return head, out[:a] + extra + out[a:]


def no_five_six(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """No 五 and 六 headings: 四's table is followed by the text of both, as a short report
    that ends after its tables prints it."""
    spans = _heading_spans(body)
    if spans is None or "五" not in spans or re.search(r"附[表件][：:]", body):
        return None  # (an appendix is printed after 六: no page has one without 五 and 六)
    out = body
    for key in "六五":
        if key in spans:
            a, b = spans[key]
            out = out[:a] + " " + out[b:]
    return head, out


def source_chrome(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The article page's own line before the body: the title again, 来源, 发布时间, 浏览次数."""
    m = _title(head)
    if m is None:
        return None
    title = head[0].removeprefix("标题:").strip()
    line = (
        f"{title} 来源：{m['agency']} 发布时间：{m['year']}-12-31 浏览次数：128 【字体：大 中 小】 "
    )
    return head, line + body


Mutation = Callable[[list[str], str, random.Random, Any], Page | None]
MUTATIONS: dict[str, Mutation] = {
    "sec-dot": sec_dot,
    "sec-space": sec_space,
    "paren-half": paren_half,
    "row-ordinal": row_ordinal,
    "heading-words": heading_words,
    "unit-note": unit_note,
    "no-note": no_note,
    "note-after": note_after,
    "title-empty": title_empty,
    "title-body": title_body,
    "title-noyear": title_noyear,
    "title-forms": title_forms,
    "publisher": publisher,
    "title-next-year": title_next_year,
    "appendix": appendix,
    "header-words": header_words,
    "heading-reworded": heading_reworded,
    "heading-colon": heading_colon,
    "captions": captions,
    "row-numbering": row_numbering,
    "toc": toc,
    "extra-after-four": extra_after_four,
    "no-five-six": no_five_six,
    "source-chrome": source_chrome,
    "row-labels": row_labels,
}
LAYOUT = ("sec-dot", "heading-reworded", "unit-note", "note-after", "captions", "header-words")
LAYOUT += ("row-numbering", "paren-half", "title-forms", "publisher", "appendix", "toc")
LAYOUT += ("heading-colon", "source-chrome", "extra-after-four")


def layout(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Every variation of `LAYOUT` that applies, one after the other."""
    page: Page = (head, body)
    applied = 0
    for name in LAYOUT:
        out = MUTATIONS[name](list(page[0]), page[1], rnd, base)
        if out is not None:
            page, applied = out, applied + 1
    return page if applied > 1 else None


MUTATIONS["layout"] = layout


def everything(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The runner's `combined` (spaces in labels, uneven spaces, typos, chrome, a cover letter,
    money in 元, …) after `layout`: how the two kinds of variation meet on one page."""
    import bench_corpus_mutate as runner  # the runner's own variations (it imports this module)

    page = layout(head, body, rnd, base)
    if page is None:
        return None
    return runner.combined(list(page[0]), page[1], rnd, base) or page


MUTATIONS["everything"] = everything
# of the runner's variations, those that keep every figure on the page and its one line
STACKED = ("headings", "chrome", "label-spaces", "uneven-spaces", "normative", "typos")
STACKED += ("fee-as-five", "seven-sections", "cover-letter", "money-yuan", "plans")


def stack(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Five variations drawn at random from this module's and the runner's (`STACKED`),
    applied in a random order: combinations no fixed list tries."""
    import bench_corpus_mutate as runner

    names = [n for n in (*MUTATIONS, *STACKED) if n not in _NOT_STACKED and n[:5] != "stack"]
    page: Page = (head, body)
    applied = 0
    for name in rnd.sample(names, 5):
        mutate = MUTATIONS.get(name) or runner.MUTATIONS[name]
        out = mutate(list(page[0]), page[1], rnd, base)
        if out is not None:
            page, applied = out, applied + 1
    return page if applied else None


_NOT_STACKED = frozenset({"layout", "everything", "stack", "title-next-year"})
MUTATIONS["stack"] = stack
for _n in range(2, 6):  # the same with other draws (the runner seeds by name)
    MUTATIONS[f"stack-{_n}"] = stack
LOST: dict[str, Callable[[tuple[str, str, str]], bool]] = {}
