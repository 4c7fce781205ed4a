"""Manifest (what each output was built from), the output-folder lock, clear write errors."""

from __future__ import annotations

import errno
import multiprocessing
import time
from pathlib import Path

import pytest

from disclosure_lib.batch import manifest as m
from disclosure_lib.errors import BuildError


def _entry(
    key: str = "report:甲/2024", fingerprint: str = "f1", outputs: tuple[str, ...] = ("a.html",)
) -> m.Entry:
    return m.Entry(
        key,
        fingerprint,
        {"params:2024": "x"},
        "built",
        ["html"],
        list(outputs),
        agency="甲",
        year=2024,
    )


def test_up_to_date_needs_same_inputs_formats_and_existing_outputs(tmp_path: Path) -> None:
    man = m.Manifest(tmp_path)
    man.record(_entry())
    assert not man.up_to_date("report:甲/2024", "f1", ("html",))  # a.html is missing
    (tmp_path / "a.html").write_text("x")
    assert man.up_to_date("report:甲/2024", "f1", ("html",))
    assert not man.up_to_date("report:甲/2024", "f2", ("html",))  # an input changed
    assert not man.up_to_date("report:甲/2024", "f1", ("html", "pdf"))  # pdf never built
    assert not man.up_to_date("report:乙/2024", "f1", ("html",))


def test_code_hashes_make_an_output_stale(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("x")
    man = m.Manifest(tmp_path)
    entry = _entry()
    entry.code = {"model.py": m.file_digest(m.PACKAGE_DIR / "model.py")}
    man.record(entry)
    assert man.up_to_date(entry.key, "f1", ("html",))
    entry.code = {"model.py": "0" * 24}
    assert not man.up_to_date(entry.key, "f1", ("html",))


def test_save_and_load_round_trip_and_corrupt_manifest(tmp_path: Path) -> None:
    man = m.Manifest(tmp_path)
    man.record(_entry())
    man.remember_file("/p/甲/2024.yaml", "d1", "甲", 2024)
    man.save()
    again = m.Manifest.load(tmp_path)
    assert again.entries["report:甲/2024"].fingerprint == "f1"
    assert again.files["/p/甲/2024.yaml"]["agency"] == "甲"
    (tmp_path / m.MANIFEST_NAME).write_text("{ half a manif", encoding="utf-8")
    assert m.Manifest.load(tmp_path).entries == {}  # unreadable: everything is rebuilt


def test_library_inputs_track_templates_and_version() -> None:
    inputs = m.library_inputs()
    assert set(inputs) == {"library_version", "templates", "pdf_fonts"}
    assert m.combine(inputs) == m.combine(dict(reversed(list(inputs.items()))))


def _hold(path: str, seconds: float) -> None:
    with m.OutputLock(path):
        time.sleep(seconds)


def test_lock_refuses_a_second_build(tmp_path: Path) -> None:
    proc = multiprocessing.get_context("spawn").Process(target=_hold, args=(str(tmp_path), 30))
    proc.start()
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / m.LOCK_NAME).exists() or not (tmp_path / m.LOCK_NAME).read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with pytest.raises(BuildError, match=f"进程 {proc.pid}"):
            m.OutputLock(tmp_path).acquire()
    finally:
        proc.kill()
        proc.join()
    with m.OutputLock(tmp_path):  # the OS released the dead holder's lock
        pass


def test_write_errors_name_the_cause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(m, "write_atomic", full)
    with pytest.raises(BuildError, match="磁盘空间不足") as info:
        m.write_output(tmp_path / "x.html", "x")
    assert "x.html" in str(info.value)
    assert "不可写" in str(m.output_error(OSError(errno.EROFS, "Read-only file system"), tmp_path))


def test_stale_temp_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / ".r.html.abc.tmp").write_text("half")
    (tmp_path / "2024" / "r.html").write_text("whole")
    assert m.remove_stale_temps(tmp_path) == 1
    assert [p.name for p in (tmp_path / "2024").iterdir()] == ["r.html"]
