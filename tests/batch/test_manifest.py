"""Manifest (what each output was built from), the output-folder lock, clear write errors."""

from __future__ import annotations

import errno
import multiprocessing
import time
from pathlib import Path

import pytest

from disclosure_lib.batch import manifest as m
from disclosure_lib.batch.states import Status, UnitKind
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
    entry = _entry()
    entry.stamps["a.html"] = m.write_output(tmp_path / "a.html", "x")
    man.record(entry)
    assert man.up_to_date("report:甲/2024", "f1", ("html",))
    assert not man.up_to_date("report:甲/2024", "f2", ("html",))  # an input changed
    assert not man.up_to_date("report:甲/2024", "f1", ("html", "pdf"))  # pdf never built
    assert not man.up_to_date("report:乙/2024", "f1", ("html",))
    (tmp_path / "a.html").unlink()
    assert not man.up_to_date("report:甲/2024", "f1", ("html",))  # a.html is missing


def test_outputs_are_verified_by_size_and_hash(tmp_path: Path) -> None:
    """An output that is not the file the manifest recorded (edited, replaced, a render of a
    draft not recorded) makes its unit stale; touching it without changing it does not."""
    man = m.Manifest(tmp_path)
    entry = _entry()
    entry.stamps["a.html"] = m.write_output(tmp_path / "a.html", "<p>报告</p>")
    man.record(entry)
    path = tmp_path / "a.html"
    path.write_text("<p>草稿</p>", encoding="utf-8")  # same size, other content
    assert path.stat().st_size == entry.stamps["a.html"]["size"]
    assert not man.up_to_date(entry.key, "f1", ("html",))
    path.write_text("<p>报告</p>", encoding="utf-8")  # the same bytes again, a new stat
    assert man.up_to_date(entry.key, "f1", ("html",))
    assert entry.stamps["a.html"]["stat"][1] == path.stat().st_mtime_ns  # re-stamped
    path.write_text("<p>报告</p>\n", encoding="utf-8")
    assert not man.up_to_date(entry.key, "f1", ("html",))
    unrecorded = _entry(outputs=("b.html",))
    (tmp_path / "b.html").write_text("x")
    man.record(unrecorded)
    assert not man.up_to_date(unrecorded.key, "f1", ("html",))  # never recorded: not trusted


def test_blocked_entries_are_up_to_date_only_when_strict(tmp_path: Path) -> None:
    man = m.Manifest(tmp_path)
    entry = _entry(outputs=())
    entry.status, entry.errors = "blocked", 2
    man.record(entry)
    assert man.up_to_date(entry.key, "f1", ("html",), strict=True)
    assert not man.up_to_date(entry.key, "f1", ("html",))
    built = _entry("report:乙/2024")
    built.stamps["a.html"] = m.write_output(tmp_path / "a.html", "x")
    built.errors = 1
    man.record(built)
    assert man.up_to_date(built.key, "f1", ("html",))
    assert not man.up_to_date(built.key, "f1", ("html",), strict=True)  # now to be blocked


def test_code_hashes_make_an_output_stale(tmp_path: Path) -> None:
    man = m.Manifest(tmp_path)
    entry = _entry()
    entry.stamps["a.html"] = m.write_output(tmp_path / "a.html", "x")
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


def test_states_are_enums_stored_as_their_values(tmp_path: Path) -> None:
    """The manifest's JSON keeps the plain values; loading gives the enums back, and an entry
    with a status this code does not know is dropped (rebuilt), not trusted."""
    import json

    man = m.Manifest(tmp_path)
    man.record(_entry())
    man.record(_entry("report:乙/2024"))
    man.save()
    raw = json.loads((tmp_path / m.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert raw["entries"]["report:甲/2024"]["status"] == "built"
    assert raw["entries"]["report:甲/2024"]["kind"] == "report"
    raw["entries"]["report:乙/2024"]["status"] = "half-done"
    (tmp_path / m.MANIFEST_NAME).write_text(json.dumps(raw), encoding="utf-8")
    again = m.Manifest.load(tmp_path)
    entry = again.entries["report:甲/2024"]
    assert entry.status is Status.BUILT and entry.kind is UnitKind.REPORT
    assert "report:乙/2024" not in again.entries
