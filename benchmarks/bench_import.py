"""Import speed — targets: 1,000 published-style texts < 5 s; 200 PDFs < 20 s on 2 cores.

    .venv/bin/python benchmarks/bench_import.py [--n 1000] [--html 100] [--pdf 200] [-j 2]

Texts: consistent synthetic reports (`disclosure_lib.synth`) written in the seed's published
text layout (`importers.text.published_text`); every fourth one with its table cells run
together, as crawlers produce, so the run splitter and the evidence steps are on the measured
path. Timed: bytes → Report + ImportLog (`import_bytes`), in-process, one core. Also printed:
cells recovered exactly, inferred and left blank, and an HTML figure for comparison.

PDFs (`--pdf N`, 0 to skip): N reports rendered to PDF by the project's own renderer
(`disclosure_lib.build`, not timed; incremental, into `--pdf-dir`, by default a cache folder,
so a rerun renders only what changed), then the folder imported as `disclosure import DIR`
does (`import_files`: read, evidence across years, params written and checked) with one
process — the baseline of the same run — and with `-j` processes.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from disclosure_lib.importers.document import import_bytes
from disclosure_lib.importers.text import published_text
from disclosure_lib.synth import consistent_report

TARGET_S = 5.0
PDF_TARGET_S = 20.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--html", type=int, default=100)
    ap.add_argument("--pdf", type=int, default=200)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument(
        "--pdf-dir",
        type=Path,
        default=Path.home() / ".cache" / "disclosure_lib" / "bench_import",
        help="where the PDFs are rendered (kept between runs)",
    )
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
    ok = elapsed < TARGET_S and wrong == 0

    if args.html:
        from disclosure_lib.rendering.compose import report_body

        pages = [
            f"<html><body>{report_body(r).html}</body></html>".encode()
            for r in reports[: args.html]
        ]
        t0 = time.perf_counter()
        for i, p in enumerate(pages):
            import_bytes(p, path=f"r{i}.html")
        h = time.perf_counter() - t0
        print(f"html import: {len(pages)} pages in {h:.2f} s ({h / len(pages) * 1000:.2f} ms/page)")
    if args.pdf:
        ok = bench_pdf(args.pdf, args.jobs, args.pdf_dir / f"n{args.pdf}") and ok
    return 0 if ok else 1


def bench_pdf(n: int, jobs: int, base: Path) -> bool:
    import disclosure_lib as dl
    from disclosure_lib.importers.collection import import_files

    rng = random.Random(7)
    truths = [
        consistent_report(f"示例区第{i}局", 2024, rng, scale=rng.choice((0, 10, 60, 200)))
        for i in range(n)
    ]
    for r in truths:
        path = dl.params_path(base / "params", r.agency, r.year)
        if not path.exists() or dl.load_report(path) != r:
            dl.save_report(r, path)
    t0 = time.perf_counter()
    built = dl.build(
        [base / "params"], to=("pdf",), output_dir=base / "out", summaries=False, progress=False
    )
    took = time.perf_counter() - t0
    print(f"pdf: {len(built.built)} of {n} reports rendered in {took:.1f} s (untimed)")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        pdf_dir = base / "out"
        timings: dict[int, float] = {}
        for label, j in (("1 process (baseline)", 1), (f"{jobs} processes", jobs)):
            t0, c0 = time.perf_counter(), _cpu()
            outcomes = import_files([pdf_dir], params_dir=Path(tmp) / f"imported-{j}", jobs=j)
            timings[j], cpu = time.perf_counter() - t0, _cpu() - c0
            by_key = {(r.agency, r.year): r for r in truths}
            same = sum(
                o.result is not None
                and o.result.report.tables == by_key[(o.result.report.agency, 2024)].tables
                for o in outcomes
                if o.status == "written"
            )
            print(
                f"pdf import, {label}: {n} PDFs in {timings[j]:.2f} s "
                f"({timings[j] / n * 1000:.0f} ms/PDF; CPU {cpu:.1f} s in all processes); "
                f"tables identical {same}/{n}"
            )
    t = timings[jobs]
    print(
        f"  {jobs} processes vs 1: {timings[1] / t:.2f}x; target {PDF_TARGET_S:.0f} s -> "
        f"{t / PDF_TARGET_S:.2f} of budget ({'OK' if t < PDF_TARGET_S else 'OVER'})"
    )
    return t < PDF_TARGET_S


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the import's worker pool)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    raise SystemExit(main())
