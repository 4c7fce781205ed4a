"""Command line: `disclosure …`. Parses options and calls the Python API; no logic lives here.

Exit codes: 0 success, 1 the work ran but found errors (check errors, failed reports),
2 unreadable input or bad usage. Every DisclosureError becomes a one-line message.
Commands and their options: `commands.py` (one registry); options several commands share,
with defaults taken from the API's constants: `options.py`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import DisclosureError
from . import options
from .commands import COMMANDS

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        add_help=False,
        description="政府信息公开工作年度报告：检查、渲染、批量生成、导入。",
        epilog=(
            "Python: import disclosure_lib as dl (dl.load_report, dl.check_reports, dl.render, "
            "dl.build, dl.import_file, …). Package layers: core (format, params, checks) → "
            "importers/ and rendering/ → batch/ (outputs) → cli. See README.md and "
            "docs/DEVELOPING.md."
        ),
    )
    options.help_option(parser)
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="显示版本并退出 (show the version and exit)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        p = sub.add_parser(
            command.name, help=command.help, description=command.help, add_help=False
        )
        options.help_option(p)
        command.arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..batch._fork.pool import skip_slow_optional_imports

    skip_slow_optional_imports()  # ≈ 1.1 s off every command that loads nbformat
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except DisclosureError as exc:
        from ..names import printable

        for error in getattr(exc, "errors", [exc]):  # a params file: every error found in it
            print(f"错误：{printable(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
