"""Units on a dask cluster: the executor `build --executor dask` hands them to.

The local pool kills a unit at its deadline itself; a dask worker runs units in threads that
cannot be killed, so the driver keeps the deadline: a unit still executing `timeout` seconds
after its worker started it is failed there and then, and its worker restarted (when a nanny
runs it) so the unit really stops. A cluster left without workers is an error, not a wait.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from ..errors import BuildError

# how often the driver asks the workers what they execute, and how long a cluster may have no
# worker at all (workers restarting come back within seconds) before the build gives up
POLL_SECONDS = 1.0
NO_WORKERS_GRACE = 30.0
CONNECT_TIMEOUT = 30.0


def connect(scheduler: str | None, timeout: float | None) -> DaskExecutor:
    """A client of the cluster at `scheduler`, waiting briefly for its first worker."""
    try:
        from distributed import Client
    except ImportError:
        raise BuildError(
            "未安装 dask：请运行 pip install 'disclosure_lib[dask]' (dask not installed)"
        ) from None
    if not scheduler:
        raise BuildError("使用 dask 时需要 --scheduler 地址 (dask needs --scheduler ADDRESS)")
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, ValueError, TypeError) as exc:  # refused, unreachable, not an address
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise BuildError(
            f"无法连接 dask 调度器 {scheduler}：{why} (cannot connect to the scheduler)"
        ) from None
    try:
        client.wait_for_workers(1, timeout=NO_WORKERS_GRACE)
    except (TimeoutError, OSError) as exc:
        client.close()
        raise BuildError(
            f"dask 集群 {scheduler} 没有可用的 worker（等待 {NO_WORKERS_GRACE:g} 秒）"
            f" (the cluster has no workers): {exc}"
        ) from None
    return DaskExecutor(client, timeout)


def _executing(dask_worker: Any) -> list[str]:  # runs on each worker (`Client.run`)
    return [str(ts.key) for ts in dask_worker.state.executing]


@dataclass
class _Unit:
    future: Any  # distributed.Future
    started: float | None = None  # when a worker was first seen executing it
    worker: str = ""


class DaskExecutor(Executor):
    """Submit to a dask client; `overdue()` gives the units past their deadline."""

    def __init__(self, client: Any, timeout: float | None = None) -> None:
        self.client = client
        self.timeout = timeout
        self._units: dict[Future[Any], _Unit] = {}
        self._polled = 0.0
        self._no_workers_since: float | None = None

    @property
    def slots(self) -> int:
        """Units the cluster runs at once (its worker threads), however many -j says."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # a scheduler that cannot say: the local count will do
            return 1

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        remote = self.client.submit(fn, *args, pure=False, **kwargs)
        local: Future[Any] = Future()
        local.set_running_or_notify_cancel()
        self._units[local] = _Unit(remote)

        def settle(done: Any) -> None:
            self._units.pop(local, None)
            if local.done():  # failed at its deadline already
                return
            try:
                local.set_result(done.result())
            except BaseException as exc:  # the task's own error, a lost worker, cancelled
                local.set_exception(exc)

        remote.add_done_callback(settle)
        return local

    def overdue(self) -> list[Future[Any]]:
        """Units executing longer than the timeout (failed by the caller), at most one poll of
        the workers a second; a BuildError when the cluster has had no worker for a while."""
        now = time.monotonic()
        if now - self._polled < POLL_SECONDS:
            return []
        self._polled = now
        self._require_workers(now)
        if not self.timeout:
            return []
        try:
            executing = self.client.run(_executing)
        except Exception:  # a worker going away mid-call: ask again next time
            return []
        where = {key: addr for addr, keys in executing.items() for key in keys}
        late: list[Future[Any]] = []
        for local, unit in list(self._units.items()):  # callbacks pop from it meanwhile
            addr = where.get(str(unit.future.key))
            if addr is not None and unit.started is None:
                unit.started, unit.worker = now, addr
            if unit.started is not None and now - unit.started > self.timeout:
                late.append(local)
        return late

    def abandon(self, local: Future[Any]) -> None:
        """Stop a unit past its deadline: cancel it and restart the worker running it."""
        unit = self._units.pop(local, None)
        if unit is None:
            return
        with contextlib.suppress(Exception):
            unit.future.cancel()
        if unit.worker:
            with contextlib.suppress(Exception):  # workers without a nanny cannot restart
                self.client.restart_workers([unit.worker], timeout=30, raise_for_error=False)

    def _require_workers(self, now: float) -> None:
        try:
            workers = len(self.client.nthreads())
        except Exception:
            workers = 0
        if workers:
            self._no_workers_since = None
        elif self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since > NO_WORKERS_GRACE:
            raise BuildError(
                f"dask 集群已没有 worker（{NO_WORKERS_GRACE:g} 秒内无一恢复），未完成的报告未生成"
                " (the cluster lost every worker)"
            )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            for unit in list(self._units.values()):  # callbacks pop from it meanwhile
                with contextlib.suppress(Exception):
                    unit.future.cancel()
        self._units.clear()
        self.client.close()
