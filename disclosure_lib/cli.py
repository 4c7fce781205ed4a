"""Command line: `disclosure …`. Parses options and calls the Python API; no logic lives here.

Exit codes: 0 success, 1 the work ran but found errors (check errors, failed reports),
2 unreadable input or bad usage. Every DisclosureError becomes a one-line message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import DisclosureError

Handler = Callable[[argparse.Namespace], int]
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
    from .checks import check_paths, format_findings_json, format_findings_text

    result = check_paths(args.paths or [Path("params")])
    out = format_findings_json(result) if args.format == "json" else format_findings_text(result)
    sys.stdout.write(out)
    if result.load_errors:
        return 2
    return 1 if result.has_errors else 0


@_command("export")
def _cmd_export(args: argparse.Namespace) -> int:
    from .tidy import export

    dest = export(args.paths or [Path("params")], args.format, args.output)
    if dest is not None:
        print(f"已导出：{dest}", file=sys.stderr)
    return 0


@_command("new")
def _cmd_new(args: argparse.Namespace) -> int:
    from .params import new_params_file

    path = new_params_file(args.agency, args.year, args.params, force=args.force)
    print(f"已创建：{path}")
    return 0


@_command("schema")
def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .schema import params_schema

    text = json.dumps(params_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        from .params import write_atomic

        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _add_core(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="检查参数文件的勾稽关系 (check params files)")
    p.add_argument("paths", nargs="*", type=Path, help="params files or folders (default: params/)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")

    p = sub.add_parser("export", help="导出整洁数据 (export the collection as tidy data)")
    p.add_argument("paths", nargs="*", type=Path, help="params files or folders (default: params/)")
    p.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    p.add_argument("-o", "--output", type=Path, help="output file (csv: default stdout)")

    p = sub.add_parser("new", help="新建空白参数文件 (blank params file for an agency-year)")
    p.add_argument("agency", help="agency full Chinese name")
    p.add_argument("year", type=int, help="reporting year")
    p.add_argument("--params", type=Path, default=Path("params"), help="params folder")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("schema", help="输出参数文件的 JSON Schema (JSON Schema of params files)")
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")


# --- parser and entry point ------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="政府信息公开工作年度报告：检查、渲染、批量生成、导入。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_core(sub)
    # Other command groups register their parsers here (render, build, import, template).
    for add in _EXTRA_PARSERS:
        add(sub)
    return parser


_EXTRA_PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []  # type: ignore[type-arg]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except DisclosureError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
