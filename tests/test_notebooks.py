"""The summary and explore notebooks run under plain papermill (a fresh kernel), as in Jupyter."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from disclosure_lib import format as fmt
from disclosure_lib.explore import item_label
from disclosure_lib.names import agency_key
from disclosure_lib.params import load_report, params_path
from disclosure_lib.rendering.layout import MIME

from .base import PARAMS, ROOT

pytestmark = pytest.mark.slow  # a fresh kernel, a server or a venv per test


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
    # every output is a part of the one layout the writers print (no HTML-only display)
    shown = [o for c in nb.cells for o in c.get("outputs", [])
             if o.get("output_type") in ("display_data", "execute_result")]  # fmt: skip
    assert len(shown) == 5 and all(MIME in o["data"] for o in shown)


def test_summary_notebook_unknown_year_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(PapermillExecutionError, match="现有年份"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "summary.ipynb"), str(tmp_path / "s.ipynb"),
            parameters={"year": 1999, "params_dir": str(PARAMS)}, kernel_name="python3",
            progress_bar=False, engine_name="disclosure",
        )  # fmt: skip


def _labels() -> set[str]:
    """Every official label: what a notebook must read from `format`, never retype."""
    out = {s.heading for s in fmt.SECTIONS} | set(fmt.PROACTIVE_ITEMS)
    for t in fmt.TABLES:
        out |= {t.title} | {r.label for r in t.rows} | {c.label for c in t.columns}
        out |= {c.group for c in t.columns if c.group} | {r.group for r in t.rows if r.group}
    return out


def test_explore_notebook_retypes_no_official_label() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert [label for label in _labels() if label in source] == []


# What an analyst does in JupyterLab, run after the notebook in the same kernel: read the trend
# chart's axis, then pick another agency, year and table in the selectors.
PROBE = """\
import json
table_box.value = fmt.APPLICATIONS.title
year_box.value = %d
print("PROBE", json.dumps({
    "ticks": [t.get_text() for t in trend_ax.get_xticklabels()],
    "agencies": agencies,
    "items": [str(i) for i in selection().index],
    "bars": [str(i) for i in explore.bars(selection()).index],
    "bar_columns": [str(c) for c in explore.bars(selection()).columns],
    "fee_types": sorted({type(v).__name__ for v in fees.fee}),
    "fees": {f"{a} {y}": str(v) for a, y, v in fees.itertuples(index=False)},
}, ensure_ascii=False))
agency_box.value = %r
year_box.value = %d
table_box.value = fmt.REVIEW.title
"""


def _text(output) -> str:  # type: ignore[no-untyped-def]
    return "".join(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))


def test_explore_notebook(tmp_path: Path) -> None:
    agency, year = "示例区自然资源和规划局", 2022
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE % (2024, agency, year)))
    source = tmp_path / "explore.ipynb"
    nbformat.write(nb, source)
    out = papermill.execute_notebook(
        str(source), str(tmp_path / "out.ipynb"), parameters={"params_dir": str(PARAMS)},
        kernel_name="python3", progress_bar=False,
    )  # fmt: skip
    outputs = [o for c in out.cells for o in c.get("outputs", [])]
    text = "\n".join(_text(o) for o in outputs)
    assert "np.int64" not in text and "numpy" not in text
    assert "个机关，年份：2022、2023、2024" in text  # years as integers
    probe = json.loads(text.split("PROBE ", 1)[1].splitlines()[0])
    assert probe["ticks"] == ["2022", "2023", "2024"]  # the trend chart's x-axis

    # issue 19 item 8: pinyin order character by character (教 jiao before 人 ren, which
    # code points put first), sub-rows with their group, totals apart from the bars
    assert probe["agencies"] == sorted(probe["agencies"], key=agency_key)
    assert probe["agencies"].index("示例区教育局") < probe["agencies"].index("示例区人民政府办公室")
    app = fmt.APPLICATIONS
    unavailable = app.row("unavailable")
    assert f"{unavailable.label} › {app.row('unavailable.not_held').label}" in probe["items"]
    total_row = app.row("total").label
    assert any(i.endswith(total_row) for i in probe["items"])
    assert not any(i.endswith(total_row) for i in probe["bars"])
    assert probe["bar_columns"] == [app.column("total").label]
    # the fee exact: Decimal, as the params file has it
    assert probe["fee_types"] == ["Decimal"]
    for key, value in probe["fees"].items():
        name, y = key.rsplit(" ", 1)
        fee = load_report(params_path(PARAMS, name, int(y))).get("proactive", "fees", "fee_amount")
        assert value == str(fee)
    # rates as percentages, one agency's years with the change
    rates = [line for line in text.splitlines() if line.rstrip().endswith("%")]
    assert rates and "0.41" not in text and "较上年" in text and "个百分点" in text

    # agency × year: integer years as columns, integer counts, blank where there is no report
    new_by_year = next(_text(o) for o in outputs if _text(o).startswith("year "))
    assert new_by_year.split()[1:4] == ["2022", "2023", "2024"]
    assert ".0" not in new_by_year and "<NA>" in new_by_year

    # the interactive view, redrawn by the probe's selection (in place, as JupyterLab shows it)
    [cell] = [c for c in out.cells if "display_id=True" in c.source]
    selectors, *shown = cell.outputs
    assert "application/vnd.jupyter.widget-view+json" in selectors["data"]
    assert "Dropdown" in _text(selectors) and len(shown) == 2
    pivot = _text(shown[0])
    header = pivot.splitlines()[0].split()
    assert header == ["column", *(c.label for c in fmt.REVIEW.columns)]  # official order
    ncols = len(fmt.REVIEW.columns)
    rows = [" ".join(line.split()[:-ncols]) for line in pivot.splitlines()[2:]]
    assert rows == [item_label(r.label, r.group or "") for r in fmt.REVIEW.rows]  # 行政诉讼 › …
    report = load_report(params_path(PARAMS, agency, year))
    for line, row in zip(pivot.splitlines()[2:], fmt.REVIEW.rows, strict=True):
        assert [int(x) for x in line.split()[-ncols:]] == [
            report.get("review", row.key, c.key) for c in fmt.REVIEW.columns
        ]
    assert "image/png" in shown[1]["data"]
