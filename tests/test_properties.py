"""Property tests: consistent reports pass; one changed figure fails the right rule on that cell.

Reports come from `synth.demo_series` (two consecutive years, so the cross-year rules apply),
driven by a hypothesis-chosen seed and scale. Which rules cover a cell is derived from the
format data (equations) and from what the narrative states, not listed by hand.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_lib import format as fmt
from disclosure_lib import narrative, narrative_patterns, synth
from disclosure_lib.checks import check_report
from disclosure_lib.findings import Finding
from disclosure_lib.model import Paragraph, Report

Cell3 = tuple[str, str, str]
ALL_CELLS: list[Cell3] = [(t.key, r, c) for t in fmt.TABLES for r, c in t.cells()]
COPY = "C1-NARRATIVE-COPY"  # synth's narrative is a template: copies are real, and beside the point
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(min_value=0, max_value=2**32 - 1)
scales = st.integers(min_value=0, max_value=300)


def _series(seed: int, scale: int) -> tuple[Report, Report]:
    last, this = synth.demo_series("示例属性局", range(2023, 2025), seed, scale=scale)
    return last, this


def equation_codes(cell: Cell3) -> set[str]:
    """Codes of the format.py equations that involve `cell`."""
    table_key, row, col = cell
    table = fmt.table(table_key)
    codes = set()
    for eq in table.equations:
        along, across = (row, col) if eq.axis == "column" else (col, row)
        default = (
            [c.key for c in table.columns]
            if eq.axis == "column"
            else [r.key for r in table.figure_rows]
        )
        if along in (*eq.left, *eq.right) and across in (eq.over or default):
            codes.add(eq.code)
    return codes


def rules_for(cell: Cell3, report: Report) -> set[str]:
    codes = equation_codes(cell)
    if any(cell in s.cells for s in narrative.statements(report)):
        codes |= {"R6-NARRATIVE", "R6-WRONG-ROW"}
    if cell[:2] == ("applications", "carried_over"):
        codes.add("R7-CARRY-OVER")
    if cell[0] == "proactive" and cell[2] in ("issued", "repealed", "in_force"):
        codes.add("R8-IN-FORCE")
    return codes


def _consistency(findings: list[Finding]) -> list[Finding]:
    """The findings of the consistency rules: not the copy warning, nor the year-over-year
    plausibility warnings (Y…), which a random series may well trip (a figure ×3)."""
    return [f for f in findings if f.code != COPY and not f.code.startswith("Y")]


@PROPS
@given(seed=seeds, scale=scales)
def test_consistent_reports_pass(seed: int, scale: int) -> None:
    last, this = _series(seed, scale)
    assert _consistency(check_report(last)) == []
    assert _consistency(check_report(this, last)) == []


@PROPS
@given(
    seed=seeds,
    scale=scales,
    cell=st.sampled_from(ALL_CELLS),
    delta=st.integers(min_value=-30, max_value=30).filter(bool),
)
def test_single_change_fails_the_right_rule_on_that_cell(
    seed: int, scale: int, cell: Cell3, delta: int
) -> None:
    last, this = _series(seed, scale)
    changed = copy.deepcopy(this)
    old = this.get(*cell)
    assert old is not None
    step = Decimal(delta) / 100 if fmt.table(cell[0]).is_amount(*cell[1:]) else delta
    new = old + step
    changed.set(*cell, new)

    findings = _consistency(check_report(changed, last))
    # Nothing else is blamed: every finding involves the changed cell.
    assert all(cell in f.cells for f in findings), findings
    if new < 0:
        assert "R5-NEGATIVE" in {f.code for f in findings}
    expected = rules_for(cell, this)
    if expected:
        assert {f.code for f in findings} & expected, (cell, findings)
    else:  # a figure no rule constrains (e.g. 行政许可 when the text does not state it)
        assert [f for f in findings if f.code != "R5-NEGATIVE"] == []


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True),
    st.text(max_size=5),
)
PROSE = "收到新收申请件万元予以部分不予公开无法提供处理行政复议诉讼许可强制收取费结转上下年度现行有效规章规范性文件制发废止未无没有，。、；（）0123456789.一二两三十百千万零〇"  # noqa: E501
TOKENS = [*PROSE, "2023年", "2024年", "1月1日至"]
prose = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@PROPS
@given(
    seed=seeds,
    values=st.lists(st.tuples(st.sampled_from(ALL_CELLS), junk), max_size=6),
    text=prose,
)
def test_checks_never_raise(seed: int, values: list[tuple[Cell3, object]], text: str) -> None:
    last, this = _series(seed, 20)
    for cell, value in values:
        this.set(*cell, value)  # type: ignore[arg-type]
    this.narrative["一"] = [Paragraph(text)]
    this.section_notes["三"] = text
    for f in check_report(this, last):
        assert f.severity in ("error", "warning") and f.message


_CN_DIGITS = "零一二三四五六七八九"


def _below_10000(n: int) -> str:
    out, gap = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            gap = bool(out)
            continue
        if gap:
            out, gap = out + "零", False
        out += _CN_DIGITS[d] + name
    return out


def to_chinese(n: int) -> str:
    """Standard Chinese numeral for 0 ≤ n < 10^8 (the test's own encoder)."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    if not high:
        text = _below_10000(low)
        return text[1:] if 10 <= n < 20 else text  # 十五, not 一十五
    text = _below_10000(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_10000(low)
    return text


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**8 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert narrative_patterns.parse_chinese_number(to_chinese(n)) == n
    assert narrative_patterns.parse_chinese_number(str(n)) == n


@PROPS
@given(n=st.integers(min_value=0, max_value=99_999), chinese=st.booleans())
def test_stated_figure_is_read_in_either_numeral(n: int, chinese: bool) -> None:
    report = Report.blank("示例属性局", 2024, fill=0)
    report.narrative["一"] = [
        Paragraph(f"2024年，其中予以公开{to_chinese(n) if chinese else n}件。")
    ]
    [s] = narrative.statements(report)
    assert (s.pattern.key, s.value) == ("disclosed", n)
