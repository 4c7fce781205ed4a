"""Fuzzing the importers: any bytes, and mutations of real-looking reports.

Properties: importing never raises anything but the project's own error type; whatever it
returns has exactly the official cells, each None or a valid figure, and a log whose counts
add up; figures split from run-together text are right or left blank — never wrong.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from disclosure_lib import format as fmt
from disclosure_lib.errors import DisclosureError
from disclosure_lib.formats import signed_cells
from disclosure_lib.importers.document import ImportResult, import_bytes
from disclosure_lib.importers.text import published_text
from disclosure_lib.synth import consistent_report

from ..base import IMPORT_FIXTURES as FIX
from .pdfs import text_pdf

TEXTS = {
    n: (FIX / n).read_text(encoding="utf-8")
    for n in ("seed.txt", "runtogether.txt", "pipes.txt", "format2019.txt")
}
HTML = {n: (FIX / n).read_text(encoding="utf-8") for n in ("seed.html", "blank_cells.html")}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def attempt(data: bytes, name: str = "fuzz.txt") -> ImportResult | None:
    try:
        result = import_bytes(data, path=name)
    except DisclosureError as exc:
        assert str(exc)  # a message, never empty
        return None
    check_result(result)
    return result


def check_result(result: ImportResult) -> None:
    r = result.report
    assert r.agency and isinstance(r.year, int)
    for t in r.table_specs():  # each table in its own format (a 2019 page: 2019 cells)
        assert set(r.tables[t.key]) == set(t.cells())
        signed = signed_cells(t)
        for cell, v in r.tables[t.key].items():
            if v is None:
                continue
            if t.is_amount(*cell):
                assert isinstance(v, Decimal) and v >= 0
            else:
                assert type(v) is int and (v >= 0 or cell in signed), (t.key, cell, v)
        s = result.log.stats[t.key]
        assert s.read + s.inferred + s.missing == len(t.cells())
    result.log.summary(verbose=True)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes(data: bytes) -> None:
    attempt(data)


@FUZZ
@given(st.text(max_size=2000), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_any_text(text: str, codec: str) -> None:
    attempt(text.encode(codec, errors="ignore"))


LINE_OPS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("dup"), st.integers(0, 10_000)),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.integers(0, 10_000)),
    st.tuples(st.just("join"), st.integers(0, 10_000)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.text(max_size=40)),
    st.tuples(st.just("digit"), st.integers(0, 10_000), st.sampled_from("0123456789０９/—- ")),
    st.tuples(st.just("truncate"), st.integers(0, 100_000)),
    st.tuples(st.just("untab"), st.integers(0, 10_000)),
)


def mutate(text: str, ops: list[tuple]) -> str:
    lines = text.splitlines()
    for op in ops:
        if not lines:
            break
        kind, i = op[0], op[1] % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = op[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i].rstrip("\n") + lines[i + 1].lstrip("\t")]
        elif kind == "insert":
            lines.insert(i, op[2])
        elif kind == "digit":
            digits = [k for k, ch in enumerate(lines[i]) if ch.isdigit()]
            if digits:
                k = digits[op[1] % len(digits)]
                lines[i] = lines[i][:k] + op[2] + lines[i][k + 1 :]
        elif kind == "truncate":
            joined = "\n".join(lines)
            lines = joined[: op[1] % (len(joined) + 1)].splitlines()
        elif kind == "untab":
            lines[i] = lines[i].replace("\t", "")
    return "\n".join(lines) + "\n"


@FUZZ
@given(
    st.sampled_from(sorted(TEXTS)),
    st.lists(LINE_OPS, max_size=8),
    st.sampled_from(["utf-8", "gbk"]),
)
def test_mutated_reports(name: str, ops: list[tuple], codec: str) -> None:
    attempt(mutate(TEXTS[name], ops).encode(codec, errors="ignore"), name)


HTML_SNIPPETS = st.sampled_from(
    [
        "<td rowspan='999999999'>",
        "<td colspan='-3'>0</td>",
        "</tr>",
        "<table>",
        "</table>",
        "<tr><td>一、本年新收政府信息公开申请数量</td><td>1</td></tr>",
        "<!--",
        "<![CDATA[",
        "<script>",
        "&nbsp;",
        "<br>",
        "\x00",
        "<meta charset='gbk'>",
    ]
)


@pytest.mark.slow
@FUZZ
@given(
    st.sampled_from(sorted(HTML)),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 200), HTML_SNIPPETS), max_size=6),
)
# found by CI: bs4 wraps html.parser's failure on "<![<td …" in ParserRejectedMarkup
@example("blank_cells.html", [(0, 0, "<![CDATA["), (3, 0, "<td rowspan='999999999'>")])
def test_mutated_html(name: str, edits: list[tuple[int, int, str]]) -> None:
    html = HTML[name]
    for pos, cut, snippet in edits:
        p = pos % (len(html) + 1)
        html = html[:p] + snippet + html[p + cut :]
    attempt(html.encode("utf-8"), name)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 120), st.lists(st.integers(0, 10**4), max_size=6))
def test_run_together_figures_are_right_or_blank(seed: int, scale: int, joins: list[int]) -> None:
    truth = consistent_report("示例区测试局", 2023, random.Random(seed), scale=scale)
    lines = published_text(truth, run_together=True).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("五、"))
    for j in joins:  # rows of a section run on into each other, as crawled text does
        i = start + 1 + j % max(1, end - start - 2)
        if i + 1 < end and not lines[i + 1].startswith(("三、", "四、")):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
            end -= 1
    result = attempt(("\n".join(lines) + "\n").encode(), "rt.txt")
    assert result is not None
    for t in fmt.TABLES:
        for cell in t.cells():
            got = result.report.get(t.key, *cell)
            assert got is None or got == truth.get(t.key, *cell), (t.key, cell)
    assert result.report.narrative == truth.narrative


PDF = text_pdf(["Annual report 2024", "1 2 3 4 5", "0 0 0 0 0 0 0"])


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=8)), max_size=6))
def test_mutated_pdfs(edits: list[tuple[int, bytes]]) -> None:
    data = PDF
    for pos, chunk in edits:
        p = pos % (len(data) + 1)
        data = data[:p] + chunk + data[p + len(chunk) :]
    attempt(data, "fuzz.pdf")


def test_the_pdf_fuzz_seed_is_read_as_text_not_refused() -> None:
    from disclosure_lib.errors import ImportError_
    from disclosure_lib.importers.pdf import read_pdf

    texts = [b.plain() for b in read_pdf(PDF)]
    assert "Annual report 2024" in texts
    try:
        import_bytes(PDF, path="seed.pdf")
    except ImportError_ as exc:
        assert "未识别" in str(exc)  # not a report: but read, not refused as a scan
