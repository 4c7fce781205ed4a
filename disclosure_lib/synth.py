"""Synthetic reports that satisfy every consistency rule: demo params, tests, benchmarks.

`consistent_report` draws realistic figures for one agency-year and, given the previous
year's report, keeps the cross-year rules (上年结转 = 上年结转下年度, 现行有效件数 carried on).
The narrative states the figures the way published reports do, so rule 6 holds too.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from . import format as fmt
from .model import Contact, Paragraph, Report

APP = fmt.APPLICATIONS
APPLICANT_COLUMNS = tuple(c.key for c in APP.columns if c.key != "total")
# Relative frequency of each outcome row, roughly as in published district reports.
OUTCOME_WEIGHTS: dict[str, float] = {
    "disclosed": 40,
    "partial": 6,
    "withheld.state_secret": 0.3,
    "withheld.prohibited": 0.5,
    "withheld.three_safety": 0.3,
    "withheld.third_party": 1.5,
    "withheld.internal": 1.5,
    "withheld.process": 2,
    "withheld.enforcement_file": 0.8,
    "withheld.query": 1,
    "unavailable.not_held": 18,
    "unavailable.needs_creation": 4,
    "unavailable.unclear": 2,
    "not_processed.petition": 3,
    "not_processed.repeated": 3,
    "not_processed.publication": 0.5,
    "not_processed.mass_repeated": 0.5,
    "not_processed.confirm": 1,
    "other_handling.no_correction": 3,
    "other_handling.unpaid": 0.2,
    "other_handling.other": 2,
}
COLUMN_SHARE = {
    "natural": 0.8,
    "business": 0.1,
    "research": 0.01,
    "nonprofit": 0.02,
    "legal_service": 0.04,
    "other": 0.03,
}
WITHHELD = tuple(r.key for r in APP.children("withheld"))
UNAVAILABLE = tuple(r.key for r in APP.children("unavailable"))


def _split(total: int, weights: dict[str, float], rng: random.Random) -> dict[str, int]:
    """Distribute `total` items over the keys of `weights` at random."""
    keys = list(weights)
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=[weights[k] for k in keys], k=total):
        counts[key] += 1
    return counts


def consistent_report(
    agency: str,
    year: int,
    rng: random.Random,
    *,
    scale: int = 60,
    previous: Report | None = None,
) -> Report:
    """A report for `agency`/`year` that passes every check (incl. against `previous`)."""
    report = Report.blank(agency, year, fill=0)
    report.issued = datetime.date(year + 1, 1, 20)  # 落款: reports are due by 31 January
    report.contact = Contact(
        office=f"{agency}办公室",
        address=f"示例市示例区人民路{rng.randint(1, 300)}号",
        phone=f"0{rng.randint(10, 999)}-{rng.randint(10000000, 99999999)}",
    )
    new_total = rng.randint(scale // 2, scale * 2) if scale else 0
    new = _split(new_total, COLUMN_SHARE, rng)
    for col in APPLICANT_COLUMNS:
        carried = (
            previous.get("applications", "carry_forward", col) or 0
            if previous is not None
            else rng.randint(0, max(1, new[col] // 10))
        )
        available = new[col] + int(carried)
        forward = rng.randint(0, available // 8) if available else 0
        outcomes = _split(available - forward, OUTCOME_WEIGHTS, rng)
        report.set("applications", "new", col, new[col])
        report.set("applications", "carried_over", col, int(carried))
        report.set("applications", "carry_forward", col, forward)
        report.set("applications", "total", col, available - forward)
        for row, n in outcomes.items():
            report.set("applications", row, col, n)
    for figure_row in APP.figure_rows:
        report.set(
            "applications",
            figure_row.key,
            "total",
            sum(int(report.get("applications", figure_row.key, c) or 0) for c in APPLICANT_COLUMNS),
        )
    _fill_review(report, rng)
    _fill_proactive(report, rng, previous)
    _write_narrative(report, rng)
    return report


def _fill_review(report: Report, rng: random.Random) -> None:
    for row in fmt.REVIEW.rows:
        parts = {k: rng.choice((0, 0, 0, 1, 1, 2)) for k in ("upheld", "corrected", "other")}
        parts["pending"] = rng.choice((0, 0, 1))
        for key, n in parts.items():
            report.set("review", row.key, key, n)
        report.set("review", row.key, "total", sum(parts.values()))


def _fill_proactive(report: Report, rng: random.Random, previous: Report | None) -> None:
    for row in ("regulations", "normative_documents"):
        last = (
            int(previous.get("proactive", row, "in_force") or 0)
            if previous is not None
            else rng.randint(0, 40 if row == "normative_documents" else 3)
        )
        issued = rng.randint(0, 8 if row == "normative_documents" else 1)
        repealed = rng.randint(0, min(last, 5))
        report.set("proactive", row, "issued", issued)
        report.set("proactive", row, "repealed", repealed)
        report.set("proactive", row, "in_force", last + issued - repealed)
    for row, high in (("licensing", 3000), ("penalty", 400), ("enforcement", 40)):
        report.set("proactive", row, "decisions", rng.randint(0, high))
    cents = rng.choice((0, 0, rng.randint(1, 200000)))
    report.set("proactive", "fees", "fee_amount", Decimal(cents) / 100)


_FOCUS = ("政务服务", "财政预决算", "重大建设项目", "公共资源配置", "社会救助", "食品药品监管")
_PROBLEMS = (
    "政策解读形式较为单一",
    "部分栏目信息更新不够及时",
    "依申请公开答复文书规范性有待提高",
    "公开内容的标准化规范化程度不高",
    "基层政务公开工作人员业务能力有待提升",
)
_MEASURES = (
    "丰富图表、视频等多样化解读形式",
    "建立栏目更新提醒机制",
    "规范依申请公开答复文书格式",
    "开展政务公开业务培训",
    "完善政务公开目录",
)
# Several phrasings per paragraph, rotated by year: consecutive years never share one, as
# real reports that are rewritten each year do not (the copy check would rightly flag them).
_INTRO = (
    "{y}年，{a}认真贯彻落实《中华人民共和国政府信息公开条例》，围绕{f}等重点领域，"
    "持续推进政务公开标准化规范化建设。",
    "{y}年，{a}坚持以公开为常态、不公开为例外，聚焦{f}等群众关切，不断提升政务公开质量和实效。",
    "{y}年，在上级部门的指导下，{a}把政务公开纳入年度重点工作，"
    "以{f}为抓手，推动决策、执行、管理、服务、结果全过程公开。",
)
_MANAGEMENT = (
    "严格执行信息发布审核制度，落实“先审后发”“三审三校”要求。",
    "建立健全政府信息公开属性源头认定机制，动态更新政府信息公开目录。",
    "开展政府信息公开保密审查，全年未发生泄密和不当公开问题。",
)
_PLATFORM = (
    "依托门户网站和政务新媒体，{y}年发布信息{n}条。",
    "优化门户网站信息公开专栏，{y}年更新栏目{k}个、发布信息{n}条。",
    "推进政务新媒体与门户网站协同联动，全年通过微信公众号推送信息{n}条。",
)
_OVERSIGHT = (
    "{y}年，本机关开展政务公开培训{k}次，未发生因政务公开被追责的情况。",
    "将政务公开纳入年度绩效考核，{y}年组织专项自查{k}次，发现问题均已整改到位。",
    "主动接受社会监督，{y}年收到政务公开相关意见建议{k}条，均已答复。",
)
_MOTIONS = (
    "{y}年，本机关共办理人大代表建议和政协提案{n}件，已全部办结。",
    "{y}年，本机关承办建议提案{n}件，答复率100%，办理结果均按要求公开。",
    "全年办理人大代表建议、政协委员提案共{n}件，满意和基本满意率100%。",
)


def _pick(options: tuple[str, ...], year: int, **values: object) -> str:
    return options[year % len(options)].format(**values)


def _write_narrative(report: Report, rng: random.Random) -> None:
    """Narrative stating the table figures as published reports do."""
    y = report.year
    g = report.get
    new = g("applications", "new", "total")
    disclosed = g("applications", "disclosed", "total")
    withheld = sum(int(g("applications", k, "total") or 0) for k in WITHHELD)
    unavailable = sum(int(g("applications", k, "total") or 0) for k in UNAVAILABLE)
    focus = "、".join(rng.sample(_FOCUS, 2))
    report.narrative["一"] = [
        Paragraph(_pick(_INTRO, y, y=y, a=report.agency, f=focus)),
        Paragraph(
            f"{y}年，本机关主动公开政府信息{rng.randint(50, 900)}条，"
            f"现行有效行政规范性文件{g('proactive', 'normative_documents', 'in_force')}件。",
            heading="（一）主动公开情况",
        ),
        Paragraph(
            f"{y}年，本机关新收政府信息公开申请{new}件，"
            f"上年结转申请{g('applications', 'carried_over', 'total')}件，"
            f"其中予以公开{disclosed}件，不予公开{withheld}件，无法提供{unavailable}件，"
            f"结转下年度继续办理{g('applications', 'carry_forward', 'total')}件。",
            heading="（二）依申请公开情况",
        ),
        Paragraph(_pick(_MANAGEMENT, y), heading="（三）政府信息管理情况"),
        Paragraph(
            _pick(_PLATFORM, y, y=y, n=rng.randint(100, 2000), k=rng.randint(2, 9)),
            heading="（四）平台建设情况",
        ),
        Paragraph(_pick(_OVERSIGHT, y, y=y, k=rng.randint(1, 6)), heading="（五）监督保障情况"),
    ]
    last, this = (y - 1) % len(_PROBLEMS), y % len(_PROBLEMS)
    report.narrative["五"] = [
        Paragraph(
            f"{y - 1}年存在的问题：{_PROBLEMS[last]}。改进情况：{_MEASURES[last]}，"
            f"全年累计整改{rng.randint(2, 30)}项。",
            heading="（一）上年度存在的问题及改进情况",
        ),
        Paragraph(
            f"{y}年存在的问题：{_PROBLEMS[this]}。{y + 1}年，本机关将{_MEASURES[this]}，"
            f"力争完成{rng.randint(3, 20)}项重点任务。",
            heading="（二）本年度存在的问题及下年度改进举措",
        ),
    ]
    fee = (
        f"{y}年，本机关未收取政府信息公开信息处理费。",
        f"依据《政府信息公开信息处理费管理办法》，本机关{y}年度未向申请人收取信息处理费。",
        "本年度未发生政府信息公开信息处理费收取情况。",
    )
    report.narrative["六"] = [
        Paragraph(_pick(fee, y), heading="（一）政府信息处理费收取情况"),
        Paragraph(_pick(_MOTIONS, y, y=y, n=rng.randint(3, 40)), heading="（二）议题案办理情况"),
    ]


def demo_series(agency: str, years: range, seed: int, *, scale: int = 60) -> list[Report]:
    """Consecutive years of one agency, each consistent with the year before."""
    rng = random.Random(seed)
    out: list[Report] = []
    for year in years:
        out.append(
            consistent_report(agency, year, rng, scale=scale, previous=out[-1] if out else None)
        )
    return out


DEMO_AGENCIES = (
    ("示例区教育局", 80),
    ("示例区卫生健康局", 45),
    ("示例区市场监督管理局", 120),
    ("示例区自然资源和规划局", 30),
    ("示例区人民政府办公室", 15),
)
DEMO_YEARS = range(2022, 2025)


def demo_reports() -> list[Report]:
    """The bundled demo set: clearly fictional 示例… agencies × 2022–2024, passing every check."""
    out: list[Report] = []
    for k, (agency, scale) in enumerate(DEMO_AGENCIES):
        out.extend(demo_series(agency, DEMO_YEARS, seed=1000 + k, scale=scale))
    return out


if __name__ == "__main__":  # regenerate: python -m disclosure_lib.synth [PARAMS_DIR]
    import sys

    from .params import params_path
    from .params_write import save_report

    target = sys.argv[1] if len(sys.argv) > 1 else "params"
    for demo in demo_reports():
        print(save_report(demo, params_path(target, demo.agency, demo.year)))
