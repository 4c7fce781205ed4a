"""Planning a build from what the params folder holds: nothing unpublished because it could
not be read, nothing published by path order, nothing skipped without a word (issue 17)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.batch import plan as plan_module
from disclosure_lib.batch.dashboard import read_rows
from disclosure_lib.batch.manifest import MANIFEST_NAME, Manifest, entry_rows
from disclosure_lib.batch.plan import orphans, plan
from disclosure_lib.params import params_path

from ..base import without_permission_override
from .test_build import AGENCIES, CLI, make_params


def _keys(out: Path) -> set[str]:
    return set(entry_rows(out))


def test_an_unreadable_params_folder_fails_and_unpublishes_nothing(tmp_path: Path) -> None:
    """Issue 17.1: `chmod 000` on an agency's folder, then on the whole params folder: the
    build lists it as failed (exit 1) and every output stays."""
    params = make_params(tmp_path / "params")
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False, jobs=1)
    before = {p: p.read_bytes() for p in out.glob("20*/**/*.html")}  # not the index's pages
    keys = _keys(out)
    build = [*CLI, "build", str(params), "-o", str(out), "--to", "html", "-q", "-j", "1"]
    for locked in (params / AGENCIES[0], params):
        locked.chmod(0)
        try:
            run = subprocess.run(without_permission_override(build), capture_output=True,
                                 text=True, timeout=300)  # fmt: skip
            check = subprocess.run(without_permission_override([*CLI, "check", str(params)]),
                                   capture_output=True, text=True, timeout=300)  # fmt: skip
        finally:
            locked.chmod(0o755)
        assert check.returncode == 2 and "1 个文件无法读取" in check.stdout, check.stdout
        assert f"{locked}: 无法访问" in check.stdout
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr and "已删除" not in run.stderr
        assert "失败 (failed)                   1" in run.stderr and str(locked) in run.stderr
        assert "无法访问" in run.stderr
        assert {p: p.read_bytes() for p in before} == before
        assert keys <= _keys(out)


def test_an_unreadable_params_file_keeps_its_outputs(tmp_path: Path) -> None:
    """Issue 17.1: a file that cannot be read says nothing about its report: failed, kept;
    a file that was read and is broken no longer gives its report (removed, as before)."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    path = params_path(params, AGENCIES[0], 2023)
    build = [*CLI, "build", str(params), "-o", str(out), "--to", "html", "-q", "--no-summary"]
    path.chmod(0)
    try:
        run = subprocess.run(without_permission_override(build), capture_output=True,
                             text=True, timeout=300)  # fmt: skip
    finally:
        path.chmod(0o644)
    assert run.returncode == 1 and "已删除" not in run.stderr and "无法读取" in run.stderr
    assert f"report:{AGENCIES[0]}/2023" in _keys(out)
    path.write_text("agency: [unclosed\n", encoding="utf-8")
    manifest = Manifest.load(out)
    assert [e.key for e in orphans(manifest, plan([params], manifest))] == [
        f"report:{AGENCIES[0]}/2023"
    ]


def test_two_files_for_one_agency_year_are_both_refused(tmp_path: Path) -> None:
    """Issue 17.2: a stray copy (`0旧备份/2023.yaml`, sorting first) must not win: both files
    fail, each naming the other, and what was published stays."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False)
    real = params_path(params, AGENCIES[0], 2023)
    stray = params / "0旧备份" / "2023.yaml"
    stray.parent.mkdir()
    stray.write_bytes(real.read_bytes().replace(b"\n", b"\n\n", 1))
    summary = b.build([params], output_dir=out, to=("html",), progress=False)
    assert summary.exit_code == 1 and not summary.removed and not summary.built
    failed = {x.label: x.message for x in summary.failed}
    assert set(failed) == {str(real), str(stray)}
    assert str(stray) in failed[str(real)] and str(real) in failed[str(stray)]
    assert all("同一机关同一年度" in m for m in failed.values())
    assert f"report:{AGENCIES[0]}/2023" in _keys(out)  # still published, not replaced
    stray.unlink()
    again = b.build([params], output_dir=out, to=("html",), progress=False)
    assert not again.failed and again.exit_code == 0


def test_nothing_in_the_params_folder_is_skipped_silently(tmp_path: Path) -> None:
    """Issue 17.12 and 17.5: a FIFO, a folder named 2024.yaml, a symlinked agency folder, a
    link loop and a link out of the folder are each reported by `check` and `build`, and the
    other files are still checked and built."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    odd = params / "怪"
    odd.mkdir()
    os.mkfifo(odd / "2024.yaml")
    (odd / "2025.yaml").mkdir()
    (odd / "2026.yaml").symlink_to("2026.yaml")  # a loop
    (odd / "2027.yaml").symlink_to(tmp_path / "outside.yaml")
    (tmp_path / "outside.yaml").write_text("agency: 外\n", encoding="utf-8")
    (params / "链接局").symlink_to(params / AGENCIES[0])
    (params / "断链局").symlink_to(tmp_path / "nowhere")  # an agency folder linked, then gone
    bad = [odd / "2024.yaml", odd / "2025.yaml", odd / "2026.yaml", odd / "2027.yaml",
           params / "链接局", params / "断链局"]  # fmt: skip
    run = subprocess.run([*CLI, "check", str(params)], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "共检查 2 份报告" in run.stdout and "6 个文件无法读取" in run.stdout
    assert all(str(p) in run.stdout for p in bad)
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      summaries=False)  # fmt: skip
    assert len(summary.built) == 2
    assert sorted(x.label for x in summary.failed) == sorted(str(p) for p in bad)


def test_a_subset_build_leaves_the_summaries_alone(tmp_path: Path) -> None:
    """Issue 17.7: `build params/甲局` rebuilt the summaries from that agency alone ("1 个机关")
    while the other agency's reports stayed published."""
    params = make_params(tmp_path / "params")
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False)
    summary_html = out / "2023" / "summary.html"
    assert "2 个机关" in summary_html.read_text(encoding="utf-8")
    path = params_path(params, AGENCIES[0], 2023)
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    part = b.build([params / AGENCIES[0]], output_dir=out, to=("html",), progress=False)
    assert [x.label for x in part.built] == [f"{AGENCIES[0]} 2023年"] and not part.removed
    assert "2 个机关" in summary_html.read_text(encoding="utf-8")
    whole = b.build([params], output_dir=out, to=("html",), progress=False)
    assert sorted(x.label for x in whole.built) == ["2023年 汇总"]
    assert "2 个机关" in summary_html.read_text(encoding="utf-8")


def test_the_scan_hashes_only_files_whose_stat_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: a no-op plan does not read every params file again; it trusts a file's stat
    only once the file had settled when it was hashed, and an edit that keeps the size and
    the mtime (set back by hand) is still noticed: the ctime moved."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    (tmp_path / "out").mkdir()
    manifest = Manifest.load(tmp_path / "out")
    reads: list[str] = []
    real = Path.read_bytes

    def counted(p: Path) -> bytes:
        if p.suffix == ".yaml":
            reads.append(p.name)
        return real(p)

    monkeypatch.setattr(Path, "read_bytes", counted)
    first = {u.key: u.fingerprint for u in plan([params], manifest).units}
    assert sorted(reads) == ["2022.yaml", "2023.yaml"]
    reads.clear()
    plan([params], manifest)  # written less than a second before they were hashed
    assert sorted(reads) == ["2022.yaml", "2023.yaml"]
    monkeypatch.setattr(plan_module, "SETTLED_NS", 0)  # as if a second had passed
    plan([params], manifest)
    reads.clear()
    assert {u.key: u.fingerprint for u in plan([params], manifest).units} == first
    assert reads == []
    path = params_path(params, AGENCIES[0], 2023)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2023", "2O23", 1) if "2023" in text else text + " ",
                    encoding="utf-8")  # fmt: skip
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    reads.clear()
    again = {u.key: u.fingerprint for u in plan([params], manifest).units}
    assert "2023.yaml" in reads and "2022.yaml" not in reads
    assert again[f"report:{AGENCIES[0]}/2023"] != first[f"report:{AGENCIES[0]}/2023"]


def test_a_noop_build_rewrites_nothing(tmp_path: Path) -> None:
    """Issue 20: a build with nothing to do leaves the index and the manifest as they were
    (no growth per build), makes the index again once it is gone, and removes temp files
    only a killed build leaves (its end not noted)."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    out = tmp_path / "out"
    b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    index, db = out / "index.html", out / MANIFEST_NAME
    before = index.stat(), db.stat().st_size
    for _ in range(3):
        again = b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
        assert not again.built and len(again.skipped) == 2
    assert (index.stat().st_ino, index.stat().st_mtime_ns) == (before[0].st_ino,
                                                               before[0].st_mtime_ns)  # fmt: skip
    assert db.stat().st_size == before[1]
    assert not [p for p in out.iterdir() if p.name.startswith(f"{MANIFEST_NAME}-")]
    index.unlink()
    b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    assert index.is_file() and AGENCIES[0] in read_rows(out / "index-2023.json")
    stray = out / "2023" / ".left.html.x1.tmp"
    stray.write_text("half")
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE meta SET value = '1' WHERE name = 'writing'")  # killed mid-build
    b.build([params], output_dir=out, to=("html",), progress=False, summaries=False)
    assert not stray.exists()
