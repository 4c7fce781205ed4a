"""The collection cache (`disclosure_lib.collection_cache`): a year's findings and summary from
what it keeps equal those of checking and summing the loaded reports (generated reports with
injected errors of every kind), refreshed per changed file, a damaged cache rebuilt."""

from __future__ import annotations

import datetime
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

from disclosure_lib import summary as sm
from disclosure_lib.checks_trend import LITIGATION
from disclosure_lib.collection_cache import (
    MAGIC,
    CollectionCache,
    cache_path,
    cached_collection,
)
from disclosure_lib.findings import Finding
from disclosure_lib.model import Acknowledgement, Report
from disclosure_lib.params import load_reports, params_path
from disclosure_lib.params_write import save_report
from disclosure_lib.synth import demo_series

YEARS = range(2022, 2025)


@pytest.fixture(autouse=True)
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "caches"
    monkeypatch.setenv("DISCLOSURE_CACHE_DIR", str(folder))
    return folder


def _inject(reports: list[Report]) -> list[Report]:
    """Errors of every kind the checks know, each in one report of 2023 or 2024."""
    by = {(r.agency, r.year): r for r in reports}
    app, rev, pro = "applications", "review", "proactive"
    by["局0", 2024].set(app, "new", "total", (by["局0", 2024].get(app, "new", "total") or 0) + 5)
    by["局1", 2024].set(app, "new", "natural", None)  # R5-BLANK
    by["局2", 2024].set(app, "carried_over", "natural", 7)  # R7 and the sums
    by["局3", 2023].set(pro, "regulations", "in_force", 99)  # R8 in 2023, Y2 in 2024
    new = by["局4", 2024].get(app, "new", "total") or 0
    by["局4", 2024].set(app, "new", "total", new * 4 + 40)  # Y1 (and R1, R3)
    by["局5", 2024].narrative = by["局5", 2023].narrative  # C1 copy, R6 years
    by["局6", 2024].issued = None  # P2-ISSUED
    for name in ("局7", "局8"):  # Y3: 纠正 above the peers' P75
        r = by[name, 2024]
        for col, n in (("upheld", 0), ("corrected", 9), ("other", 0), ("pending", 0)):
            r.set(rev, LITIGATION[0], col, n)
        r.set(rev, LITIGATION[0], "total", 9)
    by["局8", 2024].acknowledged = [
        Acknowledgement("Y3-CORRECTED-SHARE", "", "复议案件集中", "张三", datetime.date(2025, 1, 5))
    ]
    return reports


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cache") / "params"
    reports: list[Report] = []
    for i in range(12):
        reports += demo_series(f"局{i}", YEARS, seed=i, scale=20 + 7 * i)
    for r in _inject(reports):
        save_report(r, params_path(folder, r.agency, r.year))
    # a second copy of one report (D1) and a file that cannot be read
    shutil.copy(params_path(folder, "局9", 2024), folder / "局9" / "2024-copy.yaml")
    (folder / "坏局").mkdir()
    (folder / "坏局" / "2024.yaml").write_text("agency: [\n", encoding="utf-8")
    return folder


def _same(cache: CollectionCache, folder: Path, year: int) -> list[Finding]:
    reports, _ = load_reports([folder])
    expected = sm.year_findings(reports, year)
    got = cache.year_findings(year)
    assert [asdict(f) for f in got] == [asdict(f) for f in expected]
    want = sm.year_summary(reports, year)
    have = cache.year_summary(year)
    pd.testing.assert_frame_equal(have.figures, want.figures)
    pd.testing.assert_frame_equal(have.trend, want.trend)
    pd.testing.assert_frame_equal(have.findings, want.findings)
    pd.testing.assert_frame_equal(have.rules, want.rules)
    pd.testing.assert_frame_equal(have.agencies, want.agencies)
    assert have.total == want.total
    return got


def test_cached_findings_and_summary_equal_the_checks(params: Path, tmp_path: Path) -> None:
    cache = CollectionCache(tmp_path / "c.pickle")
    update = cache.update([params])
    assert len(update.read) == 12 * 3 + 1 and [e.path for e in update.errors] == [
        params / "坏局" / "2024.yaml"
    ]
    codes = set()
    for year in YEARS:
        codes |= {f.code for f in _same(cache, params, year)}
    assert {"R1-APP-BALANCE", "R5-BLANK", "R7-CARRY-OVER", "R8-IN-FORCE", "Y1-JUMP",
            "Y2-IN-FORCE-DROP", "Y3-CORRECTED-SHARE", "C1-NARRATIVE-COPY", "R6-YEAR",
            "P2-ISSUED", "D1-DUPLICATE"} <= codes  # fmt: skip
    y3 = [f for f in cache.year_findings(2024) if f.code == "Y3-CORRECTED-SHARE"]
    assert {f.agency for f in y3 if f.acknowledged} == {"局8"}


def test_saved_loaded_and_refreshed_per_file(params: Path, tmp_path: Path) -> None:
    folder = tmp_path / "params"
    shutil.copytree(params, folder)
    cache = cached_collection([folder], tmp_path / "out")
    again = CollectionCache.load(cache_path(tmp_path / "out"))
    assert again.note == "" and again.entries.keys() == cache.entries.keys()
    again.saved_ns += 10 * 10**9  # as if saved long after the files were written
    assert again.update([folder]).read == []
    # one file edited: only it is read again; its next year's cross-year findings follow
    path = params_path(folder, "局1", 2023)
    report = load_reports([path])[0][0]
    report.set("applications", "carry_forward", "total", 1234)
    save_report(report, path)
    os.utime(path, ns=(1, 1))  # an old mtime: the size and the hash tell it changed
    update = again.update([folder])
    assert update.read == [str(path)]
    codes = {f.code for f in _same(again, folder, 2024) if f.agency == "局1"}
    assert "R7-CARRY-OVER" in codes
    _same(again, folder, 2023)
    # a file removed is dropped
    shutil.rmtree(folder / "局11")
    update = again.update([folder])
    assert len(update.dropped) == 3
    _same(again, folder, 2024)


def test_a_damaged_cache_is_rebuilt_never_trusted(params: Path, tmp_path: Path) -> None:
    cache = cached_collection([params], tmp_path)
    path = cache_path(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one bit flipped in the middle
    path.write_bytes(bytes(raw))
    damaged = CollectionCache.load(path)
    assert damaged.entries == {} and "损坏" in damaged.note
    path.write_bytes(raw[: len(MAGIC) + 10])  # cut short
    assert "损坏" in CollectionCache.load(path).note
    assert len(cached_collection([params], tmp_path).entries) == len(cache.entries)
    assert CollectionCache.load(path).note == ""


def test_no_report_of_the_year(params: Path, tmp_path: Path) -> None:
    cache = CollectionCache()
    cache.update([params])
    with pytest.raises(Exception, match="没有 2030 年的报告；现有年份：2022、2023、2024"):
        cache.year_summary(2030)


def test_kept_out_of_the_output_folder_and_pruned(
    params: Path, tmp_path: Path, caches: Path
) -> None:
    out = tmp_path / "out"
    path = cached_collection([params], out).path
    assert path == cache_path(out) and path is not None and path.parent == caches
    assert not out.exists()  # nothing written where outputs are published
    assert cache_path(tmp_path / "other") != path
    old = caches / "collection-0000.pickle"
    old.write_bytes(b"x")
    os.utime(old, (1, 1))  # an output folder not built for decades
    cached_collection([params], out)
    assert not old.exists() and path.exists()


def test_a_long_update_saves_as_it_goes(
    params: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first update of thousands of files killed half-way resumes from its checkpoint."""
    import disclosure_lib.collection_cache as cc

    monkeypatch.setattr(cc, "CHECKPOINT_SECONDS", 0.0)  # a checkpoint before every file
    path = tmp_path / "c.pickle"
    cache = CollectionCache(path)
    cache.update([params])  # not saved at the end: as if killed before its cross-year checks
    resumed = CollectionCache.load(path)
    assert resumed.entries.keys() == cache.entries.keys()
    assert not any(e.pair for e in resumed.entries.values())  # those come after the reading
    resumed.saved_ns += 10 * 10**9
    assert resumed.update([params]).read == []
    _same(resumed, params, 2024)


def test_many_files_are_read_in_parallel_with_the_same_findings(
    params: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_MIN files a folder is read per process, its cross-year findings made
    there: the same findings and summary as checking the reports."""
    import disclosure_lib.collection_cache as cc

    monkeypatch.setattr(cc, "PARALLEL_MIN", 1)
    cache = CollectionCache()
    update = cache.update([params])
    assert len(update.read) == 12 * 3 + 1 and len(update.errors) == 1
    for year in YEARS:
        _same(cache, params, year)


_ORDERED = """
import json, sys
from disclosure_lib.collection_cache import CollectionCache
cache = CollectionCache.load(sys.argv[1])
s = cache.year_summary(2024)
print(json.dumps({"names": s.names, "ranked": list(s.figures["agency"]),
                  "pypinyin": "pypinyin" in sys.modules}))
"""


def test_a_summary_orders_agencies_by_pinyin_without_loading_pypinyin(tmp_path: Path) -> None:
    """The cache keeps each agency's pinyin: a process that loads it (a build's summary) orders
    the agencies as pypinyin would, without its dictionaries (≈ 1.5 s, 55 MB); a name added
    later gets its pinyin at the update."""
    import json
    import subprocess
    import sys

    folder = tmp_path / "params"
    names = ["国有资产局", "古田县局", "长沙市局", "阿坝州局"]  # code points: not pinyin order
    for i, name in enumerate(names):
        for r in demo_series(name, YEARS, seed=i, scale=30):
            save_report(r, params_path(folder, r.agency, r.year))
    cached_collection([folder], tmp_path / "out")
    path = cache_path(tmp_path / "out")

    def ordered() -> dict[str, object]:
        run = subprocess.run([sys.executable, "-c", _ORDERED, str(path)], capture_output=True,
                             text=True, check=True)  # fmt: skip
        return dict(json.loads(run.stdout))

    reports, _ = load_reports([folder])
    want = sm.year_summary(reports, 2024)
    got = ordered()
    assert got["pypinyin"] is False
    assert got["names"] == want.names == ["阿坝州局", "长沙市局", "古田县局", "国有资产局"]
    assert got["ranked"] == list(want.figures["agency"])
    for r in demo_series("北京局", YEARS, seed=9, scale=30):
        save_report(r, params_path(folder, r.agency, r.year))
    cached_collection([folder], tmp_path / "out")
    got = ordered()
    assert got["pypinyin"] is False and got["names"][:2] == ["阿坝州局", "北京局"]
