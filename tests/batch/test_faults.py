"""Fault injection (issue 12): a build killed with SIGKILL at chosen points, again and again,
then run to the end, leaves exactly what a clean build leaves, and nothing in the temp folder.

The driver does every write of a build. It runs here under a small wrapper that counts its
file-system calls (`os.open`, `os.fdopen`, `os.replace`, `os.unlink`, `os.rmdir`, `os.mkdir`)
and the manifest's SQLite statements (its writes happen inside SQLite, where no `os` call
shows them), and kills the process with SIGKILL at the N-th: at any point of its writes, not
only between them, and within a manifest transaction. The kill points come from one counted
clean build: one in each of `KILLS` equal slices of its calls, so every phase (lock, each
unit's files, the manifest, the index) is hit, and every replay is killed (a replay that ran
to the end would cost a whole build and kill nothing). A replay is a forced rebuild (its calls
follow the clean build's) or a resume after the last kill (killed within the part left to do).
Between kills the params change the way they do in an office (an edit, a file deleted then
restored, an output removed by hand). At the end the params are as at the start, one more
build runs to the end, and its outputs must equal a clean build's byte for byte (the executed
notebooks' timestamps aside) but for the 已更改 mark of a report whose last build was of an
edited version (its changes page, the index showing it); a forced build of the same content
then leaves exactly the clean build's files, index included.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disclosure_lib.batch.changes import CHANGES_SUFFIX
from disclosure_lib.batch.manifest import MANIFEST_NAME, Manifest
from disclosure_lib.params import params_path

from .test_build import AGENCIES, make_params
from .test_outputs import _set_first_paragraph

KILLS = 20  # builds killed mid-way, at this many distinct points of a clean build's calls
MAX_RUNS = 2 * KILLS  # a replay that ends before its point is retried once, forced, unchanged
PREFIX = 3  # calls before a build's first write: its folder, the lock, the pool's /dev/null
KILLER = """
import os, signal, sys, tempfile
tempfile.gettempdir()  # Python's own probe file in the temp folder: not the build's doing
at, count = int(os.environ["FAULT_AT"]), 0
def counted(real):
    def call(*args, **kwargs):
        global count
        count += 1
        if count == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call
for name in ("open", "fdopen", "replace", "unlink", "rmdir", "mkdir"):
    setattr(os, name, counted(getattr(os, name)))
import sqlite3
class Counted(sqlite3.Connection):
    execute = counted(sqlite3.Connection.execute)
connect = sqlite3.connect
sqlite3.connect = lambda *args, **kwargs: connect(*args, factory=Counted, **kwargs)
from disclosure_lib.cli import main
code = main(sys.argv[1:])
print(f"file-system calls: {count}", file=sys.stderr)
sys.exit(code)
"""


def _build(params: Path, out: Path, env: dict[str, str], at: int, *extra: str) -> tuple[int, str]:
    cmd = [sys.executable, "-c", KILLER, "build", str(params), "-o", str(out), "--to", "html",
           "-q", *extra]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**env, "FAULT_AT": str(at)})  # fmt: skip
    return run.returncode, run.stderr


def _normalized(path: Path) -> bytes:
    """A file's bytes, minus what legitimately differs between two builds of the same inputs:
    papermill's timing metadata and the id it gives its injected cell; the index's time."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        nb = json.loads(data)
        # papermill wrote it to memory under a random name (rendering.notebook.run_notebook)
        nb["metadata"].get("papermill", {}).update(start_time=0, end_time=0, duration=0,
                                                   output_path="")  # fmt: skip
        for cell in nb["cells"]:
            cell["metadata"].pop("execution", None)
            cell["metadata"].get("papermill", {}).update(start_time=0, end_time=0, duration=0)
            if "injected-parameters" in cell["metadata"].get("tags", []):
                cell["id"] = "injected"
        return json.dumps(nb, sort_keys=True).encode()
    if re.fullmatch(r"(index|findings)(-\d{4})?\.html", path.name):  # the index's pages
        lines = data.decode().splitlines()
        return "\n".join(x for x in lines if 'class="stamp"' not in x).encode()
    return data


def _tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): _normalized(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in (".build.lock", MANIFEST_NAME)
    }


def _unmarked(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A tree without the 已更改 mark's pages and the index pages that show it."""
    return {k: v for k, v in tree.items() if not k.endswith(CHANGES_SUFFIX) and "/" in k}


def _assert_nothing_half_written(out: Path, note: str) -> None:
    for p in out.rglob("*"):
        if not p.is_file() or p.name.endswith(".tmp") or p.name == ".build.lock":
            continue
        if p.name.startswith(MANIFEST_NAME):  # SQLite and its log: checked by SQLite, below
            continue
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".html":
            assert text.rstrip().endswith("</html>"), f"{note}: half-written {p}"
        elif p.suffix in (".ipynb", ".json"):
            json.loads(text)  # raises on a truncated file
    if (out / MANIFEST_NAME).exists():  # a copy: opening recovers the log, which a test must not
        copy = out.parent / "manifest-check"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        for p in out.glob(f"{MANIFEST_NAME}*"):
            shutil.copyfile(p, copy / p.name)
        with contextlib.closing(sqlite3.connect(copy / MANIFEST_NAME)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), note
        shutil.rmtree(copy)


def _mutate(
    rng: random.Random, params: Path, out: Path, deleted: list[Path], *, restore_only: bool = False
) -> None:
    """Something an office does between two builds."""
    for path, data in [(p, p.with_suffix(".bak").read_bytes()) for p in deleted]:
        path.write_bytes(data)  # a deleted params file comes back
        path.with_suffix(".bak").unlink()
    deleted.clear()
    if restore_only:
        return
    what = rng.choice(["nothing", "nothing", "edit", "delete", "remove-output"])
    agency, year = AGENCIES[0], rng.choice((2022, 2023))
    path = params_path(params, agency, year)
    if what == "edit":
        _set_first_paragraph(path, f"第 {rng.randrange(1000)} 次修改的草稿。")
    elif what == "delete":
        shutil.copyfile(path, path.with_suffix(".bak"))
        path.unlink()
        deleted.append(path)
    elif what == "remove-output":
        outputs = [p for p in out.rglob("*年度报告.html")]
        if outputs:
            rng.choice(outputs).unlink()


def kill_points(rng: random.Random, calls: int, kills: int = KILLS) -> list[int]:
    """One call in each of `kills` equal slices of a clean build's `calls`, in random order."""
    bounds = [1 + calls * i // kills for i in range(kills + 1)]
    points = [rng.randrange(lo, max(hi, lo + 1)) for lo, hi in itertools.pairwise(bounds)]
    rng.shuffle(points)
    return points


@pytest.mark.slow(80)
def test_builds_killed_at_many_points_end_as_a_clean_build(tmp_path: Path) -> None:
    seed = int(os.environ.get("FAULT_SEED", "0" if os.environ.get("CI") else time.time_ns()))
    rng = random.Random(seed)
    note = f"FAULT_SEED={seed}"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    params = make_params(tmp_path / "params", AGENCIES[:1])  # two reports, two summaries
    original = {p: p.read_bytes() for p in params.rglob("*.yaml")}
    clean, out = tmp_path / "clean", tmp_path / "out"
    code, err = _build(params, clean, env, 0)
    assert code == 0, err
    calls = int(err.rsplit("file-system calls: ", 1)[1])
    assert calls > 3 * KILLS, err  # a clean build writes every output, the manifest and the index

    points = kill_points(rng, calls)
    assert len(set(points)) == KILLS  # distinct points, spread over the whole build
    kills, runs, last, deleted, retry = 0, 0, calls, [], False  # type: ignore[var-annotated]
    while points and runs < MAX_RUNS:
        runs += 1
        _mutate(rng, params, out, deleted, restore_only=retry)
        point = points.pop()
        if point > last and not retry and rng.random() < 0.5:  # resume: in what is left to do
            at, extra = PREFIX + point - last, ()
        else:  # forced: its calls follow the clean build's (on a retry, every params file is back)
            at, extra = point, ("--force",)
        code, err = _build(params, out, env, at, *extra)
        assert "Traceback" not in err, f"{note}: {err}"
        retry = code != -9
        if code == -9:
            kills, last = kills + 1, point
            _assert_nothing_half_written(out, f"{note}, killed at call {at}")
        else:  # it ended first: retried, forced, within the calls this run made
            assert code == 0, f"{note}: {err}"
            # (a deleted params file, less left to do, or a rebuild in existing folders: a
            # fresh build's os.makedirs makes more calls than one whose folders exist)
            points.append(min(point, int(err.rsplit("file-system calls: ", 1)[1])))
            last = calls
    assert kills >= KILLS, f"{note}: only {kills} of {runs} builds were killed"
    print(f"{note}: {kills} builds killed in {runs} runs")

    for path, data in original.items():  # the params as at the start
        path.write_bytes(data)
    for bak in params.rglob("*.bak"):
        bak.unlink()
    code, err = _build(params, out, env, 0)
    assert code == 0, f"{note}: {err}"
    tree, expected = _tree(out), _tree(clean)
    assert all(k.endswith(CHANGES_SUFFIX) for k in tree.keys() - expected.keys()), note
    assert _unmarked(tree) == _unmarked(expected), note
    code, err = _build(params, out, env, 0, "--force")  # the same content: no mark left
    assert code == 0, f"{note}: {err}"
    assert _tree(out) == _tree(clean), note
    manifest = Manifest.load(out)
    assert all(e.status == "built" for e in manifest.entries.values()), note
    assert all(manifest.verify(e) for e in manifest.entries.values()), note
    left = [p.name for p in temp.iterdir()]
    assert left == [], f"{note}: left in the temp folder: {left}"


@pytest.mark.parametrize("name", ["index.html", "x.ipynb"])
def test_normalization_keeps_what_matters(tmp_path: Path, name: str) -> None:
    """The comparison above ignores timing only: any other difference still shows."""
    path = tmp_path / name
    if name == "index.html":
        path.write_text('<p>甲</p>\n<p class="stamp"><small>生成于 1</small></p>\n')
        same = _normalized(path)
        path.write_text('<p>甲</p>\n<p class="stamp"><small>生成于 2</small></p>\n')
        assert _normalized(path) == same
        path.write_text('<p>乙</p>\n<p class="stamp"><small>生成于 2</small></p>\n')
    else:
        cell = {"id": "a", "cell_type": "code", "metadata": {"papermill": {"duration": 1}},
                "outputs": [{"text": "甲"}], "source": ""}  # fmt: skip
        nb = {"cells": [cell], "metadata": {"papermill": {"start_time": "t1"}}}
        path.write_text(json.dumps(nb))
        same = _normalized(path)
        cell["metadata"]["papermill"]["duration"] = 2
        path.write_text(json.dumps(nb))
        assert _normalized(path) == same
        cell["outputs"] = [{"text": "乙"}]
        path.write_text(json.dumps(nb))
    assert _normalized(path) != same


@pytest.mark.parametrize("calls", [KILLS, 69, 500])
def test_kill_points_are_distinct_and_cover_every_slice(calls: int) -> None:
    points = kill_points(random.Random(calls), calls)
    assert len(set(points)) == KILLS and all(1 <= p <= calls for p in points)
    bounds = [1 + calls * i // KILLS for i in range(KILLS + 1)]  # as kill_points cuts them
    slices = {bisect.bisect_right(bounds, p) - 1 for p in points}
    assert slices == set(range(KILLS))  # one in each twentieth: the start, the middle, the end
    assert min(points) <= calls // KILLS + 1 and max(points) > calls - calls // KILLS - 1
