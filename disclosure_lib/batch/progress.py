"""Build progress: a tqdm bar on a terminal, plain log lines otherwise, and the final table."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from ..names import printable
from .states import Status, UnitKind


@dataclass
class Line:
    """One finished unit, as the progress display and the summary table see it."""

    label: str  # e.g. "示例区教育局 2023年" or "2023年 汇总"
    status: Status
    seconds: float = 0.0
    errors: int = 0  # check findings; a summary's are its reports' (not counted again)
    warnings: int = 0
    message: str = ""  # first error line for failures and blocked units
    kind: UnitKind = UnitKind.REPORT
    check_error: str = ""  # first check error
    draft: bool = False  # written marked 草稿（校验未通过）: check errors, publish profile


class Progress:
    """Counts done / failed / skipped with an ETA; quiet when `enabled` is False."""

    def __init__(
        self,
        total: int,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        tty: bool | None = None,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty() if tty is None else tty
        self.counts = dict.fromkeys(Status, 0)
        self.started = time.monotonic()
        self._bar: Any = None
        if enabled and self.tty and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, unit="份", desc="生成报告", file=self.stream, dynamic_ncols=True
            )
            self._postfix()

    @property
    def finished(self) -> int:
        return sum(self.counts.values())

    def _postfix(self) -> None:
        c = self.counts
        self._bar.set_postfix_str(
            f"完成 {c[Status.BUILT]} · 失败 {c[Status.FAILED]} · 跳过 {c[Status.SKIPPED]}",
            refresh=True,
        )

    def skip(self, n: int) -> None:
        """`n` units are up to date."""
        if n <= 0:
            return
        self.counts[Status.SKIPPED] += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            self._postfix()
        else:
            self._log(f"已是最新，跳过 {n} 份 (up to date, skipped)")

    def add(self, line: Line) -> None:
        self.counts[line.status] = self.counts.get(line.status, 0) + 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            self._postfix()
            if line.status in (Status.FAILED, Status.BLOCKED):
                word = Status(line.status).word
                self._bar.write(printable(f"{word} {line.label}: {line.message}"), file=self.stream)
            return
        text = f"[{self.finished:>{len(str(self.total))}}/{self.total}] {Status(line.status).word} "
        text += f"{printable(line.label)} ({line.seconds:.1f} s)"
        if line.status in (Status.FAILED, Status.BLOCKED):
            text += f": {printable(line.message)}"
        elif line.errors and line.kind == UnitKind.REPORT:
            text += f"，校验错误 {line.errors}" + ("，已标记为草稿" if line.draft else "")
        self._log(text + self._eta())

    def _eta(self) -> str:
        done = self.finished - self.counts[Status.SKIPPED]
        left = self.total - self.finished
        if done <= 0 or left <= 0:
            return ""
        rate = (time.monotonic() - self.started) / done
        return f"，预计剩余 {rate * left:.0f} s"

    def _log(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def summary_table(
    lines: Sequence[Line],
    wall: float,
    *,
    removed: int = 0,
    kept_formats: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The final summary: counts, check findings (of reports: a summary's are theirs), wall
    time, then each failure and each report with findings on one line."""
    from ..rendering.compose import DRAFT_MARK
    from .gate import one_line

    by = {s: [x for x in lines if x.status == s] for s in Status}
    checked = [x for x in lines if x.status != Status.FAILED and x.kind == UnitKind.REPORT]
    errors = sum(x.errors for x in checked)
    warnings = sum(x.warnings for x in checked)
    with_errors = sum(1 for x in checked if x.errors)
    rows = [
        ("已生成 (built)", str(len(by[Status.BUILT]))),
        ("已是最新 (skipped, up to date)", str(len(by[Status.SKIPPED]))),
        ("失败 (failed)", str(len(by[Status.FAILED]))),
        ("校验错误 (check errors)", f"{errors}（{with_errors} 份报告）" if errors else "0"),
        ("校验警告 (check warnings)", str(warnings)),
        ("用时 (wall time)", f"{wall:.1f} s"),
    ]
    drafts = [x for x in checked if x.draft]
    if drafts:
        rows.insert(3, ("已标记为草稿 (marked draft: check errors)", str(len(drafts))))
    if by[Status.BLOCKED]:
        rows.insert(3, ("已阻止 (blocked: --strict)", str(len(by[Status.BLOCKED]))))
    if removed:
        rows.insert(-1, ("已删除 (removed: params gone)", str(removed)))
    if kept_formats:
        counts = Counter(f for formats in kept_formats.values() for f in formats)
        kept = "、".join(f"{f}（{n} 份）" for f, n in sorted(counts.items()))
        rows.insert(-1, ("沿用此前生成的格式 (formats kept)", kept))
    width = max(_width(k) for k, _ in rows)
    out = ["生成结果 (build summary)"]
    out += [f"  {k}{' ' * (width - _width(k))}  {v}" for k, v in rows]
    if by[Status.FAILED]:
        out.append("失败的报告 (failed):")
        out += [printable(f"  {x.label}: {x.message}") for x in by[Status.FAILED]]
    flagged = [x for x in checked if x.errors or x.warnings]
    if flagged:
        out.append("校验发现问题的报告 (reports with check findings):")
        out += [
            "  "
            + printable(one_line(x.label, x.errors, x.warnings, x.check_error))
            + ("（已阻止）" if x.status == Status.BLOCKED else "")
            + (f"（已标记为{DRAFT_MARK}）" if x.draft else "")
            for x in flagged
        ]
    return "\n".join(out) + "\n"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
