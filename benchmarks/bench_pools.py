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

The machine is shared: variants run in turns, rotated each round, and each figure is printed
as a ratio to ours measured in the same rounds (the median of the rounds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
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
    from disclosure_lib.batch.build import TASKS_PER_WORKER
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

        from disclosure_lib.batch.build import TASKS_PER_WORKER
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


def time_build(params: Path, out: Path, make: Callable[[int, float | None], Executor] | None,
               jobs: int) -> float:  # fmt: skip
    """Wall seconds of one `build()` (forced) with the executor `make` returns (None: ours)."""
    from disclosure_lib.batch import build as build_mod

    original = build_mod._executor
    if make is not None:
        build_mod._executor = lambda executor, j, scheduler, timeout, *, pandas: make(j, timeout)  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        summary = build_mod.build([params], output_dir=out, jobs=jobs, force=True, progress=False,
                                  summaries=False, to=("html", "pdf"))  # fmt: skip
        wall = time.perf_counter() - t
    finally:
        build_mod._executor = original
    assert not summary.failed, [x.error for x in summary.failed]
    return wall


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
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pools-") as tmp:
        root = Path(tmp)
        params = root / "params"
        n = len(make_params(params, args.agencies))
        print(f"{n} reports, html + pdf, -j {args.jobs}, {os.cpu_count()} cores")
        variants: dict[str, Callable[[Path], float]]
        if args.against:
            src = args.against.resolve()
            variants = {
                "this tree": lambda out: time_cli(params, out, None, args.jobs),
                "against": lambda out: time_cli(params, out, src, args.jobs),
            }
        else:
            variants = {"warm": lambda out: time_build(params, out, None, args.jobs)}
            variants["forkserver"] = lambda out: time_build(
                params, out, lambda j, _: stdlib_pool(j), args.jobs
            )
            try:
                import pebble  # noqa: F401

                variants["pebble"] = lambda out: time_build(params, out, PebblePool, args.jobs)
            except ImportError:
                print("pebble not installed: skipped")
        for name, run in variants.items():  # warm-up: page cache, .pyc, font caches
            run(root / f"warmup-{name}")
        times = rounds(variants, args.rounds, root)
        report(times, n, next(iter(variants)))


if __name__ == "__main__":
    main()
