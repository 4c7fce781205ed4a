"""How narrative prose states figures: Chinese numerals and the `PATTERNS` table.

Each `FigurePattern` is a statement form (a regular expression) and the table cells whose
sum the stated figure must equal; add a statement form here, as data, not as an `if` in
`narrative.py`. `parse_chinese_number` is reused by the importers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import format as fmt

Cell3 = tuple[str, str, str]  # (table key, row key, column key)
Number = int | Decimal

# --- Chinese numerals ---------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def parse_chinese_number(text: str) -> Number:
    """'二十三' → 23, '一百零五' → 105, '两' → 2, '二〇二四' → 2024, '1.5' → Decimal('1.5').

    Accepts Arabic numerals (full-width too, with thousands commas), Chinese numerals with
    units up to 亿, digit-by-digit numerals and 点 decimals. Raises ValueError otherwise.
    """
    s = text.strip().translate(FULLWIDTH).replace(",", "")
    if not s:
        raise ValueError("empty number")
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d+\.\d+", s):
        try:
            return Decimal(s)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
            raise ValueError(text) from None
    if "点" in s:
        whole, _, frac = s.partition("点")
        if not frac or any(ch not in _DIGITS for ch in frac):
            raise ValueError(f"not a number: {text!r}")
        head = _parse_integer(whole) if whole else 0
        return Decimal(f"{head}.{''.join(str(_DIGITS[ch]) for ch in frac)}")
    return _parse_integer(s)


def _parse_integer(s: str) -> int:
    if any(ch not in _DIGITS and ch not in _UNITS and ch not in _BIG for ch in s):
        raise ValueError(f"not a number: {s!r}")
    if len(s) > 1 and all(ch in _DIGITS for ch in s):  # 二〇二四: digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in s))
    for big in ("亿", "万"):
        if big in s:
            high, _, low = s.partition(big)
            if not high:
                raise ValueError(f"not a number: {s!r}")
            return _parse_integer(high) * _BIG[big] + (_parse_integer(low) if low else 0)
    return _below_10000(s)


def _below_10000(s: str) -> int:
    """千/百/十 numerals: units strictly decreasing, one digit before each (十 alone is 10)."""
    total, digit, last_unit = 0, None, 10_000
    for ch in s:
        if ch in _DIGITS:
            if digit is not None and digit != 0 and _DIGITS[ch] != 0:
                raise ValueError(f"not a number: {s!r}")
            digit = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"not a number: {s!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


# --- the pattern table ------------------------------------------------------------------------

_CN = "零〇一二两三四五六七八九十百千万"
NUM = rf"(?P<n>\d+(?:\.\d+)?|[{_CN}]+)"
# Gap between a keyword and its figure: stays in the clause, passes no other number
# and no 各/均 before a figure ("各2件", "均为2件" mean each, not the sum; 各类申请 is a gap),
# nor 分别 (分别为2起、1起: respectively, not read).
GAP_CHAR = rf"(?!分别)(?:[^，。；,;！？\n\d{_CN}各均]|[各均](?![\d{_CN}为是]))"
GAP = rf"{GAP_CHAR}*?"
NEG = "(?:未|没有|无(?!法))"  # 无法提供 is an outcome, not a negation

# Words a slot may hold → the row or column keys they name.
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "docs": {"规章": ("regulations",), "规范性文件": ("normative_documents",)},
    "verbs": {
        "制发": ("issued",),
        "制定": ("issued",),
        "印发": ("issued",),
        "制作": ("issued",),
        "废止": ("repealed",),
    },
    "acts": {"许可": ("licensing",), "处罚": ("penalty",), "强制": ("enforcement",)},
}
# Outcome rows a list before 均为0 may name (部分公开、不予公开均为0件): word → row keys.
_OUTCOMES: dict[str, tuple[str, ...]] = {}
_DOC = r"(?:行政)?(?:规范性文件|规章)"
_DOCS = rf"(?P<docs>{_DOC}(?:[、和及与]{_DOC})*)"
# A slot a form leaves unnamed (现行有效件数424件) takes the words of this pattern that the
# sentence names last before the clause (本年度制发规范性文件34件，…).
CONTEXT: dict[str, re.Pattern[str]] = {"docs": re.compile(_DOC)}
_VERB = r"(?:制发|制定|印发|制作|废止)"  # 制作: the 2019 tables' 本年新制作
_VERBS = rf"(?P<verbs>{_VERB}(?:[、和及与]{_VERB})*)"
_ACTS = r"(?P<acts>行政(?:许可|处罚|强制)(?:[、和及与](?:行政)?(?:许可|处罚|强制))*)"
_NOT_MOTIONS = r"建议|提案|议案|信访"
# A part of the applications received, not all (其中通过网络收到申请2件): a clause opening
# with 其中, or naming a channel without 共/合计.
_PART = r"^\s*其中|^(?!.*(?:共|合计|总)).*(?:网上|网络|信函|当面|邮寄|现场|传真|电子邮件)"
_CASES = "件|起|宗"  # 行政复议1起
# 申请 as the object received, not 申请人 (未收到该申请人提交的补正: the applicant's reply)
_APPLICATION = "申请(?![人者])"  # 议提案办理 is reported in 六 with 件 and 办结 too


@dataclass(frozen=True)
class FigurePattern:
    """A statement form: `regex` finds it; the stated figure must equal sum(`cells`).

    `rows`/`columns` are keys, or a slot name (a named group, see `WORDS`) whose words give
    the keys. A pattern without an `n` group states `value` (negations: 未收到… = 0).
    """

    key: str
    label: str
    regex: re.Pattern[str]
    table: str
    rows: tuple[str, ...] | str
    columns: tuple[str, ...] | str
    unit: str = "件"
    value: int | None = None
    exclude: re.Pattern[str] | None = None  # a clause it matches is not read
    sentence_exclude: re.Pattern[str] | None = None  # nor a clause of a sentence it matches
    subject: bool = False  # read only where the applications are disclosure ones (`SUBJECTS`)
    each: bool = False  # the figure is each word's of the rows slot, not their sum (各1起)


def _p(
    key: str,
    label: str,
    regex: str,
    table: str,
    rows: tuple[str, ...] | str,
    columns: tuple[str, ...] | str = ("total",),
    *,
    unit: str = "件",
    units: str | None = None,
    value: int | None = None,
    exclude: str | None = None,
    sentence_exclude: str | None = None,
    subject: bool = False,
    each: bool = False,
) -> FigurePattern:
    """A FigurePattern; the unit (件, or `units` alternatives; 万元 also reads 元) is appended."""
    if value is None:
        regex += r"\s*" + ("(?P<unit>万元|元)" if unit == "万元" else f"(?:{units or unit})")
    return FigurePattern(
        key,
        label,
        re.compile(regex),
        table,
        rows,
        columns,
        unit,
        value,
        re.compile(exclude) if exclude else None,
        re.compile(sentence_exclude) if sentence_exclude else None,
        subject,
        each,
    )


# What received or handled applications are, the last named before the figure: 一 also reports
# the 12345 hotline, licensing and other services (受理行政许可申请3000件，办结2990件).
DISCLOSURE_SUBJECT = re.compile(r"政府信息|信息公开|依申请|公开申请")
OTHER_SUBJECT = re.compile(
    # (依申请公开业务, 信息公开案件: disclosure's own work)
    r"12345|热线|诉求|许可|审批|政务服务|便民服务|办事|投诉|举报|建议|提案|议案|信访|(?<!公开)(?:案件|业务)"
    r"|来信|来访|来电|咨询|留言|求助|工单"
)

_APP = fmt.APPLICATIONS
LITIGATION = ("direct_suit", "suit_after_review")
_REVIEW_ALL = ("reconsideration", *LITIGATION)


def app_children(key: str) -> tuple[str, ...]:
    return tuple(r.key for r in _APP.children(key))


_OUTCOMES.update(
    {
        "予以公开": ("disclosed",),
        "部分公开": ("partial",),
        "不予公开": app_children("withheld"),
        "无法提供": app_children("unavailable"),
        "不予处理": app_children("not_processed"),
    }
)
WORDS["outcomes"] = _OUTCOMES
WORDS["reviews"] = {"行政复议": ("reconsideration",), "行政诉讼": LITIGATION}
_ITEM = "(?:予以公开|部分公开|不予公开|无法提供|不予处理)"
_OUTCOME_LIST = rf"(?P<outcomes>{_ITEM}(?:[、和及与或]{_ITEM})+)"
_REVIEW_LIST = r"(?P<reviews>行政复议[、和及与或](?:提起)?行政诉讼)"
# 均为0 (each is 0): the sum of the named rows is 0; 均为3件 (each, not the sum) is not read.
# 行政复议案件结果维持1件: the figure of a result column, not the row's total (not read)
_NOT_RESULT = r"(?!维持|纠正|其他结果|尚未|审结|撤回|驳回)"
_RGAP = rf"(?:{_NOT_RESULT}{GAP_CHAR})*?"
_EACH = r"(?:的?(?:情况|数量|件数|案件))?(?:各|均为|均是)\s*"  # not 分别为 (respectively)
_ALL_ZERO = r"(?:的?(?:情况|数量|件数|案件))?均(?:为|是)?\s*(?:0|零|〇)(?![\d.])|(?:的?情况)?均无"


# Order is priority: within a clause, text claimed by one match is not read again.
PATTERNS: tuple[FigurePattern, ...] = (
    _p(
        "review_both",
        "行政复议、行政诉讼",
        rf"行政复议{_RGAP}行政诉讼{_RGAP}{NUM}",
        "review",
        _REVIEW_ALL,
        units=_CASES,
    ),
    _p(
        "review_both_none",
        "行政复议、行政诉讼",
        rf"{NEG}{GAP}行政复议{GAP}行政诉讼",
        "review",
        _REVIEW_ALL,
        value=0,
    ),
    _p(
        "reconsideration",
        "行政复议",
        rf"行政复议(?:(?!行政诉讼){_NOT_RESULT}{GAP_CHAR})*?{NUM}",
        "review",
        ("reconsideration",),
        units=_CASES,
    ),
    _p(
        "reconsideration_none",
        "行政复议",
        rf"{NEG}{GAP}行政复议",
        "review",
        ("reconsideration",),
        value=0,
    ),
    _p("litigation", "行政诉讼", rf"行政诉讼{_RGAP}{NUM}", "review", LITIGATION, units=_CASES),
    _p("litigation_none", "行政诉讼", rf"{NEG}{GAP}行政诉讼", "review", LITIGATION, value=0),
    _p("carried_over", "上年结转", rf"上一?年度?结转{GAP}{NUM}", "applications", ("carried_over",)),
    _p(
        "carry_forward",
        "结转下年度",
        rf"结转(?:至|到)?下一?年度?{GAP}{NUM}",
        "applications",
        ("carry_forward",),
    ),
    _p(
        "new",
        "收到申请",
        rf"(?:新收|收到|受理|接收){GAP}{_APPLICATION}{GAP}{NUM}",
        "applications",
        ("new",),
        units="件|条",  # 共收到政府信息公开申请3条 (jfj-2022)
        exclude=f"{_NOT_MOTIONS}|{_PART}",
        subject=True,
    ),
    _p(  # 受理75件政府信息公开申请: the figure before the word 申请
        "new",
        "收到申请",
        rf"(?:新收|收到|受理|接收){GAP}{NUM}(?=\s*件{GAP}{_APPLICATION})",
        "applications",
        ("new",),
        exclude=f"{_NOT_MOTIONS}|{_PART}",
        subject=True,
    ),
    _p(  # 全年政府信息公开申请数量为5件: no verb, the applications named in full
        "new",
        "收到申请",
        rf"政府信息公开申请(?:总?数量?|共计|总计|合计)?\s*(?:为|是|共|达)?\s*{NUM}",
        "applications",
        ("new",),
        units="件|条",
        exclude=rf"{_NOT_MOTIONS}|{_PART}|自然人|法人|组织|企业|个人|办结|答复|处理|办理|撤回|延期|转办|转送|转交|补正",
        subject=True,
    ),
    _p(
        "new_none",
        "收到申请",
        rf"{NEG}{GAP}(?:新收|收到|受理|接收){GAP}{_APPLICATION}",
        "applications",
        ("new",),
        value=0,
        exclude=_NOT_MOTIONS,
        subject=True,
    ),
    _p(
        "total",
        "办结",
        rf"办结{GAP}{NUM}",
        "applications",
        ("total",),
        # 其中按时办结5件，延期办结1件: parts of those handled
        exclude=rf"{_NOT_MOTIONS}|^\s*其中|延期|逾期|超期",
        subject=True,
    ),
    _p(  # 同意公开3件 (jjj-2021)
        "disclosed",
        "予以公开",
        rf"(?:予以公开|(?<!不)同意公开){GAP}{NUM}",
        "applications",
        ("disclosed",),
    ),
    _p(  # 区分处理后公开1件 (jjj-2021)
        "partial",
        "部分公开",
        rf"(?:部分公开|区分处理后?(?:予以)?公开){GAP}{NUM}",
        "applications",
        ("partial",),
    ),
    _p("withheld", "不予公开", rf"不予公开{GAP}{NUM}", "applications", app_children("withheld")),
    _p(
        "unavailable",
        "无法提供",
        rf"无法提供{GAP}{NUM}",
        "applications",
        app_children("unavailable"),
    ),
    _p(
        "not_processed",
        "不予处理",
        rf"不予处理{GAP}{NUM}",
        "applications",
        app_children("not_processed"),
    ),
    _p(
        "other_handling",
        "其他处理",
        rf"其他处理{GAP}{NUM}",
        "applications",
        app_children("other_handling"),
    ),
    _p(
        "in_force", "现行有效", rf"现行有效的?{_DOCS}{GAP}{NUM}", "proactive", "docs", ("in_force",)
    ),
    _p(
        "in_force_after",
        "现行有效",
        rf"{_DOCS}{GAP}现行有效{GAP}{NUM}",
        "proactive",
        "docs",
        ("in_force",),
    ),
    _p(  # 现行有效件数424件: the documents the sentence named before
        "in_force_bare",
        "现行有效",
        rf"现行有效(?:件数|数量|数)?\s*(?:为|是|共计|共|达)?\s*{NUM}",
        "proactive",
        "docs",
        ("in_force",),
    ),
    _p(
        "issued_repealed",
        "制发、废止",
        rf"{_VERBS}了?{_DOCS}{GAP}{NUM}",
        "proactive",
        "docs",
        "verbs",
    ),
    _p(  # 作出行政处罚决定545起: decisions counted in 起 too
        "decisions",
        "处理决定",
        rf"{_ACTS}决定{GAP}{NUM}",
        "proactive",
        "acts",
        ("decisions",),
        units="件|起",
    ),
    _p(  # 处理行政许可、处罚、强制等0件 — not 受理行政许可申请3000件, 办理许可事项 (services)
        "decisions",
        "处理决定",
        rf"{_ACTS}{GAP}{NUM}",
        "proactive",
        "acts",
        ("decisions",),
        exclude="申请|受理|事项|办件|案件|立案",
    ),
    *(
        _p(  # 其中3件予以公开，1件结转下年度办理: the figure before its outcome
            key,
            label,
            rf"(?<![\d.{_CN}]){NUM}(?=\s*件(?:申请)?(?:为|属于|均|被|已|予以|决定|告知|答复|作出?)?"
            rf"\s*(?:{words}))",
            "applications",
            rows,
        )
        for key, label, words, rows in (
            ("disclosed", "予以公开", r"予以公开|(?<!不)同意公开", ("disclosed",)),
            ("partial", "部分公开", r"部分公开|区分处理后?(?:予以)?公开", ("partial",)),
            ("withheld", "不予公开", "不予公开", app_children("withheld")),
            ("unavailable", "无法提供", "无法提供", app_children("unavailable")),
            ("not_processed", "不予处理", "不予处理", app_children("not_processed")),
            ("carry_forward", "结转下年度", r"结转(?:至|到)?下一?年度?", ("carry_forward",)),
        )
    ),
    _p(
        "outcomes_zero",
        "办理结果",
        rf"{_OUTCOME_LIST}{_ALL_ZERO}",
        "applications",
        "outcomes",
        value=0,
    ),
    _p(  # 未出现不予公开的情况, 无不予公开、不予处理情况: the negation right before the rows
        "outcomes_none",
        "办理结果",
        rf"{NEG}(?:发生|出现|产生|作出|有)?(?P<outcomes>{_ITEM}(?:[、和及与或]{_ITEM})*)",
        "applications",
        "outcomes",
        value=0,
    ),
    _p(  # 部分公开、不予公开各1件: each row 1
        "outcomes_each",
        "办理结果",
        rf"{_OUTCOME_LIST}{_EACH}{NUM}",
        "applications",
        "outcomes",
        each=True,
    ),
    _p(
        "reviews_zero",
        "行政复议、行政诉讼",
        rf"{_REVIEW_LIST}{_ALL_ZERO}",
        "review",
        "reviews",
        value=0,
    ),
    _p(  # 行政复议、行政诉讼各1起
        "reviews_each",
        "行政复议、行政诉讼",
        rf"{_REVIEW_LIST}{_EACH}{NUM}",
        "review",
        "reviews",
        units=_CASES,
        each=True,
    ),
    _p(
        "fee",
        "行政事业性收费",
        rf"行政事业性收费{GAP}{NUM}",
        "proactive",
        ("fees",),
        ("fee_amount",),
        unit="万元",
    ),
    _p(
        "fee_charged",
        "收取费用",
        rf"收取{GAP}{NUM}",
        "proactive",
        ("fees",),
        ("fee_amount",),
        unit="万元",
        exclude="处理费",
        sentence_exclude="处理费|申请",
    ),  # 信息处理费 (fees for applications) is not the 行政事业性收费 of 二（八）
    _p(
        "fee_none",
        "行政事业性收费",
        rf"{NEG}{GAP}行政事业性收费",
        "proactive",
        ("fees",),
        ("fee_amount",),
        value=0,
    ),
)
