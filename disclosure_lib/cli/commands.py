"""The commands of `disclosure`, one registry: each command's options and what it calls.

Handlers import the API lazily, so `disclosure --help` loads none of pandas, papermill or
matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..formats import CURRENT as CURRENT_FORMAT
from ..formats import FORMATS
from . import options

REPORT_FORMATS = tuple(FORMATS)  # ("2021", "2019"): `new --format`
Arguments = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # Chinese first, the English after it
    arguments: Arguments
    run: Handler


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, arguments: Arguments) -> Callable[[Handler], Handler]:
    """Register `name`: its options (`arguments`) and its handler (the decorated function)."""

    def register(run: Handler) -> Handler:
        COMMANDS[name] = Command(name, help, arguments, run)
        return run

    return register


# --- check / export / new / schema (core) ----------------------------------------------------


def _check_args(p: argparse.ArgumentParser) -> None:
    options.paths(p)
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="输出形式：文本或 JSON (output format)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help=(
            "未核实的警告也算不通过，退出码 1；已核实的警告放行，错误从不放行 "
            "(open warnings fail too; acknowledged warnings pass, errors never)"
        ),
    )


@command("check", "检查参数文件的勾稽关系 (check params files)", _check_args)
def _check(args: argparse.Namespace) -> int:
    from ..checks import check_paths
    from ..findings import format_findings_json, format_findings_text

    result = check_paths(args.paths or [Path("params")])
    out = format_findings_json(result) if args.format == "json" else format_findings_text(result)
    sys.stdout.write(out)
    if result.load_errors:
        return 2
    return 1 if result.has_errors or (args.strict and result.warnings) else 0


def _export_args(p: argparse.ArgumentParser) -> None:
    options.paths(p)
    p.add_argument(
        "--format",
        choices=("csv", "xlsx", "parquet"),
        default="csv",
        help="文件格式，默认 csv (file format)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="输出文件；csv 默认写到标准输出 (output file; csv: default stdout)",
    )
    options.force(p)
    p.add_argument(
        "--as-format",
        choices=(CURRENT_FORMAT,),
        help="各报告按此格式的单元格导出：2019 格式的报告映射到现行格式，便于跨年比较 "
        "(every report in this format's cells, for comparing years)",
    )


@command("export", "导出整洁数据 (export the collection as tidy data)", _export_args)
def _export(args: argparse.Namespace) -> int:
    from ..tidy import export

    dest = export(
        args.paths or [Path("params")],
        args.format,
        args.output,
        force=args.force,
        as_format=args.as_format,
    )
    if dest is not None:
        print(f"已导出：{dest}", file=sys.stderr)
    return 0


def _new_args(p: argparse.ArgumentParser) -> None:
    options.agency_year(p)
    options.params_dir(p)
    p.add_argument(
        "--from",
        dest="from_params",
        metavar="PARAMS",
        type=Path,
        help=(
            "由上一年的参数文件起草：联系方式、标题、上年结转，上年正文仅作注释参考 "
            "(start from last year's params file: contact, title, carry-over; its text as comments)"
        ),
    )
    options.force(p)
    p.add_argument(
        "--format",
        dest="report_format",
        choices=REPORT_FORMATS,
        default=CURRENT_FORMAT,
        help="报告格式：2021 为现行格式，2019 用于按原格式保存的 2019、2020 年报告 (report format)",
    )


@command("new", "新建空白参数文件 (blank params file for an agency-year)", _new_args)
def _new(args: argparse.Namespace) -> int:
    from ..params_write import new_params_file

    path = new_params_file(
        args.agency,
        args.year,
        args.params,
        force=args.force,
        format=args.report_format,
        from_params=args.from_params,
    )
    print(f"已创建：{path}")
    return 0


def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="写入此文件而非标准输出 (write to this file instead of stdout)",
    )
    options.force(p)


@command("schema", "输出参数文件的 JSON Schema (JSON Schema of params files)", _schema_args)
def _schema(args: argparse.Namespace) -> int:
    import json

    from ..schema import params_schema

    text = json.dumps(params_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        from ..files import refuse_overwrite, write_atomic

        refuse_overwrite(args.output, args.force)
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "items",
        nargs="+",
        metavar="A B | AGENCY Y1 Y2",
        help=(
            "两个参数文件，或 机关全称 年度1 年度2 "
            "(two params files, or AGENCY YEAR1 YEAR2 read from --params)"
        ),
    )
    options.params_dir(p)
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="输出形式：文本或 JSON (output format)",
    )


@command(
    "diff", "比较两份参数文件或同一机关的两个年度 (what changed between two reports)", _diff_args
)
def _diff(args: argparse.Namespace) -> int:
    from ..diff import diff_reports, format_diff_json, format_diff_text
    from ..errors import DisclosureError
    from ..locate import find_params_file
    from ..params import load_report

    items: list[str] = args.items
    if len(items) == 2:
        paths = [Path(items[0]), Path(items[1])]
    elif len(items) == 3:
        paths = [find_params_file(items[0], y, args.params) for y in items[1:]]
    else:
        raise DisclosureError("请给出两个参数文件，或 机关全称 年度1 年度2 (A B | AGENCY Y1 Y2)")
    d = diff_reports(load_report(paths[0]), load_report(paths[1]))
    sys.stdout.write(format_diff_json(d) if args.format == "json" else format_diff_text(d))
    return 0 if d.same else 1


# --- render (one report) ---------------------------------------------------------------------


def _render_args(p: argparse.ArgumentParser) -> None:
    options.agency_year(p)
    options.params_dir(p)
    options.formats(p)
    options.output_dir(p)
    options.notebook(p)
    options.profile(p)
    options.strict(p)


@command("render", "生成一份年度报告的 HTML/PDF/Word (render one agency-year)", _render_args)
def _render(args: argparse.Namespace) -> int:
    from ..batch.render import ReportBlocked, render
    from ..names import printable
    from ..rendering.notebook import NotebookFailed

    try:
        result = render(
            args.agency,
            args.year,
            params_dir=args.params,
            to=options.to_list(args.to),
            output_dir=args.output,
            notebook=args.notebook,
            profile=args.profile,
            pdf_standard=args.pdf_standard,
            strict=args.strict,
        )
    except (NotebookFailed, ReportBlocked) as exc:  # the work ran and failed: exit 1
        print(f"失败：{exc}", file=sys.stderr)
        return 1
    if result.check_line:
        print(result.check_line, file=sys.stderr)
    if result.kept_formats:
        kept = "、".join(result.kept_formats)
        print(f"沿用此前生成的格式，一并更新：{kept} (formats kept)", file=sys.stderr)
    for path in result.files:
        print(path)
    if result.draft:  # written, but marked on every page: not a clean publish
        print(printable(result.draft_line), file=sys.stderr)
        return 1
    return 0


# --- preview (one report, live) -------------------------------------------------------------


def _preview_args(p: argparse.ArgumentParser) -> None:
    options.agency_year(p)
    options.params_dir(p)
    options.port(p)
    options.notebook(p)
    options.profile(p)
    p.add_argument(
        "--no-pdf", action="store_true", help="不在后台生成 PDF (no PDF in the background)"
    )


@command(
    "preview",
    "本机实时预览一份报告：保存参数文件即刷新 (live preview on 127.0.0.1, refreshed on save)",
    _preview_args,
)
def _preview(args: argparse.Namespace) -> int:
    from ..batch.preview import preview

    preview(
        args.agency,
        args.year,
        args.params,
        port=args.port,
        profile=args.profile,
        pdf=not args.no_pdf,
        pdf_standard=args.pdf_standard,
        notebook=args.notebook,
    )
    return 0


# --- build (batch) ---------------------------------------------------------------------------


def _build_args(p: argparse.ArgumentParser) -> None:
    options.paths(p)
    p.add_argument("--year", type=int, help="只生成这一年度 (only this reporting year)")
    p.add_argument(
        "--agency", help="只生成这一机关：全称或文件夹名 (only this agency: full or folder name)"
    )
    options.formats(p)
    options.output_dir(p)
    options.jobs(p, "并行进程数", "parallel workers")
    options.force(p, "即使未变化也重新生成 (rebuild even if up to date)")
    options.build_only(p)
    options.profile(p)
    options.strict(p)


@command("build", "批量生成全部报告 (build every agency × year, incremental)", _build_args)
def _build(args: argparse.Namespace) -> int:
    from ..batch.build import build

    summary = build(
        args.paths or None,
        year=args.year,
        agency=args.agency,
        to=options.to_list(args.to),
        output_dir=args.output,
        jobs=args.jobs,
        force=args.force,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=not args.quiet,
        timeout=args.timeout or None,
        summaries=not args.no_summary,
        profile=args.profile,
        pdf_standard=args.pdf_standard,
        strict=args.strict,
    )
    sys.stderr.write(summary.table())
    if summary.index is not None:
        print(f"索引页：{summary.index}", file=sys.stderr)
    return summary.exit_code


# --- import / template (published reports and workbooks → params) ----------------------------


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        help="文本、HTML、PDF 或 .xlsx 文件，或其所在文件夹 (files or folders of them)",
    )
    p.add_argument("--agency", help="机关全称，默认从标题读取 (default: read from the title)")
    p.add_argument(
        "--year", type=int, help="报告年度，默认从标题读取 (reporting year; default: the title's)"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("params"),
        metavar="DIR",
        help="写入参数文件的文件夹，默认 params (params folder)",
    )
    options.force(p, "覆盖已有参数文件 (overwrite existing params files)")
    p.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="原文以空白表示 0：空格按 0 导入并记录 (the source prints 0 as a blank cell)",
    )
    options.jobs(p, "读取文件的进程数", "processes reading files")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="显示全部日志 (show every log entry)"
    )
    p.add_argument(
        "--log",
        type=Path,
        metavar="FILE.jsonl",
        help="每个单元格一行 JSON：读取 / 推断（依据）/ 空白（原因、候选值）及原文位置 "
        "(every cell's evidence, one JSON line a cell)",
    )


@command("import", "导入已发布的报告或填报表 (import reports/workbooks → params)", _import_args)
def _import(args: argparse.Namespace) -> int:
    from ..importers.collection import import_files
    from ..importers.summary import error_line, exit_code, file_details, outcome_table

    outcomes = import_files(
        args.files,
        agency=args.agency,
        year=args.year,
        params_dir=args.output,
        force=args.force,
        blank_as_zero=args.blank_as_zero,
        jobs=args.jobs,
    )
    many = len(outcomes) > 1 or any(p.is_dir() for p in args.files)
    for out in outcomes:
        if out.result is not None and (args.verbose or not many):
            print("\n".join(file_details(out, verbose=args.verbose)))
        if out.error is not None and (out.failed or args.verbose):
            print(error_line(out), file=sys.stderr)
    if many:
        sys.stdout.write(outcome_table(outcomes, verbose=args.verbose))
    if args.log is not None:
        from ..files import write_atomic
        from ..importers.log import cell_jsonl, cell_records

        records = [
            rec
            for out in outcomes
            if out.result is not None
            for rec in cell_records(out.result.report, out.result.log)
        ]
        write_atomic(args.log, cell_jsonl(records))
        print(f"单元格日志：{args.log}（{len(records)} 行）")
    if not outcomes:
        print("错误：没有找到可导入的文件 (no files found)", file=sys.stderr)
    return exit_code(outcomes)


def _template_args(p: argparse.ArgumentParser) -> None:
    options.agency_year(p, optional=True)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="输出的 .xlsx 文件 (output .xlsx file)",
    )
    p.add_argument(
        "--from",
        dest="from_params",
        metavar="PARAMS",
        type=Path,
        help=(
            "由参数文件预填：其文字、空白数字、下一年度 "
            "(pre-fill from a params file: its narrative, blank figures, the year after)"
        ),
    )
    options.force(p)


@command("template", "生成 Excel 填报表 (fill-in workbook for an agency-year)", _template_args)
def _template(args: argparse.Namespace) -> int:
    from ..errors import DisclosureError
    from ..files import refuse_overwrite
    from ..importers.excel import write_template

    refuse_overwrite(args.output, args.force)
    if args.from_params is None and (args.agency is None or args.year is None):
        raise DisclosureError("请给出 AGENCY YEAR，或用 --from 指定上一年的参数文件")
    path = write_template(args.agency, args.year, args.output, from_params=args.from_params)
    print(f"已创建：{path}")
    return 0
