"""Next year from this year: the starting point of an agency's next report (`new --from`,
`template --from`).

What carries over and why: the contact and the office's own title (the year changed); 上年结转
= last year's 结转下年度继续办理 per column (rule 7 fixes it); every other figure blank; the
texts as the placeholder 【待填写】 under last year's sub-headings — last year's text is only a
reference (`References`), never this year's text (C1-NARRATIVE-COPY); `issued` blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import format as fmt
from .formats import as_current
from .model import PLACEHOLDER, Contact, Paragraph, Report, Value

# the 二 rows rule 8 carries from year to year (现行有效件数)
IN_FORCE_ROWS = ("regulations", "normative_documents")


@dataclass
class References:
    """Last year's words and figures shown beside next year's blanks (comments in the YAML)."""

    year: int
    # section key -> last year's paragraphs (heading, text), in order
    narrative: dict[str, list[Paragraph]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # section key -> last year's note
    in_force: dict[str, Value] = field(default_factory=dict)  # 二 row key -> 现行有效件数


def _next_title(title: str | None, before: int, after: int) -> str | None:
    if title is None:
        return None
    return title.replace(f"{before}年", f"{after}年")


def next_year(previous: Report, year: int | None = None) -> tuple[Report, References]:
    """The report for the year after `previous` (or `year`) and last year's references."""
    year = previous.year + 1 if year is None else year
    last = as_current(previous)
    report = Report.blank(previous.agency, year)
    report.contact = Contact(**vars(previous.contact))
    report.own_title = _next_title(previous.own_title, previous.year, year)
    report.charts = previous.charts
    app = fmt.APPLICATIONS
    if year == previous.year + 1:  # rule 7 links consecutive years only
        for col in app.columns:
            report.set(
                app.key, "carried_over", col.key, last.get(app.key, "carry_forward", col.key)
            )
    refs = References(year=previous.year)
    for s in fmt.NARRATIVE_SECTIONS:
        paragraphs = previous.narrative.get(s.key)
        if paragraphs is None:
            paragraphs = [Paragraph("", heading=h) for h in s.subheadings]
        report.narrative[s.key] = [Paragraph(PLACEHOLDER, heading=p.heading) for p in paragraphs]
        refs.narrative[s.key] = list(previous.narrative.get(s.key, []))
    for key, text in previous.section_notes.items():
        report.section_notes[key] = PLACEHOLDER
        refs.notes[key] = text
    for row in IN_FORCE_ROWS:
        refs.in_force[row] = last.get(fmt.PROACTIVE.key, row, "in_force")
    return report, refs
