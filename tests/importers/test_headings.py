"""Section headings as published: one character off, trailing punctuation, 情况统计."""

from __future__ import annotations

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.headings import section_of_heading, within_one_edit
from disclosure_lib.model import Report

from ..base import IMPORT_FIXTURES as FIX


def _variants(heading: str) -> list[str]:
    """Every one-character insertion, deletion and change of `heading`, and punctuated forms."""
    out = []
    for i in range(len(heading) + 1):
        out.append(heading[:i] + "的" + heading[i:])
    for i in range(len(heading)):
        out.append(heading[:i] + heading[i + 1 :])
        out.append(heading[:i] + "某" + heading[i + 1 :])
    out += [heading + p for p in ("。", "：", ":", "；", " ", "．")]
    if heading.endswith("情况"):
        out.append(heading + "统计")
    return out


@pytest.mark.parametrize("section", fmt.SECTIONS, ids=lambda s: s.key)
def test_every_one_character_variant_is_recognised(section: fmt.Section) -> None:
    for variant in _variants(section.heading):
        assert section_of_heading(variant) == section.key, variant


@pytest.mark.parametrize(
    "line",
    [
        "二、工作措施",
        "三、下一步工作打算",
        "一、基本情况",
        "二、主要做法和成效",
        "（一）主动公开情况",
        "（一）上年度存在的问题及改进情况",
        "三、本年度办理结果",
        "四、结转下年度继续办理",
        "二、上年结转政府信息公开申请数量",
        "一、本年新收政府信息公开申请数量",
        "二、主动公开政府信息情况良好，全年发布信息100条。",
        "行政复议",
        "0",
        "",
    ],
)
def test_unrelated_lines_are_not_headings(line: str) -> None:
    assert section_of_heading(line) is None


def test_within_one_edit() -> None:
    assert within_one_edit("abc", "abc") and within_one_edit("abc", "abxc")
    assert within_one_edit("abc", "ac") and within_one_edit("abc", "axc")
    assert not within_one_edit("abc", "axd") and not within_one_edit("abc", "a")


def test_a_report_with_variant_headings_imports_like_the_original(seed_report: Report) -> None:
    text = (FIX / "seed.txt").read_text(encoding="utf-8")
    swaps = {
        "一、总体情况": "一、总体情况。",
        "二、主动公开政府信息情况": "二、主动公开政府信息情况统计",
        "三、收到和处理政府信息公开申请情况": "三、收到和处理政府信息公开申请的情况",
        "四、政府信息公开行政复议、行政诉讼情况": "四．政府信息公开行政复议、行政诉讼情况：",
        "五、存在的主要问题及改进情况": "五、存在主要问题及改进情况",
        "六、其他需要报告的事项": "六、其它需要报告的事项",
    }
    lines = [swaps.get(line, line) for line in text.splitlines()]
    assert lines != text.splitlines()
    result = import_bytes("\n".join(lines).encode(), path="variants.txt")
    assert result.log.sections_found == list("一二三四五六")
    report = result.report
    report.own_title = None  # compared with the params, which hold no own title
    assert report.tables == seed_report.tables
    assert report.narrative == seed_report.narrative
    assert report.section_notes == seed_report.section_notes
