"""Year-over-year and peer checks: warnings naming both years' cells, or the year's P75."""

from __future__ import annotations

import random

from disclosure_lib import format as fmt
from disclosure_lib.checks import check_reports
from disclosure_lib.checks_trend import check_peers, check_trend, p75
from disclosure_lib.findings import Finding
from disclosure_lib.model import Report
from disclosure_lib.synth import consistent_report

APP, PRO, REV = fmt.APPLICATIONS, fmt.PROACTIVE, fmt.REVIEW


def _pair() -> tuple[Report, Report]:
    before = consistent_report("甲局", 2023, random.Random(1))
    now = consistent_report("甲局", 2024, random.Random(2))
    return before, now


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_a_jump_is_a_warning_naming_both_years() -> None:
    before, now = _pair()
    before.set(APP.key, "new", "total", 10)
    now.set(APP.key, "new", "total", 30)  # ×3 and +20
    [f] = [f for f in check_trend(now, before) if f.code == "Y1-JUMP"]
    assert f.severity == "warning" and f.cells == ((APP.key, "new", "total"),)
    assert "2024年" in f.message and "为 30" in f.message and "2023年同一单元格为 10" in f.message
    now.set(APP.key, "new", "total", 29)  # ×2.9: not a jump
    assert "Y1-JUMP" not in _codes(check_trend(now, before))
    before.set(APP.key, "new", "total", 5)
    now.set(APP.key, "new", "total", 24)  # ×4.8 but +19: not a jump
    assert "Y1-JUMP" not in _codes(check_trend(now, before))


def test_in_force_falling_by_more_than_half() -> None:
    before, now = _pair()
    before.set(PRO.key, "normative_documents", "in_force", 40)
    now.set(PRO.key, "normative_documents", "in_force", 19)
    found = [f for f in check_trend(now, before) if f.code == "Y2-IN-FORCE-DROP"]
    assert [f.cells for f in found] == [((PRO.key, "normative_documents", "in_force"),)]
    assert "为 19 件" in found[0].message and "2023年同一单元格为 40 件" in found[0].message
    now.set(PRO.key, "normative_documents", "in_force", 20)  # exactly half: kept
    assert "Y2-IN-FORCE-DROP" not in _codes(check_trend(now, before))


def _review(report: Report, corrected: int, total: int) -> Report:
    for col in REV.columns:
        report.set(REV.key, "reconsideration", col.key, 0)
    report.set(REV.key, "reconsideration", "corrected", corrected)
    report.set(REV.key, "reconsideration", "upheld", total - corrected)
    report.set(REV.key, "reconsideration", "total", total)
    return report


def test_corrected_share_above_the_years_p75() -> None:
    shares = [(1, 10), (2, 10), (3, 10), (4, 10), (9, 10)]
    reports = [
        _review(consistent_report(f"局{i}", 2024, random.Random(i)), c, t)
        for i, (c, t) in enumerate(shares)
    ]
    flagged = [f for f in check_peers(reports) if f.row == "行政复议"]
    assert [f.agency for f in flagged] == ["局4"]
    assert flagged[0].severity == "warning" and "P75（40%）" in flagged[0].message
    assert p75([0.1, 0.2, 0.3, 0.4, 0.9]) == 0.4
    # too few peers: no P75 to compare with
    assert not [f for f in check_peers(reports[:3]) if f.row == "行政复议"]
    # the collection check runs the peers too, warnings only
    found = [f for f in check_reports(reports) if f.code == "Y3-CORRECTED-SHARE"]
    assert found and all(not f.is_error for f in found)


def test_a_builds_report_unit_is_compared_with_its_peers() -> None:
    from disclosure_lib.batch.gate import check_unit
    from disclosure_lib.batch.states import UnitKind

    shares = [(1, 10), (2, 10), (3, 10), (4, 10), (9, 10)]
    reports = [
        _review(consistent_report(f"局{i}", 2024, random.Random(i)), c, t)
        for i, (c, t) in enumerate(shares)
    ]
    flagged = check_unit(UnitKind.REPORT, "局4", 2024, reports)
    assert any(r["code"] == "Y3-CORRECTED-SHARE" for r in flagged.findings)
    assert check_unit(UnitKind.REPORT, "局0", 2024, reports).warnings == 0
