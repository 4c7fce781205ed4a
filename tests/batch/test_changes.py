"""The index marks a report a build rebuilt because its content changed (issue 19.5): a changes
page beside it (cover, figures in the official order, sections whose text changed) and
已更改 on the dashboard; nothing on a first build, nor for a report rebuilt with the same
content (an earlier year changed, `--force`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from disclosure_lib import format as fmt
from disclosure_lib._version import SITE_GENERATOR
from disclosure_lib.batch import build as b
from disclosure_lib.batch import dashboard as dash
from disclosure_lib.batch.changes import CHANGES_SUFFIX
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.findings import column_label, row_label, table_label
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report

from .test_build import AGENCIES, make_params

AGENCY = AGENCIES[0]
PROACTIVE = fmt.table("proactive")


def _build(params: Path, out: Path, **kw: object) -> b.BuildSummary:
    return b.build([params], output_dir=out, to=("html",), jobs=2, progress=False,
                   summaries=False, **kw)  # fmt: skip


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob(f"*{CHANGES_SUFFIX}"))


def _edit(path: Path) -> tuple[object, object]:
    """Change the fee, a count, the phone and a paragraph; return the fee before and after."""
    report = load_report(path)
    fee = report.get("proactive", "fees", "fee_amount")
    report.set("proactive", "fees", "fee_amount", Decimal("12.50"))
    issued = report.get("proactive", "regulations", "issued")
    report.set("proactive", "regulations", "issued", (issued or 0) + 1)
    report.contact.phone = "010-12345678"
    report.narrative[fmt.SECTIONS[0].key][0].text += "（已更正）"
    save_report(report, path)
    return fee, Decimal("12.50")


@pytest.mark.slow
def test_a_report_whose_content_changed_is_marked_on_the_index(tmp_path: Path) -> None:
    params, out = make_params(tmp_path / "params", AGENCIES[:1]), tmp_path / "out"
    first = _build(params, out)
    assert len(first.built) == 2 and _pages(out) == []  # a first build marks nothing
    rows = read_rows(out / "index-2022.json")
    assert dash.CHANGED not in rows[AGENCY]["statuses"]

    fee = _edit(params_path(params, AGENCY, 2022))
    again = _build(params, out)
    # 2023 is rebuilt too (its earlier year is an input) but its own content is the same
    assert sorted(x.label for x in again.built) == [f"{AGENCY} 2022年", f"{AGENCY} 2023年"]
    [page] = _pages(out)
    assert page.parent == out / "2022" / AGENCY and page.name.startswith(f"{AGENCY}2022年")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("meta", attrs={"name": "generator"})["content"] == SITE_GENERATOR
    assert "本次生成的更改" in soup.h1.get_text()
    back = soup.find("a", string="返回 2022 年各机关报告")["href"]
    assert (page.parent / back).resolve() == (out / "index-2022.html").resolve()
    cells = [[td.get_text() for td in tr.find_all(["th", "td"])]
             for tr in soup.select("#cells tbody tr")]  # fmt: skip
    regulations = [table_label(PROACTIVE), row_label(PROACTIVE, "regulations"),
                   column_label(PROACTIVE, "issued")]  # fmt: skip
    fees = [
        cells_row for cells_row in cells if cells_row[2] == column_label(PROACTIVE, "fee_amount")
    ]
    assert [c[:3] for c in cells] == [regulations, fees[0][:3]]  # official order: rows first
    assert fees[0][3:] == [format(fee[0], "f"), "12.50"]  # exact amounts, old → new
    cover = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in soup.select("#cover tr")]
    assert cover[1][0] == "电话" and cover[1][2] == "010-12345678"
    assert [li.get_text() for li in soup.select("#sections li")] == [fmt.SECTIONS[0].heading]

    rows = read_rows(out / "index-2022.json")
    assert rows[AGENCY]["statuses"] == dash.BUILT + dash.CHANGED
    assert rows[AGENCY]["files"].endswith("c")  # the page's link (更改)
    assert read_rows(out / "index-2023.json")[AGENCY]["statuses"] == dash.BUILT
    landing = (out / "index.html").read_text(encoding="utf-8")
    assert "已更改 1 份" in landing

    # rebuilt with the same content: no longer marked
    forced = _build(params, out, force=True)
    assert len(forced.built) == 2 and _pages(out) == []
    assert dash.CHANGED not in read_rows(out / "index-2022.json")[AGENCY]["statuses"]
