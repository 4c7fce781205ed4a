"""Manifest (what each output was built from), the output-folder lock, clear write errors."""

from __future__ import annotations

import errno
import itertools
import json
import multiprocessing
import os
import signal
import sqlite3
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib.batch import fingerprints as fp
from disclosure_lib.batch import manifest as m
from disclosure_lib.batch.lock import OutputLock
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
    stamp = man.entries[entry.key].stamps["a.html"]
    assert stamp["stat"][1] == path.stat().st_mtime_ns  # re-stamped
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
    entry.code = {"model.py": fp.file_digest(fp.PACKAGE_DIR / "model.py")}
    man.record(entry)
    assert man.up_to_date(entry.key, "f1", ("html",))
    entry.code = {"model.py": "0" * 24}
    man.record(entry)
    assert not man.up_to_date(entry.key, "f1", ("html",))


def test_save_and_load_round_trip_and_corrupt_manifest(tmp_path: Path) -> None:
    man = m.Manifest(tmp_path)
    man.record(_entry())
    man.remember_file("/p/甲/2024.yaml", "d1", "甲", 2024)
    man.close()
    again = m.Manifest.load(tmp_path)
    assert again.entries["report:甲/2024"].fingerprint == "f1"
    assert again.files["/p/甲/2024.yaml"]["agency"] == "甲"
    again.close()
    (tmp_path / m.MANIFEST_NAME).write_text("{ half a manif", encoding="utf-8")
    assert len(m.Manifest.load(tmp_path).entries) == 0  # unreadable: everything is rebuilt


def test_library_inputs_track_templates_and_version() -> None:
    inputs = fp.library_inputs()
    assert set(inputs) == {"library_version", "templates", "pdf_fonts"}
    assert fp.combine(inputs) == fp.combine(dict(reversed(list(inputs.items()))))


def _hold(path: str, seconds: float) -> None:
    with OutputLock(path):
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
            OutputLock(tmp_path).acquire()
    finally:
        proc.kill()
        proc.join()
    with OutputLock(tmp_path):  # the OS released the dead holder's lock
        pass


def test_write_errors_name_the_cause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: object, **options: object) -> None:
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
    """The manifest keeps the plain values; loading gives the enums back, and an entry with a
    status this code does not know is dropped (rebuilt), not trusted."""
    man = m.Manifest(tmp_path)
    man.record(_entry())
    man.record(_entry("report:乙/2024"))
    man.close()
    rows = m.entry_rows(tmp_path)
    assert rows["report:甲/2024"]["status"] == "built"
    assert rows["report:甲/2024"]["kind"] == "report"
    with sqlite3.connect(tmp_path / m.MANIFEST_NAME) as db:
        db.execute("UPDATE entries SET status = 'half-done' WHERE key = 'report:乙/2024'")
    again = m.Manifest.load(tmp_path)
    entry = again.entries["report:甲/2024"]
    assert entry.status is Status.BUILT and entry.kind is UnitKind.REPORT
    assert again.entries.get("report:乙/2024") is None
    assert [e.key for e in again.listing()] == ["report:甲/2024"]
    assert not again.up_to_date("report:乙/2024", "f1", ("html",))


def _legacy_manifest(out: Path, entries: dict[str, dict], **extra: object) -> Path:
    """A `manifest.json` as schema 3 wrote it (module hashes stored once, by reference)."""
    code = {"model.py": fp.file_digest(fp.PACKAGE_DIR / "model.py")}
    ref = fp.combine(code)
    raw = {"schema": 3, "generator": "disclosure_lib 0.x",
           "entries": {k: {**e, "code": ref} for k, e in entries.items()},
           "code": {ref: code}, **extra}  # fmt: skip
    path = out / "manifest.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_json_manifest_is_migrated_on_first_use(tmp_path: Path) -> None:
    """An output folder built by a version that kept `manifest.json`: its entries, params
    files and pinyin move into the database on first use, outputs stay up to date (nothing is
    rebuilt), the JSON file is gone, and an entry this code cannot read is left out."""
    stamp = m.write_output(tmp_path / "a.html", "<p>报告</p>")
    good = {f.name: getattr(_entry(), f.name) for f in fields(m.Entry)}
    good.update(status="built", kind="report", stamps={"a.html": stamp},
                findings=[{"severity": "error", "code": "R1"}])  # fmt: skip
    del good["code"], good["key"]
    bad = {**good, "status": "half-done"}
    legacy = _legacy_manifest(
        tmp_path, {"report:甲/2024": good, "report:乙/2024": bad},
        files={"/p/甲/2024.yaml": {"digest": "d1", "agency": "甲", "year": 2024}},
        pinyin={"甲": ["jia", "j"]},
    )  # fmt: skip
    man = m.Manifest.load(tmp_path)
    assert not legacy.exists() and (tmp_path / m.MANIFEST_NAME).is_file()
    assert list(man.entries) == ["report:甲/2024"]
    entry = man.entries["report:甲/2024"]
    assert entry.status is Status.BUILT and entry.findings[0]["code"] == "R1"
    assert entry.code == {"model.py": fp.file_digest(fp.PACKAGE_DIR / "model.py")}
    assert man.up_to_date("report:甲/2024", "f1", ("html",))  # not rebuilt for the move
    assert man.files["/p/甲/2024.yaml"] == {"digest": "d1", "agency": "甲", "year": 2024}
    assert man.pinyin == {"甲": ["jia", "j"]}
    man.close()
    _legacy_manifest(tmp_path, {})  # a stale JSON beside a database: the database wins
    assert list(m.Manifest.load(tmp_path).entries) == ["report:甲/2024"]
    assert not legacy.exists()


def _record_forever(out: str, started: Any) -> None:
    """Record entries ten per transaction until killed (`started` set after the first)."""
    man = m.Manifest(Path(out))
    for i in itertools.count():
        for j in range(10):
            entry = _entry(f"report:局{i:05d}/{2000 + j}", outputs=("a.html", "b.html"))
            entry.stamps = {"a.html": {"size": i}, "b.html": {"size": j}}
            entry.findings = [{"message": "字" * 200}] * 20  # rows large enough to span pages
            man.record(entry)
        man.save()
        started.set()


def test_a_manifest_killed_mid_transaction_keeps_whole_transactions(tmp_path: Path) -> None:
    """SIGKILL while entries are being written, again and again: the manifest opens, passes
    SQLite's integrity check, and holds whole transactions only (ten entries each, every
    entry whole); recording goes on after each kill."""
    ctx = multiprocessing.get_context("spawn")
    for kill in range(5):
        started = ctx.Event()
        proc = ctx.Process(target=_record_forever, args=(str(tmp_path), started))
        proc.start()
        assert started.wait(60)
        time.sleep(0.05 + 0.07 * kill)  # some commits, then a kill within one
        os.kill(proc.pid or 0, signal.SIGKILL)
        proc.join()
        with sqlite3.connect(tmp_path / m.MANIFEST_NAME) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        man = m.Manifest.load(tmp_path)
        entries = list(man.entries.values())
        assert entries and len(entries) % 10 == 0
        assert all(len(e.findings) == 20 and set(e.stamps) == {"a.html", "b.html"}
                   for e in entries)  # fmt: skip
        man.close()


def test_the_index_is_current_until_the_entries_change(tmp_path: Path) -> None:
    """The index is made again only after a save that changed the entries."""
    man = m.Manifest(tmp_path)
    index = tmp_path / "index.html"
    index.write_text("<html></html>")
    man.note_index(index, "s1", complete=True)
    assert man.index_current(index, "s1") and not man.index_current(index, "s2")
    man.record(_entry())
    man.save()
    assert not man.index_current(index, "s1")  # an entry changed since
    man.note_index(index, "s1", complete=True)
    man.save()
    assert man.index_current(index, "s1")
    index.write_text("<html>x</html>")
    assert not man.index_current(index, "s1")  # edited behind the build's back
    man.note_index(index, "s1", complete=False)
    assert not man.index_current(index, "s1")  # an interrupted build's index
