"""Benchmark: load + check 1,000 params files (target < 2 s on the 2-core dev machine).

Generates 200 fictional agencies × 5 consecutive years with `synth` (so the cross-year rules
run too), saves them with `params.save_report` into a temp folder, then times:
  load only (params.load_reports), check only (checks.check_reports), and load + check
  (checks.check_paths, what `disclosure check` runs). Prints the figures and ratios, and the
  load against a baseline measured in the same run: reading the files and composing their
  YAML with libyaml alone (what any loader pays), so the ratio shows our reader's own cost.

Run: .venv/bin/python benchmarks/bench_check.py [--files N] [--repeat R]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from disclosure_lib import checks, params, params_write, synth

TARGET_SECONDS = 2.0
YEARS_PER_AGENCY = 5
T = TypeVar("T")


def generate(folder: Path, files: int) -> None:
    agencies = -(-files // YEARS_PER_AGENCY)
    written = 0
    for i in range(agencies):
        series = synth.demo_series(
            f"示例基准局{i:04d}", range(2020, 2020 + YEARS_PER_AGENCY), seed=i
        )
        for report in series:
            if written == files:
                return
            params_write.save_report(report, params.params_path(folder, report.agency, report.year))
            written += 1


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Fastest wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="report the best of R runs")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_check_") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        generate(folder, args.files)
        gen = time.perf_counter() - start
        print(f"generated {args.files} params files in {gen:.2f} s ({folder})")

        files = params.find_params([folder])
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def parse_only() -> int:
            return sum(
                yaml.compose(f.read_text(encoding="utf-8"), Loader=loader) is not None
                for f in files
            )

        t_parse, _ = best_of(args.repeat, parse_only)
        t_load, (reports, errors) = best_of(args.repeat, lambda: params.load_reports([folder]))
        assert not errors and len(reports) == args.files, errors[:3]
        t_check, findings = best_of(args.repeat, lambda: checks.check_reports(reports))
        t_total, result = best_of(args.repeat, lambda: checks.check_paths([folder]))

    n = args.files
    errors_found = sum(f.is_error for f in result.findings)
    print(
        f"YAML only : {t_parse:6.3f} s  ({t_parse / n * 1000:.2f} ms/file: read + libyaml compose)"
    )
    print(
        f"load only : {t_load:6.3f} s  ({t_load / n * 1000:.2f} ms/file; "
        f"{t_load / t_parse:.2f}× the YAML alone)"
    )
    print(f"check only: {t_check:6.3f} s  ({t_check / n * 1000:.2f} ms/report)")
    verdict = "OK" if t_total < TARGET_SECONDS else "MISSED"
    print(
        f"load+check: {t_total:6.3f} s  (target < {TARGET_SECONDS:.0f} s: {verdict}; "
        f"{t_total / TARGET_SECONDS:.0%} of target)"
    )
    share = t_load / (t_load + t_check)
    print(f"split     : load {share:.0%} / check {1 - share:.0%}")
    print(f"findings  : {len(findings)} ({errors_found} errors) over {n} reports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
