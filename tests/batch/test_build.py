"""`disclosure build`: outputs, incremental rebuilds, failure isolation, locking, kill -9, Ctrl-C,
deadline, dask."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.batch.lock import OutputLock
from disclosure_lib.batch.manifest import MANIFEST_NAME, entry_rows
from disclosure_lib.cli import main
from disclosure_lib.errors import BuildError
from disclosure_lib.params import load_report, params_path
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series

from ..base import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "build"
AGENCIES = ("测试区甲局", "测试区乙局")
YEARS = range(2022, 2024)
CLI = [sys.executable, "-m", "disclosure_lib.cli"]


def make_params(folder: Path, agencies: tuple[str, ...] = AGENCIES) -> Path:
    for i, agency in enumerate(agencies):
        for report in demo_series(agency, YEARS, seed=50 + i, scale=30):
            save_report(report, params_path(folder, agency, report.year))
    return folder


def notebook_with(tmp: Path, code: str) -> Path:
    """The report notebook with one extra cell after the parameters."""
    nb = nbformat.read(b.REPORT_NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    path = tmp / "report.ipynb"
    nbformat.write(nb, path)
    return path


def cli_holding_2023(tmp: Path) -> tuple[list[str], Path]:
    """The CLI, its builds' 2023 reports waiting while the file `hold` exists (the CLI has no
    notebook option): a Ctrl-C sent once a 2022 report is out finds the build still running,
    however busy the machine."""
    hold = tmp / "hold"
    hold.touch()
    wait = f"while year == 2023 and os.path.exists({str(hold)!r}):\n    time.sleep(0.1)"
    notebook = notebook_with(tmp, "import os, time\n" + wait)
    # Ctrl-C as from a terminal, whatever an earlier test left this process's children (a
    # signal ignored or blocked is inherited: the build would run on, deaf to it)
    code = ("import signal, sys; from pathlib import Path; from disclosure_lib.batch import build; "
            "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
            "signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"build.REPORT_NOTEBOOK = Path({str(notebook)!r}); "
            "from disclosure_lib.cli import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    return [sys.executable, "-c", code], hold


def files(out: Path) -> set[str]:
    return {
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != ".build.lock"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, b.BuildSummary]:
    """Two agencies x two years, html + pdf, built once for the tests that only read."""
    tmp = tmp_path_factory.mktemp("built")
    params = make_params(tmp / "params")
    summary = b.build([params], output_dir=tmp / "out", jobs=2, progress=False)
    return params, tmp / "out", summary


def test_build_writes_every_output_index_and_manifest(built: tuple) -> None:
    _, out, summary = built
    assert summary.exit_code == 0 and not summary.failed
    assert len(summary.built) == 4 + 2  # reports + per-year summaries
    for agency in AGENCIES:
        for year in YEARS:
            stem = f"{year}/{agency}/{agency}{year}年政府信息公开工作年度报告"
            for ext in ("ipynb", "html", "pdf"):
                assert (out / f"{stem}.{ext}").stat().st_size > 1000
    for year in YEARS:
        assert (out / f"{year}/summary.pdf").read_bytes().startswith(b"%PDF")
        assert "汇总" in (out / f"{year}/summary.html").read_text(encoding="utf-8")
    assert "summary.html" in (out / "index.html").read_text(encoding="utf-8")
    for year in YEARS:
        rows = read_rows(out / f"index-{year}.json")
        assert set(rows) == set(AGENCIES)
        assert all(set("hpn") <= set(r["files"]) for r in rows.values())
    entry = entry_rows(out)[f"report:{AGENCIES[0]}/2023"]
    assert entry["status"] == "built" and set(entry["inputs"]) >= {
        "params:2022", "params:2023", "notebook", "templates", "library_version",
    }  # fmt: skip
    assert not [p for p in out.rglob("*.tmp")]
    nb = nbformat.read(out / entry["outputs"][0], as_version=4)
    assert nb.metadata["papermill"]["parameters"]["year"] == 2023


def test_rebuild_is_a_noop_then_exactly_the_dependents(built: tuple, tmp_path: Path) -> None:
    params, out0, _ = built
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    again = b.build([params], output_dir=out, progress=False)
    assert not again.built and len(again.skipped) == 6

    # Edit one figure in 甲局 2022: its 2023 report (charts/checks read 2022) and the summaries
    # of 2022 and 2023 depend on it; 乙局's reports do not.
    path = params_path(params, AGENCIES[0], 2022)
    report = load_report(path)
    report.set(
        "review",
        "reconsideration",
        "upheld",
        (report.get("review", "reconsideration", "upheld") or 0) + 1,
    )
    report.set(
        "review",
        "reconsideration",
        "total",
        (report.get("review", "reconsideration", "total") or 0) + 1,
    )
    save_report(report, path)
    before = (out / "2023" / AGENCIES[1]).stat().st_mtime_ns
    stem = out / "2022" / AGENCIES[0] / f"{AGENCIES[0]}2022年政府信息公开工作年度报告"
    pdf_before = stem.with_suffix(".pdf").stat().st_mtime_ns
    third = b.build([params], output_dir=out, progress=False, to=("html",))
    assert sorted(x.label for x in third.built) == sorted(
        [f"{AGENCIES[0]} 2022年", f"{AGENCIES[0]} 2023年", "2022年 汇总", "2023年 汇总"]
    )
    assert len(third.skipped) == 2
    assert (out / "2023" / AGENCIES[1]).stat().st_mtime_ns == before
    # an html-only rebuild rebuilds the PDF the first build wrote too (issue 18.5), and says so
    assert stem.with_suffix(".html").exists()
    assert stem.with_suffix(".pdf").stat().st_mtime_ns > pdf_before
    assert third.kept_formats[f"{AGENCIES[0]} 2022年"] == ("pdf", "docx")
    forced = b.build([params], output_dir=out, progress=False, to=("html",), force=True,
                     year=2022, agency=AGENCIES[1])  # fmt: skip
    assert [x.label for x in forced.built] == [f"{AGENCIES[1]} 2022年"]


def test_one_failure_does_not_stop_the_batch(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params")
    (params / "坏文件").mkdir()
    (params / "坏文件" / "2023.yaml").write_text("agency: [unclosed\n", encoding="utf-8")
    notebook = notebook_with(
        tmp_path,
        f'if agency == "{AGENCIES[1]}" and year == 2023:\n    raise ValueError("故意失败")',
    )
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      notebook=notebook, summaries=False)  # fmt: skip
    assert summary.exit_code == 1
    failed = {x.label: x.message for x in summary.failed}
    assert len(summary.built) == 3 and len(failed) == 2
    assert "故意失败" in failed[f"{AGENCIES[1]} 2023年"]
    assert any("坏文件" in label and ".yaml:2" in message for label, message in failed.items())
    folder = tmp_path / "out" / "2023" / AGENCIES[1]
    kept = [p.name for p in folder.iterdir()]
    assert kept == [f"{AGENCIES[1]}2023年政府信息公开工作年度报告.failed.ipynb"]
    nb = nbformat.read(folder / kept[0], as_version=4)
    assert any(o.get("evalue") == "故意失败" for c in nb.cells for o in c.get("outputs", []))
    assert "失败" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "故意失败" in summary.table()


def test_reports_sharing_a_worker_do_not_leak_state(tmp_path: Path) -> None:
    """One worker runs every report; each report's cells still start from a clean process."""
    params = make_params(tmp_path / "params")
    notebook = notebook_with(
        tmp_path,
        "import os, disclosure_lib\n"
        'print("leak:", getattr(disclosure_lib, "_leak", None), "worker:", os.getppid())\n'
        "disclosure_lib._leak = agency",
    )
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      notebook=notebook, summaries=False, jobs=1)  # fmt: skip
    assert len(summary.built) == 4
    printed = []
    for path in sorted((tmp_path / "out").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        printed += [
            o["text"]
            for c in nb.cells
            for o in c.get("outputs", [])
            if "leak:" in o.get("text", "")
        ]
    assert len(printed) == 4 and all(t.startswith("leak: None ") for t in printed)
    assert len({t.split("worker:")[1] for t in printed}) == 1  # the same worker, reused


def test_hanging_report_is_killed_at_the_deadline(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params", AGENCIES[:1])
    notebook = notebook_with(tmp_path, "import time\nif year == 2023:\n    time.sleep(600)")
    started = time.monotonic()
    # 8 s: the 2022 report builds within it even beside another xdist worker's builds
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      notebook=notebook, summaries=False, timeout=8, jobs=1)  # fmt: skip
    assert time.monotonic() - started < 60
    assert [x.label for x in summary.failed] == [f"{AGENCIES[0]} 2023年"]
    assert summary.failed[0].message == "超过时限 8 秒，已终止 (timed out: --timeout)"
    # the documented timeout is the unit's whole time (issue 12.12: it was 330 s for 300)
    assert 7 <= summary.failed[0].seconds <= 8
    assert len(summary.built) == 1
    failed = next((tmp_path / "out").rglob("*.failed.ipynb"))
    assert "CellTimeoutError" in failed.read_text(encoding="utf-8")  # where it hung


def test_the_pool_kills_a_unit_at_the_timeout_itself() -> None:
    """Conversion runs in the unit's pool child after the cells: the pool's deadline is the
    build's timeout, not a grace period later."""
    pool = b._executor("local", 1, None, 7.5, pandas=False)
    try:
        assert pool.timeout == 7.5  # type: ignore[attr-defined]
    finally:
        pool.shutdown(wait=True)


def test_second_build_on_the_same_outputs_is_refused(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params", AGENCIES[:1])
    with OutputLock(tmp_path / "out"), pytest.raises(BuildError, match="另一个生成任务"):
        b.build([params], output_dir=tmp_path / "out", progress=False)


def test_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params", AGENCIES[:1])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BuildError, match="输出"):
        b.build([params], output_dir=blocker / "out", progress=False)


def _wait_for(predicate, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line) of every process."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,stat=,args="], capture_output=True,
                         text=True).stdout  # fmt: skip
    table = {}
    for line in out.splitlines():
        pid, ppid, stat, *args = line.split(None, 3)
        table[int(pid)] = (int(ppid), stat, args[0] if args else "")
    return table


def _descendants(pid: int) -> set[int]:
    table = _processes()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, (pp, _, _) in table.items() if pp == parent}
        todo += children - found
        found |= children
    return found


def _all_gone(pids: set[int]) -> bool:
    """None of `pids` runs any more (a zombie waiting for init to reap it is gone)."""
    table = _processes()
    return not any(p in table and not table[p][1].startswith("Z") for p in pids)


@pytest.mark.slow
def test_kill_9_mid_build_then_the_next_build_finishes(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params", AGENCIES[:1])
    out = tmp_path / "out"
    cmd = [*CLI, "build", str(params), "-o", str(out), "--to", "html", "-j", "1", "-q"]
    temp = tmp_path / "tmp"  # this build's own temp folder (TMPDIR)
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _wait_for(lambda: any(out.rglob("*.html")))
    workers = _descendants(proc.pid)
    assert workers  # the warm process and its children
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_for(lambda: _all_gone(workers), 20)  # the warm worker and its children exit too
    for p in out.rglob("*.html"):
        assert p.read_text(encoding="utf-8").rstrip().endswith("</html>")  # none half-written
    done = subprocess.run([*cmd[:-1]], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert len(list(out.rglob("*年度报告.html"))) == 2 and not list(out.rglob("*.tmp"))
    left = [p.name for p in temp.iterdir()]
    assert left == []  # the killed build's worker folders were swept
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert "已是最新" in again.stderr and again.returncode == 0


def _reports_recorded(out: Path) -> int:
    """Reports the running build has committed to its manifest (read only). Not its files: a
    report's files are out just before its entry, and a Ctrl-C between the two drops it."""
    db = out / MANIFEST_NAME
    if not db.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            query = "SELECT count(*) FROM entries WHERE key LIKE 'report:%' AND status = 'built'"
            return int(conn.execute(query).fetchone()[0])
    except sqlite3.Error:  # not made yet
        return 0


@pytest.mark.slow
def test_ctrl_c_stops_workers_and_keeps_finished_outputs(tmp_path: Path) -> None:
    params = make_params(tmp_path / "params", AGENCIES[:1])
    out = tmp_path / "out"
    cli, hold = cli_holding_2023(tmp_path)
    cmd = [*cli, "build", str(params), "-o", str(out), "--to", "html", "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: _reports_recorded(out) > 0)
    workers = _descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "中断" in err
    assert "Traceback" not in err
    _wait_for(lambda: _all_gone(workers), 20)
    assert 1 <= len(entry_rows(out)) < 4
    hold.unlink()
    rest = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rest.returncode == 0 and "已是最新" in rest.stderr


@pytest.mark.slow
def test_dask_executor_on_a_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    params = make_params(tmp_path / "params", AGENCIES[:1])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:  # fmt: skip
        summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                          executor="dask", scheduler=cluster.scheduler_address)  # fmt: skip
    assert summary.exit_code == 0 and len(summary.built) == 4
    assert len(list((tmp_path / "out").glob("20*/**/*.html"))) == 4  # besides the index's
    local = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False)
    assert len(local.skipped) == 4  # same manifest whichever executor built it


def test_bad_options_are_build_errors(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="格式"):
        b.build([tmp_path], output_dir=tmp_path / "o", to=("odt",))
    with pytest.raises(BuildError, match="scheduler"):
        params = make_params(tmp_path / "params", AGENCIES[:1])
        b.build([params], output_dir=tmp_path / "o", executor="dask", progress=False)


def test_plain_log_lines_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`disclosure build` (`main` in this process, its stderr captured: not a terminal; the
    command's own process runs in the kill and Ctrl-C tests)."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    code = main(["build", str(params), "-o", str(tmp_path / "out"), "--to", "html"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "[1/4] 完成" in err and "生成结果" in err and "\r" not in err


def test_default_jobs_follow_the_core_count() -> None:
    assert b.default_jobs() == (os.cpu_count() or 1)


def test_the_driver_hands_out_a_bounded_number_of_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12.5: finished results are dropped and only a few units per worker are handed out
    ahead, so the driver's memory does not grow with the batch (bench_driver_memory measures
    it). The workers here are threads answering at once with a result of a report's shape."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from disclosure_lib.batch.summaries import update_cache
    from disclosure_lib.batch.worker import Result, Task

    params = make_params(tmp_path / "params", tuple(f"测试区第{i}局" for i in range(12)))
    lock, outstanding, peak = threading.Lock(), [0], [0]

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            if fn is not update_cache:  # the collection cache's update: no unit, no result
                with lock:
                    outstanding[0] += 1
                    peak[0] = max(peak[0], outstanding[0])
            fut = super().submit(fn, *args, **kwargs)
            return fut

    def answer(task: Task) -> Result:
        with lock:
            outstanding[0] -= 1
        return Result(True, notebook="{}", documents={f: f"<{task.agency}>" for f in task.formats})

    monkeypatch.setattr(b, "run_task", answer)
    monkeypatch.setattr(b, "_executor", lambda *a, **k: Counting(2))
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      jobs=2)  # fmt: skip
    assert len(summary.built) == 24 + 2
    assert peak[0] <= 2 * (1 + b.AHEAD_PER_WORKER)


def _instant_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers that answer at once with documents of the asked formats (no notebook runs)."""
    from concurrent.futures import ThreadPoolExecutor

    from disclosure_lib.batch.worker import Result, Task

    def answer(task: Task) -> Result:
        return Result(True, notebook="{}", documents={f: f"<{task.agency}>" for f in task.formats})

    monkeypatch.setattr(b, "run_task", answer)
    monkeypatch.setattr(b, "_executor", lambda *a, **k: ThreadPoolExecutor(2))


def test_a_format_written_before_is_rebuilt_not_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18.5: a DOCX a user once asked for stays (rebuilt with its report), and the build
    says so; the summary line names the format kept."""
    _instant_workers(monkeypatch)
    params, out = make_params(tmp_path / "params"), tmp_path / "out"
    b.build([params], output_dir=out, to=("html", "docx"), progress=False, summaries=False)
    docx = sorted(out.rglob("*.docx"))
    assert len(docx) == len(AGENCIES) * len(YEARS)
    again = b.build([params], output_dir=out, to="html", progress=False, summaries=False,
                    force=True)  # fmt: skip
    assert sorted(out.rglob("*.docx")) == docx
    assert set(again.kept_formats.values()) == {("docx",)}
    assert len(again.kept_formats) == len(docx)
    assert f"docx（{len(docx)} 份）" in again.table()
    assert all(e.formats == ["html", "docx"] for e in again.entries)


def test_build_takes_one_options_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _instant_workers(monkeypatch)
    params = make_params(tmp_path / "params", AGENCIES[:1])
    opts = b.BuildOptions(to="html", output_dir=tmp_path / "out", progress=False)
    summary = b.build([params], opts, year=2023, summaries=False)
    assert [x.label for x in summary.built] == [f"{AGENCIES[0]} 2023年"]
    written = {p.suffix for e in summary.entries for p in map(Path, e.outputs)}
    assert written == {".html", ".ipynb"}
    with pytest.raises(TypeError):
        b.build([params], opts, colour="red")
