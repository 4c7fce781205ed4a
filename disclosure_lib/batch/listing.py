"""What the index pages are made from, read a part at a time: a year's pages need the
reports of that year and the one before, never all 20,000 entries (`site.iter_pages`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, Protocol

from . import dashboard as dash
from .manifest import Entry, Manifest
from .manifest_db import SHOWN
from .manifest_db import figures as stored_figures
from .states import UnitKind


class Listing(Protocol):
    """The entries the index is made from, a part at a time."""

    def summaries(self) -> list[Entry]: ...

    def failed_files(self) -> list[Entry]: ...

    def report_keys(self) -> set[tuple[str, int]]: ...

    def reports(self, years: tuple[int, ...]) -> dict[tuple[str, int], Entry]: ...

    def figures(self, year: int) -> dict[str, dict[str, int | None]]: ...


class Held:
    """A `Listing` of entries held in memory (tests, tools, a few entries)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._reports = dash.report_entries(self.entries)

    def summaries(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == UnitKind.SUMMARY]

    def failed_files(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == UnitKind.REPORT and not e.agency]

    def report_keys(self) -> set[tuple[str, int]]:
        return set(self._reports)

    def reports(self, years: tuple[int, ...]) -> dict[tuple[str, int], Entry]:
        return {k: e for k, e in self._reports.items() if k[1] in years}

    def figures(self, year: int) -> dict[str, dict[str, int | None]]:
        return {a: e.figures for (a, y), e in self._reports.items() if y == year}


class Recorded:
    """A `Listing` read from a manifest's database, a query a part."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest

    def summaries(self) -> list[Entry]:
        return list(self.manifest.listing("WHERE kind = ?", (str(UnitKind.SUMMARY),)))

    def failed_files(self) -> list[Entry]:
        """Reports without an agency: params files that could not be read."""
        where = "WHERE kind = ? AND agency = ''"
        return list(self.manifest.listing(where, (str(UnitKind.REPORT),)))

    def report_keys(self) -> set[tuple[str, int]]:
        sql = "SELECT agency, year FROM entries WHERE kind = ? AND agency != ''"
        return {(a, int(y)) for a, y in self.manifest.db.rows(sql, (str(UnitKind.REPORT),))}

    def reports(self, years: tuple[int, ...]) -> dict[tuple[str, int], Entry]:
        """The reports of `years` by (agency, year), with what a row shows (`SHOWN`) only: a
        year's page holds a fraction of what whole entries weigh (the year before's figures
        come from `figures`)."""
        out = {}
        marks = ", ".join("?" * len(years))
        where = f"WHERE kind = ? AND agency != '' AND year IN ({marks})"
        for row in self.manifest.db.entries(SHOWN, where, (str(UnitKind.REPORT), *years)):
            with contextlib.suppress(TypeError, ValueError):  # a row this code cannot read
                out[row["agency"], row["year"]] = Entry(**{**_NOT_READ, **row})
        return out

    def figures(self, year: int) -> dict[str, dict[str, int | None]]:
        """The key figures of `year`'s reports by agency (a year page's year before: its
        figures alone, not whole entries)."""
        sql = "SELECT agency, figures FROM entries WHERE kind = ? AND agency != '' AND year = ?"
        rows = self.manifest.db.rows(sql, (str(UnitKind.REPORT), year))
        return {agency: stored_figures(figures) for agency, figures in rows}


# What the index's entries leave unread: one shared empty value a field, not six new ones an
# entry (20,000 of them); these entries only make the pages, nothing changes them.
_NOT_READ: dict[str, Any] = {"fingerprint": "", "inputs": {}, "formats": [], "parameters": {},
                             "versions": {}, "code": {}, "stamps": {}, "snapshot": {}}  # fmt: skip
