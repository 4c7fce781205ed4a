"""`disclosure diff`: cell changes in the official order, cover fields, text as a unified diff."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_lib import cli
from disclosure_lib import format as fmt
from disclosure_lib.diff import diff_reports, snapshot, snapshot_diff
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report

from .base import BUSY_AGENCY, PARAMS

APP = fmt.APPLICATIONS


def _two_versions(tmp_path: Path) -> tuple[Path, Path]:
    a = params_path(PARAMS, BUSY_AGENCY, 2024)
    r = load_report(a)
    r.set(APP.key, "new", "total", 999)
    r.set("proactive", "fees", "fee_amount", Decimal("1.50"))
    r.set(APP.key, "new", "natural", 1)
    r.narrative["一"][1].text += "新增一句。"
    r.contact.phone = "010-1"
    b = save_report(r, tmp_path / "b.yaml")
    return a, b


def test_diff_cells_in_official_order_and_text(tmp_path: Path) -> None:
    a, b = _two_versions(tmp_path)
    d = diff_reports(load_report(a), load_report(b))
    keys = [c.cell for c in d.cells]
    official = [(t.key, r, c) for t in fmt.TABLES for r, c in t.cells()]
    assert keys == sorted(keys, key=official.index)
    assert set(keys) == {
        ("proactive", "fees", "fee_amount"),
        (APP.key, "new", "natural"),
        (APP.key, "new", "total"),
    }
    natural = next(c for c in d.cells if c.cell == (APP.key, "new", "natural"))
    assert natural.row == APP.row("new").label and natural.column == "自然人"
    assert ("电话", "0602-83874840", "010-1") in d.cover
    assert any(line.startswith("+") and "新增一句。" in line for line in d.text)
    assert any(line.startswith("-") and "新增一句。" not in line for line in d.text[2:])


def test_diff_cli_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _two_versions(tmp_path)
    assert cli.main(["diff", str(a), str(a)]) == 0
    assert "内容相同" in capsys.readouterr().out
    assert cli.main(["diff", str(a), str(b), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    fee = next(c for c in data["cells"] if c["key"] == ["proactive", "fees", "fee_amount"])
    assert (fee["before"], fee["after"]) == ("1917.59", "1.50")
    assert cli.main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "自然人：116 → 1" in out and "+" in out


def test_diff_two_years_of_an_agency(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["diff", BUSY_AGENCY, "2023", "2024", "--params", str(PARAMS)]
    assert cli.main(argv) == 1
    out = capsys.readouterr().out
    assert "年度：2023 → 2024" in out
    assert cli.main(["diff", BUSY_AGENCY, "2023"]) == 2


def test_a_snapshot_says_what_changed_as_the_diff_does(tmp_path: Path) -> None:
    """What a build keeps of a report (`snapshot`, JSON) gives the same cell changes as the
    two reports themselves, the cover fields, and the sections whose text changed."""
    a, b = _two_versions(tmp_path)
    before, after = load_report(a), load_report(b)
    old, new = (json.loads(json.dumps(snapshot(r))) for r in (before, after))  # as stored
    assert len(json.dumps(old, ensure_ascii=False)) < 3000  # small: one per report kept
    found = snapshot_diff(old, new)
    assert found is not None and not found.same
    d = diff_reports(before, after)
    assert [(c.cell, c.before, c.after) for c in found.cells] == [
        (c.cell, c.before, c.after) for c in d.cells
    ]
    fee = next(c for c in found.cells if c.cell == ("proactive", "fees", "fee_amount"))
    assert (fee.before, fee.after) == (Decimal("1917.59"), Decimal("1.50"))  # exact
    assert found.cover == [("电话", "0602-83874840", "010-1")]
    assert found.sections == [fmt.SECTIONS[0].heading]
    unchanged = snapshot_diff(old, json.loads(json.dumps(snapshot(load_report(a)))))
    assert unchanged is not None and unchanged.same
    # one made under another format's cells, or none at all: not compared
    assert snapshot_diff({**old, "cells_id": "other"}, new) is None
    assert snapshot_diff({}, new) is None
