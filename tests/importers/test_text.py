"""Text layouts → blocks: the seed's layout, tab and pipe rows, run-together lines, encodings."""

from __future__ import annotations

import codecs

import pytest

from disclosure_lib.errors import ImportError_
from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.text import decode_text, text_blocks

from ..base import IMPORT_FIXTURES as FIX


def test_seed_layout_rows_and_cells() -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n\t规章\n\t0\n\t\n\t3\n\n\t商业\n企业\n\t科研\n机构\n"
    )
    blocks = text_blocks(text)
    assert blocks[0].text == "三、收到和处理政府信息公开申请情况"
    assert blocks[1].cells == ["规章", "0", "", "3"]  # an empty tab line is an empty cell
    assert blocks[1].cell_lines == [2, 3, 4, 5]
    assert blocks[2].cells == ["商业企业", "科研机构"]  # wrapped label cells rejoined


def test_tab_and_pipe_rows() -> None:
    text = "规章\t1\t0\t5\n| 行政许可 | 7 |\n|---|---|\n商业 企业 | | 3\n"
    rows = [b.cells for b in text_blocks(text)]
    assert rows == [["规章", "1", "0", "5"], ["行政许可", "7"], ["商业 企业", "", "3"]]


def test_prose_lines_stay_lines() -> None:
    blocks = text_blocks("一、总体情况\n2024年，我中心坚持…。\n\n（一）主动公开\n")
    assert [b.text for b in blocks] == ["一、总体情况", "2024年，我中心坚持…。", "（一）主动公开"]
    assert [b.line for b in blocks] == [1, 2, 4]


def test_a_heading_run_into_the_previous_table_line_is_split() -> None:
    blocks = text_blocks("四、结转下年度继续办理0000000四、政府信息公开行政复议、行政诉讼情况\n")
    assert [b.text for b in blocks] == [
        "四、结转下年度继续办理0000000",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("gbk"),
        lambda s: s.encode("gb18030"),
        lambda s: s.encode("utf-16"),
    ],
)
def test_encodings(encode) -> None:  # type: ignore[no-untyped-def]
    text = (FIX / "seed.txt").read_text(encoding="utf-8")
    assert decode_text(encode(text)) == text


def test_binary_is_refused() -> None:
    with pytest.raises(ImportError_, match="二进制"):
        decode_text(b"abc\x00def")
    with pytest.raises(ImportError_, match="二进制"):
        decode_text(bytes(range(1, 32)) * 50)


def test_crawler_header_and_half_width_report() -> None:
    result = import_bytes((FIX / "pipes.txt").read_bytes(), path="pipes.txt")
    r = result.report
    assert (r.agency, r.year) == ("硚口区企业服务中心", 2024)
    assert r.get("applications", "new", "business") == 3
    assert result.log.sections_found == list("一二三四五六")
    assert "四" in r.section_notes  # the varied 四 heading was recognised


def test_space_separated_figures_after_a_label() -> None:
    text = (
        "示例区统计局2024年政府信息公开工作年度报告\n"
        "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 38 5 0 0 1 0 44\n"
        "（二）部分公开 1 0 0 0 0 0 1\n"
        "（三）不予公开 1. 属于国家秘密 / — - 0 0 0 3\n"
    )
    r = import_bytes(text.encode("utf-8")).report
    assert [r.get("applications", "new", c) for c in ("natural", "business", "total")] == [
        38,
        5,
        44,
    ]
    assert r.get("applications", "partial", "total") == 1
    secret = [r.get("applications", "withheld.state_secret", c) for c in ("natural", "business")]
    assert secret == [None, None]  # blank markers: the total (3) says they are not all 0
    assert r.get("applications", "withheld.state_secret", "total") == 3


def test_clean_text_takes_out_thousands_separators_only_of_grouped_figures() -> None:
    from disclosure_lib.importers.text import clean_text

    assert clean_text("1,234 与 5，949.09万元") == "1234 与 5949.09万元"
    assert clean_text("0,100,200") == "0,100,200"  # a leading 0 group: three cells
    assert clean_text("1，234家") == "1234家"
