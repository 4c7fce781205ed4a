"""The yearly summary at N agencies: the figures (core), the checks, the layout with its charts,
and the three writers.

    .venv/bin/python benchmarks/bench_summary.py                     # N = 24, 240, 2400
    .venv/bin/python benchmarks/bench_summary.py --agencies 24,7000  # issue 20's year

Each agency has two years (the trend and the cross-year checks see the year before); reports
are generated in memory (`synth.demo_series`), not read from params files, so loading is not
timed. The old path (HTML fragments parsed back by BeautifulSoup) no longer exists to run
beside it: the baseline is N = 24, measured in the same process, and each figure is printed
with its ratio to that time scaled linearly (below 1: better than linear). Target (issue 20):
a year of 7,000 agencies summarised in <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

YEAR = 2024
STEPS = ("figures", "checks", "layout", "html", "pdf", "docx")


def make_reports(n: int) -> list[Any]:
    from disclosure_lib.synth import demo_series

    out = []
    for i in range(n):
        out += demo_series(
            f"基准区第{i + 1}局", range(YEAR - 1, YEAR + 1), seed=i, scale=20 + i % 50
        )
    return out


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def measure(reports: list[Any]) -> dict[str, float]:
    """Seconds per step of one summary of YEAR."""
    from disclosure_lib import summary as sm
    from disclosure_lib.rendering import docx_writer, html, typst_pdf
    from disclosure_lib.rendering import layout as lo
    from disclosure_lib.rendering.summary import summary_parts

    out: dict[str, float] = {}
    # checks: the findings (the rules, report by report); figures: the rest of `year_summary`
    # (wide frame, key figures, ranks, totals, trend, findings by rule and agency)
    findings, out["checks"] = _timed(lambda: sm.findings_frame(reports, YEAR))
    s, out["figures"] = _timed(lambda: sm.year_summary(reports, YEAR, findings))
    parts, out["layout"] = _timed(lambda: summary_parts(s))
    doc = lo.document([(p.blocks, p.meta) for p in parts])
    _, out["html"] = _timed(lambda: html.page(doc))
    _, out["pdf"] = _timed(lambda: typst_pdf.typeset(doc))
    _, out["docx"] = _timed(lambda: docx_writer.docx_bytes(doc))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--agencies", default="24,240,2400", help="comma-separated N (first: baseline)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.agencies.split(",")]
    print(f"summary of {YEAR}, agencies x 2 years in memory, {os.cpu_count()} cores")
    measure(make_reports(4))  # imports, fonts, Typst and matplotlib caches: not timed
    base: dict[str, float] = {}
    header = "".join(f"{s:>9}" for s in (*STEPS, "total"))
    print(f"\n{'agencies':>9}{header}   (s; total: all but docx)")
    rows = []
    for n in sizes:
        got = measure(make_reports(n))
        got["total"] = sum(got[k] for k in ("figures", "checks", "layout", "html", "pdf"))
        if not base:
            base = got
        rows.append((n, got))
        print(f"{n:>9}" + "".join(f"{got[k]:>9.3f}" for k in (*STEPS, "total")), flush=True)
    print("\nratio to the N = {0} time scaled linearly (x N / {0}):".format(sizes[0]))
    for n, got in rows[1:]:
        scale = n / sizes[0]
        ratios = "".join(f"{got[k] / (base[k] * scale):>9.2f}" for k in (*STEPS, "total"))
        print(f"{n:>9}{ratios}")
    last_n, last = rows[-1]
    print(
        f"\nN = {last_n}: figures + layout + HTML + PDF"
        f" {last['total'] - last['checks']:.2f} s, checks {last['checks']:.2f} s,"
        f" in all {last['total']:.2f} s  (target at 7,000 agencies: <= 5 s)"
    )


if __name__ == "__main__":
    main()
