"""The report's agency and year as the page prints them: its title (a crawler's 标题: line, the
body's first lines, a cover letter's 关于报送…的函), the statistics period, the file name."""

from __future__ import annotations

import re
from pathlib import Path

from .log import ImportLog

TITLE_REACH = 1000  # characters of a line searched for the title
_NOT_AGENCY = r"[^\s，。,：:>|/_\-—=【】\[\]《》“”\"()（）]"
# a cover letter's title names the agency, then 关于报送/编制公布…: the agency is before it
_LETTER = r"(?:关于\s*(?:报送|印发|编制公布|编制|公布)?\s*)?"
# 政府信息公开工作年度报告 / 年度工作报告 / 年度报告 / 工作报告
_REPORT = r"\s*政府信息公开\s*(?:工作)?\s*(?:年度?)?\s*(?:工作)?\s*报告"
_TITLE_A = re.compile(
    rf"(?P<agency>{_NOT_AGENCY}{{2,60}}?)\s*{_LETTER}(?P<year>(?:19|20)\d\d|[〇零一二三四五六七八九]{{4}})\s*年度?\s*(?:的)?"
    + _REPORT
)
_TITLE_B = re.compile(
    rf"(?P<year>(?:19|20)\d\d|[〇零一二三四五六七八九]{{4}})\s*年度?\s*(?P<agency>{_NOT_AGENCY}{{2,60}}?)"
    + _REPORT
)
# the year after the title, in brackets (…局政府信息公开工作年度报告（2023年度）)
_TITLE_D = re.compile(
    rf"(?P<agency>{_NOT_AGENCY}{{2,60}}?)\s*{_LETTER}" + _REPORT + r"\s*[（(]\s*"
    r"(?P<year>(?:19|20)\d\d|[〇零一二三四五六七八九]{4})\s*年度?\s*[）)]"
)
# the area a title names before a space (平潭综合实验区 社会事业局2021年度…): part of the name
_AREA_BEFORE = re.compile(
    r"(?:^|[^\u4e00-\u9fff])([\u4e00-\u9fff]{2,30}[省市县区镇乡旗州盟])[ \u3000]$"
)
# a title without its year (标题: …局政府信息公开工作年度报告, or the 本地目录 path ending in
# it): the agency only
_TITLE_C = re.compile(
    rf"(?:^|(?<=[/_]))(?P<agency>{_NOT_AGENCY}{{2,60}}?)\s*{_LETTER}" + _REPORT + "$"
)
# website chrome before a title on the same line (当前位置：首页…政府信息公开年报…局2021年度…)
_CHROME = re.compile(r"^.*(?:首页|当前位置|信息公开年报)")
_CRAWLER = re.compile(r"^(?:标\s*题|题\s*目|文章标题|title)\s*[:：]\s*", re.I)
_AGENCY_PREFIX = re.compile(r"^(?:关于|印发|公布)")
# the last character of a public body's name (…局, …办公室, …人民政府, …委员会, …中心, …办事处)
_AGENCY_END = frozenset("局委办室府院会心所处队站馆区县市镇乡道司部厅组社校行团署台")
_AGENCY_SUFFIX = re.compile(r"(?:关于\s*(?:报送|印发|编制公布|编制|公布)?)$")


def _year(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    from ..narrative_patterns import parse_chinese_number

    try:
        n = parse_chinese_number(text)
    except ValueError:
        return None
    return int(n) if 1990 <= n <= 2100 else None


def find_title(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(agency, year, the title as printed) from the report title among the first lines
    (the title may wrap onto a second line). A name that cannot be a public body's (it does
    not end like one: 编制完成2023年度…报告) gives the year only."""
    from ..names import without_invisible

    # zero-width marks inside a title (硚口区\u200b企业服务中心) are no part of it; a title
    # starts within a line's first characters (searching a whole page on one line costs seconds)
    lines = [without_invisible(x[:TITLE_REACH]) for x in lines[:41]]
    cands: list[str] = []
    for i, line in enumerate(lines[:40]):
        line = _CRAWLER.sub("", line.strip())
        cands.append(line)
        if i + 1 < len(lines):
            cands.append(line + _CRAWLER.sub("", lines[i + 1].strip()))
    fallback: int | None = None
    bare: str | None = None  # the agency of a title printed without its year
    for text in cands:
        for pattern in (_TITLE_A, _TITLE_B, _TITLE_D):
            m = pattern.search(text)
            if m:
                if text[: m.start()].count("《") > text[: m.start()].count("》"):
                    continue  # a document the text cites (《…关于编制公布…的通知》)
                area = _AREA_BEFORE.search(text[: m.start("agency")])
                area_name = area.group(1) if area else ""
                agency = area_name + _agency(m.group("agency"))
                year = _year(m.group("year"))
                if agency and year and re.search(r"[\u4e00-\u9fff]", agency):
                    title = area_name + re.sub(r"\s+", "", m.group(0))
                    title = _AGENCY_PREFIX.sub("", title)
                    title = title[title.find(agency) :] if agency in title else title
                    if agency[-1] in _AGENCY_END and (bare is None or agency.endswith(bare)):
                        return bare or agency, year, title
                    # 编制完成2023年度政府信息公开工作年度报告: no body's name before the year
                    fallback = fallback or year
        m = _TITLE_C.search(text) if bare is None else None
        if m is not None and (agency := _agency(m.group("agency"))) and agency[-1] in _AGENCY_END:
            bare = agency  # a later title with the year may still give the year
    return bare, fallback, None


def _agency(text: str) -> str:
    """The agency as a title match holds it: without 关于/印发 before it, 关于报送 after it, or
    website chrome (首页…政府信息公开年报) the crawler left on the title's line."""
    agency = _CHROME.sub("", text.strip())
    return _AGENCY_SUFFIX.sub("", _AGENCY_PREFIX.sub("", agency))


_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def sensible_year(
    title_year: int | None, period_year: int | None, source: Path | None, log: ImportLog
) -> int | None:
    """The report year: the title's, unless the statistics period and the file name agree on
    another (a title naming the publishing year, or a body calling itself the next year's
    report, while the tables cover the period's year). The period alone does not overrule the
    title: a period copied from last year's report is as likely as a title's wrong year."""
    names = _NAME_YEAR.findall(source.stem) if source is not None else []
    file_year = int(names[0]) if len(names) == 1 else None
    if title_year is None:
        return period_year or file_year
    if period_year and period_year == file_year and title_year != period_year:
        msg = (
            f"标题为{title_year}年度，但统计期限与文件名均为{period_year}年：按{period_year}年导入"
        )
        log.add("warning", msg)
        return period_year
    return title_year


# 自2023年1月1日(起)至2023年12月31日(止); a first report may start later (2019年9月1日起)
_PERIOD = re.compile(
    r"((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*起?\s*(?:至|到|-|—|～|~)\s*"
    r"\1\s*年\s*12\s*月\s*31\s*日"
)


def year_from_period(text: str) -> int | None:
    m = _PERIOD.search(text)
    return int(m.group(1)) if m else None
