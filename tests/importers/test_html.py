"""HTML pages → blocks and reports: encodings, spans, &nbsp;, nested tags, blank markers."""

from __future__ import annotations

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.html import decode_html, html_blocks, read_html

from ..base import IMPORT_FIXTURES as FIX

PAGE = """<html><head><meta charset="{charset}">
<title>示例区统计局2024年政府信息公开工作年度报告</title>
<script>document.write('<p>三、收到和处理政府信息公开申请情况</p>')</script></head><body>
<div class="crumb">首页 &gt; 政务公开</div>
<p><b>三、收到和处理</b><span>政府信息公开申请情况</span></p>
<table><tr><td rowspan="3" colspan="3">
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
<td><p><span>３８</span></p></td><td>5</td><td>&nbsp;</td><td>/</td><td>—</td><td>-</td><td>43</td></tr>
<tr><td rowspan="22">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
<td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>21</td></tr>
<tr><td rowspan="8">（三）不予公开</td><td>1.属于国家秘密</td>
<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>2.其他法律行政法规禁止公开</td>
<td>7</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>7</td></tr>
</table></body></html>"""


def page(charset: str = "utf-8") -> str:
    return PAGE.replace("{charset}", charset)


def test_blocks_in_document_order() -> None:
    blocks = html_blocks(page())
    texts = [b.text for b in blocks if b.text]
    assert texts[0] == "示例区统计局2024年政府信息公开工作年度报告"  # <title> first
    assert "三、收到和处理政府信息公开申请情况" in texts  # inline tags joined, script ignored
    assert sum("三、收到和处理" in t for t in texts) == 1
    rows = [b.cells for b in blocks if b.cells]
    assert rows[2][0] == "商业 企业"
    assert rows[3] == ["一、本年新收政府信息公开申请数量", "３８", "5", "", "/", "—", "-", "43"]


@pytest.mark.parametrize(
    ("charset", "codec"), [("utf-8", "utf-8"), ("gb2312", "gbk"), ("GBK", "gb18030")]
)
def test_declared_encodings(charset: str, codec: str) -> None:
    data = page(charset).encode(codec)
    assert decode_html(data) == page(charset)


def test_undeclared_gbk_is_sniffed() -> None:
    text = page("x").replace('<meta charset="x">', "")
    assert decode_html(text.encode("gbk")) == text


def test_figures_spans_and_blank_markers() -> None:
    result = import_bytes(page("gb2312").encode("gbk"), path="p.html")
    r = result.report
    zeros = [e for e in result.log.entries if e.row == "new" and "推断为 0" in e.message]
    assert zeros and "社会公益组织" in zeros[0].message
    assert (r.agency, r.year) == ("示例区统计局", 2024)
    new = [r.get("applications", "new", c.key) for c in fmt.APPLICATIONS.columns]
    # full-width digits; &nbsp; / — - are blank, and 38 + 5 = 43 makes each of them 0
    assert new == [38, 5, 0, 0, 0, 0, 43]
    assert [r.get("applications", "disclosed", c.key) for c in fmt.APPLICATIONS.columns] == [
        1,
        2,
        3,
        4,
        5,
        6,
        21,
    ]
    assert r.get("applications", "withheld.state_secret", "total") == 0
    assert r.get("applications", "withheld.prohibited", "natural") == 7
    assert r.get("applications", "total", "total") is None  # not in the page


def test_nested_tables_are_not_read_twice() -> None:
    html = "<table><tr><td><table><tr><td>内层</td></tr></table></td><td>外层</td></tr></table>"
    rows = [b.cells for b in html_blocks(html) if b.cells]
    assert rows == [["内层", "外层"]]


def test_deeply_nested_page_is_read_up_to_the_depth_limit() -> None:
    html = "<div>" * 250 + "一、总体情况" + "</div>" * 250
    blocks = read_html(html.encode())  # the text under 250 tags is read (the limit: 256)
    assert [(b.text, b.cells) for b in blocks] == [("一、总体情况", None)]


def test_seed_html_fixture_equals_the_text_fixture() -> None:
    a = import_bytes((FIX / "seed.html").read_bytes(), path="seed.html").report
    b = import_bytes((FIX / "seed.txt").read_bytes(), path="seed.txt").report
    assert a == b
