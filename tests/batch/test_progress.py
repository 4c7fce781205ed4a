"""What a build prints and publishes about its units: escapes from names and messages never
reach the terminal or the index raw; a unit killed at the deadline shows the time it ran."""

from __future__ import annotations

import io
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.batch.manifest import Entry
from disclosure_lib.batch.progress import Line, Progress, summary_table
from disclosure_lib.batch.site import index_html

from .test_build import AGENCIES, make_params

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x00"


def test_progress_lines_and_failure_list_show_escapes_not_run_them() -> None:
    """Issue 17.8: a label (a file name) and a message (a cell's error quoting the narrative)
    carried ESC, BEL and NUL to `build`'s progress line and failure list."""
    stream = io.StringIO()
    show = Progress(2, stream=stream, tty=False)
    lines = [
        Line(f"局{ESCAPES}", "failed", 1.0, message=f"出错{ESCAPES}"),
        Line(f"乙{ESCAPES}", "built", 1.0, errors=1, check_error=f"校验{ESCAPES}"),
    ]
    for line in lines:
        show.add(line)
    table = summary_table(lines, 2.0)
    for text in (stream.getvalue(), table):
        assert not any(ch in text for ch in "\x1b\x07\x00"), text
        assert "\\x1b[2J" in text
    assert "局\\x1b[2J" in table and "出错\\x1b[2J" in table and "校验\\x1b" in table


def test_the_index_shows_control_characters_as_escapes() -> None:
    """Issue 17.8: 2 raw ESC bytes reached index.html from a failure's message."""
    entry = Entry(f"file:/p/局{ESCAPES}/2024.yaml", "f", {}, "failed", [], [],
                  source=f"/p/局{ESCAPES}/2024.yaml", first_error=f"出错{ESCAPES}")  # fmt: skip
    page = index_html([entry])
    assert not any(ch in page for ch in "\x1b\x07\x00") and "出错\\x1b[2J" in page


class _Expired(Executor):
    """Every unit killed at the deadline, as the pool reports it."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        fut.set_exception(TimeoutError("超过时限 7 秒，已终止 (timed out: killed at the deadline)"))
        return fut


def test_a_unit_killed_at_the_deadline_shows_the_time_it_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17.14: it was listed "(0.0 s)"."""
    params = make_params(tmp_path / "params", AGENCIES[:1])
    monkeypatch.setattr(b, "_executor", lambda *a, **k: _Expired())
    summary = b.build([params], output_dir=tmp_path / "out", to=("html",), progress=False,
                      summaries=False, timeout=7)  # fmt: skip
    assert len(summary.failed) == 2 and all(x.seconds == 7 for x in summary.failed)
    assert "超过时限 7 秒" in summary.failed[0].message
