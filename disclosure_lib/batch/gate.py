"""Checks gate publishing: a unit's findings as the manifest, the index and the terminal show
them, and what `--strict` blocks.

A report's findings are its own (with the year before for the cross-year rules). A year's
summary leaves its reports with errors out of its figures (listed apart), so it has no errors
of its own and `--strict` never blocks it; its warnings are the reports', counted once, for
the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import SEVERITY_LABEL, Finding
from ..model import Report
from .states import UnitKind

MAX_KEPT = 50  # findings per report kept in the manifest and listed in the index


@dataclass
class Checked:
    """What the checks found for one unit."""

    errors: int = 0
    warnings: int = 0  # open warnings
    acknowledged: int = 0  # warnings the office verified (`acknowledged:`)
    first_error: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)  # records, at most MAX_KEPT
    # a report's own facts the index shows: its 落款 date (ISO, "" if none) and key figures
    issued: str = ""
    figures: dict[str, int | None] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)  # `diff.snapshot`: the next build's mark


def record(f: Finding) -> dict[str, Any]:
    """A finding as kept in the manifest: severity, code, line, where (official labels), message."""
    out: dict[str, Any] = {"severity": f.severity, "code": f.code, "line": f.line,
                           "where": f.where, "message": f.message}  # fmt: skip
    if f.acknowledged is not None:  # the index counts these apart (已核实)
        a = f.acknowledged
        out["acknowledged"] = {"reason": a.reason, "by": a.by,
                               "date": a.date.isoformat() if a.date else None}  # fmt: skip
    return out


def summarize(findings: Sequence[Finding], *, keep: bool = True) -> Checked:
    errors = [f for f in findings if f.is_error]
    return Checked(
        errors=len(errors),
        warnings=sum(1 for f in findings if not f.is_error and f.is_open),  # open ones
        acknowledged=sum(1 for f in findings if not f.is_open),
        first_error=_one_line(errors[0].message) if errors else "",
        findings=[record(f) for f in findings[:MAX_KEPT]] if keep else [],
    )


def check_unit(kind: UnitKind, agency: str, year: int, reports: Iterable[Report]) -> Checked:
    """Findings for a report (`agency`, `year`) or a year's summary among `reports`."""
    from ..checks import check_report
    from ..checks_trend import check_peers, key_figures
    from ..diff import snapshot
    from ..findings import acknowledge

    reports = list(reports)
    if kind == UnitKind.REPORT:
        by_year = {r.year: r for r in reports if r.agency == agency}
        report = by_year.get(year)
        if report is None:
            return Checked()
        found = check_report(report, by_year.get(year - 1))
        # Y3 compares with the year's peers: those loaded beside it (a build: every agency)
        peers = check_peers(r for r in reports if r.year == year)
        found += acknowledge(report, [f for f in peers if f.agency == agency])
        checked = summarize(found)
        checked.issued = report.issued.isoformat() if report.issued else ""
        checked.figures = key_figures(report)
        checked.snapshot = snapshot(report)
        return checked
    # Only here: `summary` loads pandas, which a report's worker never needs (≈ 0.45 CPU-s in
    # each worker's first report when it was imported above)
    from ..summary import year_findings

    # the year's reports (and their cross-year rules), not every year of the history shipped
    return summary_checked(year_findings(reports, year))


def summary_checked(found: Sequence[Finding]) -> Checked:
    """A year summary's counts from its year's findings (`summary.year_findings`). A report
    with errors is left out of the summary's figures and listed apart (`summary.year_summary`):
    the summary itself has no error, and `--strict` never blocks it."""
    return summarize([f for f in found if not f.is_error], keep=False)


def one_line(label: str, errors: int, warnings: int, first_error: str = "") -> str:
    """The one-line check summary printed for a report with findings."""
    found = (("error", errors), ("warning", warnings))
    counts = "，".join(f"{SEVERITY_LABEL[sev]} {n} 条" for sev, n in found if n)
    text = f"校验 {label}：{counts}"
    return f"{text}；首个错误：{first_error}" if first_error else text


def draft_line(label: str, errors: int, first_error: str = "") -> str:
    """What the terminal says of a report written marked 草稿（校验未通过）."""
    from ..rendering.compose import DRAFT_MARK

    text = f"已标记为{DRAFT_MARK} {label}：校验发现 {errors} 个错误"
    return f"{text}，首个错误：{first_error}" if first_error else text


def _one_line(text: str) -> str:
    lines = [x.strip() for x in str(text).splitlines() if x.strip()]
    return lines[0][:300] if lines else ""
