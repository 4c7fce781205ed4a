"""Driver memory of large builds: flat, however many reports (issue 12.5, issue 17.13, issue 20:
< 100 MB at 3,000 and at 20,000; no-op ≤ 2 s at 2,100, ≤ 5 s at 20,000).

    .venv/bin/python benchmarks/bench_driver_memory.py [--reports 3000 20000] [--baseline 300]

The driver (`batch.build`) plans every unit, hands them to workers and writes what comes back.
What it keeps must not grow with the batch. Each build here is `bench_scale.py`'s child: the
real driver in a fresh process (its peak RSS is `ru_maxrss`), every unit's result a fake of
`--payload-kb` made in a thread; the collection cache's update and each summary's data made in
a forked process, as the warm pool makes them out of the driver. Everything else is real:
scanning and planning over real params files, writing every output atomically, the manifest
(a transaction per unit), the index a year at a time.

Per size, two builds: every unit built, then a no-op over the same params and outputs
(everything up to date: params scan, hashes, manifest lookups, the outputs' stats). The
baseline size is measured in the same run: a ratio near 1 means flat. RSS does not depend on
the machine's load, the times do. `bench_scale.py --n 20000 --no-render` gives the same figure
for the full build with a one-edit build beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import make_many

TARGET_MB = 100.0
NOOP_TARGETS = ((2100, 2.0), (20000, 5.0))  # reports, seconds: the no-op target at that size
SCALE = Path(__file__).resolve().parent / "bench_scale.py"


def _build(params: Path, out: Path, payload_kb: int) -> dict[str, Any]:
    """One build by `bench_scale.py --child` (fake renders when `payload_kb`), its figures."""
    cmd = [sys.executable, str(SCALE), "--child", str(params), str(out), "html", "2",
           str(payload_kb)]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"build failed:\n{run.stderr[-3000:]}")
    got: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return got


def measure(reports: int, payload_kb: int, tmp: Path) -> dict[str, Any]:
    params, out = tmp / f"params-{reports}", tmp / f"out-{reports}"
    t = time.perf_counter()
    make_many(params, -(-reports // 3))
    print(f"{reports} reports: params written in {time.perf_counter() - t:.1f} s", flush=True)
    build = _build(params, out, payload_kb)
    noop = _build(params, out, 0)  # nothing to do: the real pool is never asked for a unit
    assert not noop["reports"] and not noop["summaries"], noop
    manifest = sum(p.stat().st_size for p in out.glob("manifest.sqlite*"))
    return {"build": build, "noop": noop, "manifest_mb": manifest / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reports", type=int, nargs="+", default=[3000, 20000])
    ap.add_argument("--baseline", type=int, default=300)
    ap.add_argument("--payload-kb", type=int, default=20, help="fake result size")
    args = ap.parse_args()
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-driver-memory-") as tmp:
        for n in [args.baseline, *args.reports]:
            results[n] = measure(n, args.payload_kb, Path(tmp))
            b, o = results[n]["build"], results[n]["noop"]
            print(f"{n:>6} reports: build peak RSS {b['peak_mb']:.0f} MB ({b['wall']:.1f} s); "
                  f"no-op peak RSS {o['peak_mb']:.0f} MB, {o['wall']:.2f} s (CPU "
                  f"{o['cpu']:.2f} s); manifest {results[n]['manifest_mb']:.1f} MB",
                  flush=True)  # fmt: skip
            # the outputs of one size go before the next is written
            subprocess.run(["rm", "-rf", str(Path(tmp) / f"out-{n}")], check=True)
    base = results[args.baseline]
    for n in args.reports:
        m = results[n]
        ratio = m["build"]["peak_mb"] / base["build"]["peak_mb"]
        print(f"peak RSS ratio {n} / {args.baseline} reports: build {ratio:.2f}×, no-op "
              f"{m['noop']['peak_mb'] / base['noop']['peak_mb']:.2f}×")  # fmt: skip
        for phase in ("build", "noop"):
            peak = m[phase]["peak_mb"]
            verdict = "OK" if peak < TARGET_MB else "MISSED"
            print(f"target: driver < {TARGET_MB:.0f} MB at {n} reports ({phase}): "
                  f"{peak:.0f} MB {verdict}")  # fmt: skip
        for size, target in NOOP_TARGETS:
            if n == size:
                wall = m["noop"]["wall"]
                verdict = "OK" if wall <= target else "MISSED"
                print(f"target: no-op build ≤ {target:.0f} s at {n} reports: {wall:.2f} s wall "
                      f"(CPU {m['noop']['cpu']:.2f} s) {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
