"""Command line: `disclosure …`. Parses options and calls the Python API; no logic lives here.

Exit codes: 0 success, 1 the work ran but found errors (check errors, failed reports),
2 unreadable input or bad usage. Every DisclosureError becomes a one-line message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from ._version import __version__
from .errors import DisclosureError

Handler = Callable[[argparse.Namespace], int]
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
_COMMANDS: dict[str, Handler] = {}


def _command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn

    return register


def _to_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


# --- check / export / new / schema (core) ----------------------------------------------------


@_command("check")
def _cmd_check(args: argparse.Namespace) -> int:
    from .checks import check_paths
    from .findings import format_findings_json, format_findings_text

    result = check_paths(args.paths or [Path("params")])
    out = format_findings_json(result) if args.format == "json" else format_findings_text(result)
    sys.stdout.write(out)
    if result.load_errors:
        return 2
    return 1 if result.has_errors else 0


@_command("export")
def _cmd_export(args: argparse.Namespace) -> int:
    from .tidy import export

    dest = export(args.paths or [Path("params")], args.format, args.output, force=args.force)
    if dest is not None:
        print(f"已导出：{dest}", file=sys.stderr)
    return 0


@_command("new")
def _cmd_new(args: argparse.Namespace) -> int:
    from .params_write import new_params_file

    path = new_params_file(args.agency, args.year, args.params, force=args.force)
    print(f"已创建：{path}")
    return 0


@_command("schema")
def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .schema import params_schema

    text = json.dumps(params_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        from .files import refuse_overwrite, write_atomic

        refuse_overwrite(args.output, args.force)
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _add_core(sub: SubParsers) -> None:
    p = sub.add_parser("check", help="检查参数文件的勾稽关系 (check params files)")
    p.add_argument("paths", nargs="*", type=Path, help="params files or folders (default: params/)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")

    p = sub.add_parser("export", help="导出整洁数据 (export the collection as tidy data)")
    p.add_argument("paths", nargs="*", type=Path, help="params files or folders (default: params/)")
    p.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    p.add_argument("-o", "--output", type=Path, help="output file (csv: default stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")

    p = sub.add_parser("new", help="新建空白参数文件 (blank params file for an agency-year)")
    p.add_argument("agency", help="agency full Chinese name")
    p.add_argument("year", type=int, help="reporting year")
    p.add_argument("--params", type=Path, default=Path("params"), help="params folder")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("schema", help="输出参数文件的 JSON Schema (JSON Schema of params files)")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")


# --- parser and entry point ------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="政府信息公开工作年度报告：检查、渲染、批量生成、导入。",
        epilog=(
            "Python: import disclosure_lib as dl (dl.load_report, dl.check_reports, dl.render, "
            "dl.build, dl.import_file, …). Package layers: core (format, params, checks) → "
            "importers/ and rendering/ → batch/ (outputs) → cli. See README.md and "
            "docs/DEVELOPING.md."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_core(sub)
    # Other command groups register their parsers here (render, build, import, template).
    for add in _EXTRA_PARSERS:
        add(sub)
    return parser


_EXTRA_PARSERS: list[Callable[[SubParsers], None]] = []


# --- render (one report) ---------------------------------------------------------------------


@_command("render")
def _cmd_render(args: argparse.Namespace) -> int:
    from .batch.render import ReportBlocked, render
    from .rendering.notebook import NotebookFailed

    try:
        result = render(
            args.agency,
            args.year,
            params_dir=args.params,
            to=_to_list(args.to),
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
    for path in result.files:
        print(path)
    return 0


def _add_profile(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profile",
        choices=("publish", "review"),
        default="publish",
        help="publish: only what the office wrote (default); review: adds charts and 数据校验",
    )
    p.add_argument(
        "--pdf-standard",
        default="",
        metavar="STD",
        help="PDF/A or PDF/UA for the PDF: a-2b, a-3b, ua-1, … (comma-separated)",
    )


def _add_strict(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help="write nothing for a report whose check finds errors (exit 1)",
    )


def _add_render(sub: SubParsers) -> None:
    p = sub.add_parser("render", help="生成一份年度报告的 HTML/PDF/Word (render one agency-year)")
    p.add_argument("agency", help="agency full Chinese name")
    p.add_argument("year", type=int, help="reporting year")
    p.add_argument("--params", type=Path, default=Path("params"), help="params folder")
    p.add_argument("--to", default="html,pdf", help="formats, comma-separated: html,pdf,docx")
    p.add_argument("-o", "--output", type=Path, default=Path("outputs"), help="output folder")
    p.add_argument("--notebook", type=Path, help="report notebook (default: the bundled one)")
    _add_profile(p)
    _add_strict(p)


_EXTRA_PARSERS.append(_add_render)


# --- build (batch) ---------------------------------------------------------------------------


@_command("build")
def _cmd_build(args: argparse.Namespace) -> int:
    from .batch.build import build

    summary = build(
        args.paths or None,
        year=args.year,
        agency=args.agency,
        to=_to_list(args.to),
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


def _add_build(sub: SubParsers) -> None:
    p = sub.add_parser("build", help="批量生成全部报告 (build every agency × year, incremental)")
    p.add_argument("paths", nargs="*", type=Path, help="params files or folders (default: params/)")
    p.add_argument("--year", type=int, help="only this reporting year")
    p.add_argument("--agency", help="only this agency (full name or folder name)")
    p.add_argument("--to", default="html,pdf", help="formats: html,pdf,docx (default html,pdf)")
    p.add_argument("-o", "--output", type=Path, default=Path("outputs"), help="output folder")
    p.add_argument("-j", "--jobs", type=int, help="parallel workers (default: one per core)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.add_argument("--executor", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per report (0: none)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--no-summary", action="store_true", help="skip the per-year summaries")
    _add_profile(p)
    _add_strict(p)


_EXTRA_PARSERS.append(_add_build)


# --- import / template (published reports and workbooks → params) ----------------------------


@_command("import")
def _cmd_import(args: argparse.Namespace) -> int:
    from .importers.collection import import_files
    from .importers.summary import error_line, exit_code, file_details, outcome_table

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
        from .files import write_atomic
        from .importers.log import cell_jsonl, cell_records

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


@_command("template")
def _cmd_template(args: argparse.Namespace) -> int:
    from .errors import DisclosureError
    from .files import refuse_overwrite
    from .importers.excel import write_template

    refuse_overwrite(args.output, args.force)
    if args.from_params is None and (args.agency is None or args.year is None):
        raise DisclosureError("请给出 AGENCY YEAR，或用 --from 指定上一年的参数文件")
    path = write_template(args.agency, args.year, args.output, from_params=args.from_params)
    print(f"已创建：{path}")
    return 0


def _add_import(sub: SubParsers) -> None:
    p = sub.add_parser(
        "import", help="导入已发布的报告或填报表 (import reports/workbooks → params)"
    )
    p.add_argument(
        "files", nargs="+", type=Path, help="text, HTML, PDF or .xlsx files, or folders of them"
    )
    p.add_argument("--agency", help="agency full name (default: read from the title)")
    p.add_argument("--year", type=int, help="reporting year (default: read from the title)")
    p.add_argument("-o", "--output", type=Path, default=Path("params"), help="params folder")
    p.add_argument("--force", action="store_true", help="overwrite existing params files")
    p.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="the source prints 0 as a blank cell: import blanks as 0 (logged)",
    )
    p.add_argument("-j", "--jobs", type=int, help="processes reading files (default: one per core)")
    p.add_argument("-v", "--verbose", action="store_true", help="show every log entry")
    p.add_argument(
        "--log",
        type=Path,
        metavar="FILE.jsonl",
        help="write every cell's evidence, one JSON line a cell: read / inferred (by what) / "
        "blank (why, candidates), source line",
    )

    p = sub.add_parser("template", help="生成 Excel 填报表 (fill-in workbook for an agency-year)")
    p.add_argument("agency", nargs="?", help="agency full Chinese name")
    p.add_argument("year", nargs="?", type=int, help="reporting year")
    p.add_argument("-o", "--output", type=Path, required=True, help="output .xlsx file")
    p.add_argument(
        "--from",
        dest="from_params",
        metavar="PARAMS",
        type=Path,
        help="pre-fill from a params file: its narrative, blank figures, the year after",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


_EXTRA_PARSERS.append(_add_import)


def main(argv: Sequence[str] | None = None) -> int:
    from .batch._fork.pool import skip_slow_optional_imports

    skip_slow_optional_imports()  # ≈ 1.1 s off every command that loads nbformat
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except DisclosureError as exc:
        from .names import printable

        for error in getattr(exc, "errors", [exc]):  # a params file: every error found in it
            print(f"错误：{printable(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
