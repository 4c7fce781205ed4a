"""No-op rebuild: 200 unchanged reports must be checked and skipped in under 1 s.

    .venv/bin/python benchmarks/bench_noop.py [--reports 200]

Builds 200 synthetic reports once (html only, summaries off, to keep the setup short), then
times (a) `build()` through the API and (b) the `disclosure build` CLI process end to end,
both finding everything up to date.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=200)
    args = ap.parse_args()
    from disclosure_lib.batch.build import build

    with tempfile.TemporaryDirectory(prefix="bench-noop-") as tmp:
        params, out = Path(tmp) / "params", Path(tmp) / "out"
        agencies = -(-args.reports // 3)
        n = len(make_params(params, agencies))
        t = time.perf_counter()
        first = build([params], output_dir=out, to=("html",), progress=False, summaries=False)
        print(f"setup: built {len(first.built)} reports in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        again = build([params], output_dir=out, to=("html",), progress=False, summaries=False)
        api = time.perf_counter() - t
        assert len(again.skipped) == n and not again.built, again.table()

        cmd = [str(Path(sys.executable).parent / "disclosure"), "build", str(params), "-o",
               str(out), "--to", "html", "--no-summary", "-q"]  # fmt: skip
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        cli = time.perf_counter() - t
        print(f"no-op rebuild of {n} unchanged reports: API {api:.3f} s, CLI process {cli:.3f} s")
        verdict = {True: "OK", False: "MISSED"}
        print(f"target < 1 s: API {verdict[api < 1]}, CLI process {verdict[cli < 1]}")


if __name__ == "__main__":
    main()
