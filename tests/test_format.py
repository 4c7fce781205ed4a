"""The official format data: labels, counts and hierarchy as docs/FORMAT.md states them."""

from __future__ import annotations

from disclosure_lib import format as fmt


def test_section_headings() -> None:
    assert [s.heading for s in fmt.SECTIONS] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


def test_applications_table_shape() -> None:
    t = fmt.APPLICATIONS
    assert len(t.columns) == 7 and len(t.figure_rows) == 25
    assert len(t.cells()) == 175
    assert [
        len(t.children(k)) for k in ("withheld", "unavailable", "not_processed", "other_handling")
    ] == [
        8,
        3,
        5,
        3,
    ]
    assert t.row_path(t.row("withheld.three_safety")) == (
        "三、本年度办理结果",
        "（三）不予公开",
        "3.危及“三安全一稳定”",
    )
    # rule 2 sums the 21 outcome rows of （一）…（六） (22 with （七）总计 itself)
    eq = next(e for e in t.equations if e.rule == 2)
    assert len(eq.right) == 21 and "total" not in eq.right


def test_review_and_proactive_shape() -> None:
    assert len(fmt.REVIEW.cells()) == 15
    items = fmt.proactive_items()
    assert [i[0] for i in items] == list(fmt.PROACTIVE_ITEMS)
    assert [[r.label for r in rows] for _, rows, _ in items] == [
        ["规章", "行政规范性文件"],
        ["行政许可"],
        ["行政处罚", "行政强制"],
        ["行政事业性收费"],
    ]
    assert fmt.PROACTIVE.is_amount("fees", "fee_amount")
    assert not fmt.PROACTIVE.is_amount("licensing", "decisions")


def test_row_keys_unique() -> None:
    for t in fmt.TABLES:
        keys = [r.key for r in t.rows]
        assert len(keys) == len(set(keys))
        labels = [r.label for r in t.rows]
        assert len(labels) == len(set(labels))
