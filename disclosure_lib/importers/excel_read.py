"""Reading the fill-in workbook back: the `Report` it holds, and where each figure sits.

Zip bombs are refused before openpyxl reads anything (`check_zip`: sizes and ratios from the
zip directory, then the cells the sheets hold, counted as they unpack); the workbook is read
in a child process under the time and memory limits (`bounded`). Every error names the sheet
and cell (`三、收到和处理政府信息公开申请情况!D12`). A hidden sheet maps every figure to its
cell, so the reader never guesses positions; the cover sheet's names go through `names.check_name`.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .. import format as fmt
from ..errors import DisclosureError, ImportError_
from ..identity import YEARS
from ..model import Contact, Paragraph, Report, Value
from ..names import check_name, from_cell_text
from ..params_layout import FORMATS
from ..params_nodes import parse_date
from . import limits
from .excel import COVER, COVER_FIELDS, KEYS, NARRATIVE
from .labels import is_missing_marker


def read_workbook(path: Path | str) -> Report:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"无法读取文件 (cannot read: {exc.strerror})", path=path) from None
    return read_workbook_bytes(data, path)


# A filled-in template is well under 1 MB unpacked; sheet XML compresses about 10-30 times.
MAX_MEMBERS = 200
MAX_UNPACKED = 50 * 2**20  # all members together
MAX_MEMBER = 20 * 2**20
MAX_RATIO = 200  # unpacked / packed, for members over 1 MB unpacked
Cell3 = tuple[str, str, str]


def check_zip(data: bytes, path: Path | str | None = None) -> None:
    """Refuse a zip bomb before anything unpacks it: member count, sizes and ratios, as the
    zip directory declares them (zipfile never unpacks past a member's declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportError_(
            f"无法读取 Excel 工作簿 (not a readable .xlsx: {type(exc).__name__})", path=path
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise ImportError_(
            f"Excel 工作簿含 {len(infos)} 个部件，超出上限 {MAX_MEMBERS}，拒绝读取"
            " (too many parts)",
            path=path,
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER or (info.file_size > 2**20 and ratio > MAX_RATIO):
            raise ImportError_(
                f"Excel 工作簿中的“{info.filename[:60]}”解压后 {info.file_size // 2**20} MB"
                f"（压缩比 {ratio:.0f}:1），疑似压缩炸弹，拒绝读取 (zip bomb refused)",
                path=path,
            )
    if total > MAX_UNPACKED:
        raise ImportError_(
            f"Excel 工作簿解压后共 {total // 2**20} MB，超出上限 {MAX_UNPACKED // 2**20} MB，"
            "拒绝读取 (unpacked size over the limit)",
            path=path,
        )
    _check_cells(data, infos, path)


_CELL = re.compile(rb"<(?:c|si)[\s/>]")  # a cell of a sheet, a string of the shared strings


def _check_cells(data: bytes, infos: list[zipfile.ZipInfo], path: Path | str | None) -> None:
    """Refuse a workbook whose sheets hold more than `limits.MAX_WORKBOOK_CELLS` cells (or
    shared strings): openpyxl builds every one (100,000 took 17 s). Counted as the parts
    unpack, a piece at a time."""
    cap = limits.MAX_WORKBOOK_CELLS
    count = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in infos:
            name = info.filename
            if not (name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"):
                continue
            tail = b""
            try:
                with z.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        piece = tail + chunk
                        # one starting in the last 3 bytes may be cut: counted with the next
                        end = len(piece) - 3
                        count += sum(1 for m in _CELL.finditer(piece) if m.start() < end)
                        tail = piece[end:]
                count += len(_CELL.findall(tail))
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError):
                return  # openpyxl says what is wrong with it
            if count > cap:
                raise limits.refuse(
                    f"Excel 工作簿的单元格超过 {cap:,} 个，超出上限", "too many cells", path
                )


def read_workbook_bytes(data: bytes, path: Path | str | None = None) -> Report:
    """The Report held by a workbook written by `write_template` / `write_workbook`."""
    return workbook_report(data, path)[0]


def workbook_report(data: bytes, path: Path | str | None = None) -> tuple[Report, dict[Cell3, str]]:
    """The Report, and each figure's cell ('三、收到和处理政府信息公开申请情况!D12')."""
    check_zip(data, path)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        TypeError,
        EOFError,
        SyntaxError,  # xml.etree's ParseError on malformed parts
    ) as exc:
        raise ImportError_(
            f"无法读取 Excel 工作簿 (not a readable .xlsx: {type(exc).__name__})", path=path
        ) from None
    missing = [s for s in (COVER, NARRATIVE, KEYS) if s not in wb.sheetnames]
    if missing:
        raise ImportError_(
            f"不是本工具生成的填报表，缺少工作表：{'、'.join(missing)}"
            "（请用 disclosure template 生成）(not a disclosure template workbook)",
            path=path,
        )
    reader = _Reader(wb, path)
    return reader.read(), reader.refs


class _Reader:
    def __init__(self, wb: Workbook, path: Path | str | None) -> None:
        self.wb = wb
        self.path = path
        self.refs: dict[Cell3, str] = {}

    def fail(self, where: str, message: str) -> ImportError_:
        return ImportError_(message, path=self.path, field=where)

    def read(self) -> Report:
        cover = self.wb[COVER]
        values = {
            key: _text_back(cover.cell(row=i, column=2).value)
            for i, (key, _l) in enumerate(COVER_FIELDS, start=2)
        }
        agency = str(values["agency"] or "").strip()
        if not agency:
            raise self.fail(f"{COVER}!B2", "机关名称为空 (agency is empty)")
        try:
            agency = check_name(agency)
        except DisclosureError as exc:
            raise self.fail(f"{COVER}!B2", exc.message) from None
        year = values["year"]
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year.strip())
        if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
            raise self.fail(f"{COVER}!B3", f"报告年度应为四位年份，而不是 {year!r} (year expected)")
        report = Report.blank(agency, year)
        report.format = str(values["format"] or fmt.FORMAT_ID).strip()
        if report.format not in FORMATS:
            raise self.fail(
                f"{COVER}!B4",
                f"报告格式应为 {' 或 '.join(FORMATS)}，而不是“{report.format}” (unknown format)",
            )
        if report.format != fmt.FORMAT_ID:  # the sheets hold the 2021 tables only
            raise self.fail(
                f"{COVER}!B4",
                f"填报工作簿只有现行格式 {fmt.FORMAT_ID} 的表格，而不是“{report.format}”；"
                "旧格式的报告请直接编辑参数文件 (workbooks hold the 2021 tables only)",
            )
        report.contact = Contact(
            **{k: str(values[k] or "").strip() for k, _l in fmt.CONTACT_FIELDS}
        )
        self.read_cover_extras(report, values)
        self.read_figures(report)
        self.read_narrative(report)
        return report

    def read_cover_extras(self, report: Report, values: dict[str, object]) -> None:
        """Title, 落款 date and the charts flag (blank in workbooks made before they existed)."""
        row = {key: i for i, (key, _l) in enumerate(COVER_FIELDS, start=2)}
        title = str(values.get("title") or "").strip()
        if title:
            try:
                report.own_title = check_name(title, "报告标题")
            except DisclosureError as exc:
                raise self.fail(f"{COVER}!B{row['title']}", exc.message) from None
        issued = values.get("issued")
        if isinstance(issued, datetime.datetime):  # a cell Excel typed as a date
            report.issued = issued.date()
        elif issued not in (None, ""):
            report.issued = parse_date(str(issued))
            if report.issued is None:
                raise self.fail(
                    f"{COVER}!B{row['issued']}",
                    f"落款日期应如 2025-01-20 或 2025年1月20日，而不是“{issued}” (expected a date)",
                )
        charts = str(values.get("charts") or "否").strip()
        if charts not in ("是", "否"):
            raise self.fail(f"{COVER}!B{row['charts']}", f"应填“是”或“否”，而不是“{charts}”")
        report.charts = charts == "是"

    def read_figures(self, report: Report) -> None:
        keys = self.wb[KEYS]
        known = {(t.key, *c) for t in fmt.TABLES for c in t.cells()}
        seen = set()
        for i, row in enumerate(keys.iter_rows(min_row=2, values_only=True), start=2):
            if not row or row[0] is None:
                continue
            table, r, c, sheet, coord = (str(x) for x in row[:5])
            if (table, r, c) not in known or sheet not in self.wb.sheetnames:
                raise self.fail(f"{KEYS}!A{i}", "填报表的隐藏索引已损坏 (index sheet damaged)")
            seen.add((table, r, c))
            amount = fmt.table(table).is_amount(r, c)
            value = self.wb[sheet][coord].value
            report.set(table, r, c, self.value(value, f"{sheet}!{coord}", amount))
            self.refs[(table, r, c)] = f"{sheet}!{coord}"
            report.lines[(table, r, c)] = self.wb[sheet][coord].row
        if seen != known:
            raise self.fail(KEYS, "填报表的隐藏索引不完整 (index sheet incomplete)")

    def value(self, raw: object, where: str, amount: bool) -> Value:
        if raw is None or (isinstance(raw, str) and is_missing_marker(raw)):
            return None
        if isinstance(raw, bool):
            raise self.fail(where, f"应为数字，而不是 {raw!r} (number expected)")
        if isinstance(raw, str):
            s = raw.strip().replace(",", "")
            try:
                raw = Decimal(s)
            except InvalidOperation:
                raise self.fail(where, f"应为数字，而不是“{raw}” (number expected)") from None
        if isinstance(raw, float):
            raw = Decimal(repr(raw))
        if not isinstance(raw, (int, Decimal)) or (
            isinstance(raw, Decimal) and not raw.is_finite()
        ):
            raise self.fail(where, f"应为数字，而不是 {raw!r} (number expected)")
        if raw < 0:
            raise self.fail(where, f"不能为负数：{raw} (must be ≥ 0)")
        if amount:
            return Decimal(raw)
        if raw != int(raw):
            raise self.fail(where, f"应为整数，而不是 {raw} (whole number expected)")
        return int(raw)

    def read_narrative(self, report: Report) -> None:
        ws = self.wb[NARRATIVE]
        by_heading = {s.heading: s for s in fmt.SECTIONS}
        by_key = {s.key: s for s in fmt.SECTIONS}
        for i, row in enumerate(ws.iter_rows(min_row=2, max_col=3, values_only=True), start=2):
            section, heading, text = (
                from_cell_text(str(x)) if x is not None else ""
                for x in (*row, None, None, None)[:3]
            )
            if not (heading.strip() or text.strip()):
                continue  # an empty row (the template offers an untitled row for each lead)
            s = by_heading.get(section.strip()) or by_key.get(section.strip()[:1])
            if s is None:
                raise self.fail(
                    f"{NARRATIVE}!A{i}", f"未知的部分“{section}”，应为 一、总体情况 等章节标题"
                )
            if s.narrative:
                report.narrative.setdefault(s.key, []).append(
                    Paragraph(text=text, heading=heading or None)
                )
            elif text:
                prev = report.section_notes.get(s.key)
                report.section_notes[s.key] = f"{prev}\n{text}" if prev else text


def _text_back(value: object) -> object:
    """A cell's value, text without the prefix the writer adds (`names.cell_text`)."""
    return from_cell_text(value) if isinstance(value, str) else value
