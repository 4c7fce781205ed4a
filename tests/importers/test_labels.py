"""Label normalisation and matching against the official labels."""

from __future__ import annotations

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers.headings import section_of_heading
from disclosure_lib.importers.labels import (
    norm,
    strip_ordinal,
    tokenize,
    variants,
)


def test_norm_unifies_widths_spaces_quotes() -> None:
    assert norm("第二十条第（一）项") == norm("第二十条第(一)项") == "第二十条第(一)项"
    assert norm("商业 企业") == "商业企业"
    assert norm("3.危及“三安全一稳定”") == norm('3.危及"三安全一稳定"')
    assert norm("1、属于国家秘密") == norm("1．属于国家秘密") == "1.属于国家秘密"
    assert norm("（单位：万元）") == "(单位:万元)"
    assert norm("38 5  0") == "38 5 0"  # spaces still separate figures
    assert norm("０１２") == "012"


def test_variants_and_ordinals() -> None:
    v = variants("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    assert {"(二)部分公开", "部分公开"} <= v
    assert strip_ordinal("(三)不予公开") == "不予公开"
    assert "其他" not in variants("3.其他")  # too short without its ordinal: the column header


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("一、总体情况", "一"),
        ("二、主动公开政府信息情况", "二"),
        ("三、收到和处理政府信息公开申请情况", "三"),
        ("四、政府信息公开行政复议、行政诉讼情况", "四"),
        ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "四"),
        ("四. 政府信息公开行政复议、行政诉讼情况", "四"),
        ("五、存在的主要问题及改进情况", "五"),
        ("六、其他需要报告的事项", "六"),
        ("一、本年新收政府信息公开申请数量", None),
        ("二、上年结转政府信息公开申请数量", None),
        ("四、结转下年度继续办理", None),
        ("二、主动公开政府信息情况良好，全年发布信息100条。", None),
    ],
)
def test_section_headings(line: str, key: str | None) -> None:
    assert section_of_heading(line) == key


def test_tokenize_run_together_row_and_next_label() -> None:
    toks, other = tokenize("1.本机关不掌握相关政府信息3252.没有现成信息需要另行制作1", "三")
    assert other == 0
    assert [(t.kind, t.key or t.text) for t in toks] == [
        ("row", "unavailable.not_held"),
        ("value", "325"),
        ("row", "unavailable.needs_creation"),
        ("value", "1"),
    ]


def test_every_official_row_label_is_recognised() -> None:
    for t in fmt.TABLES:
        if t.key == "review":
            continue
        for row in t.rows:
            toks, _ = tokenize(row.label, t.section)
            assert [x.key for x in toks if x.kind == "row"] == [row.key], row.label


def test_header_words_are_not_prose() -> None:
    toks, other = tokenize(
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他", "三"
    )
    assert other == 0 and {t.kind for t in toks} == {"header"}


def test_unit_notes_in_tables_are_not_prose() -> None:
    for section in "二三四":
        toks, other = tokenize("（单位：件）", section)
        assert other == 0 and [t.kind for t in toks] == ["header"]


def test_a_leading_zero_group_is_cells_not_a_thousands_figure() -> None:
    # review finding 8: 0,100,200 was one figure 0100200; 1,234 stays one figure
    from disclosure_lib.importers.labels import _values

    toks: list = []
    _values("0,100,200", toks)
    assert [t.text for t in toks] == ["0", "100", "200"]
    toks = []
    _values("1,234 3项 2次", toks)
    assert [t.text for t in toks] == ["1234", "3", "2"]
