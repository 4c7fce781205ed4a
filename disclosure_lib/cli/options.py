"""Options several commands share: one definition each, Chinese help with the English after
it, defaults taken from the API's own constants (never retyped here)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..batch.options import DEFAULT_TIMEOUT, EXECUTORS, BuildOptions
from ..batch.preview import DEFAULT_PORT
from ..rendering.notebook import DEFAULT_PROFILE, FORMATS, PROFILES

Parser = argparse.ArgumentParser
DEFAULTS = BuildOptions()


def to_list(value: str) -> tuple[str, ...]:
    """ "html,pdf" → ("html", "pdf")."""
    return tuple(v.strip() for v in value.split(",") if v.strip())


def paths(p: Parser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="参数文件或文件夹，默认 params/ (params files or folders; default: params/)",
    )


def agency_year(p: Parser, *, optional: bool = False) -> None:
    nargs = "?" if optional else None
    p.add_argument("agency", nargs=nargs, help="机关全称 (agency full Chinese name)")
    p.add_argument("year", nargs=nargs, type=int, help="报告年度 (reporting year)")


def params_dir(p: Parser) -> None:
    p.add_argument(
        "--params",
        type=Path,
        default=Path("params"),
        metavar="DIR",
        help="参数文件夹，默认 params (params folder)",
    )


def output_dir(p: Parser) -> None:
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(str(DEFAULTS.output_dir)),
        metavar="DIR",
        help=f"输出文件夹，默认 {DEFAULTS.output_dir} (output folder)",
    )


def force(p: Parser, what: str = "覆盖已有文件 (overwrite an existing file)") -> None:
    p.add_argument("--force", action="store_true", help=what)


def formats(p: Parser) -> None:
    every = ",".join(FORMATS)
    p.add_argument(
        "--to",
        default=every,
        metavar="FORMATS",
        help=f"输出格式，逗号分隔，默认 {every} (formats, comma-separated; default: {every})",
    )


def jobs(p: Parser, zh: str, en: str) -> None:
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help=f"{zh}，默认每核一个 ({en}; default: one per core)",
    )


def help_option(p: Parser) -> None:
    """-h in Chinese too (argparse's own is English only)."""
    p.add_argument("-h", "--help", action="help", help="显示帮助并退出 (show this help and exit)")


def notebook(p: Parser) -> None:
    p.add_argument(
        "--notebook",
        type=Path,
        metavar="IPYNB",
        help="报告笔记本，默认使用内置的 (report notebook; default: the bundled one)",
    )


def profile(p: Parser) -> None:
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default=DEFAULT_PROFILE,
        help=(
            "报告版本：publish 只含机关撰写的内容（默认），review 另附图表和数据校验 "
            "(publish: only what the office wrote; review: adds charts and 数据校验)"
        ),
    )
    p.add_argument(
        "--pdf-standard",
        default=DEFAULTS.pdf_standard,
        metavar="STD",
        help="所遵循的 PDF 标准：a-2b、a-3b、ua-1…，逗号分隔 (PDF/A or PDF/UA, comma-separated)",
    )


def strict(p: Parser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help=(
            "校验有错误的报告不生成任何文件，退出码 1 "
            "(write nothing for a report whose check finds errors)"
        ),
    )


def build_only(p: Parser) -> None:
    """The options only `build` has (its executor, timeout, summaries)."""
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=DEFAULTS.executor,
        help="执行方式：本机进程池或 dask 集群 (local warm pool or a dask cluster)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask 调度器地址，如 tcp://host:8786 (dask scheduler address)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"每份报告的时限（秒），0 为不限，默认 {DEFAULT_TIMEOUT:g} (per report; 0: none)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度 (no progress output)")
    p.add_argument(
        "--no-summary", action="store_true", help="不生成年度汇总 (skip the per-year summaries)"
    )


def port(p: Parser) -> None:
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"本机端口，默认 {DEFAULT_PORT}，0 为任选空闲端口 (port on 127.0.0.1; 0: any free)",
    )
