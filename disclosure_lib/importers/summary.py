"""What `disclosure import` prints: per file its log and findings, and for many files a table
(file → agency, year, status, cells read / inferred / missing, check errors).

For workbook input every finding names the sheet and cell the clerk filled
(`三、收到和处理政府信息公开申请情况!D12`), not a line of the params file they never saw, and
blank cells are summarised per sheet instead of one finding each.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..findings import SEVERITY_LABEL
from ..names import printable
from .collection import FileOutcome

MAX_FINDINGS = 12  # per file, unless verbose
BLANK_CELLS_SHOWN = 10
STATUS = {
    "written": "已写入",
    "failed": "失败",
    "skipped": "跳过",
    "duplicate": "重复",
    "pending": "未处理",
}


def error_line(out: FileOutcome) -> str:
    """The one-line error of a file, for stderr."""
    return printable(f"错误：{out.error}")


def exit_code(outcomes: list[FileOutcome]) -> int:
    """2 when nothing was written; 1 when a file failed or a report has check errors; else 0."""
    if not any(o.status == "written" for o in outcomes):
        return 2
    failed = any(o.failed for o in outcomes)
    errors = any(f.severity == "error" for o in outcomes for f in o.findings)
    return 1 if failed or errors else 0


def file_details(out: FileOutcome, *, verbose: bool = False) -> list[str]:
    """The import log of one file, where it was written, and its findings (errors: stderr)."""
    lines: list[str] = []
    if out.result is not None:
        lines += out.result.log.summary(verbose=verbose).splitlines()
    if out.written is not None:
        lines.append(f"  已写入：{out.written}")
    lines += finding_lines(out, verbose=verbose)
    return [printable(line) for line in lines]  # page text and file names: no escapes run


def finding_lines(out: FileOutcome, *, verbose: bool = False) -> list[str]:
    refs = out.result.log.cell_refs if out.result is not None else {}
    findings = list(out.findings)
    lines: list[str] = []
    if refs:  # a workbook: blanks per sheet, every other finding at its cell
        blanks: dict[str, list[str]] = {}
        rest: list = []  # checks.Finding
        for f in findings:
            cells = [refs[c] for c in f.cells if c in refs]
            if f.code != "R5-BLANK" or not cells:
                rest.append(f)
                continue
            for ref in cells:  # one finding may stand for a whole blank row or table
                sheet, _, coord = ref.partition("!")
                blanks.setdefault(sheet, []).append(coord)
        for sheet, coords in blanks.items():
            some = coords if verbose else coords[:BLANK_CELLS_SHOWN]
            more = f" 等{len(coords)}个" if len(some) < len(coords) else ""
            lines.append(
                f"  错误 [R5-BLANK] {sheet}：{len(coords)} 个单元格为空白"
                f"（{'、'.join(some)}{more}）：缺失的数字不能当作 0；"
                "如确为 0 请填 0，或来源以空白表示 0 时用 --blank-as-zero"
            )
        findings = rest
    shown = findings if verbose else findings[:MAX_FINDINGS]
    for f in shown:
        label = SEVERITY_LABEL.get(f.severity, f.severity)
        cells = [refs[c] for c in f.cells if c in refs]
        where = f"{'、'.join(cells)} " if cells else (f"第{f.line}行 " if f.line else "")
        lines.append(f"  {label} [{f.code}] {where}{f.message}")
    if len(shown) < len(findings):
        lines.append(
            f"  …另有 {len(findings) - len(shown)} 条，运行 disclosure check {out.written} 查看全部"
        )
    return lines


def outcome_table(outcomes: list[FileOutcome], *, verbose: bool = False) -> str:
    """One row per file: 文件 → 机关, 年度, 状态, 读取/推断/缺失, 校验 (skipped files only
    when verbose), and a closing count."""
    head = ("文件", "机关", "年度", "状态", "读取", "推断", "缺失", "校验错误")
    rows: list[tuple[str, ...]] = []
    for o in outcomes:
        if o.status == "skipped" and not verbose:
            continue
        r = o.result
        read, inferred, missing = r.log.cells if r is not None else ("", "", "")
        errors = sum(f.severity == "error" for f in o.findings)
        rows.append(
            (
                printable(_short(o.path)),
                printable(r.report.agency) if r is not None else "",
                str(r.report.year) if r is not None else "",
                STATUS[o.status],
                str(read),
                str(inferred),
                str(missing),
                str(errors) if o.status == "written" else "",
            )
        )
    widths = [max(_width(x) for x in col) for col in zip(head, *rows, strict=True)]
    out = ["  ".join(_pad(x, w) for x, w in zip(row, widths, strict=True)) for row in [head, *rows]]
    counts = {k: sum(o.status == k for o in outcomes) for k in STATUS}
    out.append(
        f"共 {len(outcomes)} 个文件：写入 {counts['written']}，失败 {counts['failed']}，"
        f"跳过 {counts['skipped']}（不是年度报告），重复 {counts['duplicate']}"
    )
    return "\n".join(line.rstrip() for line in out) + "\n"


def _short(path: Path, limit: int = 48) -> str:
    text = str(path)
    return text if _width(text) <= limit else "…" + text[-(limit - 1) :]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
