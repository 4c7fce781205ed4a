"""The summary and explore notebooks run under plain papermill (a fresh kernel), as in Jupyter."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from .base import PARAMS, ROOT


def _html(nb) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(
        o["data"].get("text/html", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result")
    )


def test_summary_notebook(tmp_path: Path) -> None:
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "summary.ipynb"), str(tmp_path / "summary.ipynb"),
        parameters={"year": 2024, "params_dir": str(PARAMS)}, kernel_name="python3",
        progress_bar=False,
    )  # fmt: skip
    html = _html(nb)
    assert "2024年政府信息公开工作年度报告汇总" in html
    assert "本年新收政府信息公开申请数量" in html  # the totals table, official labels
    assert "予以公开率" in html and "数据校验" in html
    assert html.count("data:image/png;base64,") >= 2


def test_summary_notebook_unknown_year_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(PapermillExecutionError, match="现有年份"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "summary.ipynb"), str(tmp_path / "s.ipynb"),
            parameters={"year": 1999, "params_dir": str(PARAMS)}, kernel_name="python3",
            progress_bar=False, engine_name="disclosure",
        )  # fmt: skip


def test_explore_notebook(tmp_path: Path) -> None:
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"), str(tmp_path / "explore.ipynb"),
        parameters={"params_dir": str(PARAMS)}, kernel_name="python3", progress_bar=False,
    )  # fmt: skip
    text = "".join(
        "".join(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert "个数据点" in text and "示例区教育局" in text
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
