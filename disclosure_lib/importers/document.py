"""Import one published report (text, HTML, PDF) or fill-in workbook into the report model.

`import_file(path)` returns the `Report` and an `ImportLog` (per table: cells read, inferred,
missing — and which; narrative sections found; what could not be mapped). Writing params
files, folders and evidence across years: `collection.import_files`.

Pipeline: bytes → kind (text / HTML / PDF / xlsx; binary refused) → blocks (prose lines and
table rows: `text`, `html`, `pdf`) → sections by heading → metadata (title as printed,
agency, year: `titles`; contact, 落款 date), narrative paragraphs, section notes, table figures
(`tables`) → what the report's own evidence decides (`infer`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import format as fmt
from .._version import SITE_GENERATOR
from ..errors import DisclosureError, ImportError_
from ..findings import DRAFT_MARK
from ..model import Contact, Paragraph, Report
from .bounded import run_bounded
from .headings import section_of_heading, within_one_edit
from .infer import OpenCells, finish, use_narrative, use_table
from .infer import blank_as_zero as blank_as_zero_
from .limits import check_chars
from .log import ImportLog, LogEntry, TableStats
from .oneline import split_subheadings
from .tables import read_tables
from .text import Block, decode_text, text_blocks
from .titles import find_title, sensible_year, year_from_period

MAX_BYTES = 10 * 1024 * 1024  # a published report page is well under 1 MB
MAX_PDF_BYTES = 64 * 1024 * 1024  # PDFs embed fonts and images
SECTION_ORDER = "一二三四五六"

__all__ = [
    "ImportLog",
    "ImportResult",
    "LogEntry",
    "TableStats",
    "import_bytes",
    "import_file",
]


@dataclass
class ImportResult:
    report: Report
    log: ImportLog
    # cells still open for evidence from other years (`infer`); empty once finished
    state: OpenCells = field(default_factory=OpenCells, repr=False, compare=False)

    def finish(self) -> ImportResult:
        """Tally the log (read / inferred / missing, blank cells, warnings); once."""
        if not self.finished:
            self.log.cell_status = {
                (t, *c): st for t, cells in self.state.status.items() for c, st in cells.items()
            }
            finish(self.report, self.log, self.state)
            self.state = OpenCells()
            self.finished = True
        return self

    finished: bool = field(default=False, repr=False, compare=False)


# --- entry points -----------------------------------------------------------------------------


NOT_A_REPORT = "未识别为政府信息公开工作年度报告"  # how a file that is not one is refused


def import_file(
    path: Path | str,
    agency: str | None = None,
    year: int | None = None,
    *,
    blank_as_zero: bool = False,
    finished: bool = True,
) -> ImportResult:
    """Read one report file (text, HTML, PDF or a template workbook) into a Report and a log.
    `blank_as_zero`: the source prints 0 as a blank cell. `finished=False` leaves the runs
    still open for evidence from other years (`collection`); call `result.finish()` after."""
    path = Path(path)
    if not path.exists():
        raise ImportError_("文件不存在 (no such file)", path=path)
    if not path.is_file():
        raise ImportError_("不是文件 (not a file)", path=path)
    try:
        with path.open("rb") as fh:
            limit = MAX_PDF_BYTES if fh.read(1024).lstrip().startswith(b"%PDF") else MAX_BYTES
            size = path.stat().st_size
            if size > limit:
                raise ImportError_(
                    f"文件过大（{size // 2**20} MB，上限 {limit // 2**20} MB）(file too large)",
                    path=path,
                )
            fh.seek(0)
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ImportError_(f"无法读取文件 (cannot read: {exc.strerror})", path=path) from None
    return import_bytes(
        data, path=path, agency=agency, year=year, blank_as_zero=blank_as_zero, finished=finished
    )


def sniff(data: bytes) -> str:
    """'pdf' | 'xlsx' | 'xls' | 'html' | 'text' | 'empty' from the first bytes."""
    head = data[:1024].lstrip()
    if not data.strip():
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    from .html import looks_like_html

    if looks_like_html(data[:20_000].decode("latin-1")):
        return "html"
    return "text"


def import_bytes(
    data: bytes,
    *,
    path: Path | str | None = None,
    agency: str | None = None,
    year: int | None = None,
    blank_as_zero: bool = False,
    finished: bool = True,
) -> ImportResult:
    kind = sniff(data)
    if kind == "empty":
        raise ImportError_("文件为空 (empty file)", path=path)
    if kind == "xls":
        raise ImportError_("不支持旧版 .xls，请另存为 .xlsx (old .xls not supported)", path=path)
    if kind == "xlsx":
        result = _import_workbook(data, path, agency, year)
    else:
        if kind == "pdf":
            from .pdf import read_pdf

            blocks = read_pdf(data, path)
        elif kind == "html":
            from .html import read_html

            if f'content="{SITE_GENERATOR}"'.encode() in data[:4096]:
                raise ImportError_(
                    f"{NOT_A_REPORT}：本项目生成的索引页 (the index of a build)", path=path
                )
            blocks = read_html(data, path)
        else:
            blocks = text_blocks(check_chars(decode_text(data, path), path))
        # a draft of ours (草稿（校验未通过）on every page) reads as the report it marks
        blocks = [b for b in blocks if (b.text or "").strip() != DRAFT_MARK]
        source = Path(path) if path else None
        result = interpret(blocks, source=source, agency=agency, year=year, kind=kind)
    if blank_as_zero:
        blank_as_zero_(result.report, result.log, result.state)
    use_table(result.report, result.log, result.state)
    use_narrative(result.report, result.log, result.state)
    return result.finish() if finished else result


def _import_workbook(
    data: bytes, path: Path | str | None, agency: str | None, year: int | None
) -> ImportResult:
    from .excel_read import workbook_report

    report, refs = run_bounded(lambda: workbook_report(data, path), "读取 Excel 工作簿", path)
    if agency:
        report.agency = _name(agency, "机关名称", Path(path) if path else None)
    if year:
        report.year = int(year)
    log = ImportLog(source=Path(path) if path else None, kind="xlsx", format=report.format)
    log.cell_refs = refs
    state = OpenCells()
    for t in fmt.TABLES:
        state.status[t.key] = {
            cell: "blank" if report.get(t.key, *cell) is None else "read" for cell in t.cells()
        }
    log.sections_found = [
        s.key for s in fmt.SECTIONS if s.key in report.narrative or not s.narrative
    ]
    log.narrative_sections = [
        k for k, paras in report.narrative.items() if any(p.text.strip() for p in paras)
    ]
    return ImportResult(report, log, state)


# --- blocks → report --------------------------------------------------------------------------


def _heading(block: Block) -> str | None:
    if block.cells is not None:
        filled = [c for c in block.cells if c]
        return section_of_heading(filled[0]) if len(filled) == 1 else None
    return section_of_heading(block.text or "")


def split_sections(blocks: list[Block]) -> tuple[list[Block], dict[str, list[Block]]]:
    """Preamble blocks, and the blocks under each section heading (一…六), in order."""
    preamble: list[Block] = []
    sections: dict[str, list[Block]] = {}
    current: list[Block] = preamble
    last = -1
    for b in blocks:
        key = _heading(b)
        if key is not None and key not in sections and SECTION_ORDER.index(key) > last:
            sections[key] = current = []
            last = SECTION_ORDER.index(key)
            continue
        current.append(b)
    return preamble, sections


def interpret(
    blocks: list[Block],
    *,
    source: Path | None = None,
    agency: str | None = None,
    year: int | None = None,
    kind: str = "text",
) -> ImportResult:
    """Blocks of one document → Report + ImportLog (see the module doc)."""
    preamble, sections = split_sections(blocks)
    log = ImportLog(source=source, kind=kind)
    log.sections_found = list(sections)
    log.sections_missing = [k for k in SECTION_ORDER if k not in sections]
    pre_lines = [b.plain() for b in preamble if b.plain()]
    found_agency, found_year, printed_title = find_title(
        pre_lines or [b.plain() for b in blocks[:40]]
    )
    period_year = year_from_period(" ".join(pre_lines))
    found_year = sensible_year(found_year, period_year, source, log)

    tables, _format = read_tables(sections, log, preamble_text="\n".join(pre_lines))
    cells_read = sum(v is not None for t in tables.values() for v in t.values.values())
    if len(sections) < 2 and cells_read == 0 and found_agency is None:
        raise ImportError_(
            "未识别为政府信息公开工作年度报告：没有找到报告标题、章节标题或表格 "
            "(not a disclosure annual report)",
            path=source,
        )
    agency = (agency or found_agency or "").strip()
    if not agency:
        raise ImportError_(
            "无法从标题识别机关名称，请用 --agency 指定 (agency not found)", path=source
        )
    agency = _name(agency, "机关名称", source)
    the_year = year or found_year
    if the_year is None:
        raise ImportError_("无法从标题识别报告年度，请用 --year 指定 (year not found)", path=source)

    report = Report.blank(agency, int(the_year), format=log.format, table_formats=log.table_formats)
    if printed_title and (year is None or int(year) == found_year):
        title = _name(printed_title, "报告标题", source)
        report.own_title = title if title != report.official_title else None
    for key in ("六", "五"):  # a page without 六 (or 六 moved after it) signs under 五
        if key in sections and report.issued is None:
            sections[key], report.issued = split_signoff(sections[key], agency)
    report.source = source
    for key, values in tables.items():
        report.tables[key].update(values.values)
        report.lines.update({(key, r, c): n for (r, c), n in values.lines.items()})
    report.contact = (
        find_contact(pre_lines)
        or find_contact([b.plain() for b in blocks if "联系" in b.plain()])
        or Contact()
    )
    for s in fmt.NARRATIVE_SECTIONS:
        paras = paragraphs(sections.get(s.key, []), last=s.key == "六")
        if paras:  # an empty section reads the same as an absent one
            report.narrative[s.key] = paras
    take_signature(report)
    for key, notes in log.notes.items():
        if notes:
            report.section_notes[key] = "\n".join(notes)
    _drop_controls(report)
    log.narrative_sections = [k for k in report.narrative if report.narrative[k]]
    state = OpenCells(
        status={k: dict(v.status) for k, v in tables.items()},
        pending={k: v.pending for k, v in tables.items() if v.pending},
        why={k: dict(v.why) for k, v in tables.items()},
    )
    return ImportResult(report, log, state)


def _drop_controls(report: Report) -> None:
    """Control characters a page carried (a form feed, an escape sequence) out of the text: a
    params file may not hold them (`names.text_control`)."""
    from ..names import without_controls

    for paras in report.narrative.values():
        for p in paras:
            p.text = without_controls(p.text)
            p.heading = without_controls(p.heading) if p.heading is not None else None
    report.section_notes = {k: without_controls(v) for k, v in report.section_notes.items()}
    for name in vars(report.contact):
        value = getattr(report.contact, name)
        if isinstance(value, str):
            setattr(report.contact, name, without_controls(value))


# --- metadata ---------------------------------------------------------------------------------


def _name(text: str, what: str, source: Path | None) -> str:
    """A name read from the document, through `names.check_name` (no control characters)."""
    from ..names import check_name, without_invisible

    try:  # a page's zero-width marks are not part of the name (a name holding them is refused)
        return check_name(without_invisible(text), what)
    except DisclosureError as exc:
        raise ImportError_(exc.message, path=source) from None


_DATE = re.compile(
    r"^(?P<y>(?:19|20)\d\d|[〇零一二三四五六七八九]{4})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)


def _date(text: str) -> datetime.date | None:
    m = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if m is None:
        return None
    from ..narrative_patterns import parse_chinese_number

    try:
        y, mo, d = (int(parse_chinese_number(m.group(k))) for k in ("y", "m", "d"))
        return datetime.date(y, mo, d)
    except ValueError:
        return None


_UNDATED = re.compile(r"^[\s\u3000]*年[\s\u3000]*月[\s\u3000]*日$")  # 落款 left to fill in


def split_signoff(blocks: list[Block], agency: str) -> tuple[list[Block], datetime.date | None]:
    """The 落款 at the report's end — the issuing body (optional) above a date line, or an
    undated one (　年　月　日) — taken out of the last section: (remaining blocks, the date)."""
    texts = [(i, b.plain().strip()) for i, b in enumerate(blocks) if b.plain().strip()]
    for k in range(len(texts) - 1, max(-1, len(texts) - 8), -1):
        i, text = texts[k]
        text = _PUBLIC_NOTE.sub("", text)
        head = text[: len(agency)]
        glued = len(text) > len(agency) and _signs(head, agency)  # …局2022年1月7日
        tail = text[len(agency) :] if glued else text
        date = _date(tail)
        if date is None and not _UNDATED.match(tail):
            continue
        start = i
        if k > 0 and _signs(texts[k - 1][1][-len(agency) :], agency):
            j, before = texts[k - 1]
            if len(before) <= len(agency) + 1:
                start = j
            else:  # …继续加强培训。示例区…局: the name glued to the text's last sentence
                rest = Block(line=blocks[j].line, text=before[: -len(agency)], flat=blocks[j].flat)
                return [*blocks[:j], rest, *blocks[j + 1 : i], *blocks[i + 1 :]], date
        return blocks[:start] + blocks[i + 1 :], date
    return blocks, None


def _signs(name: str, agency: str) -> bool:
    """`name` is the agency as the 落款 prints it (a character off: 财政全融局 for 财政金融局)."""
    return name == agency or (len(agency) >= 6 and within_one_edit(name, agency))


_OFFICE = re.compile(
    r"(?:请?联系[：:]|请与|联系单位[：:]|联系部门[：:]|联系机关[：:])\s*(?P<v>[^，,。；;：:（(]{2,40}?)\s*(?:联系)?\s*[，,。；;（(]"
)
_ADDRESS = re.compile(
    r"(?:通讯地址|办公地址|联系地址|地址)\s*[：:为是]?\s*(?P<v>[^，,。；;]{2,80})"
)
_PHONE = re.compile(
    r"(?:联系电话|咨询电话|电话)\s*[：:为是]?\s*(?P<v>[0-9０-９（）()][0-9０-９（）()\-－—\s转、/]{3,40}[0-9０-９])"
)


def find_contact(lines: list[str]) -> Contact | None:
    """Office, address and telephone named in the preamble (请联系：…，地址：…，电话：…)."""
    text = "\n".join(lines)
    office, address, phone = (_OFFICE.search(text), _ADDRESS.search(text), _PHONE.search(text))
    if not (office or address or phone):
        return None
    return Contact(
        office=office.group("v").strip() if office else "",
        address=address.group("v").strip() if address else "",
        phone=phone.group("v").strip() if phone else "",
    )


# --- narrative --------------------------------------------------------------------------------

_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_FOOTER = re.compile(
    r"(?:打印本页|关闭窗口|【打印】|【关闭】|分享到|扫一扫|上一篇|下一篇|相关链接|网站地图|版权所有|"
    r"ICP备|网站标识码|主办单位|责任编辑|浏览次数|访问量)"
    r"|^(?:附[：:]|附件\s*\d*[：:]?|附表|数据校验$)"  # an appendix after the report
    r"|^(?:此函|附件下载|[（(]此件主动公开[）)])$"  # a letter's formalities, page chrome
)
_PUBLIC_NOTE = re.compile(r"[（(]此件主动公开[）)]$")


_SIGNED = re.compile(r"^((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日$")


def take_signature(report: Report) -> None:
    """A 落款 ending section 六 (the agency's name, then maybe the date) is not narrative: it
    comes off the last paragraph, and its date becomes `report.issued`."""
    paras = report.narrative.get("六")
    if not paras:
        return
    last = paras[-1]
    lines = [x.strip() for x in last.text.split("\n")]
    date = _SIGNED.match(lines[-1]) if lines else None
    name_at = -2 if date else -1
    if len(lines) < -name_at or lines[name_at] != report.agency:
        return
    if date:
        try:
            report.issued = datetime.date(int(date[1]), int(date[2]), int(date[3]))
        except ValueError:
            return
    last.text = "\n".join(lines[:name_at])
    if not last.text and last.heading is None:
        paras.pop()
        if not paras:
            del report.narrative["六"]


def paragraphs(blocks: list[Block], *, last: bool = False) -> list[Paragraph]:
    """Narrative lines → paragraphs: a （一）… line opens a paragraph with that heading."""
    out: list[Paragraph] = []
    lines: list[str] = []
    heading: str | None = None

    def close() -> None:
        if heading is not None or lines:
            out.append(Paragraph(text="\n".join(lines), heading=heading))

    for b in blocks:
        text = b.plain().strip()
        for line in split_subheadings(text) if b.flat else (text,):
            if not line:
                continue
            if last and _FOOTER.search(line) and len(line) < 80:
                close()
                return out  # the page footer after the last section
            if _SUBHEADING.match(line) and len(line) <= 40 and "。" not in line[:-1]:
                close()
                heading, lines = line, []
                continue
            lines.append(line)
    close()
    return out
