"""The import as a property: for generated consistent reports published the way real pages are
(runs joined, zeros printed as blanks, a narrative stating some figures, several years of one
agency imported together), the import

- never differs from the original where it fills a cell,
- lists every cell it leaves blank (with why),
- equals the original wherever the evidence decides — checked against oracles written here
  independently of the importer: a printed cell, a blank zero whose row total and other cells
  are printed, a 二 run with one split left by the narrative's figures and the year before.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_lib import format as fmt
from disclosure_lib.importers.collection import ExistingParams, cross_year
from disclosure_lib.importers.document import ImportResult, import_bytes
from disclosure_lib.importers.text import published_text
from disclosure_lib.model import Paragraph, Report
from disclosure_lib.synth import demo_series

DOC_ROWS = ("regulations", "normative_documents")
DOC_COLS = ("issued", "repealed", "in_force")


def published(report: Report, *, joined: bool, blank_zeros: bool) -> str:
    """The report as a page's text: runs joined (zeros kept: a run cannot show a blank), or one
    cell a line with zeros printed as blank cells."""
    text = published_text(report, run_together=joined)
    if blank_zeros and not joined:
        text = "\n".join("\t" if line == "\t0" else line for line in text.splitlines()) + "\n"
    return text


def state_some_figures(report: Report, rng: random.Random) -> tuple[bool, bool]:
    """Keep or drop the narrative's 现行有效 statement, maybe add 本年制发 (as pages vary)."""
    said_in_force, said_issued = rng.random() < 0.5, rng.random() < 0.4
    lead = report.narrative["一"]
    if not said_in_force:
        lead[1] = Paragraph("本机关主动公开政府信息。", heading=lead[1].heading)
    if said_issued:
        n = report.get("proactive", "normative_documents", "issued")
        lead.append(Paragraph(f"本年度制发行政规范性文件{n}件。", heading="（六）其他"))
    return said_in_force, said_issued


def splits(run: str, k: int) -> list[tuple[int, ...]]:
    """Every way to cut a digit run into k whole numbers (no leading zeros, ≤ 6 digits)."""
    out = []
    for cuts in itertools.combinations(range(1, len(run)), k - 1):
        parts = [run[a:b] for a, b in itertools.pairwise((0, *cuts, len(run)))]
        if all(len(p) <= 6 and (p == "0" or p[0] != "0") for p in parts):
            out.append(tuple(int(p) for p in parts))
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.sampled_from([0, 20, 60, 200, 900]),
    st.integers(2, 3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_import_is_right_where_decided_blank_elsewhere_and_says_so(
    seed: int, scale: int, years: int, joined: list[bool], blank_zeros: list[bool]
) -> None:
    rng = random.Random(seed)
    truths = demo_series("示例区性质局", range(2021, 2021 + years), seed=seed, scale=scale)
    said = [state_some_figures(r, rng) for r in truths]
    results: list[ImportResult] = []
    for i, truth in enumerate(truths):
        page = published(truth, joined=joined[i], blank_zeros=blank_zeros[i])
        results.append(import_bytes(page.encode(), path=f"{truth.year}.txt", finished=False))
    cross_year(results, ExistingParams("/nonexistent"))
    for r in results:
        r.finish()

    for i, (truth, res) in enumerate(zip(truths, results, strict=True)):
        got = res.report
        assert (got.agency, got.year) == (truth.agency, truth.year)
        assert got.narrative == truth.narrative
        blank = set()
        for t in fmt.TABLES:
            for cell in t.cells():
                key, have, want = (t.key, *cell), got.get(t.key, *cell), truth.get(t.key, *cell)
                if have is None:
                    blank.add(key)
                else:
                    assert have == want, key  # never differs where it fills a cell
        assert set(res.log.blank) == blank  # lists every cell it left blank
        _oracle(truth, res, joined[i], blank_zeros[i], said[i], results, i)


def _oracle(
    truth: Report,
    res: ImportResult,
    joined: bool,
    blank_zeros: bool,
    said: tuple[bool, bool],
    results: list[ImportResult],
    i: int,
) -> None:
    """Cells the evidence decides, by reasoning written here, must be imported."""
    got = res.report
    if not joined:
        for t in fmt.TABLES:
            for cell in t.cells():
                want = truth.get(t.key, *cell)
                if want != 0 or not blank_zeros:
                    assert got.get(t.key, *cell) == want, (t.key, cell)  # printed: read
        for t, rows in (
            (fmt.APPLICATIONS, t_rows(fmt.APPLICATIONS)),
            (fmt.REVIEW, t_rows(fmt.REVIEW)),
        ):
            for row in rows:
                cells = [(row, c.key) for c in t.row_columns(t.row(row))]
                zeros = [c for c in cells if truth.get(t.key, *c) == 0]
                if len(zeros) == 1 and truth.get(t.key, row, "total") != 0:
                    # one blank; the total and every other cell printed: it must be 0
                    assert got.get(t.key, *zeros[0]) == 0, (t.key, zeros[0])
        return
    before = results[i - 1].report if i > 0 else None
    after = results[i + 1].report if i + 1 < len(results) else None
    for row in DOC_ROWS:
        want = tuple(truth.get("proactive", row, c) for c in DOC_COLS)
        cands = splits("".join(str(v) for v in want), 3)
        if row == "normative_documents" and said[0]:
            cands = [c for c in cands if c[2] == want[2]]
        if row == "normative_documents" and said[1]:
            cands = [c for c in cands if c[0] == want[0]]
        last = before.get("proactive", row, "in_force") if before else None
        if last is not None:
            cands = [c for c in cands if c[2] - c[0] + c[1] == last]
        nxt = (
            [after.get("proactive", row, c) for c in ("in_force", "issued", "repealed")]
            if after
            else []
        )
        if nxt and all(v is not None for v in nxt):
            cands = [c for c in cands if c[2] == nxt[0] - nxt[1] + nxt[2]]
        assert want in cands
        for j, col in enumerate(DOC_COLS):
            if len({c[j] for c in cands}) == 1:
                assert got.get("proactive", row, col) == want[j], (row, col, cands)


def t_rows(table: fmt.Table) -> list[str]:
    return [r.key for r in table.figure_rows]
