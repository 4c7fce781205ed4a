"""Acknowledged findings: `acknowledged:` in a params file, 已核实 in `check`, `--strict`."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from disclosure_lib import cli
from disclosure_lib.checks import check_paths
from disclosure_lib.errors import ParamsError
from disclosure_lib.model import Acknowledgement
from disclosure_lib.params import load_report, loads_report, params_path
from disclosure_lib.params_write import dump_report, save_report

from .base import BUSY_AGENCY, PARAMS

WHERE = "二、主动公开政府信息情况 › 第二十条第（一）项 › 行政规范性文件 › 现行有效件数"
ACK = Acknowledgement(
    "R8-IN-FORCE", WHERE, "规范性文件集中清理，3 件自然失效", "张三", datetime.date(2025, 1, 25)
)


def _params(tmp_path: Path, *, acknowledged: list[Acknowledgement]) -> Path:
    """示例区教育局 2023–2024, the 2024 现行有效 dropped (an R8 warning), text kept in step."""
    folder = tmp_path / "params"
    shutil.copytree(PARAMS / BUSY_AGENCY, folder / BUSY_AGENCY)
    path = params_path(folder, BUSY_AGENCY, 2024)
    r = load_report(path)
    r.set("proactive", "normative_documents", "in_force", 29)
    r.narrative["一"][1].text = r.narrative["一"][1].text.replace("32件", "29件")
    r.acknowledged = acknowledged
    save_report(r, path)
    return folder


def test_acknowledged_round_trip_and_errors() -> None:
    r = load_report(params_path(PARAMS, BUSY_AGENCY, 2024))
    r.acknowledged = [ACK, Acknowledgement("C1-NARRATIVE-COPY", "", "多行\n理由", "李四")]
    assert loads_report(dump_report(r)) == r
    bad = dump_report(r).replace("    by: 张三\n", "")
    with pytest.raises(ParamsError) as exc:
        loads_report(bad)
    assert exc.value.field == "acknowledged[1].by"


def test_check_shows_acknowledged_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_ = _params(tmp_path / "a", acknowledged=[])
    result = check_paths([open_])
    assert [f.code for f in result.warnings] == ["R8-IN-FORCE"]  # 32 → 29: no Y2
    assert cli.main(["check", str(open_)]) == 0
    assert cli.main(["check", "--strict", str(open_)]) == 1  # an open warning
    capsys.readouterr()

    acked = _params(tmp_path / "b", acknowledged=[ACK])
    result = check_paths([acked])
    assert not result.warnings and [f.code for f in result.acknowledged] == ["R8-IN-FORCE"]
    assert cli.main(["check", "--strict", str(acked)]) == 0  # acknowledged: let through
    out = capsys.readouterr().out
    assert "已核实 [R8-IN-FORCE]" in out and "张三，2025-01-25" in out
    assert "0 个警告，1 个已核实" in out
    assert cli.main(["check", "--format", "json", str(acked)]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["acknowledged"] == {"reason": ACK.reason, "by": "张三", "date": "2025-01-25"}


def test_errors_are_never_acknowledged(tmp_path: Path) -> None:
    error = Acknowledgement("R6-NARRATIVE", "", "不改", "张三", datetime.date(2025, 1, 25))
    folder = _params(tmp_path, acknowledged=[ACK, error])
    path = params_path(folder, BUSY_AGENCY, 2024)
    r = load_report(path)
    r.narrative["一"][1].text = r.narrative["一"][1].text.replace("29件", "30件")
    save_report(r, path)
    result = check_paths([folder])
    assert [f.code for f in result.errors] == ["R6-NARRATIVE"]
    assert cli.main(["check", "--strict", str(folder)]) == 1


def test_other_cells_stay_open(tmp_path: Path) -> None:
    elsewhere = Acknowledgement("R8-IN-FORCE", "二、主动公开政府信息情况 › 规章", "x", "y")
    result = check_paths([_params(tmp_path, acknowledged=[elsewhere])])
    assert [f.code for f in result.warnings] == ["R8-IN-FORCE"]
    assert not result.acknowledged
