"""One warm pool per test process for the builds the tests run in it (`conftest.py`).

Every `build()` starts a warm pool: a fresh Python that imports IPython, matplotlib, pandas,
papermill and nbconvert (≈ 3 CPU-s) before its first report. The suite runs about 80 builds
in its own processes, so it shares the pools instead: one per (workers, pandas) kind, started
by the first build that needs it, handed to the next ones. What a build sees is still the
real `WarmPool` (its children, deadlines, failure isolation); only its start and stop are
skipped. Every CLI build a test runs (`tests/test_cli.py`, kill -9, Ctrl-C, the fault
injection) is a process of its own and still starts and stops a pool of its own.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_all
from typing import Any

# pytest's own variable changes with every test; any other change to the environment (or the
# working folder) gets a pool of its own, as a build made with it would
_VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})


def _context() -> tuple[str, tuple[tuple[str, str], ...]]:
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE))
    return os.getcwd(), env


class SharedPools:
    """`build._executor` with the local pools kept for the next build of the same kind."""

    def __init__(self, real: Callable[..., Executor]) -> None:
        self._real = real
        self._context = _context()
        self._pools: dict[tuple[int, bool], Any] = {}
        self._lock = threading.Lock()

    def __call__(
        self, executor: str, jobs: int, scheduler: str | None, timeout: float | None, *,
        pandas: bool,
    ) -> Executor:  # fmt: skip
        if executor != "local" or _context() != self._context:
            return self._real(executor, jobs, scheduler, timeout, pandas=pandas)
        with self._lock:
            pool = self._pools.get((jobs, pandas))
            if pool is None or pool._proc.poll() is not None:  # none yet, or killed
                pool = self._pools[jobs, pandas] = self._real(executor, jobs, scheduler, None,
                                                              pandas=pandas)  # fmt: skip
        return BuildsView(pool, timeout, self._lock)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True)


class BuildsView(Executor):
    """One build's view of a shared `WarmPool`: its tasks get this build's deadline; its
    shutdown waits for its own tasks and leaves the pool running; its kill stops the pool
    (Ctrl-C, a write error), and the next build starts a new one."""

    def __init__(self, pool: Any, timeout: float | None, lock: threading.Lock) -> None:
        self._pool = pool
        self.timeout = timeout
        self._lock = lock
        self._futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:  # the pool sends its `timeout` with each task
            self._pool.timeout = self.timeout or None
            future: Future[Any] = self._pool.submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self.kill()
        elif wait:
            wait_all(self._futures)
        self._futures = []

    def kill(self) -> None:
        self._pool.kill()


@contextlib.contextmanager
def shared_pools(real: Callable[..., Executor]) -> Iterator[SharedPools]:
    """`SharedPools` over `real`, every pool stopped at the end."""
    pools = SharedPools(real)
    try:
        yield pools
    finally:
        pools.close()
