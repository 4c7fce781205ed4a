"""Statements of the report's own figures in the prose, worded as real pages word them
(issue 15, kinds 7 and 8), for `bench_corpus_mutate.py`.

Two kinds of variation, each putting sentences into 一 (and 三's lead, 四, 五 where offices
write them too):

- correct statements (`nar-*`): every figure equal to the table's, in many wordings, Arabic or
  Chinese numerals, zero forms (未收到…, 无…, 均为0), comparisons with other years and plans
  for later ones — the import must be `same` with no new finding;
- defects (`nar-defect-*`, in `DEFECTS`): one statement gives another figure than the table's
  row — it must be flagged (R6).

`noise` puts sentences clean reports print (dates of other years, document numbers, phone
numbers, the 12345 hotline, 第二十条, percentages) into 一 and 五: no new finding either.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from variation_tools import Page

Cell = tuple[str, str, str]

_CHILDREN = {
    "withheld": (
        "state_secret",
        "prohibited",
        "three_safety",
        "third_party",
        "internal",
        "process",
        "enforcement_file",
        "query",
    ),
    "unavailable": ("not_held", "needs_creation", "unclear"),
    "not_processed": ("petition", "repeated", "publication", "mass_repeated", "confirm"),
}


def _app(row: str) -> tuple[Cell, ...]:
    if row in _CHILDREN:
        return tuple(("applications", f"{row}.{c}", "total") for c in _CHILDREN[row])
    return (("applications", row, "total"),)


# figure → the cells whose sum it is (2021 cells; a report without them is not varied)
FIGURES: dict[str, tuple[Cell, ...]] = {
    "new": _app("new"),
    "carried_over": _app("carried_over"),
    "total": _app("total"),
    "carry_forward": _app("carry_forward"),
    "disclosed": _app("disclosed"),
    "partial": _app("partial"),
    "withheld": _app("withheld"),
    "unavailable": _app("unavailable"),
    "not_processed": _app("not_processed"),
    "in_force": (("proactive", "normative_documents", "in_force"),),
    "issued": (("proactive", "normative_documents", "issued"),),
    "reconsideration": (("review", "reconsideration", "total"),),
    "litigation": (("review", "direct_suit", "total"), ("review", "suit_after_review", "total")),
}

# figure → wordings ({n}: the figure as printed)
WORDINGS: dict[str, tuple[str, ...]] = {
    "new": (
        "共收到政府信息公开申请{n}件",
        "本年度新收政府信息公开申请{n}件",
        "受理依申请公开{n}件",
        "全年共受理政府信息公开申请{n}件",
        "受理{n}件政府信息公开申请",
        "接收群众提交的政府信息公开申请{n}件",
        "共收到政府信息公开申请{n}条",
        "新收申请{n}件",
        "共接收各类政府信息公开申请{n}件（其中网上申请1件）",
        "本年度政府信息公开申请{n}件，均在法定期限内答复",
        "全年政府信息公开申请数量为{n}件",
    ),
    "carried_over": ("上年结转{n}件", "上年度结转政府信息公开申请{n}件", "上一年度结转申请{n}件"),
    "total": (
        "全年办结依申请公开{n}件",
        "已办结{n}件",
        "办结政府信息公开申请{n}件",
        "均已按时办结，共办结{n}件",
    ),
    "carry_forward": ("结转下年度{n}件", "结转下年度继续办理{n}件", "结转至下一年度办理{n}件"),
    "disclosed": ("予以公开{n}件", "其中予以公开{n}件", "答复予以公开{n}件", "同意公开{n}件"),
    "partial": ("部分公开{n}件", "予以部分公开{n}件", "区分处理后公开{n}件"),
    "withheld": ("不予公开{n}件", "决定不予公开{n}件"),
    "unavailable": ("无法提供{n}件", "告知无法提供{n}件"),
    "not_processed": ("不予处理{n}件", "作出不予处理决定{n}件"),
    "in_force": (
        "现行有效规范性文件{n}件",
        "现行有效行政规范性文件{n}件",
        "行政规范性文件现行有效{n}件",
    ),
    "issued": (
        "本年度制发规范性文件{n}件",
        "制定行政规范性文件{n}件",
        "印发规范性文件{n}件",
        "新制作规范性文件{n}件",
    ),
    "reconsideration": (
        "因政府信息公开工作被申请行政复议{n}起",
        "行政复议{n}件",
        "发生政府信息公开行政复议案件{n}起",
    ),
    "litigation": ("行政诉讼{n}起", "因政府信息公开被提起行政诉讼{n}起"),
}

# figure → wordings that say 0 without a figure (used only where the table says 0)
ZERO_WORDINGS: dict[str, tuple[str, ...]] = {
    "new": ("未收到政府信息公开申请", "没有收到政府信息公开申请"),
    "reconsideration": (
        "未发生因政府信息公开工作被申请行政复议的情况",
        "无政府信息公开行政复议案件",
    ),
    "litigation": ("未发生因政府信息公开被提起行政诉讼的情况", "无行政诉讼案件"),
    "withheld": ("未出现不予公开的情况", "无不予公开情况"),
    "not_processed": ("没有发生不予处理的情况", "未作出不予处理决定"),
}
# several figures at once, all 0
BOTH_ZERO: dict[tuple[str, ...], tuple[str, ...]] = {
    ("reconsideration", "litigation"): (
        "未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况",
        "本年度无政府信息公开行政复议和行政诉讼案件",
        "行政复议、行政诉讼均为0",
        "因政府信息公开被申请行政复议、提起行政诉讼均为0件",
    ),
    ("partial", "withheld"): ("部分公开、不予公开均为0件", "部分公开和不予公开均为零"),
}
# sentences with no figure of the tables (fees for applications: not 二's 行政事业性收费)
NO_FIGURE = ("本年度未收取信息处理费", "依申请公开工作中收取费用0元", "未向申请人收取任何费用")

_CN_DIGITS = "零一二三四五六七八九"


def chinese(n: int, rnd: random.Random | None = None) -> str:
    """0 → 零, 2 → 两 (or 二), 12 → 十二, 105 → 一百零五: as prose prints small counts."""
    if n == 0:
        return "零"
    if n == 2 and (rnd is None or rnd.random() < 0.5):
        return "两"
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out += "零"
            out += ("" if unit == 10 and d == 1 and not out else _CN_DIGITS[d]) + name
            zero = False
        elif out:
            zero = True
    return out


def _figures(base: Any) -> dict[str, int]:
    """The figures of `FIGURES` the unmutated import has (every cell read, all integers)."""
    out: dict[str, int] = {}
    if base is None:
        return out
    for name, cells in FIGURES.items():
        values = [base.cells.get(c) for c in cells]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            out[name] = sum(values)  # type: ignore[arg-type]
    return out


_TWO = re.compile(r"[二三]、\s*主动公开政府信息情况")
_THREE = re.compile(r"[三四]、\s*收到和处理政府信息公开申请情况")
_FOUR = re.compile(r"[四五]、\s*(?:政府信息公开)?(?:行政法?复议|因政府信息公开)[^。0-9]{0,30}?情况")
_FIVE = re.compile(
    r"[五六七]、\s*(?:政府信息公开工作)?(?:当前)?存在[^。；，0-9]{0,30}?(?:措施|情况|计划)"
)


_SIX = re.compile(r"[六七]、\s*(?:其他需|需要说明|其他需要)[^。0-9]{0,20}?(?:事项与附表|事项)")


def _insert(body: str, where: str, text: str) -> str | None:
    """`text` put into section `where`: 一 at its end, 三/四 after the heading (the table's
    lead sentence), 五 after its heading."""
    if where == "一":
        m = _TWO.search(body)
        return None if m is None else body[: m.start()] + text + body[m.start() :]
    pattern = {"三": _THREE, "四": _FOUR, "五": _FIVE, "六": _SIX}[where]
    m = pattern.search(body)
    return None if m is None else body[: m.end()] + text + body[m.end() :]


def _sentence(parts: list[str], rnd: random.Random) -> str:
    head = rnd.choice(("", "本年度，我局", "全年", "{y}年，我局"))
    return head + "，".join(parts) + "。"


def _statements(
    figures: dict[str, int],
    names: tuple[str, ...],
    rnd: random.Random,
    *,
    numerals: str = "arabic",
    wrong: str | None = None,
) -> list[str]:
    """One clause per figure of `names` the report has; `wrong`: that figure stated off."""
    out = []
    for name in names:
        if name not in figures:
            continue
        n = figures[name]
        if name == wrong:
            n = n + rnd.choice((1, 2, 3)) if n < 3 or rnd.random() < 0.5 else n - 1
        if numerals == "zero" and n == 0 and name in ZERO_WORDINGS:
            out.append(rnd.choice(ZERO_WORDINGS[name]))
            continue
        shown = chinese(n, rnd) if numerals == "chinese" and n else str(n)  # 0件, never 零件
        out.append(rnd.choice(WORDINGS[name]).format(n=shown))
    return out


APPS = ("new", "carried_over", "total", "carry_forward")
OUTCOMES = ("disclosed", "partial", "withheld", "unavailable", "not_processed")
DOCS_REVIEW = ("in_force", "issued", "reconsideration", "litigation")


def _correct(names: tuple[str, ...], numerals: str = "arabic", where: str = "一") -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        figures = _figures(base)
        parts = _statements(figures, names, rnd, numerals=numerals)
        if not parts:
            return None
        text = _sentence(parts, rnd).replace("{y}", str(base.year))
        out = _insert(body, where, text)
        return None if out is None else (head, out)

    mutate.__doc__ = f"Correct statements of {', '.join(names)} ({numerals}) in {where}."
    return mutate


def _defect(names: tuple[str, ...], numerals: str = "arabic", where: str = "一") -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        figures = _figures(base)
        have = [n for n in names if n in figures]
        if not have:
            return None
        wrong = rnd.choice(have)
        parts = _statements(figures, names, rnd, numerals=numerals, wrong=wrong)
        text = _sentence(parts, rnd).replace("{y}", str(base.year))
        out = _insert(body, where, text)
        return None if out is None else (head, out)

    mutate.__doc__ = f"A DEFECT: one of {', '.join(names)} stated off the table, in {where}."
    return mutate


def zero_forms(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Zero statements without a figure (未收到…申请, 无行政复议, 均为0) where the table says 0,
    and sentences about application fees (no figure of the tables)."""
    figures = _figures(base)
    parts = [rnd.choice(w) for k, w in ZERO_WORDINGS.items() if figures.get(k) == 0]
    parts += [rnd.choice(w) for ks, w in BOTH_ZERO.items() if all(figures.get(k) == 0 for k in ks)]
    parts += NO_FIGURE
    out = _insert(body, "一", "；".join(parts) + "。")
    return None if out is None else (head, out)


def zero_defect(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """A DEFECT: a zero statement (未收到…, 无…, 均为0) where the table has a figure."""
    figures = _figures(base)
    options = [rnd.choice(w) for k, w in ZERO_WORDINGS.items() if figures.get(k, 0) > 0]
    options += [rnd.choice(w) for ks, w in BOTH_ZERO.items() if any(figures.get(k) for k in ks)]
    if not options:
        return None
    out = _insert(body, "一", rnd.choice(options) + "。")
    return None if out is None else (head, out)


def other_years(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Figures of other years and plans, all different from this year's table: comparisons
    (较2022年增加3件, 2022年收到5件, 同比) in 一, plans (明年, 2026年) in 五."""
    figures = _figures(base)
    if base is None or "new" not in figures:
        return None
    y, n = base.year, figures["new"]
    one = rnd.choice(
        (
            f"较{y - 1}年增加{n + 3}件",
            f"{y - 1}年收到政府信息公开申请{n + 5}件",
            f"比上年减少{n + 2}件",
            f"同比增长{n + 4}件",
            f"去年同期受理{n + 6}件",
        )
    )
    five = rnd.choice(
        (
            f"明年，我局将力争办结政府信息公开申请{n + 7}件以上",
            f"{y + 1}年，我局计划制发规范性文件{n + 4}件",
            f"下一步，我局计划制定规范性文件{n + 2}件，继续做好依申请公开工作",
            f"下一年度拟清理现行有效规范性文件{n + 9}件",
        )
    )
    out = _insert(body, "一", f"本年度共收到政府信息公开申请{n}件，{one}。")
    out = out and _insert(out, "五", five + "。")
    return None if out is None else (head, out)


def noise(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Sentences clean reports print, with figures that are none of the tables' (dates of
    other years, document numbers, phone numbers, 12345, 第二十条, percentages) in 一 and 五."""
    if base is None:
        return None
    y = base.year
    one = rnd.sample(
        (
            f"根据《平潭综合实验区{y - 1}年政务公开工作要点》（岚综管办〔{y - 1}〕5号）要求",
            f"按照条例第二十条规定，及时公开{y}年度财政预决算信息",
            f"{y - 2}年以来累计公开信息1200余条",
            "通过12345便民服务平台受理群众诉求3519件，办结率达100%",
            "全年政府信息公开申请按时答复率100%，满意率98.5%",
            f"咨询电话0591-86177916，{y}年3月15日起开通网上申请渠道",
            f"于{y}年5月20日完成网站改版，已累计发布1063条信息",
            f"1月份按时发布{y - 1}年度政府信息公开工作年度报告",
            f"针对{y - 1}年度报告反映的问题，{y - 1}年同期已整改3项",
            f"{y - 1}年度政务公开工作考核中，我局获评优秀等次",
            f"{y - 1}年政务公开工作要点明确的12项任务已全部完成",
            f"{y + 1}年初完成网站集约化迁移，{y - 1}年上半年已完成栏目梳理",
            "依据《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）",
        ),
        3,
    )
    five = rnd.choice(
        (
            f"对照{y - 1}年度报告指出的问题，已于{y}年6月整改完毕",
            f"下一步将落实国办公开办函〔{y - 3}〕30号要求",
            f"{y + 1}年1月起，我局将继续按照第二十条要求做好公开工作",
        )
    )
    six = f"对照{y - 1}年度政府信息公开工作年度报告，更正了其中1处表述。"
    out = _insert(body, "一", "。".join(one) + "。")
    out = out and _insert(out, "五", five + "。")
    out = (out and _insert(out, "六", six)) or out
    return None if out is None else (head, out)


def services(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Other work 一 reports with counts that are none of the tables' (the 12345 hotline,
    licensing services, motions, cases): received, handled, 办结 — no finding."""
    if base is None:
        return None
    figures = _figures(base)
    m = 1000 + rnd.randrange(9000)
    lines = [
        f"通过12345便民服务平台受理群众诉求{m}件，办结{m - 7}件",
        f"受理行政许可申请{m + 11}件，办结{m + 3}件",
        f"办理行政许可事项{m // 3}件，作出行政处罚决定的案件全部公开",
        f"全年办理人大代表建议{m % 9 + 2}件、政协委员提案{m % 7 + 1}件，均已按时办结",
        f"共查处违法案件{m // 10}件，受理投诉举报{m // 5}件，办结率100%",
        f"指导全区各单位共受理政府信息公开申请{m // 4}件，办结{m // 4 - 3}件",
        f"受理群众来信来访{m // 50}件，办结{m // 50}件",
        f"通过门户网站答复网民留言{m // 20}件，办结{m // 20 - 1}件",
        f"全区各部门现行有效行政规范性文件{m // 6}件，本年度制发{m // 60}件",
    ]
    if "new" in figures:
        lines.insert(0, f"共收到政府信息公开申请{figures['new']}件")
    text = "。".join(rnd.sample(lines, 3)) + "。"
    out = _insert(body, "一", text)
    return None if out is None else (head, out)


def other_time(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Figures of other periods without a year: 上年度, 累计, 自…以来, parts of the whole
    (其中通过网络收到…), 收到 and 受理 told apart, review results — all beside this year's
    figure stated right; none is this year's row."""
    figures = _figures(base)
    if "new" not in figures:
        return None
    n = figures["new"]
    parts = [
        f"本年度共收到政府信息公开申请{n}件",
        rnd.choice(
            (
                f"上年度收到政府信息公开申请{n + 4}件",
                f"条例实施以来累计受理政府信息公开申请{n + 120}件",
                f"自2008年以来共收到政府信息公开申请{n + 57}件",
                f"历年累计办结依申请公开{n + 88}件",
            )
        ),
    ]
    if n >= 2:
        parts.append(
            rnd.choice(
                (
                    f"其中通过网络收到申请{n - 1}件",
                    f"其中网上受理申请{n - 1}件，信函收到申请1件",
                    f"经审查依法受理申请{n - 1}件，1件不属于政府信息公开申请",
                )
            )
        )
    t = figures.get("total", 0)
    if t >= 2:
        parts.append(f"全部办结，其中按时办结{t - 1}件，延期办结1件")
    recons = figures.get("reconsideration", 0)
    if recons >= 1:
        parts.append(f"行政复议案件结果维持{recons - 1 if recons > 1 else recons}件")
    out = _insert(body, "一", "，".join(parts) + "。")
    return None if out is None else (head, out)


_FIRST = {
    "disclosed": ("{n}件予以公开", "{n}件同意公开"),
    "partial": ("{n}件部分公开", "{n}件区分处理后公开"),
    "withheld": ("{n}件不予公开",),
    "unavailable": ("{n}件无法提供", "{n}件告知无法提供"),
    "not_processed": ("{n}件不予处理",),
    "carry_forward": ("{n}件结转下年度继续办理", "{n}件结转至下一年度办理"),
}


def _figure_first(wrong: bool) -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        figures = _figures(base)
        have = [k for k in _FIRST if k in figures]
        if not have:
            return None
        off = rnd.choice(have) if wrong else None
        parts = []
        for k in have:
            n = figures[k] + (rnd.choice((1, 2)) if k == off else 0)
            parts.append(rnd.choice(_FIRST[k]).format(n=n))
        out = _insert(body, "一", "其中" + "，".join(parts) + "。")
        return None if out is None else (head, out)

    mutate.__doc__ = "The figure before its outcome (其中3件予以公开，1件结转下年度办理)" + (
        ": a DEFECT, one figure off." if wrong else "."
    )
    return mutate


_EACH = {
    ("partial", "withheld"): "部分公开、不予公开各{n}件",
    ("unavailable", "not_processed"): "无法提供和不予处理均为{n}件",
    ("reconsideration", "litigation"): "行政复议、行政诉讼各{n}起",
}


def _each(wrong: bool) -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        figures = _figures(base)
        pairs = [ks for ks in _EACH if all(k in figures for k in ks)]
        same = [ks for ks in pairs if len({figures[k] for k in ks}) == 1]
        if wrong:  # both stated as the one's figure where the other differs, or both off
            if not pairs:
                return None
            ks = rnd.choice(pairs)
            n = figures[ks[0]] if figures[ks[0]] != figures[ks[1]] else figures[ks[0]] + 1
            text = _EACH[ks].format(n=n)
        else:
            if not same:
                return None
            text = "，".join(_EACH[ks].format(n=figures[ks[0]]) for ks in same)
        out = _insert(body, "一", "其中" + text + "。")
        return None if out is None else (head, out)

    mutate.__doc__ = "Two rows stated at once (各1件, 均为2件)" + (
        ": a DEFECT, one of them off." if wrong else ", each as the table has it."
    )
    return mutate


_ON_APPLICATION = re.compile(
    r"（[一二三四五六]）[^（）。]{0,8}依申请[^。（]{0,12}?(?:情况|方面|工作)[。：:]?"
)
_ONE = re.compile(r"一、?\s*(?:总体情况|年度工作核心成效)")
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _layout(wrong: bool) -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        """Statements as a subsection of 一 prints them: right after its 依申请公开 heading
        (else after 一's heading), joined by 、 ； or 。, digits full-width or spaced."""
        figures = _figures(base)
        names = tuple(n for n in (*APPS, *OUTCOMES) if n in figures)
        if not names:
            return None
        off = rnd.choice(names) if wrong else None
        parts = _statements(figures, names, rnd, wrong=off)
        joiner = rnd.choice(("、", "；", "。", "，"))
        text = joiner.join(parts) + "。"
        style = rnd.choice(("wide", "spaced", "plain"))
        if style == "wide":
            text = text.translate(_WIDE)
        elif style == "spaced":
            text = re.sub(r"(\d+)", r" \1 ", text)
        two = _TWO.search(body)
        limit = two.start() if two else len(body)
        at = _ON_APPLICATION.search(body, 0, limit) or _ONE.search(body, 0, limit)
        if at is None:
            return None
        return head, body[: at.end()] + text + body[at.end() :]

    return mutate


def _on_varied_page(wrong: bool) -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        """The statements (one of them off if `wrong`) on a page varied by the runner's
        `combined` variations (cover letter, headings, spaces, 规范性文件, chrome, …)."""
        import bench_corpus_mutate as runner  # here: the runner imports this module

        page = runner.MUTATIONS["combined"](list(head), body, rnd, base) or (head, body)
        names = (*APPS, *OUTCOMES, *DOCS_REVIEW)
        statement = (_defect if wrong else _correct)(names)
        return statement(list(page[0]), page[1], rnd, base)

    return mutate


BOILERPLATE = (
    "按照全区政务公开工作要点要求",
    "认真落实各级关于政务公开工作的部署要求",
    "严格按照《条例》第二十条规定",
    "坚持以公开为常态、不公开为例外",
    "围绕年度工作计划，进一步规范依申请公开办理流程",
    "在区党工委、管委会的坚强领导下",
    "严格落实政务信息发布审批制度",
    "结合政务服务和12345热线工作实际",
)


def _boilerplate(wrong: bool) -> Callable:
    def mutate(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
        """The statements after the clauses real sentences open with (全区 and 各级 named,
        计划, 第二十条) — not the subject of the count."""
        figures = _figures(base)
        names = (*APPS, *OUTCOMES, *DOCS_REVIEW)
        have = [n for n in names if n in figures]
        if not have:
            return None
        off = rnd.choice(have) if wrong else None
        parts = _statements(figures, names, rnd, wrong=off)
        text = rnd.choice(BOILERPLATE) + "，" + "，".join(parts) + "。"
        out = _insert(body, "一", text)
        return None if out is None else (head, out)

    return mutate


MUTATIONS: dict[str, Callable] = {
    "nar-apps": _correct(APPS),
    "nar-outcomes": _correct(OUTCOMES),
    "nar-docs-review": _correct(DOCS_REVIEW),
    "nar-chinese": _correct((*APPS, *OUTCOMES, *DOCS_REVIEW), "chinese"),
    "nar-zero": zero_forms,
    "nar-in-three": _correct(APPS + OUTCOMES, where="三"),
    "nar-in-four": _correct(("reconsideration", "litigation"), "zero", where="四"),
    "nar-in-five": _correct(("new", "total", "in_force"), where="五"),
    "nar-years": other_years,
    "noise": noise,
    "nar-services": services,
    "nar-other-time": other_time,
    "nar-figure-first": _figure_first(False),
    "nar-each": _each(False),
    "nar-layout": _layout(False),
    "nar-combined": _on_varied_page(False),
    "nar-boilerplate": _boilerplate(False),
    "nar-defect-apps": _defect(APPS),
    "nar-defect-outcomes": _defect(OUTCOMES),
    "nar-defect-docs-review": _defect(DOCS_REVIEW),
    "nar-defect-chinese": _defect((*APPS, *OUTCOMES, *DOCS_REVIEW), "chinese"),
    "nar-defect-zero": zero_defect,
    "nar-defect-in-three": _defect(APPS + OUTCOMES, where="三"),
    "nar-defect-in-four": _defect(("reconsideration", "litigation"), where="四"),
    "nar-defect-figure-first": _figure_first(True),
    "nar-defect-each": _each(True),
    "nar-defect-layout": _layout(True),
    "nar-defect-combined": _on_varied_page(True),
    "nar-defect-boilerplate": _boilerplate(True),
}
LOST: dict[str, Callable[[Cell], bool]] = {}
DEFECTS = frozenset(n for n in MUTATIONS if n.startswith("nar-defect-"))
