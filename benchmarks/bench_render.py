"""Benchmark: render one report (execute, HTML, PDF separately) vs the plain CLI tools.

    .venv/bin/python benchmarks/bench_render.py [--agency 示例区教育局] [--year 2024] [--runs 3]

Measured on the same notebook (notebooks/annual_report.ipynb) and params:

* api      — `batch_render.render(...)` in one Python process, per step (execute / layout /
             HTML / PDF (Typst) / DOCX); the first run pays the one-off costs (font scan, glyph
             tables, Typst's first compile), later runs reuse them.
* cli      — `disclosure render AGENCY YEAR` as a subprocess (wall time, html + pdf).
* baseline — `papermill` CLI, then `jupyter nbconvert --to html` CLI (stock lab template),
             both as subprocesses (wall time; no PDF, which the stock tools cannot make
             without LaTeX or a browser).

Prints seconds and the ratios baseline / ours.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "annual_report.ipynb"


def _run(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agency", default="示例区教育局")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--params", type=Path, default=ROOT / "params")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    params_dir = args.params.resolve()

    from disclosure_lib.batch import render as batch_render

    with tempfile.TemporaryDirectory(prefix="bench_render_") as tmp:
        work = Path(tmp)
        api: list[dict[str, float]] = []
        for i in range(args.runs):
            started = time.perf_counter()
            result = batch_render.render(
                args.agency, args.year, params_dir, output_dir=work / f"api{i}"
            )
            steps = dict(result.timings)
            steps["total"] = time.perf_counter() - started
            api.append(steps)
        pdf_size = result.pdf.stat().st_size if result.pdf else 0
        html_size = result.html.stat().st_size if result.html else 0

        cli = [
            _run(
                [
                    str(BIN / "disclosure"),
                    "render",
                    args.agency,
                    str(args.year),
                    "--params",
                    str(params_dir),
                    "-o",
                    str(work / f"cli{i}"),
                ],
                ROOT,
            )
            for i in range(args.runs)
        ]

        papermill, nbconvert = [], []
        for i in range(args.runs):
            out = work / f"baseline{i}.ipynb"
            papermill.append(
                _run(
                    [
                        str(BIN / "papermill"),
                        str(NOTEBOOK),
                        str(out),
                        "-p",
                        "agency",
                        args.agency,
                        "-p",
                        "year",
                        str(args.year),
                        "-p",
                        "params_dir",
                        str(params_dir),
                        "--no-progress-bar",
                    ],
                    ROOT,
                )
            )
            nbconvert.append(
                _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)], work)
            )
        stock_html = (work / "baseline0.html").stat().st_size

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    later = api[1:] or api
    print(f"report: {args.agency} {args.year}; runs: {args.runs}; machine: {sys.platform}")
    print(f"{'step':<28}{'first run':>12}{'median later':>14}")
    for step in ("execute", "layout", "html", "pdf", "docx", "total"):
        print(f"{'api ' + step:<28}{api[0][step]:>11.2f}s{med([r[step] for r in later]):>13.2f}s")
    print(f"{'disclosure render (CLI)':<28}{cli[0]:>11.2f}s{med(cli[1:] or cli):>13.2f}s")
    print(f"{'papermill CLI':<28}{papermill[0]:>11.2f}s{med(papermill[1:] or papermill):>13.2f}s")
    nbc_later = med(nbconvert[1:] or nbconvert)
    print(f"{'jupyter nbconvert --to html':<28}{nbconvert[0]:>11.2f}s{nbc_later:>13.2f}s")
    baseline = med(papermill) + med(nbconvert)
    ours_html = med([r["execute"] + r["html"] for r in later])
    print()
    print(
        f"execute + HTML:  api {ours_html:.2f}s  vs  papermill + nbconvert CLIs {baseline:.2f}s"
        f"  -> {baseline / ours_html:.1f}x"
    )
    print(
        f"execute + HTML + PDF:  disclosure render CLI {med(cli):.2f}s  vs  CLIs (HTML only)"
        f" {baseline:.2f}s  -> {baseline / med(cli):.2f}x"
    )
    print(
        f"HTML size: ours {html_size / 1024:.0f} KB vs stock template {stock_html / 1024:.0f} KB;"
        f" PDF {pdf_size / 1024:.0f} KB"
    )


if __name__ == "__main__":
    main()
