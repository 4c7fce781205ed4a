"""Variations of how unseen pages of the same site print figures (issue 15, brief i15num).

Picked up by `bench_corpus_mutate.py` (`MUTATIONS`, `LOST`). Each variation changes only how
a figure is printed, never what it is, so each page must import `same`:

- `fullwidth`: full-width digits and decimal points (`１２３`, `0．00`) in tables and prose;
- `thousands`: figures of four digits or more with thousands separators (`1,234` in a cell
  or in prose, `1，234` in a cell);
- `markers`: cells of 三 and 四 printed as a marker (`—`, `－`, `-`, `/`, `／`, `无`) only where
  the arithmetic decides them: one part of a row whose total is printed, or every part of a
  row whose printed total is 0 (counts are never negative);
- `invisible`: U+00A0, U+200B, U+FEFF, tabs and `&nbsp;` left as text between and inside
  cells and labels, Word's `<!--[if !supportLists]-->` before numbered items;
- `fee-units`: the fee (万元) printed as `0.00`, `0.0000`, `0万元`, `1.5万元` or in 元;
- `count-units`: a one-count cell of 二 with its unit (`行政许可1528件`), `3个3443000元`;
- `markers-proactive`: 0s of 二 printed as markers — no rule decides them (`LOST`: blank);
- `marker-column`: an applicant column of 三 that is 0 throughout printed as a marker;
- `nbsp-all`: every space of the page U+00A0 (the corpus copies cannot tell it from U+0020);
- `numbers-together`: all of the above on one page; `numbers-lines`: the same on a page one
  piece a line.

None of these occurs in the 45 corpus pages' tables (no marker, invisible character,
thousands separator or full-width digit there): they are what other pages of the site may
print. Measured on the corpus (2026-12-03, branch i15num, -j 2): before the branch's fixes
thousands 16/19 same, markers 2/45, invisible 0/45 (5 WRONG), numbers-together 0/45,
numbers-lines 0/45, count-units 35/36, marker-column 41/42, nbsp-all 43/43; after, every
variation 100 % same, 0 WRONG, 0 +err.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from variation_tools import TABLES_END, Page, tables_span

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19

_FW = str.maketrans("0123456789.", "０１２３４５６７８９．")
MARKS = ("—", "－", "-", "/", "／", "无")


def fullwidth(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Digit runs (with their decimal point) printed full-width, each run with even odds:
    some pages mix both widths, cell by cell."""

    def sub(m: re.Match[str]) -> str:
        return m.group(0).translate(_FW) if rnd.random() < 0.5 else m.group(0)

    out = re.sub(r"\d+(?:\.\d+)?", sub, body)
    if head and head[0].startswith("标题:"):  # the title as the site prints it, too
        head = [re.sub(r"\d+", sub, head[0]), *head[1:]]
    return None if out == body else (head, out)


def _grouped(n: str, sep: str) -> str:
    whole, dot, frac = n.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sep.join([whole, *groups]) + dot + frac


def _base_values(base: Any, table: str) -> set[str]:
    if base is None:
        return set()
    return {str(v) for (t, _, _), v in base.cells.items() if t == table and v is not None}


# a lone figure of 4+ digits: not part of a run, a phone number, a year or a date
_BIG = re.compile(r"(?<![\d.,，])([1-9]\d{3,}(?:\.\d+)?)(?![\d.,，年月日号])")
_PROSE_BIG = re.compile(r"(?<![\d.,，\-—])([1-9]\d{3,5})(?=\s*(?:条|件|个|项|次|万元))")


def thousands(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Thousands separators, `,` or `，`: in the tables on a figure that is one cell (its value
    is one the page's table holds) or an amount in 元; in prose on a figure before its unit
    (`1，234条`: elsewhere a `，` there ends a clause)."""
    start, end = tables_span(body)
    if start < 0 or base is None:
        return None
    known = _base_values(base, "proactive") | _base_values(base, "applications")

    def cell(m: re.Match[str]) -> str:
        n = m.group(1)
        yuan = tables_text.startswith("元", m.end()) and len(n.split(".")[0]) > 4
        if n not in known and n.split(".")[0] not in known and not yuan:
            return n
        return _grouped(n, rnd.choice((",", "，")))

    def prose(m: re.Match[str]) -> str:
        return _grouped(m.group(1), rnd.choice((",", "，")))  # before its unit: 1，234件

    tables_text = body[start:end]
    tables = _BIG.sub(cell, tables_text)
    out = _PROSE_BIG.sub(prose, body[:start]) + tables + _PROSE_BIG.sub(prose, body[end:])
    return None if out == body else (head, out)


# --- markers where the arithmetic decides the cell ------------------------------------------


def _marked(values: list[int], rnd: random.Random) -> list[str]:
    """A row's parts and total (last) with cells the arithmetic decides printed as a marker."""
    cells = [str(v) for v in values]
    mark = rnd.choice(MARKS)
    if values[-1] == 0 and rnd.random() < 0.5:
        return [mark] * (len(values) - 1) + ["0"]  # a total of 0: every part is 0
    at = rnd.randrange(len(values))  # one cell: the row's equation gives it
    cells[at] = mark
    return cells


_FIGS = re.compile(r"[ \u3000]*([\d \u3000]+)")


Marker = Callable[[list[int], random.Random], list[str]]


def _rewrite_row(
    body: str, at: int, values: list[int], rnd: random.Random, mark: Marker = _marked
) -> tuple[str, int] | None:
    """The figures printed at `at` (spaced or run together) as `values` with markers."""
    m = _FIGS.match(body, at)
    if m is None:
        return None
    printed = re.sub(r"[ \u3000]", "", m.group(1))
    want = "".join(str(v) for v in values)
    if not printed.startswith(want):
        return None
    # the digits of this row end inside the match: keep what follows (a next row's digits)
    taken, i = 0, m.start(1)
    while taken < len(want):
        if body[i].isdigit():
            taken += 1
        i += 1
    new = " " + " ".join(mark(values, rnd)) + " "
    return body[:at] + new + body[i:], at + len(new)


def markers(
    head: list[str], body: str, rnd: random.Random, base: Any, mark: Marker | None = None
) -> Page | None:
    """Cells of 三 (each row: 6 applicant columns and 总计) and 四 (3 groups of 5) printed as a
    marker where the row's own equation decides them (expected: `same`); `mark` instead
    marks 三 only, as it says."""
    if base is None:
        return None
    start, _ = tables_span(body)
    if start < 0:
        return None
    out, changed = body, 0
    three = body.find(fmt.section("三").title, start)
    if three < 0:
        return None
    cursor = three
    rows = fmt.APPLICATIONS.figure_rows
    if not any(("applications", "other_handling.other", c) in base.cells for c in ("total",)):
        rows = f19.APPLICATIONS.figure_rows
    cols = [c.key for c in fmt.APPLICATIONS.columns]
    # a row the page's own sums disagree on is not decided by them: left as printed
    wrong = {c for e in base.errors for c in e.partition(" ")[2].split(",")}
    for row in rows:
        label = re.sub(r"^(?:[（(][一二三四五六七]+[）)]|\d+[.．]|[一二三四]、)", "", row.label)
        at = out.find(label, cursor)
        if at < 0:
            continue
        cursor = at + len(label)
        values = [base.cells.get(("applications", row.key, c)) for c in cols]
        if any(not isinstance(v, int) for v in values) or any(
            f"applications/{row.key}/{c}" in wrong for c in cols
        ):
            continue
        got = _rewrite_row(out, cursor, values, rnd, mark or _marked)  # type: ignore[arg-type]
        if got is not None:
            out, cursor = got
            changed += 1
    review = re.search(r"四、\s*政府信息公开行政(?:法)?复议", out[cursor:])
    if review is not None and mark is None:
        r0 = cursor + review.start()
        stop = TABLES_END.search(out, r0)
        seg_end = stop.start() if stop else len(out)
        last = out.rfind("总计", r0, seg_end)
        values = [base.cells.get(("review", *c)) for c in fmt.REVIEW.cells()]
        if (
            last >= 0
            and all(isinstance(v, int) for v in values)
            and not any(x.startswith("review/") for x in wrong)
        ):
            m = _FIGS.match(out, last + 2)
            printed = re.sub(r"[ \u3000]", "", m.group(1)) if m else ""
            if printed == "".join(str(v) for v in values):
                cells: list[str] = []
                for g in range(3):
                    cells += _marked(values[g * 5 : g * 5 + 5], rnd)  # type: ignore[arg-type]
                assert m is not None
                out = out[: m.start()] + " " + " ".join(cells) + " " + out[m.end() :]
                changed += 1
    return None if not changed else (head, out)


def marker_column(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """One applicant column of 三 that is 0 throughout printed as a marker in every row (an
    office marking a column it never uses): each row's 总计 decides its cell."""
    if base is None:
        return None
    cols = [c.key for c in fmt.APPLICATIONS.columns]
    zero = [
        i
        for i, c in enumerate(cols[:-1])
        if all(v == 0 for (t, _, k), v in base.cells.items() if t == "applications" and k == c)
    ]
    if not zero:
        return None
    at, sign = rnd.choice(zero), rnd.choice(MARKS)

    def mark(values: list[int], _: random.Random) -> list[str]:
        return [sign if i == at else str(v) for i, v in enumerate(values)]

    return markers(head, body, rnd, base, mark)


# --- invisible characters -------------------------------------------------------------------

_INVISIBLE = ("\u200b", "\ufeff", "\u200b\u200b")
_SPACE_LIKE = ("\u00a0", "&nbsp;", "\t", " \u00a0", "&nbsp;&nbsp;", "\u2002", "\u2003", "&ensp;")
_WORD_LIST = "<!--[if !supportLists]-->"
_WORD_END = "<!--[endif]-->"


def invisible(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Invisible characters as pasted pages keep them: a space between cells as U+00A0, a tab
    or `&nbsp;` left as text; U+200B / U+FEFF anywhere in the tables (inside labels and
    figure runs: they separate nothing); Word's list comments before numbered items."""
    start, end = tables_span(body)
    if start < 0:
        return None
    table = list(body[start:end])
    for i in range(len(table)):
        if table[i] == " ":
            table[i] = rnd.choice(_SPACE_LIKE)
        elif rnd.random() < 0.04:
            table[i] = rnd.choice(_INVISIBLE) + table[i]
    # Word's list numbers inside the table too (（三）不予公开 / 1.属于国家秘密)
    tables = re.sub(
        r"(?<=[^\d.第])(\d\.|（[一二三四五六七]）)(?=[^\d\s])",
        lambda m: (_WORD_LIST + m.group(1) + _WORD_END) if rnd.random() < 0.3 else m.group(1),
        "".join(table),
    )
    rest = re.sub(
        r"(?<=[。；\s])(\d\.|（[一二三四五六]）)(?=\D)",
        lambda m: _WORD_LIST + m.group(1) + _WORD_END,
        body[end:],
    )
    out = body[:start] + tables + rest
    return None if out == body else (head, out)


def nbsp_all(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Every space of the page a no-break space (U+00A0), the header's values too: the corpus
    README says its copies cannot tell U+00A0 from U+0020, so the archive's own pages (the
    acceptance run reads them) may hold U+00A0 wherever a corpus copy holds a space."""
    out = body.replace(" ", "\u00a0")
    lines = []
    for line in head:
        key, sep, value = line.partition(": ")  # the crawler's own `标题: ` stays
        lines.append(key + sep + value.replace(" ", "\u00a0") if sep else line)
    head = lines
    return None if out == body else (head, out)


# --- the fee as printed -----------------------------------------------------------------------

_FEE = re.compile(r"(行政事业性收费)(\s*)(\d+(?:\.\d+)?)(?=\s*(?:三、|\(|（|\s|$))")


def fee_units(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """The 2021 table's fee (万元) as offices print it: `0.00`, `0.0000`, `0万元`, `1.5万元`,
    or in 元 (`15000元`), each exactly the same amount."""
    m = _FEE.search(body)
    if m is None or "万元" not in body[max(0, m.start() - 40) : m.start()]:
        return None
    value = Decimal(m[3])
    choices = [f"{value}万元", f"{(value * 10000).normalize():f}元"]
    places = -int(value.as_tuple().exponent)
    choices += [f"{value:.{n}f}" for n in (2, 4) if n >= places]  # zeros added, none lost
    text = rnd.choice(choices)
    return head, body[: m.start(3)] + text + body[m.end(3) :]


# --- units and markers in 二 -------------------------------------------------------------------

_SINGLE = ("licensing", "penalty", "enforcement")  # one count each in the 2021 table of 二


def _proactive_2021(base: Any) -> bool:
    return base is not None and ("proactive", "licensing", "previous_items") not in base.cells


def _single_cells(body: str, base: Any) -> list[tuple[str, int, int]]:
    """(row, start, end) of the figure printed after each one-count row label of 二."""
    start, end = tables_span(body)
    out: list[tuple[str, int, int]] = []
    if start < 0 or not _proactive_2021(base):
        return out
    for row in _SINGLE:
        value = base.cells.get(("proactive", row, "decisions"))
        label = fmt.PROACTIVE.row(row).label
        m = re.compile(rf"{label}[ \u3000]*(\d+)(?!\d)").search(body, start, end)
        if isinstance(value, int) and m is not None and m.group(1) == str(value):
            out.append((row, m.start(1), m.end(1)))
    return out


def count_units(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """A one-count cell of 二 with its unit (`行政许可1528件`, `行政处罚36 项`, `行政强制0次`);
    a count with its unit run into the amount after it (`3个3443000元`)."""
    out = re.sub(r"(?<=\d个)[ \u3000]+(?=\d+(?:\.\d+)?元)", "", body)
    for *_, b in reversed(_single_cells(out, base)):
        unit = rnd.choice(("件", "项", "次", " 件", "个"))
        out = out[:b] + unit + out[b:]
    return None if out == body else (head, out)


_DOCS_ROW = re.compile(
    r"(?<!行政)(规章|行政规范性文件|规范性文件)[ \u3000]*(0[ \u3000]*0[ \u3000]*0)(?!\d)"
)


def markers_proactive(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Cells of 二 printed as a marker where they are 0 (`规章 — — —`, `行政强制 /`): no rule
    of the table decides them (LOST: blank, never a guess), and no other figure may move."""
    start, end = tables_span(body)
    if start < 0 or not _proactive_2021(base):
        return None
    out = body
    spans = [(a, b) for _, a, b in _single_cells(body, base) if body[a:b] == "0"]
    spans += [m.span(2) for m in _DOCS_ROW.finditer(body, start, end)]
    for a, b in sorted(spans, reverse=True):
        mark = rnd.choice(MARKS)
        n = body[a:b].count("0")
        out = out[:a] + " " + " ".join([mark] * n) + " " + out[b:]
    return None if out == body else (head, out)


def _lost_proactive(cell: tuple[str, str, str]) -> bool:
    return cell[0] == "proactive" and cell[1] in ("regulations", "normative_documents", *_SINGLE)


_TOGETHER = ("markers", "fee-units", "count-units", "thousands", "fullwidth", "invisible")


def together(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """Every variation above on one page (markers first: they find rows by their printed
    figures; full-width digits and invisible characters last)."""
    page: Page = (head, body)
    applied = 0
    for name in _TOGETHER:
        out = MUTATIONS[name](list(page[0]), page[1], rnd, base)
        if out is not None:
            page, applied = out, applied + 1
    return page if applied > 1 else None


def together_lines(head: list[str], body: str, rnd: random.Random, base: Any) -> Page | None:
    """`numbers-together` on a page whose every run of whitespace is a line break (as `lines`
    does): the invisible characters after the breaks, as a page's copy leaves them."""
    page: Page = (head, body)
    for name in _TOGETHER[:-1]:
        page = MUTATIONS[name](list(page[0]), page[1], rnd, base) or page
    page = page[0], re.sub(r"\s+", "\n", page[1].strip())
    return invisible(page[0], page[1], rnd, base) or page


MUTATIONS = {
    "fullwidth": fullwidth,
    "thousands": thousands,
    "markers": markers,
    "invisible": invisible,
    "fee-units": fee_units,
    "marker-column": marker_column,
    "nbsp-all": nbsp_all,
    "count-units": count_units,
    "markers-proactive": markers_proactive,
    "numbers-together": together,
    "numbers-lines": together_lines,
}
# a 0 printed as a marker in 二: nothing on the page says what it is
LOST: dict[str, Any] = {"markers-proactive": _lost_proactive}
