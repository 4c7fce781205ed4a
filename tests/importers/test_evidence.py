"""Cells the page does not print plainly, decided by the report's own evidence: the tables'
arithmetic, the figures the narrative states, the same agency's neighbouring years."""

from __future__ import annotations

import random
from pathlib import Path

from disclosure_lib import format as fmt
from disclosure_lib.checks import check_report
from disclosure_lib.importers.collection import import_files
from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.evidence import Constraint, fill_blanks, table_constraints
from disclosure_lib.importers.text import published_text
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.params import load_report
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import consistent_report

from ..base import IMPORT_FIXTURES

DOCS = tuple(("proactive", "normative_documents", c) for c in ("issued", "repealed", "in_force"))


def report(year: int, docs: tuple[int, int, int], *, says: str = "") -> Report:
    """A consistent report whose 行政规范性文件 row is `docs`; the narrative states `says`
    (nothing about that row by default)."""
    r = consistent_report("示例区证据局", year, random.Random(year), scale=0)
    for (t, row, col), v in zip(DOCS, docs, strict=True):
        r.set(t, row, col, v)
    r.set("proactive", "regulations", "in_force", 0)
    for key in ("regulations",):
        for col in ("issued", "repealed"):
            r.set("proactive", key, col, 0)
    r.narrative["一"] = [Paragraph(f"{year}年，本机关认真做好政务公开工作。{says}")]
    return r


def text_of(r: Report, *, run_together: bool = True) -> bytes:
    return published_text(r, run_together=run_together).encode("utf-8")


def figures(r: Report) -> list[object]:
    return [r.get(*c) for c in DOCS]


def test_the_narrative_decides_a_run_the_table_cannot() -> None:
    says = "集中公开现行有效行政规范性文件512件，本年度制发规范性文件37件。"
    result = import_bytes(text_of(report(2024, (37, 14, 512), says=says)), path="a.txt")
    assert figures(result.report) == [37, 14, 512]
    decided = [e for e in result.log.entries if e.row == "normative_documents"]
    assert any("正文" in e.message and "512" in e.message for e in decided)
    assert result.log.stats["proactive"].inferred == 3
    assert not result.log.blank


def test_without_evidence_the_run_stays_blank_and_listed() -> None:
    result = import_bytes(text_of(report(2024, (37, 14, 512))), path="a.txt")
    assert figures(result.report) == [None, None, None]
    assert {result.log.blank[c] for c in DOCS} == {"拆分不唯一"}
    [warn] = [e for e in result.log.warnings if e.row == "normative_documents"]
    assert "37|14|512" in warn.message or "等" in warn.message


def test_a_wrong_narrative_figure_is_not_evidence() -> None:
    says = "现行有效行政规范性文件999件。"  # no split of 3714512 ends in 999
    result = import_bytes(text_of(report(2024, (37, 14, 512), says=says)), path="a.txt")
    assert figures(result.report) == [None, None, None]
    [warn] = [e for e in result.log.warnings if e.row == "normative_documents"]
    assert "仍无法确定" in warn.message  # the table has no rule here; the prose is just wrong
    dropped = [e for e in result.log.entries if "未用作推断依据" in e.message]
    assert dropped and "现行有效行政规范性文件999件" in dropped[0].message


def test_the_year_before_decides_through_the_in_force_chain(tmp_path: Path) -> None:
    # 2024's 11011 fits 1|10|11, 11|0|11 and 1|101|1 (each keeps 现行有效 ≥ 制发 − 废止);
    # only 20 + 1 − 10 = 11 continues 2023's 20
    pages = tmp_path / "crawl"
    pages.mkdir()
    (pages / "2023.txt").write_bytes(text_of(report(2023, (5, 2, 20)), run_together=False))
    (pages / "2024.txt").write_bytes(text_of(report(2024, (1, 10, 11))))
    params = tmp_path / "params"
    outcomes = import_files([pages], params_dir=params)
    assert [o.status for o in outcomes] == ["written", "written"]
    r2023, r2024 = (load_report(o.written) for o in outcomes if o.written)
    assert figures(r2023) == [5, 2, 20]  # printed one cell a line: read as is
    assert figures(r2024) == [1, 10, 11]
    result = outcomes[1].result
    assert result is not None
    chain = [
        e for e in result.log.entries if e.row == "normative_documents" and "2023年" in e.message
    ]
    assert chain and chain[0].level == "info"


def test_alone_the_same_page_stays_blank(tmp_path: Path) -> None:
    page = tmp_path / "2024.txt"
    page.write_bytes(text_of(report(2024, (1, 10, 11))))
    [out] = import_files([page], params_dir=tmp_path / "params")
    assert out.result is not None
    assert figures(out.result.report) == [None, None, None]


def test_an_existing_params_file_is_evidence_too(tmp_path: Path) -> None:
    params = tmp_path / "params"
    save_report(report(2023, (5, 2, 20)), params / "旧目录名" / "2023.yaml")
    page = tmp_path / "2024.txt"
    page.write_bytes(text_of(report(2024, (1, 10, 11))))
    [out] = import_files([page], params_dir=params)
    assert out.written is not None
    assert figures(load_report(out.written)) == [1, 10, 11]


def test_the_year_after_decides_too(tmp_path: Path) -> None:
    # 2023's 1210 (1|2|10 or 1|21|0): 2024 says 10 + 2 − 1 = 11, so 2023 ended with 10
    pages = tmp_path / "crawl"
    pages.mkdir()
    (pages / "a.txt").write_bytes(text_of(report(2023, (1, 2, 10))))
    (pages / "b.txt").write_bytes(text_of(report(2024, (2, 1, 11)), run_together=False))
    outcomes = import_files([pages], params_dir=tmp_path / "params")
    r2023 = outcomes[0].result
    assert r2023 is not None and figures(r2023.report) == [1, 2, 10]


def test_blank_zeros_only_where_the_cells_present_balance() -> None:
    t = fmt.REVIEW
    cons = [c for c in table_constraints(t) if c.terms[0][0][0] == "reconsideration"]
    cells = [c for c, _ in cons[0].terms]  # total, upheld, corrected, other, pending

    def run(values: list[int | None]) -> dict:
        vals = dict(zip(cells, values, strict=True))
        status = {c: "blank" if v is None else "read" for c, v in vals.items()}
        fill_blanks(cons, vals, status)
        return vals

    assert list(run([3, 1, None, 2, None]).values()) == [3, 1, 0, 2, 0]  # 1 + 2 = 3
    assert list(run([4, 1, None, 2, None]).values()) == [4, 1, None, 2, None]  # 1 short
    assert list(run([None, 0, 0, 0, 0]).values()) == [0, 0, 0, 0, 0]  # the total is 0
    assert list(run([None, 1, None, 0, 0]).values()) == [None, 1, None, 0, 0]  # both sides


def test_constraint_of_a_statement_is_linear() -> None:
    con = Constraint(((("new", "total"), 1),), 5, "narrative", "正文“收到申请5件”")
    assert con.terms[0] == (("new", "total"), 1) and con.const == 5


def test_two_open_years_settle_each_other(tmp_path: Path) -> None:
    # 2022's 5125 fits 5|1|25 and 5|12|5, 2023's 4920 fits 4|9|20 and 4|92|0: neither year
    # decides alone, but only 25 + 4 − 9 = 20 carries 现行有效件数 from one year to the next
    pages = tmp_path / "crawl"
    pages.mkdir()
    (pages / "a.txt").write_bytes(text_of(report(2022, (5, 1, 25))))
    (pages / "b.txt").write_bytes(text_of(report(2023, (4, 9, 20))))
    for page in pages.iterdir():
        alone = import_bytes(page.read_bytes(), path=page.name)
        assert None in figures(alone.report)
    outcomes = import_files([pages], params_dir=tmp_path / "params")
    got = [figures(o.result.report) for o in outcomes if o.result]
    assert got == [[5, 1, 25], [4, 9, 20]]
    result = outcomes[1].result
    assert result is not None
    said = [e for e in result.log.entries if e.row == "normative_documents" and e.level == "info"]
    assert any("逐年相接" in e.message for e in said)
    assert not result.log.blank


def test_years_that_do_not_chain_decide_nothing(tmp_path: Path) -> None:
    # 2023's 4170 (4|1|70 or 4|17|0) after 2022's 25 or 5: no pair of splits carries
    # 现行有效件数 on, so that rule is not evidence here (the reports disagree) and both runs
    # stay open; 本年废止 17 ≤ 25 + 4 keeps 4|17|0 possible
    pages = tmp_path / "crawl"
    pages.mkdir()
    (pages / "a.txt").write_bytes(text_of(report(2022, (5, 1, 25))))
    (pages / "b.txt").write_bytes(text_of(report(2023, (4, 1, 70))))
    outcomes = import_files([pages], params_dir=tmp_path / "params")
    got = [figures(o.result.report) for o in outcomes if o.result]
    assert got == [[5, None, None], [4, None, None]]


def test_repealed_cannot_exceed_what_was_in_force(tmp_path: Path) -> None:
    # 2023's 4970: 4|97|0 would repeal 97 documents when at most 25 + 4 were in force
    pages = tmp_path / "crawl"
    pages.mkdir()
    (pages / "a.txt").write_bytes(text_of(report(2022, (5, 1, 25))))
    (pages / "b.txt").write_bytes(text_of(report(2023, (4, 9, 70))))
    outcomes = import_files([pages], params_dir=tmp_path / "params")
    got = [figures(o.result.report) for o in outcomes if o.result]
    assert got == [[5, None, None], [4, 9, 70]]


def test_the_prose_in_other_words_decides_too() -> None:
    # 349424 alone fits many splits; 制发规范性文件34件，现行有效件数424件 leaves 34|9|424
    says = "本年度制发规范性文件34件，现行有效件数424件。"
    alone = import_bytes(text_of(report(2024, (34, 9, 424))), path="a.txt")
    assert figures(alone.report) == [None, None, None]
    result = import_bytes(text_of(report(2024, (34, 9, 424), says=says)), path="a.txt")
    assert figures(result.report) == [34, 9, 424]
    decided = [e for e in result.log.entries if e.row == "normative_documents"]
    assert any("现行有效件数424件" in e.message for e in decided)


def test_every_cell_has_its_evidence(tmp_path: Path) -> None:
    # 11011: three splits stay possible; the log and the params file name the candidates
    page = tmp_path / "2024.txt"
    page.write_bytes(text_of(report(2024, (1, 10, 11))))
    [out] = import_files([page], params_dir=tmp_path / "params")
    assert out.result is not None and out.written is not None
    log = out.result.log
    records = {(r["table"], r["row"], r["column"]): r for r in log.records()}
    assert len(records) == sum(len(t.cells()) for t in fmt.TABLES)
    issued = records[DOCS[0]]
    assert issued["status"] == "blank" and issued["why"] == "拆分不唯一"
    assert issued["candidates"] == [1, 11]
    assert records[DOCS[2]]["candidates"] == [11, 1]
    assert issued["source"] == {"line": log.evidence[DOCS[0]].source["line"]}
    assert all(r["status"] in ("read", "inferred", "blank") for r in records.values())
    text = out.written.read_text(encoding="utf-8")
    assert "# 留空（拆分不唯一）行政规范性文件·本年制发件数：可能为 1、11" in text


def test_an_inferred_cell_names_what_decided_it() -> None:
    says = "本年度制发规范性文件34件，现行有效件数424件。"
    result = import_bytes(text_of(report(2024, (34, 9, 424), says=says)), path="a.txt")
    records = {(r["table"], r["row"], r["column"]): r for r in result.log.records()}
    repealed = records[DOCS[1]]
    assert (repealed["status"], repealed["value"]) == ("inferred", 9)
    assert "现行有效件数424件" in str(repealed["why"])
    assert not any(r["candidates"] for r in records.values())


def test_carry_over_links_two_open_years() -> None:
    # 2023's 结转下年度 reads 1|0|…|1 or 0|1|…|1, 2024's 上年结转 1|0|…|1 or 0|0|1|…|1: only
    # the first of each is the same figures (rule 7), so the joint system decides both
    from disclosure_lib.importers.evidence import Pending
    from disclosure_lib.importers.system import YearTables, joint_chain

    cols = tuple(c.key for c in fmt.APPLICATIONS.columns)

    def year(y: int, row: str, *cands: tuple[int, ...]) -> YearTables:
        r = Report.blank("示例区证据局", y)
        slots = tuple((row, c) for c in cols)
        p = Pending(slots, list(cands), row)
        return YearTables(r, {"applications": [p]}, {"applications": set(slots)})

    one = (1, 0, 0, 0, 0, 0, 1)
    decided = joint_chain(
        [
            year(2023, "carry_forward", one, (0, 1, 0, 0, 0, 0, 1)),
            year(2024, "carried_over", one, (0, 0, 1, 0, 0, 0, 1)),
        ]
    )
    for y, row in ((2023, "carry_forward"), (2024, "carried_over")):
        got = {con.terms[0][0]: con.const for con in decided[(y, "applications")]}
        assert got == {(row, c): v for c, v in zip(cols, one, strict=True)}
        assert all("上年结转" in con.why for con in decided[(y, "applications")])


def test_a_page_row_printing_six_of_seven_cells() -> None:
    # 一、本年新收 prints 44 5 2 5 2 59 (科研机构's 1 lost): one reading fits the table
    r = consistent_report("示例区证据局", 2024, random.Random(5), scale=30)
    cols = [c.key for c in fmt.APPLICATIONS.columns]
    new = [r.get("applications", "new", c) for c in cols]
    assert new == [44, 5, 1, 2, 5, 2, 59]
    text = published_text(r, run_together=False)
    head = "一、本年新收政府信息公开申请数量\n"
    start = text.index(head) + len(head)
    cells = text[start:].split("\n")
    assert [int(c) for c in cells[:7]] == new
    short = head + "\n".join(cells[:2] + cells[3:])
    result = import_bytes((text[: text.index(head)] + short).encode("utf-8"), path="a.txt")
    assert [result.report.get("applications", "new", c) for c in cols] == new
    said = [e for e in result.log.entries if e.row == "new"]
    assert any("少一个单元格，按全表勾稽关系推断为 44|5|1|2|5|2|59" in e.message for e in said)
    research = result.log.evidence[("applications", "new", "research")]
    assert (research.status, research.why) == ("inferred", "少一个单元格，按全表勾稽关系推断")


def test_a_run_nothing_decides_is_a_warning_with_its_readings_not_an_error(
    tmp_path: Path,
) -> None:
    # the page prints the figures (run together): no defect of the page, the analyst picks
    page = tmp_path / "2024.txt"
    page.write_bytes(text_of(report(2024, (1, 10, 11))))
    [out] = import_files([page], params_dir=tmp_path / "params")
    assert out.written is not None
    [undecided] = [f for f in out.findings if f.code == "I1-UNDECIDED"]
    assert undecided.severity == "warning"
    assert set(undecided.cells) == set(DOCS)
    assert "行政规范性文件·本年制发件数可能为 1、11" in undecided.message
    assert not [f for f in out.findings if f.is_error]
    # the params file is still blank there: checking it asks for the figures
    again = check_report(load_report(out.written))
    assert {c for f in again if f.code == "R5-BLANK" for c in f.cells} == set(DOCS)


def test_a_row_the_page_does_not_print_stays_an_error(tmp_path: Path) -> None:
    r = report(2024, (1, 10, 11))
    text = published_text(r, run_together=False)
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.strip() == "规章")
    del lines[at : at + 4]  # the label and its three cells
    page = tmp_path / "2024.txt"
    page.write_text("\n".join(lines), encoding="utf-8")
    [out] = import_files([page], params_dir=tmp_path / "params")
    blank = [f for f in out.findings if f.code == "R5-BLANK"]
    assert blank and all(f.is_error for f in blank)
    assert {c[1] for f in blank for c in f.cells} == {"regulations"}
    assert not [f for f in out.findings if f.code == "I1-UNDECIDED"]


def test_a_count_run_into_its_amount_names_both_cells_readings_and_stays_an_error(
    tmp_path: Path,
) -> None:
    # 政府集中采购 328291965元: the count not printed apart, or run into the amount
    src = (IMPORT_FIXTURES / "corpus_style_2019.txt").read_text(encoding="utf-8")
    assert "政府集中采购 3个 3443000元" in src
    page = tmp_path / "2019.txt"
    page.write_text(src.replace("3个 3443000元", "328291965元"), encoding="utf-8")
    [out] = import_files([page], params_dir=tmp_path / "params")
    assert out.result is not None and out.written is not None
    cells = (
        ("proactive", "procurement", "purchases"),
        ("proactive", "procurement", "purchase_amount"),
    )
    ev = [out.result.log.evidence[c] for c in cells]
    assert [e.why for e in ev] == ["拆分不唯一", "拆分不唯一"]
    assert ev[0].candidates == [None, 3, 32, 328]
    assert [str(v) for v in ev[1].candidates] == ["32829.1965", "2829.1965", "829.1965", "29.1965"]
    # one reading has no count printed at all: that is a missing figure, still the error
    [blank] = [f for f in out.findings if f.code == "R5-BLANK"]
    assert set(blank.cells) == set(cells) and blank.is_error
    assert not [f for f in out.findings if f.code == "I1-UNDECIDED"]
    text = out.written.read_text(encoding="utf-8")
    assert "# 留空（拆分不唯一）政府集中采购·采购项目数量：可能为 空、3、32、328" in text


def test_blanks_of_connected_equations_are_decided_together() -> None:
    # review finding 2: T = a + b (T 5, b 2) gave a = 3 although C = a + x (C 1) then has
    # no x ≥ 0; which printed figure is wrong is unknown, so a = 3 would be a guess
    cell = {n: ("t", n) for n in ("T", "a", "b", "C", "x")}
    cons = [
        Constraint(((cell["T"], 1), (cell["a"], -1), (cell["b"], -1)), why="T=a+b"),
        Constraint(((cell["C"], 1), (cell["a"], -1), (cell["x"], -1)), why="C=a+x"),
    ]

    def run(printed: dict[str, int | None]) -> tuple[dict[str, object], dict]:
        vals = {cell[n]: v for n, v in printed.items()}
        status = {c: "blank" if v is None else "read" for c, v in vals.items()}
        _, conflicts = fill_blanks(cons, vals, status)  # type: ignore[arg-type]
        return {n: vals[c] for n, c in cell.items()}, conflicts

    got, conflicts = run({"T": 5, "a": None, "b": 2, "C": 1, "x": None})
    assert (got["a"], got["x"]) == (None, None)
    assert conflicts[cell["a"]] == {3: "T=a+b"}  # the value it would take, with its rule
    assert cell["x"] in conflicts
    got, conflicts = run({"T": 5, "a": None, "b": 2, "C": 4, "x": None})
    assert (got["a"], got["x"], conflicts) == (3, 1, {})  # feasible and unique: filled
    got, _ = run({"T": 5, "a": None, "b": 2, "C": 4, "x": 1})
    assert got["a"] == 3  # x printed and the group adds up
    got, conflicts = run({"T": 5, "a": None, "b": 2, "C": 4, "x": 2})
    assert got["a"] is None and conflicts[cell["a"]] == {3: "T=a+b", 2: "C=a+x"}
