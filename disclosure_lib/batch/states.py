"""What a unit of a build is and where it ended, as enums (their values are what the manifest
and the index store, so a manifest written before reads back the same)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """What a unit builds: one agency-year's report, or a year's summary of all agencies."""

    REPORT = "report"
    SUMMARY = "summary"


class Status(StrEnum):
    """How a unit's last build ended."""

    BUILT = "built"
    SKIPPED = "skipped"  # up to date: nothing done (progress and summary lines only)
    FAILED = "failed"
    BLOCKED = "blocked"  # --strict: check errors, nothing written

    @property
    def word(self) -> str:
        """The progress line's word for it."""
        return _WORDS[self]


_WORDS = {
    Status.BUILT: "完成",
    Status.FAILED: "失败",
    Status.SKIPPED: "跳过",
    Status.BLOCKED: "已阻止",
}
