"""The office's collection file: expected agencies, due dates (《条例》第四十九条), P2-LATE."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from disclosure_lib.batch import dashboard as dash
from disclosure_lib.batch.manifest import Entry
from disclosure_lib.batch.states import Status
from disclosure_lib.checks import check_paths
from disclosure_lib.collection import (
    Collection,
    check_due,
    find_collection,
    load_collection,
)
from disclosure_lib.errors import ParamsError
from disclosure_lib.model import Report
from disclosure_lib.params import find_params

from .base import BUSY_AGENCY, PARAMS

GOVERNMENT = "示例区人民政府办公室"


def test_bundled_collection_names_the_government_and_is_found_next_to_params() -> None:
    path = find_collection([PARAMS])
    assert path == PARAMS / "collection.yaml"
    collection = load_collection(path)
    assert collection.government == GOVERNMENT
    assert collection.expected()[0] == GOVERNMENT and BUSY_AGENCY in collection.expected()
    # a single params file finds it two levels up
    assert find_collection([PARAMS / BUSY_AGENCY / "2024.yaml"]) == path


def test_the_collection_file_is_not_read_as_a_report() -> None:
    assert PARAMS / "collection.yaml" not in find_params([PARAMS])
    result = check_paths([PARAMS])
    assert not result.load_errors
    assert not [f for f in result.findings if f.code == "P2-LATE"]  # the bundled ones are on time


def test_due_dates_follow_article_49_unless_overridden() -> None:
    c = Collection(
        government=GOVERNMENT,
        agencies=[BUSY_AGENCY],
        overrides={(BUSY_AGENCY, 2023): datetime.date(2024, 2, 29)},
    )
    assert c.due(BUSY_AGENCY, 2024) == datetime.date(2025, 1, 31)  # 部门: 1月31日
    assert c.due(GOVERNMENT, 2024) == datetime.date(2025, 3, 31)  # 人民政府: 3月31日
    assert c.due(BUSY_AGENCY, 2023) == datetime.date(2024, 2, 29)
    assert c.missing([(BUSY_AGENCY, 2024), (GOVERNMENT, 2023)], 2024) == [GOVERNMENT]


def test_agencies_set_up_or_dissolved_are_expected_only_in_their_years(tmp_path: Path) -> None:
    """机构改革: an agency listed with `from`/`until` is 未提交 only within those years."""
    path = tmp_path / "collection.yaml"
    path.write_text(
        "government: 区政府\n"
        "agencies:\n"
        "  - 甲局\n"
        "  - name: 乙局  # 2024年组建\n"
        "    from: 2024\n"
        "  - {name: 丙局, until: 2023}  # 2024年撤并\n"
        "  - {name: 丁局, from: 2022, until: 2023}\n",
        encoding="utf-8",
    )
    c = load_collection(path)
    assert c.agencies == ["甲局", "乙局", "丙局", "丁局"]
    assert c.expected(2021) == ["区政府", "甲局", "丙局"]
    assert c.expected(2023) == ["区政府", "甲局", "丙局", "丁局"]
    assert c.expected(2024) == ["区政府", "甲局", "乙局"]
    assert c.expected() == ["区政府", "甲局", "乙局", "丙局", "丁局"]  # in any year
    assert c.missing([("甲局", 2024)], 2024) == ["区政府", "乙局"]
    assert c.missing([("甲局", 2023)], 2023) == ["区政府", "丙局", "丁局"]
    # the dashboard: 未提交 only in the years an agency is expected
    reports = {
        ("甲局", y): Entry(f"report:甲局/{y}", "f", {}, Status.BUILT, ["html"], [], agency="甲局",
                          year=y, issued=f"{y + 1}-01-20")
        for y in (2023, 2024)
    }  # fmt: skip
    today = datetime.date(2025, 1, 25)
    for year, missing in ((2023, {"区政府", "丙局", "丁局"}), (2024, {"区政府", "乙局"})):
        rows = dash.year_rows(reports, year, c, today, {})
        assert {r.agency for r in rows if dash.MISSING in r.statuses} == missing
        assert {r.agency for r in rows} == missing | {"甲局"}


@pytest.mark.parametrize(
    ("issued", "late"),
    [
        (datetime.date(2025, 1, 31), None),
        (datetime.date(2025, 2, 3), 3),
        (None, None),  # a missing date is P2-ISSUED's, not P2-LATE's
    ],
)
def test_a_report_issued_after_its_due_date_is_late(
    seed_report: Report, issued: datetime.date | None, late: int | None
) -> None:
    seed_report.issued = issued
    found = check_due(seed_report, Collection(agencies=[seed_report.agency]))
    if late is None:
        assert not found
    else:
        assert [f.code for f in found] == ["P2-LATE"] and found[0].severity == "warning"
        assert f"逾期 {late} 天" in found[0].message and "2025-01-31" in found[0].message


def test_check_warns_late_with_the_line_of_issued(tmp_path: Path) -> None:
    shutil.copytree(PARAMS / BUSY_AGENCY, tmp_path / BUSY_AGENCY)
    path = tmp_path / BUSY_AGENCY / "2024.yaml"
    text = path.read_text(encoding="utf-8").replace("issued: 2025-01-20", "issued: 2025-02-10")
    path.write_text(text, encoding="utf-8")
    (tmp_path / "collection.yaml").write_text(f"agencies:\n  - {BUSY_AGENCY}\n", encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("issued:"))
    late = [f for f in check_paths([tmp_path]).findings if f.code == "P2-LATE"]
    assert [(f.year, f.line) for f in late] == [(2024, line)]
    # without a collection file, no due date is known: no P2-LATE
    (tmp_path / "collection.yaml").unlink()
    assert not [f for f in check_paths([tmp_path]).findings if f.code == "P2-LATE"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("agencies:\n  - 甲局\n  - 甲局\n", 3, "重复"),
        ("agencies: 甲局\n", 1, "列表"),
        ("government: 甲\ndeadline: {}\n", 2, "未知的键"),
        ("deadlines:\n  2024:\n    甲局: 2025-13-01\n", 3, "2025-01-31"),
        ("deadlines:\n  24:\n    甲局: 2025-02-01\n", 2, "四位数字"),
        ("agencies: [甲局\n", None, "YAML"),
        ("agencies:\n  - 甲局\n  - from: 2019\n", 3, "缺少 name"),
        ("agencies:\n  - name: 甲局\n    since: 2019\n", 3, "未知的键（可用：name、from、until）"),
        ("agencies:\n  - name: 甲局\n    from: 19\n", 3, "四位数字"),
        ("agencies:\n  - name: 甲局\n    from: 2024\n    until: 2020\n", 4, "早于起始年度 2024"),
        ("agencies:\n  - 甲局\n  - name: 甲局\n    from: 2020\n", 3, "重复"),
    ],
)
def test_a_bad_collection_file_names_file_and_line(
    tmp_path: Path, text: str, line: int | None, words: str
) -> None:
    path = tmp_path / "collection.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_collection(path)
    assert caught.value.path == path and words in str(caught.value)
    if line is not None:
        assert caught.value.line == line
    # check reports it as a load error, never a traceback
    assert [e.path for e in check_paths([tmp_path]).load_errors] == [path]
