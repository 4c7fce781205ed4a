"""The workbook as a clerk uses it, and workbooks as an attacker sends them."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from disclosure_lib import cli
from disclosure_lib import format as fmt
from disclosure_lib.errors import ImportError_
from disclosure_lib.importers.collection import import_files
from disclosure_lib.importers.document import import_file
from disclosure_lib.importers.excel import APPLICATIONS, COVER, KEYS, NARRATIVE, write_template
from disclosure_lib.importers.excel_read import MAX_MEMBERS, MAX_UNPACKED, check_zip
from disclosure_lib.model import PLACEHOLDER, Report
from disclosure_lib.params import load_report, params_path

from ..base import FORMAT2019_FIXTURES, report_2019, report_mixed

AGENCY = "示例区教育局"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(AGENCY, 2024, tmp_path / "t.xlsx")


def cell_of(path: Path, table: str, row: str, col: str) -> tuple[str, str]:
    for r in load_workbook(path)[KEYS].iter_rows(min_row=2, values_only=True):
        if tuple(r[:3]) == (table, row, col):
            return str(r[3]), str(r[4])
    raise KeyError((table, row, col))


def fill(path: Path, values: dict[tuple[str, str, str], object]) -> None:
    wb = load_workbook(path)
    for key, v in values.items():
        sheet, coord = cell_of(path, *key)
        wb[sheet][coord] = v
    wb.save(path)


def test_findings_name_sheet_and_cell_and_blanks_are_summarised_per_sheet(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a clerk fills 一、本年新收 with a wrong 总计 and leaves everything else blank
    row = {("applications", "new", c.key): 0 for c in fmt.APPLICATIONS.columns}
    row[("applications", "new", "natural")] = 5
    row[("applications", "new", "total")] = 6
    fill(template, row)
    code = cli.main(["import", str(template), "-o", str(tmp_path / "params")])
    out = capsys.readouterr().out
    assert code == 1
    natural = cell_of(template, "applications", "new", "natural")
    total = cell_of(template, "applications", "new", "total")
    assert f"{APPLICATIONS}!{total[1]}" in out and "R3-APP-APPLICANT-TOTAL" in out
    assert natural[0] == APPLICATIONS == fmt.section("三").heading
    blank_lines = [line for line in out.splitlines() if "[R5-BLANK]" in line]
    sheets = [fmt.section(k).heading for k in "二三四"]
    assert len(blank_lines) == 3 and all(any(s in b for s in sheets) for b in blank_lines)
    # every blank cell counted: all of 二 and 四, all of 三 but the row the clerk filled
    counts = [len(fmt.table(k).cells()) for k in ("proactive", "applications", "review")]
    counts[1] -= len(fmt.APPLICATIONS.columns)
    for line, n in zip(blank_lines, counts, strict=True):
        assert f"：{n} 个单元格为空白" in line, line
    assert "第" not in "".join(line for line in out.splitlines() if "R5-" in line or "R3-" in line)


def test_the_lead_paragraph_row_and_the_log_of_narrative_read(template: Path) -> None:
    wb = load_workbook(template)
    ws = wb[NARRATIVE]
    assert (ws["A2"].value, ws["B2"].value) == ("一、总体情况", None)  # the untitled lead
    assert ws["B3"].value == fmt.section("一").subheadings[0]
    ws["C2"] = "2024年，我局认真贯彻落实《政府信息公开条例》。"
    ws["C3"] = "主动公开信息120条。"
    wb.save(template)
    result = import_file(template)
    one = result.report.narrative["一"]
    assert one[0].heading is None and one[0].text.startswith("2024年，我局")
    assert one[1].heading == fmt.section("一").subheadings[0]
    assert result.log.narrative_sections == ["一"]
    assert "叙述部分：一" in result.log.summary()


def test_untouched_template_reads_back_without_an_empty_lead(template: Path) -> None:
    r = import_file(template).report
    assert [p.heading for p in r.narrative["一"]] == list(fmt.section("一").subheadings)
    assert import_file(template).log.narrative_sections == []


def test_template_from_a_params_file_is_next_years_start(
    seed_path: Path, seed_report: Report, tmp_path: Path
) -> None:
    out = tmp_path / "2025.xlsx"
    assert cli.main(["template", "--from", str(seed_path), "-o", str(out)]) == 0
    r = import_file(out).report
    assert (r.agency, r.year) == (seed_report.agency, 2025)
    assert r.contact == seed_report.contact
    # last year's texts are comments beside the blanks, never this year's text
    assert r.narrative != seed_report.narrative
    assert all(p.text == PLACEHOLDER for ps in r.narrative.values() for p in ps)
    headings = {k: [p.heading for p in ps] for k, ps in seed_report.narrative.items()}
    assert {k: [p.heading for p in ps] for k, ps in r.narrative.items()} == headings
    ws = load_workbook(out)[NARRATIVE]
    comments = [c.comment.text for row in ws.iter_rows() for c in row if c.comment]
    first = seed_report.narrative["一"][0].text
    assert any(first in c and "2024年原文" in c for c in comments)
    app = fmt.APPLICATIONS
    for col in app.columns:  # rule 7: 上年结转 = last year's 结转下年度
        before = seed_report.get(app.key, "carry_forward", col.key)
        assert r.get(app.key, "carried_over", col.key) == before
    rest = [v for (row, _), v in r.tables[app.key].items() if row != "carried_over"]
    assert all(v is None for v in rest)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s uncompressed size declared as `size` (local and central header)."""
    raw = bytearray(data)
    key = name.encode()
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(sig + b"")
        while at != -1:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(key)] == key:
                struct.pack_into("<I", raw, at + offset, size)
            at = raw.find(sig, at + 4)
    return bytes(raw)


@pytest.mark.parametrize(
    "data",
    [
        _zip({"[Content_Types].xml": b" " * (64 * 2**20)}),  # 64 MB of spaces in ~64 KB
        _declare_size(_zip({"[Content_Types].xml": b" " * 2**20}), "[Content_Types].xml", 2**30),
        _zip({f"xl/p{i}.xml": b"<a/>" for i in range(500)}),
    ],
    ids=["big-member", "declared-1GiB", "many-members"],
)
def test_zip_bombs_are_refused_fast(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    t0 = time.perf_counter()
    with pytest.raises(ImportError_, match="拒绝读取"):
        import_file(path)
    assert time.perf_counter() - t0 < 2
    assert cli.main(["import", str(path), "-o", str(tmp_path / "params")]) == 2
    assert not (tmp_path / "params").exists()


def test_a_real_template_passes_the_zip_check(template: Path) -> None:
    data = template.read_bytes()
    check_zip(data)  # raises ImportError_ when it refuses
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = z.infolist()
    # far from every limit, so a richer template is not refused as a bomb
    assert len(members) * 4 < MAX_MEMBERS
    assert sum(m.file_size for m in members) * 20 < MAX_UNPACKED


def _set_cover(path: Path, row: int, value: object) -> None:
    wb = load_workbook(path)
    wb[COVER].cell(row=row, column=2).value = value
    wb.save(path)


def test_a_cover_name_cannot_inject_yaml(template: Path, tmp_path: Path) -> None:
    _set_cover(template, 2, '注入局\nformat: "2019"\n#')
    with pytest.raises(ImportError_) as info:
        import_file(template)
    assert "封面!B2" in str(info.value) and "控制字符" in str(info.value)
    params = tmp_path / "params"
    assert cli.main(["import", str(template), "-o", str(params)]) == 2
    assert not params.exists()


def test_a_cover_format_that_cannot_load_is_refused(template: Path, tmp_path: Path) -> None:
    _set_cover(template, 4, "2020")
    with pytest.raises(ImportError_, match="封面!B4"):
        import_file(template)
    [out] = import_files([template], params_dir=tmp_path / "params")
    assert out.failed and out.written is None
    assert not (tmp_path / "params").exists()


def test_a_2019_report_has_no_workbook_and_a_2019_cover_is_refused(
    template: Path, tmp_path: Path
) -> None:
    from disclosure_lib.errors import DisclosureError
    from disclosure_lib.importers.excel import write_workbook

    for report in (report_2019(), report_mixed()):
        with pytest.raises(DisclosureError, match="现行格式"):
            write_workbook(report, tmp_path / "old.xlsx")
    assert not (tmp_path / "old.xlsx").exists()
    # next year's workbook from a 2019 params file is in the current format
    fixture = FORMAT2019_FIXTURES / "示例区某某局" / "2020.yaml"
    nxt = write_template(None, None, tmp_path / "next.xlsx", from_params=fixture)
    report = import_file(nxt).report
    assert (report.year, report.format) == (2021, fmt.FORMAT_ID)
    _set_cover(template, 4, "2019")
    with pytest.raises(ImportError_, match=r"封面!B4.*现行格式"):
        import_file(template)


def test_no_second_file_for_the_same_agency_and_year(
    seed_report: Report, tmp_path: Path, template: Path
) -> None:
    from disclosure_lib.params_write import save_report

    params = tmp_path / "params"
    seed_report.agency = AGENCY
    existing = save_report(seed_report, params / "教育局（旧目录）" / "2024.yaml")
    [out] = import_files([template], params_dir=params)
    assert out.failed and "--force" in str(out.error) and str(existing) in str(out.error)
    assert sorted(params.rglob("*.yaml")) == [existing]
    [forced] = import_files([template], params_dir=params, force=True)
    assert forced.written == existing  # overwritten where it is: still one file
    assert sorted(params.rglob("*.yaml")) == [existing]
    assert load_report(existing).get("applications", "new", "total") is None
    assert not params_path(params, AGENCY, 2024).exists()
