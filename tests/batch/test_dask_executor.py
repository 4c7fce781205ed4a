"""`build --executor dask`: the deadline kept by the driver, a cluster without workers, bad
scheduler addresses — each one line, never a hang or a traceback (issue 17.9)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.batch import dask_executor as de
from disclosure_lib.batch.states import Status
from disclosure_lib.batch.worker import Result, Task
from disclosure_lib.cli import main
from disclosure_lib.errors import BuildError

from .test_build import AGENCIES, make_params

distributed = pytest.importorskip("distributed")
# module-level, so the functions the workers run pickle by reference (a closure would carry
# the Event, which does not pickle)
RELEASE = threading.Event()
HANGING = (AGENCIES[0], 2023)


def _answer(task: Task) -> Result:
    return Result(True, notebook="{}", documents={f: "<x>" for f in task.formats})


def _one_hangs(task: Task) -> Result:
    if (task.agency, task.year) == HANGING:
        RELEASE.wait(60)  # hangs where no cell timeout reaches (e.g. a conversion)
    return _answer(task)


def _all_hang(task: Task) -> Result:
    RELEASE.wait(60)
    return _answer(task)


RUNNING = threading.Event()


def _say_then_hang(task: Task) -> Result:
    RUNNING.set()
    return _all_hang(task)


@pytest.fixture(autouse=True)
def _release_hanging_units():  # type: ignore[no-untyped-def]
    RELEASE.clear()
    yield
    RELEASE.set()


@pytest.fixture
def cluster():  # type: ignore[no-untyped-def]
    """An in-process cluster: its workers are threads of this process, so a test's stand-in
    for `run_task` is what they run."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as c:
        yield c
        RELEASE.set()  # the hanging stand-ins end: closing does not wait 30 s for their threads


def test_a_unit_past_its_deadline_fails_at_the_deadline(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(b, "run_task", _one_hangs)
    params = make_params(tmp_path / "params")
    started = time.monotonic()
    summary = b.build([params], output_dir=tmp_path / "out", to="html", progress=False,
                      summaries=False, executor="dask", timeout=3,
                      scheduler=cluster.scheduler_address)  # fmt: skip
    assert time.monotonic() - started < 20
    failed = {x.label: x.message for x in summary.failed}
    assert (
        list(failed) == [f"{AGENCIES[0]} 2023年"]
        and "超过时限 3 秒" in failed[f"{AGENCIES[0]} 2023年"]
    )
    assert len(summary.built) == 3 and summary.exit_code == 1
    entry = next(e for e in summary.entries if e.key == f"report:{AGENCIES[0]}/2023")
    assert entry.status is Status.FAILED


def test_a_cluster_without_workers_is_one_line_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(de, "NO_WORKERS_GRACE", 1.0)
    params = make_params(tmp_path / "params", AGENCIES[:1])
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as c:
        started = time.monotonic()
        with pytest.raises(BuildError, match="没有可用的 worker"):
            b.build([params], output_dir=tmp_path / "out", to="html", progress=False,
                    executor="dask", scheduler=c.scheduler_address)  # fmt: skip
        assert time.monotonic() - started < 15


def test_losing_every_worker_mid_build_ends_the_build(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(de, "NO_WORKERS_GRACE", 1.0)
    RUNNING.clear()
    monkeypatch.setattr(b, "run_task", _say_then_hang)
    params = make_params(tmp_path / "params", AGENCIES[:1])

    def lose_every_worker() -> None:  # once a unit runs: mid-build, however slow the start
        if RUNNING.wait(60):
            cluster.scale(0)

    threading.Thread(target=lose_every_worker, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(BuildError, match="已没有 worker"):
        b.build([params], output_dir=tmp_path / "out", to="html", progress=False,
                summaries=False, executor="dask", timeout=0,
                scheduler=cluster.scheduler_address)  # fmt: skip
    assert time.monotonic() - started < 45


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:1", "tcp://[::1"])
def test_bad_scheduler_addresses_are_one_line(
    address: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(de, "CONNECT_TIMEOUT", 2.0)
    params = make_params(tmp_path / "params", AGENCIES[:1])
    code = main(["build", str(params), "-o", str(tmp_path / "out"), "--to", "html",
                 "--executor", "dask", "--scheduler", address, "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and "dask" in err and address in err


SHIPPED: dict[str, list[str]] = {}


def _record(task: Task) -> Result:
    SHIPPED[f"{task.kind}:{task.agency}:{task.year}"] = sorted(task.files)
    return _answer(task)


def test_on_dask_the_driver_ships_each_summary_ready_made(
    tmp_path: Path, cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No shared disk: the driver computes the summaries from the collection cache (issue 20)
    and ships them; the worker gets no params text for a summary."""
    from disclosure_lib.batch.worker import CHECKED_FILE, SUMMARY_FILE

    monkeypatch.setenv("DISCLOSURE_CACHE_DIR", str(tmp_path / "caches"))
    monkeypatch.setattr(b, "run_task", _record)
    params = make_params(tmp_path / "params", AGENCIES[:1])
    summary = b.build([params], output_dir=tmp_path / "out", to="html", progress=False,
                      executor="dask", scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]  # fmt: skip
    assert not summary.failed, summary.table()
    summaries = {k: v for k, v in SHIPPED.items() if k.startswith("summary")}
    assert summaries and all(v == [CHECKED_FILE, SUMMARY_FILE] for v in summaries.values())
    assert list((tmp_path / "caches").glob("collection-*.pickle"))
