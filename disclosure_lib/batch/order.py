"""The order a build hands its units out in: reports first, a year's summary once that year's
reports are done (so that it lists the failed ones as 未生成), and what a retry rebuilds."""

from __future__ import annotations

import sys
from collections import Counter, deque

from .manifest import Manifest
from .options import BuildOptions
from .plan import Unit
from .states import Status, UnitKind


def to_build(units: list[Unit], manifest: Manifest, opts: BuildOptions) -> tuple[list[Unit], ...]:
    """The units to build and those up to date (`Manifest.current`: one pass over the records,
    not a query a unit), with the summaries a retried report may change moved to the first."""
    # keys interned: what the manifest keeps of each (a skipped unit's line) shares them
    wanted = {} if opts.force else {sys.intern(u.key): u.fingerprint for u in units
                                    if not u.load_error}  # fmt: skip
    current = manifest.current(wanted, tuple(opts.to), strict=opts.strict) if wanted else set()
    todo = [u for u in units if u.key not in current]
    retried = summaries_of_retried(units, todo, manifest)
    return todo + retried, [u for u in units if u.key in current and u not in retried]


def summaries_of_retried(units: list[Unit], todo: list[Unit], manifest: Manifest) -> list[Unit]:
    """Summaries up to date whose year has a report that failed last time and is built again:
    they list it as 未生成, which its new outcome may change."""
    reports = [u for u in todo if u.kind == UnitKind.REPORT]
    # one query for the failed entries (few), not one a unit to build (20,000 when all are)
    found = manifest.listing("WHERE status = ?", (str(Status.FAILED),)) if reports else ()
    failed = {e.key for e in found}
    retried = {u.year for u in reports if u.key in failed}
    return [u for u in units
            if u.kind == UnitKind.SUMMARY and u.year in retried and u not in todo]  # fmt: skip


class UnitOrder:
    """The order units are handed out in: reports first (a summary is the longest single
    unit), a year's summary once every report of that year in this build has finished, so
    that it lists those that failed as 未生成 (`missing`) instead of counting them."""

    def __init__(self, work: list[Unit]) -> None:
        self.ready = deque(u for u in work if u.kind == UnitKind.REPORT)
        self.pending = Counter(u.year for u in self.ready)
        self.summaries = [u for u in work if u.kind == UnitKind.SUMMARY]
        self._release()

    def done(self, unit: Unit) -> None:
        if unit.kind == UnitKind.REPORT:
            self.pending[unit.year] -= 1
            self._release()

    def _release(self) -> None:
        ready = [u for u in self.summaries if self.pending[u.year] <= 0]
        self.summaries = [u for u in self.summaries if u not in ready]
        self.ready.extend(ready)


def failed_agencies(manifest: Manifest, year: int) -> tuple[str, ...]:
    """Agencies whose report of `year` failed (as the manifest has it now): not built."""
    where = "WHERE kind = ? AND year = ? AND status = ? AND agency != ''"  # not every entry
    found = manifest.listing(where, (str(UnitKind.REPORT), year, str(Status.FAILED)))
    return tuple(sorted(e.agency for e in found))
