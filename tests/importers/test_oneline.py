"""Whole pages on one line (crawler output): the same params as the multi-line originals."""

from __future__ import annotations

import pytest

from disclosure_lib.importers.document import ImportResult, import_bytes
from disclosure_lib.importers.oneline import split_note, split_subheadings
from disclosure_lib.model import Report

from ..base import IMPORT_FIXTURES as FIX

# a long paragraph, as real reports have: the flattened page is then well over 20,000 characters
LONG = "依托门户网站持续推进政务公开标准化规范化建设，及时发布政策文件和解读材料。" * 600


def flatten(text: str, sep: str) -> str:
    return sep.join(line.strip() for line in text.splitlines() if line.strip())


def with_long_paragraph(text: str) -> str:
    lines = text.splitlines()
    at = lines.index("（五）监督保障情况")
    return "\n".join([*lines[:at], LONG, *lines[at:]]) + "\n"


def imported(text: str, name: str) -> ImportResult:
    return import_bytes(text.encode("utf-8"), path=name)


def unbroken(report: Report) -> dict[str, list[tuple[str | None, str]]]:
    """The narrative with line breaks inside paragraphs removed (a page without spaces or
    line breaks does not say where a paragraph's lines broke)."""
    return {
        k: [(p.heading, p.text.replace("\n", "")) for p in ps] for k, ps in report.narrative.items()
    }


@pytest.mark.parametrize("name", ["seed.txt", "figures.txt", "runtogether.txt", "pipes.txt"])
@pytest.mark.parametrize("sep", [" ", ""], ids=["spaces", "no-spaces"])
def test_one_line_page_imports_like_the_original(name: str, sep: str) -> None:
    original = with_long_paragraph((FIX / name).read_text(encoding="utf-8"))
    want = imported(original, name)
    line = flatten(original, sep)
    assert "\n" not in line and len(line) > 20_000
    got = imported(line, name)
    a, b = got.report, want.report
    assert (a.agency, a.year, a.own_title, a.contact) == (b.agency, b.year, b.own_title, b.contact)
    assert a.section_notes == b.section_notes
    assert got.log.sections_found == list("一二三四五六")
    if sep == " ":  # spaces stand where the lines broke: everything comes back
        assert a.narrative == b.narrative
    else:
        assert unbroken(a) == unbroken(b)
    undecided = {
        (t, r, c) for t, cells in a.tables.items() for (r, c), v in cells.items() if v is None
    }
    for t, cells in b.tables.items():
        for (r, c), v in cells.items():
            if (t, r, c) not in undecided:
                assert a.tables[t][(r, c)] == v, (t, r, c)
    # 行政规范性文件3040 once the cells ran together: 3|0|40 (30|4|0 has 现行有效 < 制发 − 废止)
    assert a.tables == b.tables and not undecided


def test_issue_example_runs_with_spaces_after_labels() -> None:
    text = (FIX / "seed.txt").read_text(encoding="utf-8")
    line = flatten(text, "")
    line = line.replace("（一）予以公开0000000", "（一）予以公开 130000013")
    line = line.replace(
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）0000000",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 5200007",
    )
    r = imported(line, "issue.txt").report
    assert [r.get("applications", "disclosed", c) for c in ("natural", "total")] == [13, 13]
    assert [r.get("applications", "partial", c) for c in ("natural", "total")] == [5, 7]
    assert r.get("applications", "partial", "business") == 2


def test_split_note_and_subheadings() -> None:
    note = "2024年，我中心无因政府信息公开工作被申请行政复议、提起行政诉讼情况。"
    assert split_note(note + "行政复议行政诉讼结果维持结果纠正", "四") == [
        note,
        "行政复议行政诉讼结果维持结果纠正",
    ]
    assert split_note(note, "四") == [note]
    assert split_subheadings("总述。（一）主动公开情况。正文一。（二）平台建设情况正文二") == [
        "总述。",
        "（一）主动公开情况。",
        "正文一。",
        "（二）平台建设情况",
        "正文二",
    ]
    # an enumeration inside a sentence, or out of sequence, is not a sub-heading
    assert split_subheadings("包括（一）制度建设情况等。（三）其他") == [
        "包括（一）制度建设情况等。（三）其他"
    ]


def test_html_page_with_the_whole_report_in_one_paragraph(seed_report: Report) -> None:
    body = flatten((FIX / "seed.txt").read_text(encoding="utf-8"), " ")
    page = f"<html><head><title>年报</title></head><body><div><p>{body}</p></div></body></html>"
    r = import_bytes(page.encode("utf-8"), path="flat.html").report
    assert r.tables == seed_report.tables
    assert r.narrative == seed_report.narrative
    assert r.section_notes == seed_report.section_notes
