"""Import 1,000 generated published-style report texts — target < 5 s in all.

    .venv/bin/python benchmarks/bench_import.py [--n 1000] [--html 100]

Inputs: consistent synthetic reports (`disclosure_lib.synth`) written in the seed's published
text layout (`import_text.published_text`); every fourth one with its table cells run
together, as crawlers produce, so the run splitter (`cellruns`) is on the measured path.
Timed: bytes → Report + ImportLog (`importing.import_bytes`), in-process, one core.
Also printed: the share of cells recovered exactly, inferred and left blank, and an HTML
figure (pages rendered by `report_html`) for comparison.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.text import published_text
from disclosure_lib.synth import consistent_report

TARGET_S = 5.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--html", type=int, default=100)
    args = ap.parse_args()

    rng = random.Random(2024)
    reports = [
        consistent_report(
            f"示例区第{i % 50}局", 2020 + i % 5, rng, scale=rng.choice((0, 10, 60, 200))
        )
        for i in range(args.n)
    ]
    texts = [
        published_text(r, run_together=i % 4 == 3).encode("utf-8") for i, r in enumerate(reports)
    ]
    import_bytes(texts[0], path="warm.txt")  # compile the label patterns once, as a CLI run would

    t0, c0 = time.perf_counter(), time.process_time()
    results = [import_bytes(t, path=f"r{i}.txt") for i, t in enumerate(texts)]
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0

    exact = wrong = blank = inferred = total = 0
    for truth, res in zip(reports, results, strict=True):
        exact += res.report == truth
        for key, cells in res.report.tables.items():
            for cell, value in cells.items():
                total += 1
                if value is None:
                    blank += truth.tables[key][cell] is not None
                elif value != truth.tables[key][cell]:
                    wrong += 1
        inferred += sum(s.inferred for s in res.log.stats.values())

    print(
        f"text import: {args.n} reports in {elapsed:.2f} s "
        f"({elapsed / args.n * 1000:.2f} ms/report); target {TARGET_S:.0f} s "
        f"-> {elapsed / TARGET_S:.2f} of budget ({'OK' if elapsed < TARGET_S else 'OVER'})"
    )
    print(f"  CPU time {cpu:.2f} s (wall > CPU means other load on the machine)")
    print(f"  reports identical to their source: {exact}/{args.n}")
    print(
        f"  cells: {total}, wrong: {wrong}, left blank (ambiguous runs): {blank}, "
        f"inferred: {inferred}"
    )

    if args.html:
        from disclosure_lib.rendering.html import report_body

        pages = [
            f"<html><body>{report_body(r).html}</body></html>".encode()
            for r in reports[: args.html]
        ]
        t0 = time.perf_counter()
        for i, p in enumerate(pages):
            import_bytes(p, path=f"r{i}.html")
        h = time.perf_counter() - t0
        print(f"html import: {len(pages)} pages in {h:.2f} s ({h / len(pages) * 1000:.2f} ms/page)")
    return 0 if elapsed < TARGET_S and wrong == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
