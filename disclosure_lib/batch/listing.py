"""What the index pages are made from, read a part at a time: a year's pages need the
reports of that year and the one before, never all 20,000 entries (`site.iter_pages`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol

from . import dashboard as dash
from .manifest import Entry, Manifest
from .manifest_db import SHOWN
from .states import Status, UnitKind


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
        """The reports of `years` by (agency, year): those of the last year with what a row
        shows (`SHOWN`), those of the years before with their key figures only (a row shows
        last year's): a year's page holds a fraction of the entries it would."""
        *before, year = years
        kind = str(UnitKind.REPORT)
        where = "WHERE kind = ? AND agency != '' AND year = ?"
        found = self.manifest.listing(where, (kind, year), SHOWN)
        out = {(e.agency, e.year): e for e in found}
        if before:
            marks = ", ".join("?" * len(before))
            sql = ("SELECT key, agency, year, status, figures FROM entries "
                   f"WHERE kind = ? AND agency != '' AND year IN ({marks})")  # fmt: skip
            for key, agency, y, status, figures in self.manifest.db.rows(sql, (kind, *before)):
                out[agency, y] = Entry(key, "", {}, Status(status), [], [], agency=agency,
                                       year=y, figures=json.loads(figures))  # fmt: skip
        return out

    def figures(self, year: int) -> dict[str, dict[str, int | None]]:
        """The key figures of `year`'s reports by agency (a year page's year before: its
        figures alone, not whole entries)."""
        sql = "SELECT agency, figures FROM entries WHERE kind = ? AND agency != '' AND year = ?"
        rows = self.manifest.db.rows(sql, (str(UnitKind.REPORT), year))
        return {agency: json.loads(figures) for agency, figures in rows}
