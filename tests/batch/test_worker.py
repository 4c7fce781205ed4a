"""One unit in a worker: everything in by value, everything out by value."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

import nbformat
import pytest

from disclosure_lib.batch import worker
from disclosure_lib.batch.build import REPORT_NOTEBOOK
from disclosure_lib.params_write import dump_report
from disclosure_lib.synth import demo_series

AGENCY = "测试区丙局"


def _task(notebook: str, formats: tuple[str, ...] = ("html",), charts: bool = False) -> worker.Task:
    reports = demo_series(AGENCY, range(2022, 2024), seed=5, scale=20)
    for r in reports:
        r.charts = charts
    files = {f"{AGENCY}/{r.year}.yaml": zlib.compress(dump_report(r).encode()) for r in reports}
    return worker.Task("report", AGENCY, 2023, files, notebook, formats, 120)


def test_a_report_comes_back_executed_converted_and_checked() -> None:
    result = worker.run_task(_task(REPORT_NOTEBOOK.read_text(encoding="utf-8"), ("html", "pdf")))
    assert result.ok and result.error == ""
    nb = nbformat.reads(result.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"]["agency"] == AGENCY
    html, pdf = result.documents["html"], result.documents["pdf"]
    assert isinstance(html, str) and f"{AGENCY}2023年政府信息公开工作年度报告" in html
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    assert (result.errors, result.warnings) == (0, 0)  # synthetic reports are consistent
    assert {"execute", "html", "pdf", "total", "cpu", "convert_cpu"} <= set(result.timings)
    assert {"batch/worker.py", "rendering/notebook.py", "rendering/outputs.py"} <= set(result.code)


def test_a_failing_cell_comes_back_as_a_failure_with_its_notebook(tmp_path: Path) -> None:
    nb = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("第一行\\n第二行")'))
    result = worker.run_task(_task(nbformat.writes(nb)))
    assert not result.ok and not result.documents
    assert "第一行" in result.error and "第二行" not in result.error
    assert "RuntimeError" in result.notebook  # kept, for the *.failed.ipynb


def test_temp_folders_of_dead_workers_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12.7: a worker killed at the deadline (or with its build) leaves its params
    folder; the next start removes the folders of processes that are gone, and only those."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = tmp_path / f"{worker.TEMP_PREFIX}{gone.pid}-abc123"
    alive = tmp_path / f"{worker.TEMP_PREFIX}{os.getpid()}-def456"
    legacy_old, legacy_new = (
        tmp_path / f"{worker.TEMP_PREFIX}q1w2e3r4",
        tmp_path / "disclosure-build-zz",
    )
    other = tmp_path / "something-else"
    for folder in (dead, alive, legacy_old, legacy_new, other):
        (folder / "params").mkdir(parents=True)
    os.utime(legacy_old, (time.time() - 2 * 86400,) * 2)
    assert worker.sweep_temp_folders() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, legacy_new.name, other.name]
    )


def test_typst_folders_of_dead_processes_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17.11: a kill while a chart is typeset left `$TMPDIR/disclosure-typst-*` for
    ever; they are named after their process now and swept like the workers' folders."""
    from disclosure_lib.rendering import typst_pdf

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert worker.TYPST_PREFIX == typst_pdf.TEMP_PREFIX
    assert typst_pdf.typst_temp_prefix() == f"{typst_pdf.TEMP_PREFIX}{os.getpid()}-"
    dead = tmp_path / f"disclosure-typst-{gone.pid}-k9x"
    alive = Path(tempfile.mkdtemp(prefix=typst_pdf.typst_temp_prefix()))
    old = tmp_path / "disclosure-typst-q1w2e3r4"  # before they were named: a day old
    for folder in (dead, old):
        (folder / "chart-1.png").parent.mkdir(parents=True)
        (folder / "chart-1.png").write_bytes(b"png")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert worker.sweep_temp_folders() == 2
    assert [p.name for p in tmp_path.iterdir()] == [alive.name]


def test_a_unit_leaves_nothing_in_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = worker.run_task(_task(REPORT_NOTEBOOK.read_text(encoding="utf-8")))
    assert result.ok and list(tmp_path.iterdir()) == []
    nb = nbformat.reads(result.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"]["params_dir"] == "params"  # not the temp one
    assert str(tmp_path) not in result.notebook


CHARTS_LOADED = "'matplotlib.pyplot' in __import__('sys').modules"


def test_a_batch_of_reports_warms_without_matplotlib_and_a_report_with_charts_loads_it() -> None:
    """A pool for reports alone warms without matplotlib (≈ 0.55 CPU-s of its start): a report
    that draws no chart never loads it; one whose params ask for charts has its worker load it
    (its cells' children inherit it) and gets its charts."""
    from disclosure_lib.batch.launch import executor

    notebook = REPORT_NOTEBOOK.read_text(encoding="utf-8")
    pool = executor("local", 1, None, 120, pandas=False)  # one child runs the tasks in turn
    try:
        plain = pool.submit(worker.run_task, _task(notebook)).result(timeout=120)
        assert plain.ok and "data:image/png" not in plain.documents["html"]
        assert pool.submit(eval, CHARTS_LOADED).result(timeout=60) is False
        drawn = pool.submit(worker.run_task, _task(notebook, charts=True)).result(timeout=120)
        assert drawn.ok, drawn.error
        assert str(drawn.documents["html"]).count("data:image/png") >= 2
        assert pool.submit(eval, CHARTS_LOADED).result(timeout=60) is True
    finally:
        pool.shutdown()
