"""The warm pool: a fresh child per task (or reused children), deadlines, crashes, shutdown."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from disclosure_lib.batch._fork.pool import WarmPool

PROBE = (
    "__import__('disclosure_lib').__dict__.setdefault('_probe', __import__('os').getpid())"
    " == __import__('os').getpid()"
)


@pytest.fixture(scope="module")
def pool() -> Iterator[WarmPool]:
    p = WarmPool(2, timeout=3, warm=("json",))
    yield p
    p.shutdown()


def test_pool_runs_each_task_in_a_fresh_child(pool: WarmPool) -> None:
    futures = [pool.submit(eval, PROBE) for _ in range(4)]
    assert [f.result(timeout=30) for f in futures] == [True] * 4  # no task saw another's state
    pids = {pool.submit(os.getpid).result(timeout=30) for _ in range(3)}
    assert len(pids) == 3 and os.getpid() not in pids


def test_pool_kills_a_task_at_its_deadline_and_goes_on(pool: WarmPool) -> None:
    slow = pool.submit(time.sleep, 60)
    fast = pool.submit(sum, [1, 2, 3])
    assert fast.result(timeout=30) == 6
    with pytest.raises(TimeoutError):
        slow.result(timeout=30)


def test_pool_survives_a_crashing_task(pool: WarmPool) -> None:
    crash = pool.submit(os._exit, 3)
    with pytest.raises(RuntimeError, match="exited"):
        crash.result(timeout=30)
    with pytest.raises(ZeroDivisionError):
        pool.submit(divmod, 1, 0).result(timeout=30)
    assert pool.submit(max, 4, 5).result(timeout=30) == 5


def test_pool_stops_its_children_when_killed() -> None:
    p = WarmPool(1, warm=())
    fut = p.submit(time.sleep, 60)
    time.sleep(1.0)
    p.kill()
    with pytest.raises(RuntimeError):
        fut.result(timeout=10)
    assert p._proc.poll() is not None


def test_reused_children_run_tasks_in_turn_and_are_replaced() -> None:
    with WarmPool(1, timeout=3, warm=(), tasks_per_child=3) as p:
        pids = [p.submit(os.getpid).result(timeout=30) for _ in range(7)]
        assert pids[:3] == [pids[0]] * 3 and pids[3:6] == [pids[3]] * 3  # three each, in turn
        assert len(set(pids)) == 3
        with pytest.raises(TimeoutError):
            p.submit(time.sleep, 60).result(timeout=30)  # kills the reused child
        with pytest.raises(RuntimeError, match="exited"):
            p.submit(os._exit, 3).result(timeout=30)
        with pytest.raises(ZeroDivisionError):
            p.submit(divmod, 1, 0).result(timeout=30)
        assert p.submit(os.getpid).result(timeout=30) not in pids  # a new child again
