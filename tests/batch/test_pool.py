"""The warm pool: a fresh child per task (or reused children), deadlines, crashes, shutdown;
whatever a task raises, returns or does to its process, the pool serves the next tasks."""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from disclosure_lib import errors
from disclosure_lib.batch._fork.pool import TaskFailed, WarmPool

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


# --- tasks that try to break the pool (module level: the children unpickle them by name) -------


class KeywordOnlyError(Exception):
    """Pickles, but `pickle.loads` calls ``KeywordOnlyError(*args)`` and fails."""

    def __init__(self, *, code: int) -> None:
        super().__init__(f"code {code}")
        self.code = code


def raise_keyword_only(code: int) -> None:
    raise KeywordOnlyError(code=code)


def raise_error(exc: BaseException) -> None:
    raise exc


def _only_in(pid: int) -> str:
    if os.getpid() != pid:
        raise ValueError(f"unpickled outside process {pid}")
    return "read"


class ReadableOnlyWhereMade:
    """Unpickles in the process that made it (the child checks its reply there), not in the
    driver: a reply the driver cannot read."""

    def __reduce__(self) -> tuple[object, ...]:
        return (_only_in, (os.getpid(),))


def unreadable_reply() -> ReadableOnlyWhereMade:
    return ReadableOnlyWhereMade()


def print_100_mb() -> int:
    chunk = "x" * (1 << 20)
    for _ in range(100):
        print(chunk)
    sys.stdout.flush()
    return 100


def return_100_mb() -> bytes:
    return b"x" * (100 << 20)


def sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def _still_serves(pool: WarmPool) -> None:
    """The pool goes on: several tasks at once, each with its own right result."""
    futures = [pool.submit(pow, 2, i) for i in range(9)]
    assert [f.result(timeout=60) for f in futures] == [2**i for i in range(9)]


def test_an_unpicklable_result_fails_its_task_only(pool: WarmPool) -> None:
    with pytest.raises(TypeError, match=r"cannot pickle '_thread\.lock'"):
        pool.submit(threading.Lock).result(timeout=30)
    _still_serves(pool)


def test_an_exception_with_keyword_only_arguments_arrives_as_a_record(pool: WarmPool) -> None:
    bad = [pool.submit(raise_keyword_only, code) for code in range(9)]
    for code, fut in enumerate(bad):
        with pytest.raises(TaskFailed) as info:
            fut.result(timeout=60)
        failed = info.value
        assert failed.type.endswith("KeywordOnlyError") and failed.message == f"code {code}"
        assert "raise_keyword_only" in failed.traceback
    _still_serves(pool)


def test_a_task_calling_sys_exit_fails_as_a_record(pool: WarmPool) -> None:
    with pytest.raises(TaskFailed, match="SystemExit: 3"):
        pool.submit(sys.exit, 3).result(timeout=30)
    _still_serves(pool)


def test_an_unreadable_reply_fails_its_own_task_not_the_oldest(pool: WarmPool) -> None:
    older = pool.submit(sleep_then, 1.5, "older")  # waiting when the bad reply arrives
    bad = pool.submit(unreadable_reply)
    with pytest.raises(TaskFailed, match="unpickled outside process"):
        bad.result(timeout=30)
    assert not older.done()
    assert older.result(timeout=30) == "older"
    _still_serves(pool)


def test_a_task_that_aborts_fails_alone(pool: WarmPool) -> None:
    aborted = pool.submit(os.abort)
    neighbour = pool.submit(sleep_then, 0.5, "neighbour")
    with pytest.raises(RuntimeError, match="SIGABRT"):
        aborted.result(timeout=30)
    assert neighbour.result(timeout=30) == "neighbour"
    _still_serves(pool)


def test_a_task_printing_100_mb_and_one_returning_100_mb(tmp_path: Path) -> None:
    with (tmp_path / "log").open("wb") as log, WarmPool(2, timeout=60, warm=(), log=log) as p:
        assert p.submit(print_100_mb).result(timeout=120) == 100
        big = p.submit(return_100_mb).result(timeout=120)
        assert len(big) == 100 << 20 and big[:3] == b"xxx"
        del big
        _still_serves(p)
    assert (tmp_path / "log").stat().st_size == 100 * ((1 << 20) + 1)


def _samples() -> list[BaseException]:
    """One of every exception class in `errors.py`, each with every attribute set."""
    import nbformat

    from disclosure_lib.batch.gate import Checked

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    params = errors.ParamsError("年度应为整数", path="p/2024.yaml", line=3, field="year")
    return [
        errors.DisclosureError("出错", path="a.txt", line=1, field="f"),
        params.with_errors(
            [params, errors.ParamsError("缺少机关名称", path="p/2024.yaml", line=1)]
        ),
        errors.ImportFailed("不是年度报告", path="r.html"),
        errors.RenderError("找不到参数文件"),
        errors.BuildError("输出目录被锁定", path="out"),
        errors.NotebookFailed("第 1 格出错", notebook=notebook, cell_index=0, path="nb.ipynb"),
        errors.ReportBlocked(
            "校验有错误",
            checked=Checked(errors=1, warnings=2, first_error="R1", findings=[{"code": "R1"}]),
            path="p/2024.yaml",
        ),
        errors.OutputError("磁盘空间不足", path="out/a.pdf", errno=28),
        errors.UnreadableError("无法读取", path="params/甲局", field="folder"),
        errors.WriteError("不可写", path="out/a.csv", errno=13),
    ]


def _same(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b) and a.args == b.args
    assert vars(a).keys() == vars(b).keys()
    for key, value in vars(a).items():
        if isinstance(value, list) and value and isinstance(value[0], BaseException):
            assert [str(e) for e in value] == [str(e) for e in vars(b)[key]]
        else:
            assert vars(b)[key] == value, key


def test_every_project_exception_round_trips_pickle_and_the_pool() -> None:
    samples = _samples()
    classes = {
        v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, BaseException)
    }
    assert classes == {type(s) for s in samples}  # a new error class needs a sample here
    assert errors.ImportError_ is errors.ImportFailed
    for exc in samples:
        _same(exc, pickle.loads(pickle.dumps(exc)))
    # warmed: the children unpickle a NotebookNode and a Checked (nbformat, batch.gate)
    with WarmPool(2, timeout=30, warm=("nbformat", "disclosure_lib.batch.gate")) as p:
        futures = [p.submit(raise_error, exc) for exc in samples]
        for exc, fut in zip(samples, futures, strict=True):
            got = fut.exception(timeout=60)
            assert got is not None
            _same(exc, got)
