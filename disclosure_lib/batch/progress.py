"""Build progress: a tqdm bar on a terminal, plain log lines otherwise, and the final table."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO


@dataclass
class Line:
    """One finished unit, as the progress display and the summary table see it."""

    label: str  # e.g. "示例区教育局 2023年" or "2023年 汇总"
    status: str  # "built" | "failed" | "skipped"
    seconds: float = 0.0
    errors: int = 0
    warnings: int = 0
    message: str = ""  # first error line for failures


_WORD = {"built": "完成", "failed": "失败", "skipped": "跳过"}


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
        self.counts = {"built": 0, "failed": 0, "skipped": 0}
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
            f"完成 {c['built']} · 失败 {c['failed']} · 跳过 {c['skipped']}", refresh=True
        )

    def skip(self, n: int) -> None:
        """`n` units are up to date."""
        if n <= 0:
            return
        self.counts["skipped"] += n
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
            if line.status == "failed":
                self._bar.write(f"失败 {line.label}: {line.message}", file=self.stream)
            return
        text = f"[{self.finished:>{len(str(self.total))}}/{self.total}] {_WORD[line.status]} "
        text += f"{line.label} ({line.seconds:.1f} s)"
        if line.status == "failed":
            text += f": {line.message}"
        elif line.errors:
            text += f"，校验错误 {line.errors}"
        self._log(text + self._eta())

    def _eta(self) -> str:
        done = self.finished - self.counts["skipped"]
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


def summary_table(lines: Sequence[Line], wall: float) -> str:
    """The final summary: counts, check errors, wall time, then each failure."""
    built = [x for x in lines if x.status == "built"]
    failed = [x for x in lines if x.status == "failed"]
    skipped = [x for x in lines if x.status == "skipped"]
    errors = sum(x.errors for x in lines if x.status != "failed")
    warnings = sum(x.warnings for x in lines if x.status != "failed")
    with_errors = sum(1 for x in lines if x.errors and x.status != "failed")
    rows = [
        ("已生成 (built)", str(len(built))),
        ("已是最新 (skipped, up to date)", str(len(skipped))),
        ("失败 (failed)", str(len(failed))),
        ("校验错误 (check errors)", f"{errors}（{with_errors} 份报告）" if errors else "0"),
        ("校验警告 (check warnings)", str(warnings)),
        ("用时 (wall time)", f"{wall:.1f} s"),
    ]
    width = max(_width(k) for k, _ in rows)
    out = ["生成结果 (build summary)"]
    out += [f"  {k}{' ' * (width - _width(k))}  {v}" for k, v in rows]
    if failed:
        out.append("失败的报告 (failed):")
        out += [f"  {x.label}: {x.message}" for x in failed]
    return "\n".join(out) + "\n"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
