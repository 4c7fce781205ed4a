"""How a build's units are run: the executor (`executor`: the local warm pool or a dask
cluster), how many workers (`default_jobs`), and the local pool started before planning
(`EarlyPool`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor

from ..errors import BuildError
from .options import BuildOptions
from .worker import warm_worker

# what the warm process runs before forking workers (the pool takes it by name)
WARM_INIT = f"{warm_worker.__module__}:{warm_worker.__qualname__}"
# Then a new worker: workers never collect garbage cycles (≈ 15 MB left per PDF), so this
# bounds their memory; the new worker's first PDF costs ≈ 0.1 s more than the next ones.
TASKS_PER_WORKER = 12
# Units handed to the executor ahead of the workers: enough that no worker waits, few enough
# that the driver's memory stays flat however large the batch (results are dropped once
# written).
AHEAD_PER_WORKER = 2


def default_jobs() -> int:
    """Workers when -j is not given: one per core.

    Each worker is busy nearly all the time (it converts while no cells run; cells run in its
    forked child while it waits), so more workers than cores only contend. Measured on 2
    cores, 24 reports, alternating runs: -j 2 11.4-11.6 s, -j 3 11.9-12.7 s. (With a fresh
    kernel per report papermill's side of the issue found 3 better than 2: a kernel waits on
    ZMQ and start-up, our workers do not.) `benchmarks/bench_build.py --sweep` re-measures.
    """
    return os.cpu_count() or 1


def executor(
    executor: str, jobs: int, scheduler: str | None, timeout: float | None, *, pandas: bool
) -> Executor:
    if executor == "local":
        from ._fork.pool import CHART_MODULES, SUMMARY_ONLY_MODULES, WARM_MODULES, WarmPool

        # Report notebooks never load pandas (≈ 0.6 s of the warm start); summaries do, and
        # draw charts. A report that draws has its worker load matplotlib (`warm_charts`).
        skip = () if pandas else (*SUMMARY_ONLY_MODULES, *CHART_MODULES)
        warm = tuple(m for m in WARM_MODULES if m not in skip)
        # A worker runs many units: each unit's cells run in a fresh process forked by the
        # `disclosure` engine, while HTML/PDF conversion reuses the worker's warm caches.
        # The pool kills a unit at the deadline itself: conversion is inside `timeout` too.
        return WarmPool(jobs, timeout=timeout or None, warm=warm, init=WARM_INIT,
                        tasks_per_child=TASKS_PER_WORKER)  # fmt: skip
    if executor == "dask":
        from .dask_executor import connect

        return connect(scheduler, timeout)
    raise BuildError(f"未知的执行方式：{executor}；可选：local, dask (unknown executor)")


class EarlyPool:
    """The local warm pool, started before the driver scans and plans: its imports (≈ 3 CPU-s,
    one process) then overlap the planning (≈ 1 s at 2,100 reports) instead of following it.
    Killed unused when there is nothing to build (a no-op pays only what it imported by then,
    on the other core); `take` hands it to the loop. On dask: nothing to start."""

    def __init__(self, opts: BuildOptions, make: Callable[..., Executor] = executor) -> None:
        self.pool: Executor | None = None
        if opts.executor == "local":
            # pandas only when a summary may be built (a report never loads it)
            summaries = opts.summaries and opts.agency is None
            self.pool = make("local", opts.jobs or default_jobs(), None, opts.timeout,
                             pandas=summaries)  # fmt: skip

    def take(self) -> Executor | None:
        pool, self.pool = self.pool, None
        return pool

    def close(self) -> None:
        pool = self.take()
        if pool is not None:
            kill = getattr(pool, "kill", None)
            kill() if kill is not None else pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> EarlyPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
