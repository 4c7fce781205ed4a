"""Page structure as unseen pages of the corpus's site print it (issue 15, brief i15lay; found
by `benchmarks/variations_layout.py`): numbering forms, reworded titles, the title and the
header metadata, the tables as an appendix. Each variant of the corpus-style fixture page must
give the figures, the agency and the year the page gives as it is."""

from __future__ import annotations

import pytest

from disclosure_lib import format as fmt
from disclosure_lib.importers.document import ImportResult, import_bytes, import_file
from tests.base import FIXTURES

PAGE = FIXTURES / "import" / "corpus_style.txt"
HEADER_LINES = 9


def _page() -> tuple[list[str], str]:
    lines = PAGE.read_text(encoding="utf-8").split("\n")
    return lines[:HEADER_LINES], "\n".join(lines[HEADER_LINES:])


def _import(head: list[str], body: str, name: str = "page.txt") -> ImportResult:
    return import_bytes("\n".join([*head, body]).encode("utf-8"), path=name)


def _same_as_printed(got: ImportResult) -> None:
    base = import_file(PAGE)
    assert (got.report.agency, got.report.year) == (base.report.agency, base.report.year)
    assert got.report.tables == base.report.tables


@pytest.mark.parametrize("mark", ["．", ".", " ", "\u3000", ""])
def test_section_numbering_forms_find_the_same_sections(mark: str) -> None:
    # 一．总体情况 / 一 总体情况 / 一总体情况 for 一、总体情况, the same on the whole page
    head, body = _page()
    for s in fmt.SECTIONS:
        body = body.replace(s.heading, s.key + mark + s.title)
    got = _import(head, body)
    assert got.log.sections_found[:4] == list("一二三四")
    _same_as_printed(got)
