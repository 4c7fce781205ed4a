"""The build's worker pool against well-kept alternatives, and a build before/after a change.

    .venv/bin/python benchmarks/bench_pools.py                  # pools, 8 agencies x 3 years
    .venv/bin/python benchmarks/bench_pools.py --rounds 5 --agencies 4
    .venv/bin/python benchmarks/bench_pools.py --against /tmp/base   # this tree vs a source tree

Pools (the same `build()` of synthetic reports, html + pdf, only the executor differs):

* warm       — ours (`batch._fork.pool.WarmPool`): one warm process imports and prepares
               once (`WARM_INIT`), workers are forked from it, each runs TASKS_PER_WORKER units.
* forkserver — the stdlib: `ProcessPoolExecutor` on a forkserver with the same modules
               preloaded, `warm_worker` as initializer in each worker, same tasks per worker.
* pebble     — `pebble.ProcessPool` on the same preloaded forkserver (only if installed:
               `pip install pebble`; it has per-task timeouts as ours has).

`--against DIR` times `disclosure build` (the CLI, wall) of this tree and of the source tree
DIR (e.g. `git archive <commit> | tar -x -C DIR`), alternating, for a before/after figure.

Every build runs in a new process, as `disclosure build` does: a forkserver is started once per
process and reused by every later pool of that process, so building twice in one process would
skip its imports the second time (≈ 5 s here) and flatter the stdlib and pebble.

The machine is shared: variants run in turns, rotated each round, and each figure is printed
as a ratio to ours measured in the same rounds (the median of the rounds).

Measured (issue 16, 2 cores at load 10-13, 24 reports, 3 rounds): warm 26.9 s, forkserver
40.7 s (1.51x), pebble 39.3 s (1.46x): both import and prepare in every worker, not once
before forking. Ours is kept. Before/after issue 16's pool and engine changes (--against the
tree before them, 3 runs of 4-5 rounds): medians within 1-6 %, paired rounds of both signs,
inside the ±15 % the rounds vary by on that machine.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench_build import BIN, make_params

ROOT = Path(__file__).resolve().parent.parent


def _forkserver() -> Any:
    import multiprocessing

    from disclosure_lib.batch._fork.pool import SUMMARY_ONLY_MODULES, WARM_MODULES
    from disclosure_lib.engine.shell import INLINE_BACKEND

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # as the warm process sets it
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([m for m in WARM_MODULES if m not in SUMMARY_ONLY_MODULES])
    return ctx


def stdlib_pool(jobs: int) -> Executor:
    from disclosure_lib.batch.launch import TASKS_PER_WORKER
    from disclosure_lib.batch.worker import warm_worker

    return ProcessPoolExecutor(
        jobs,
        mp_context=_forkserver(),
        initializer=warm_worker,
        max_tasks_per_child=TASKS_PER_WORKER,
    )


class PebblePool(Executor):
    """`pebble.ProcessPool` as a `concurrent.futures.Executor` (what `build` drives)."""

    def __init__(self, jobs: int, timeout: float | None) -> None:
        import pebble

        from disclosure_lib.batch.launch import TASKS_PER_WORKER
        from disclosure_lib.batch.worker import warm_worker

        self.timeout = timeout
        self.pool = pebble.ProcessPool(
            jobs, max_tasks=TASKS_PER_WORKER, initializer=warm_worker, context=_forkserver()
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.pool.submit(fn, self.timeout, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self.pool.stop()
        else:
            self.pool.close()
        if wait:
            self.pool.join()


POOLS: dict[str, Callable[[int, float | None], Executor]] = {
    "forkserver": lambda jobs, _: stdlib_pool(jobs),
    "pebble": PebblePool,
}


def build_with(pool: str, params: Path, out: Path, jobs: int) -> None:
    """One forced `build()` of `params` with the executor `pool` names ("warm": ours)."""
    from disclosure_lib.batch import build as build_mod

    if pool in POOLS:
        make = POOLS[pool]
        build_mod._executor = lambda executor, j, scheduler, timeout, *, pandas: make(j, timeout)  # type: ignore[assignment]
    summary = build_mod.build([params], output_dir=out, jobs=jobs, force=True, progress=False,
                              summaries=False, to=("html", "pdf"))  # fmt: skip
    assert not summary.failed, [x.error for x in summary.failed]


def time_build(pool: str, params: Path, out: Path, jobs: int) -> float:
    """Wall seconds of `build_with` in a new process (interpreter start included, as the CLI)."""
    cmd = [sys.executable, __file__, "--one", pool, str(params), str(out), str(jobs)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=params.parent, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def time_cli(params: Path, out: Path, src: Path | None, jobs: int) -> float:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [str(BIN / "disclosure"), "build", str(params), "-o", str(out), "--force", "-q",
           "--no-summary", "-j", str(jobs)]  # fmt: skip
    t = time.perf_counter()
    # cwd outside both trees: `python -m` (the warm process) puts cwd before PYTHONPATH
    subprocess.run(cmd, check=True, env=env, cwd=params.parent, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - t


def rounds(
    variants: dict[str, Callable[[Path], float]], n: int, root: Path
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(n):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            sec = variants[name](root / f"out-{name}")
            times[name].append(sec)
            print(f"  round {r + 1} {name:<11} {sec:6.1f} s", flush=True)
    return times


def report(times: dict[str, list[float]], n: int, base: str) -> None:
    ref = statistics.median(times[base])
    print(f"\n{'':<12}{'median s':>10}{'s/report':>10}{'ratio':>8}   runs")
    for name, runs in times.items():
        med = statistics.median(runs)
        print(f"{name:<12}{med:>10.1f}{med / n:>10.3f}{med / ref:>8.2f}   "
              + ", ".join(f"{r:.1f}" for r in runs))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--agencies", type=int, default=8, help="agencies (x 3 years)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--against", type=Path, help="a source tree to compare this one with")
    ap.add_argument("--this", type=Path, help="with --against: a source tree to use as this one")
    ap.add_argument(
        "--one", nargs=4, metavar=("POOL", "PARAMS", "OUT", "JOBS"), help=argparse.SUPPRESS
    )  # one build, in the process `time_build` starts
    args = ap.parse_args()
    if args.one:
        pool, params_dir, out_dir, jobs = args.one
        build_with(pool, Path(params_dir), Path(out_dir), int(jobs))
        return

    with tempfile.TemporaryDirectory(prefix="bench-pools-") as tmp:
        root = Path(tmp)
        params = root / "params"
        n = len(make_params(params, args.agencies))
        print(f"{n} reports, html + pdf, -j {args.jobs}, {os.cpu_count()} cores")
        variants: dict[str, Callable[[Path], float]]
        if args.against:
            src = args.against.resolve()
            this = args.this.resolve() if args.this else None
            variants = {
                "this tree": lambda out: time_cli(params, out, this, args.jobs),
                "against": lambda out: time_cli(params, out, src, args.jobs),
            }
        else:
            names = ["warm", "forkserver"]
            try:
                import pebble  # noqa: F401

                names.append("pebble")
            except ImportError:
                print("pebble not installed: skipped")
            variants = {
                name: functools.partial(time_build, name, params, jobs=args.jobs) for name in names
            }
        for name, run in variants.items():  # warm-up: page cache, .pyc, font caches
            run(root / f"warmup-{name}")
        times = rounds(variants, args.rounds, root)
        report(times, n, next(iter(variants)))


if __name__ == "__main__":
    main()
