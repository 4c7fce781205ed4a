"""Driver memory of a large build: flat, however many reports (issue 12.5: < 100 MB at 3,000).

    .venv/bin/python benchmarks/bench_driver_memory.py [--reports 3000] [--baseline 300]

The driver (`batch.build`) plans every unit, hands them to workers and writes what comes back.
What it keeps must not grow with the batch. This measures the driver alone: the executor is a
thread pool and each unit's result is a fake one of a real report's size (`--payload-kb`,
default 500 KB: an html build's .ipynb + .html), so that 3,000 units run in seconds. Everything
else is the real driver: planning over real params files, writing every output atomically,
the manifest (saved at most once a second) and the index.

Each size runs in its own process; peak RSS (ru_maxrss) is compared with the baseline size's
measured in the same run: flat means a ratio near 1. The machine may be shared: RSS does not
depend on load, the times printed do.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_params

TARGET_MB = 100.0
REPORTS_PER_AGENCY = 3  # make_params: 2022–2024


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(params: Path, out: Path, payload_kb: int) -> None:
    """One measured build (run in a fresh process)."""
    from concurrent.futures import ThreadPoolExecutor

    from disclosure_lib.batch import build as b
    from disclosure_lib.batch.manifest import loaded_code
    from disclosure_lib.batch.worker import Result, Task

    half = payload_kb * 1024 // 2
    code = loaded_code()  # what a real worker reports: the modules it ran, by hash

    def fake_run_task(task: Task) -> Result:
        # fresh, incompressible text per unit, as big as a real report's notebook and HTML
        return Result(
            True,
            notebook=os.urandom(half // 2).hex(),
            documents={fmt: os.urandom(half // 2).hex() for fmt in task.formats},
            timings={"total": 0.01, "execute": 0.005, "html": 0.002, "cpu": 0.01},
            versions={"disclosure_lib": "x"},
            code=dict(code),
        )

    b.run_task = fake_run_task  # type: ignore[assignment]
    b._executor = lambda *a, **k: ThreadPoolExecutor(2)  # type: ignore[assignment]
    before = _rss_mb()
    t = time.perf_counter()
    summary = b.build([params], output_dir=out, to=("html",), progress=False, jobs=2)
    wall = time.perf_counter() - t
    assert not summary.failed, summary.table()
    print(json.dumps({"units": len(summary.built), "before_mb": before, "peak_mb": _rss_mb(),
                      "wall": wall}))  # fmt: skip


def measure(reports: int, payload_kb: int, tmp: Path) -> dict[str, float]:
    params, out = tmp / f"params-{reports}", tmp / f"out-{reports}"
    make_params(params, -(-reports // REPORTS_PER_AGENCY))
    cmd = [sys.executable, __file__, "--child", str(params), str(out), str(payload_kb)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=3000)
    ap.add_argument("--baseline", type=int, default=300)
    ap.add_argument("--payload-kb", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-driver-memory-") as tmp:
        base = measure(args.baseline, args.payload_kb, Path(tmp))
        big = measure(args.reports, args.payload_kb, Path(tmp))
    for m in (base, big):
        print(f"{int(m['units']):>5} units (reports + summaries): peak RSS {m['peak_mb']:.0f} MB "
              f"(after imports {m['before_mb']:.0f} MB), {m['wall']:.1f} s")  # fmt: skip
    growth = (big["peak_mb"] - base["peak_mb"]) / (big["units"] - base["units"]) * 1024
    print(f"peak RSS ratio {int(big['units'])} / {int(base['units'])} units: "
          f"{big['peak_mb'] / base['peak_mb']:.2f}× ({growth:.0f} KB per extra unit; "
          f"payload {args.payload_kb} KB per unit)")  # fmt: skip
    verdict = "OK" if big["peak_mb"] < TARGET_MB else "MISSED"
    print(f"target: driver < {TARGET_MB:.0f} MB at {args.reports} reports: {verdict}")


if __name__ == "__main__":
    main()
