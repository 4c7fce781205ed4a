"""Import published reports (text, HTML) and fill-in workbooks into the report model.

`import_file(path)` returns the `Report` and an `ImportLog` (per table: cells read, inferred,
missing; narrative sections found; what could not be mapped). `import_files(...)` writes
`params/<agency>/<year>.yaml` (atomically, never over an existing file unless `force`) and
runs the checks on what it imported.

Pipeline: bytes → kind (text / HTML / xlsx; PDF and binary refused) → blocks (prose lines and
table rows: `import_text`, `import_html`) → sections by heading → metadata from the title and
preamble, narrative paragraphs, section notes, and table figures (`import_tables`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import format as fmt
from ..errors import DisclosureError, ImportError_
from ..model import Contact, Paragraph, Report
from .headings import section_of_heading
from .oneline import split_subheadings
from .tables import ImportLog, LogEntry, TableStats, read_tables
from .text import Block, decode_text, text_blocks

MAX_BYTES = 10 * 1024 * 1024  # a published report page is well under 1 MB
SECTION_ORDER = "一二三四五六"

__all__ = [
    "FileOutcome",
    "ImportLog",
    "ImportResult",
    "LogEntry",
    "TableStats",
    "import_bytes",
    "import_file",
    "import_files",
]


@dataclass
class ImportResult:
    report: Report
    log: ImportLog


@dataclass
class FileOutcome:
    """What `import_files` did with one input file."""

    path: Path
    result: ImportResult | None = None
    written: Path | None = None
    findings: list = field(default_factory=list)  # checks.Finding
    error: DisclosureError | None = None


# --- entry points -----------------------------------------------------------------------------


def import_file(
    path: Path | str, agency: str | None = None, year: int | None = None
) -> ImportResult:
    """Read one report file (text, HTML or a template workbook) into a Report and a log."""
    path = Path(path)
    if not path.exists():
        raise ImportError_("文件不存在 (no such file)", path=path)
    if not path.is_file():
        raise ImportError_("不是文件 (not a file)", path=path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportError_(
            f"文件过大（{size // 2**20} MB，上限 {MAX_BYTES // 2**20} MB）(file too large)",
            path=path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"无法读取文件 (cannot read: {exc.strerror})", path=path) from None
    return import_bytes(data, path=path, agency=agency, year=year)


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
) -> ImportResult:
    kind = sniff(data)
    if kind == "empty":
        raise ImportError_("文件为空 (empty file)", path=path)
    if kind == "pdf":
        raise ImportError_(
            "不支持 PDF，请先转换为文本或网页，例如 pdftotext -layout (PDF is not supported)",
            path=path,
        )
    if kind == "xls":
        raise ImportError_("不支持旧版 .xls，请另存为 .xlsx (old .xls not supported)", path=path)
    if kind == "xlsx":
        return _import_workbook(data, path, agency, year)
    if kind == "html":
        from .html import read_html

        blocks = read_html(data, path)
    else:
        blocks = text_blocks(decode_text(data, path))
    return interpret(
        blocks, source=Path(path) if path else None, agency=agency, year=year, kind=kind
    )


def _import_workbook(
    data: bytes, path: Path | str | None, agency: str | None, year: int | None
) -> ImportResult:
    from .excel import read_workbook_bytes

    report = read_workbook_bytes(data, path)
    if agency:
        report.agency = agency
    if year:
        report.year = int(year)
    log = ImportLog(source=Path(path) if path else None, kind="xlsx", format=report.format)
    for t in fmt.TABLES:
        stats = log.stats.setdefault(t.key, TableStats())
        for cell in t.cells():
            if report.get(t.key, *cell) is None:
                stats.missing += 1
            else:
                stats.read += 1
    log.sections_found = [
        s.key for s in fmt.SECTIONS if s.key in report.narrative or not s.narrative
    ]
    return ImportResult(report, log)


def import_files(
    files: Iterable[Path | str],
    *,
    agency: str | None = None,
    year: int | None = None,
    params_dir: Path | str = "params",
    force: bool = False,
) -> list[FileOutcome]:
    """Import each file, write its params file, and check it. Errors are kept per file."""
    from ..params import params_path
    from ..params_write import save_report

    outcomes: list[FileOutcome] = []
    for f in files:
        out = FileOutcome(Path(f))
        outcomes.append(out)
        try:
            out.result = import_file(f, agency=agency, year=year)
            report = out.result.report
            dest = params_path(params_dir, report.agency, report.year)
            if dest.exists() and not force:
                raise ImportError_(
                    "参数文件已存在，如需覆盖请使用 --force (params file exists)", path=dest
                )
            out.written = save_report(report, dest, force=force)
            out.findings = _check(out.written)
        except DisclosureError as exc:
            out.error = exc
    return outcomes


def _check(written: Path) -> list:
    """Checks on the params file just written (so findings name its lines), with the
    previous year's file when there is one (cross-year rules)."""
    from ..checks import check_report
    from ..params import load_report

    report = load_report(written)
    previous = None
    prev_path = written.with_name(f"{report.year - 1}{written.suffix}")
    if prev_path.exists():
        try:
            previous = load_report(prev_path)
        except DisclosureError:
            previous = None
    return list(check_report(report, previous))


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
    found_agency, found_year = find_title(pre_lines or [b.plain() for b in blocks[:40]])
    if found_year is None:
        found_year = _year_from_period(" ".join(pre_lines))

    tables, formats = read_tables(sections, log, preamble_text="\n".join(pre_lines))
    cells_read = sum(s.read + s.inferred for s in log.stats.values())
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
    the_year = year or found_year
    if the_year is None:
        raise ImportError_("无法从标题识别报告年度，请用 --year 指定 (year not found)", path=source)

    report = Report.blank(agency, int(the_year))
    report.format = formats
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
    for key, notes in log.notes.items():
        if notes:
            report.section_notes[key] = "\n".join(notes)
    log.narrative_sections = [k for k in report.narrative if report.narrative[k]]
    return ImportResult(report, log)


# --- metadata ---------------------------------------------------------------------------------

_NOT_AGENCY = r"[^\s，。,：:>|/_\-—【】\[\]《》“”\"()（）]"
_TITLE_A = re.compile(
    rf"(?P<agency>{_NOT_AGENCY}{{2,60}}?)\s*(?P<year>(?:19|20)\d\d|[〇零一二三四五六七八九]{{4}})\s*年度?\s*(?:的)?"
    r"\s*政府信息公开\s*(?:工作)?\s*年度?\s*报告"
)
_TITLE_B = re.compile(
    rf"(?P<year>(?:19|20)\d\d|[〇零一二三四五六七八九]{{4}})\s*年度?\s*(?P<agency>{_NOT_AGENCY}{{2,60}}?)"
    r"\s*政府信息公开\s*(?:工作)?\s*年度?\s*报告"
)
_CRAWLER = re.compile(r"^(?:标\s*题|题\s*目|文章标题|title)\s*[:：]\s*", re.I)
_AGENCY_PREFIX = re.compile(r"^(?:关于|印发|公布)")


def _year(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    from ..narrative_patterns import parse_chinese_number

    try:
        n = parse_chinese_number(text)
    except ValueError:
        return None
    return int(n) if 1990 <= n <= 2100 else None


def find_title(lines: list[str]) -> tuple[str | None, int | None]:
    """(agency, year) from the report title among the first lines (title may wrap)."""
    cands: list[str] = []
    for i, line in enumerate(lines[:40]):
        line = _CRAWLER.sub("", line.strip())
        cands.append(line)
        if i + 1 < len(lines):
            cands.append(line + _CRAWLER.sub("", lines[i + 1].strip()))
    for text in cands:
        for pattern in (_TITLE_A, _TITLE_B):
            m = pattern.search(text)
            if m:
                agency = _AGENCY_PREFIX.sub("", m.group("agency").strip())
                year = _year(m.group("year"))
                if agency and year and re.search(r"[\u4e00-\u9fff]", agency):
                    return agency, year
    return None, None


_PERIOD = re.compile(
    r"((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:至|到|-|—)\s*\1\s*年\s*12\s*月\s*31\s*日"
)


def _year_from_period(text: str) -> int | None:
    m = _PERIOD.search(text)
    return int(m.group(1)) if m else None


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
)


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
