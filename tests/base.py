"""Paths and builders shared by the tests (fixtures wrapping them are in `conftest.py`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from disclosure_lib.model import Contact, Paragraph, Report

ROOT = Path(__file__).resolve().parent.parent  # the repository
PARAMS = ROOT / "params"  # the bundled params files
SEED_AGENCY = "硚口区企业服务中心"
SEED_YEAR = 2024
SEED = PARAMS / SEED_AGENCY / f"{SEED_YEAR}.yaml"  # the seed report's params file
BUSY_AGENCY = "示例区教育局"  # bundled, with figures and earlier years: every chart is drawn
FIXTURES = ROOT / "tests" / "fixtures"
IMPORT_FIXTURES = FIXTURES / "import"
# the seed report as published: the web page's text, tables one cell a line (docs/FORMAT.md)
SEED_PAGE = FIXTURES / "seed" / "000_9841ad1147ba200b.txt"
FORMAT2019_FIXTURES = FIXTURES / "format2019"  # a 2019-format params file and a mixed one


def report_2019(agency: str = "示例区某某局", year: int = 2020) -> Report:
    """A consistent report kept in the 2019 format (国办公开办函〔2019〕60号): its own 二
    (本年新制作数量, 上一年项目数量, 本年增/减 — negative here —, the 第二十条第（九）项 row)
    and 三 with （六）其他处理 as one figure; rules 1–4 hold, every figure is set."""
    report = Report.blank(agency, year, fill=0, format="2019")
    pro = {
        ("regulations", "made"): 0,
        ("normative_documents", "made"): 5,
        ("normative_documents", "published"): 5,
        ("normative_documents", "total_published"): 40,
        ("licensing", "previous_items"): 12,
        ("licensing", "change"): -2,
        ("licensing", "decisions"): 350,
        ("other_services", "previous_items"): 3,
        ("other_services", "change"): 1,
        ("other_services", "decisions"): 20,
        ("penalty", "previous_items"): 4,
        ("penalty", "decisions"): 15,
        ("fees", "previous_items"): 2,
        ("fees", "change"): -1,
        ("procurement", "purchases"): 6,
        ("procurement", "purchase_amount"): Decimal("123.45"),
    }
    for (row, column), value in pro.items():
        report.set("proactive", row, column, value)
    # 自然人: 10 new + 2 carried = 5 + 1 + 2 + 1 (其他处理) = 9 done + 3 carried forward
    apps = {
        "natural": {"new": 10, "carried_over": 2, "disclosed": 5, "partial": 1,
                    "unavailable.not_held": 2, "other_handling": 1, "total": 9,
                    "carry_forward": 3},
        "business": {"new": 3, "disclosed": 2, "not_processed.petition": 1, "total": 3},
    }  # fmt: skip
    for column, rows in apps.items():
        for row, value in rows.items():
            report.set("applications", row, column, value)
    for row, _ in report.table_spec("applications").cells():
        parts = [report.get("applications", row, c) for c in ("natural", "business")]
        report.set("applications", row, "total", sum(v for v in parts if isinstance(v, int)))
    report.set("review", "reconsideration", "upheld", 1)
    report.set("review", "reconsideration", "total", 1)
    report.contact = Contact("办公室", "示例路1号", "0591-00000000")
    report.issued = datetime.date(year + 1, 1, 20)
    report.narrative = {
        "一": [
            Paragraph(
                f"{year}年，本局制发规范性文件5件，新收政府信息公开申请13件，收到行政复议申请1件。",
                heading="（一）主动公开",
            )
        ],
        "五": [Paragraph("信息公开工作仍有不足，明年将加强培训。")],
        "六": [Paragraph("本年度未收取信息处理费。")],
    }
    return report


def report_mixed(agency: str = "示例区某某局", year: int = 2021) -> Report:
    """A 2021 report whose page prints the 2019 tables of 二 (`table_formats`), consistent,
    and with `report_2019(agency, year - 1)` (上年结转 = last year's 结转下年度继续办理)."""
    old = report_2019(agency, year)
    report = Report.blank(agency, year, fill=0, table_formats={"proactive": "2019"})
    report.tables["proactive"] = dict(old.tables["proactive"])
    for (row, column), value in old.tables["applications"].items():
        row = "other_handling.other" if row == "other_handling" else row
        report.set("applications", row, column, value)
    for column, (new, carried) in {"natural": (9, 3), "total": (12, 3)}.items():
        report.set("applications", "new", column, new)
        report.set("applications", "carried_over", column, carried)
    report.tables["review"] = dict(old.tables["review"])
    report.contact, report.issued = old.contact, old.issued
    report.narrative = {
        "一": [Paragraph("全年新收政府信息公开申请12件，办结12件。", heading="（二）依申请公开")],
        "五": [Paragraph("无。")],
        "六": [Paragraph("无。")],
    }
    return report


def without_permission_override(cmd: list[str]) -> list[str]:
    """`cmd` run so that file permissions apply: as root, with the capabilities that override
    them dropped (`setpriv`); the test is skipped when that is not possible."""
    import os
    import shutil

    import pytest

    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits are not enforced")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
