"""The index as the office's dashboard: each agency's report of one year as a row — its
statuses, its deadline (《条例》第四十九条 via `collection.Collection`), check counts (已核实
apart), key figures with last year's, links — and the compact JSON a year's page embeds.

Statuses (a row may have several: a late report with errors is 有错误 and 逾期):
已生成 built without check errors; 有错误 built with check errors; 已阻止 blocked by
`--strict`; 失败 failed; 未提交 expected in `params/collection.yaml` with no params file;
逾期 issued after its due date, or not issued (or not submitted) and past due on `today`;
已更改 rebuilt because its content changed since the version built before: its changes page
(`changes.py`) is among its files.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks_trend import KEY_FIGURES
from ..collection import Collection
from ..format import TITLE_TEMPLATE
from ..names import agency_key, visible
from .changes import CHANGES_SUFFIX
from .manifest import Entry
from .states import Status, UnitKind

BUILT, ERRORS, LATE, MISSING, BLOCKED, FAILED = "g", "e", "l", "m", "b", "f"
CHANGED = "c"
# the filters in the order the page shows them; the code is what the page's data holds
STATUS_LABEL = {BUILT: "已生成", ERRORS: "有错误", LATE: "逾期", MISSING: "未提交",
                BLOCKED: "已阻止", FAILED: "失败", CHANGED: "已更改"}  # fmt: skip
PROFILE_LABEL = {"publish": "发布版", "review": "审阅版"}
# a row's files: code -> suffix (the page builds each link from the row's base path); a file
# is the code's whose suffix is the longest it ends with (.changes.html is not the HTML)
FILES = {"h": ".html", "p": ".pdf", "d": ".docx", "n": ".ipynb", "x": ".failed.ipynb",
         "c": CHANGES_SUFFIX}  # fmt: skip
FILE_LABEL = {"h": "HTML", "p": "PDF", "d": "Word", "n": "笔记本", "x": "出错的笔记本",
              "c": "更改"}  # fmt: skip
DATA_VERSION = 1
PAGE_ROWS = 200  # rows the page draws at a time ("再显示"): thousands take seconds to lay out


@dataclass
class Row:
    """One agency's report of one year on the dashboard."""

    agency: str
    year: int
    statuses: str  # codes of STATUS_LABEL, in that order
    due: datetime.date
    entry: Entry | None = None  # None: expected, not submitted
    issued: datetime.date | None = None
    previous: dict[str, int | None] | None = None  # last year's key figures
    syllables: tuple[str, ...] = ()

    def days_left(self, today: datetime.date) -> int | None:
        """Days left before the due date for a report not issued yet (None: issued, or due)."""
        if self.issued is not None or today > self.due:
            return None
        return (self.due - today).days

    def late_by(self, today: datetime.date) -> int:
        """Days past the due date: issued that late, or not issued by `today` (0: not late)."""
        when = self.issued if self.issued is not None else today
        return max(0, (when - self.due).days)


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _statuses(entry: Entry | None, issued: datetime.date | None, due: datetime.date,
              today: datetime.date) -> str:  # fmt: skip
    if entry is None:
        own = MISSING
    elif entry.status == Status.FAILED:
        own = FAILED
    elif entry.status == Status.BLOCKED:
        own = BLOCKED
    else:
        own = ERRORS if entry.errors else BUILT
    # a failed params file says nothing of its date: only a known one makes it late
    unknown = entry is not None and entry.status == Status.FAILED and issued is None
    late = not unknown and (issued > due if issued is not None else today > due)
    flags = {own}
    if late:
        flags.add(LATE)
    published = entry.outputs if entry is not None and own in (BUILT, ERRORS) else []
    if any(r.endswith(CHANGES_SUFFIX) for r in published):
        flags.add(CHANGED)
    return "".join(c for c in STATUS_LABEL if c in flags)


def report_entries(entries: Iterable[Entry]) -> dict[tuple[str, int], Entry]:
    """The reports among `entries` by (agency, year)."""
    return {(e.agency, e.year): e for e in entries if e.kind == UnitKind.REPORT and e.agency}


def index_years(
    reports: Iterable[tuple[str, int]],
    summaries: Iterable[int],
    collection: Collection | None,
    today: datetime.date,
) -> list[int]:
    """The years the index covers: those with reports or a summary, and, when the office
    expects agencies (`collection`), the year whose reports are being collected now (the one
    just ended), once the year before it is there."""
    years = {y for _, y in reports} | set(summaries)
    collecting = today.year - 1
    expects = collection is not None and collection.expected(collecting)
    if expects and years and max(years) == collecting - 1:
        years.add(collecting)
    return sorted(years)


def year_rows(
    reports: dict[tuple[str, int], Entry],
    year: int,
    collection: Collection | None,
    today: datetime.date,
    syllables: dict[str, tuple[str, ...]],
    previous: Mapping[str, dict[str, int | None]] | None = None,
) -> list[Row]:
    """The rows of `year`: every report of that year and every agency expected on it without
    one, in `names.agency_key` order (`syllables`: each agency's pinyin, as `pinyin_keys` gives;
    `previous`: the key figures of the year before by agency, else from `reports`)."""
    collection = collection if collection is not None else Collection()
    names = {a for a, y in reports if y == year}
    names.update(collection.expected(year))
    rows = []
    for agency in names:
        entry = reports.get((agency, year))
        due = collection.due(agency, year)
        issued = _date(entry.issued) if entry is not None else None
        if previous is not None:
            figures = previous.get(agency)
        else:
            before = reports.get((agency, year - 1))
            figures = before.figures if before is not None else None
        rows.append(
            Row(
                agency,
                year,
                _statuses(entry, issued, due, today),
                due,
                entry,
                issued,
                figures or None,
                syllables.get(agency, ()),
            )
        )
    rows.sort(key=lambda r: agency_key(r.agency, r.syllables or (r.agency,)))
    return rows


def counts(rows: Iterable[Row]) -> dict[str, int]:
    """Rows per status code (every code of STATUS_LABEL, zero included)."""
    out = dict.fromkeys(STATUS_LABEL, 0)
    for r in rows:
        for c in r.statuses:
            out[c] += 1
    return out


def default_base(agency: str, year: int) -> str:
    """Where a report's files are unless its name had to be made safe for a file name
    (`plan.report_folder`): what the page assumes when a row gives no base."""
    return f"{year}/{agency}/" + TITLE_TEMPLATE.format(agency=agency, year=year)


def _file_code(rel: str) -> str:
    """The code of FILES whose suffix is the longest `rel` ends with ("" if none)."""
    found = [(len(s), c) for c, s in FILES.items() if rel.endswith(s)]
    return max(found)[1] if found else ""


def _files(entry: Entry) -> tuple[str, str]:
    """The codes of FILES an entry has, and their common path without suffix."""
    codes, base = "", ""
    by_code: dict[str, str] = {}
    for rel in entry.outputs:
        by_code.setdefault(_file_code(rel), rel)
    for code, suffix in FILES.items():
        if code in by_code:
            codes += code
            base = base or by_code[code][: -len(suffix)]
    return codes, base


def _figures(figures: dict[str, int | None]) -> list[int | None] | int:
    return [figures.get(name) for name in KEY_FIGURES] if figures else 0


def row_data(row: Row, index: int, default_due: datetime.date) -> list[Any]:
    """A row as the page's JSON holds it (fields named in `year_data`'s "columns")."""
    e = row.entry
    files, base = _files(e) if e is not None else ("", "")
    out: list[Any] = [
        visible(row.agency),
        0,  # shared with the row before (`year_data`)
        visible(" ".join(row.syllables)),
        0,
        row.statuses,
        e.errors if e is not None else 0,
        e.warnings if e is not None else 0,
        e.acknowledged if e is not None else 0,
        (row.issued - row.due).days if row.issued is not None else None,
        row.due.isoformat() if row.due != default_due else 0,
        _figures(e.figures) if e is not None else 0,
        _figures(row.previous) if row.previous else 0,
        files,
        0 if not base or base == default_base(row.agency, row.year) else visible(base),
        e.profile[:1] if e is not None else "",
        index if e is not None and (e.findings or e.first_error) else -1,
    ]
    if e is not None and e.status in (Status.FAILED, Status.BLOCKED) and e.first_error:
        out.append(visible(e.first_error))
    return out


COLUMNS = ["agency", "agency_shared", "pinyin", "pinyin_shared", "statuses", "errors",
           "warnings", "acknowledged", "issued_days_after_due", "due", "figures",
           "previous_figures", "files", "base", "profile", "findings_anchor",
           "first_error"]  # fmt: skip


def year_data(rows: list[Row], year: int, today: datetime.date) -> dict[str, Any]:
    """What a year's page embeds (and writes beside it): the rows and what they refer to."""
    default_due = Collection().due("", year)  # 第四十九条's date for a 部门
    return {
        "version": DATA_VERSION,
        "year": year,
        "today": today.isoformat(),
        "due": default_due.isoformat(),
        "title": TITLE_TEMPLATE,
        "statuses": STATUS_LABEL,
        "profiles": {k[:1]: v for k, v in PROFILE_LABEL.items()},
        "figures": list(KEY_FIGURES),
        "files": {c: [FILES[c], FILE_LABEL[c]] for c in FILES},
        "columns": COLUMNS,
        "page": PAGE_ROWS,
        "rows": _front_coded([row_data(r, i, default_due) for i, r in enumerate(rows)]),
    }


def _utf16(text: str) -> int:
    """`text`'s length as the page's script counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _front_coded(rows: list[list[Any]]) -> list[list[Any]]:
    """Names and pinyin as what they share with the row before (rows in pinyin order share
    long prefixes: 示例市第1区…) and the rest: a third less data at scale."""
    before = ["", ""]
    for row in rows:
        for k, (field, shared) in enumerate(((0, 1), (2, 3))):
            text, n = row[field], 0
            limit = min(len(text), len(before[k]))
            while n < limit and text[n] == before[k][n]:
                n += 1
            row[field], row[shared], before[k] = text[n:], _utf16(text[:n]), text
    return rows


def decode_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a year's data as mappings of its columns, names and pinyin whole."""
    out, before = [], ["", ""]
    for raw in data["rows"]:
        row = dict(zip(data["columns"], raw, strict=False))
        for k, (field, shared) in enumerate((("agency", "agency_shared"),
                                             ("pinyin", "pinyin_shared"))):  # fmt: skip
            head = before[k].encode("utf-16-le")[: 2 * row[shared]].decode("utf-16-le")
            row[field] = before[k] = head + row[field]
        out.append(row)
    return out


def dumps(data: dict[str, Any]) -> str:
    """Compact JSON safe inside a `<script>` element (no `<`, `>`, `&` raw)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def read_rows(path: Path) -> dict[str, dict[str, Any]]:
    """A year's data file (`index-<year>.json`) read back: each agency's row as a mapping of
    the data's columns (a tool's, or a test's, view of the dashboard)."""
    return {row["agency"]: row for row in decode_rows(json.loads(path.read_text("utf-8")))}
