"""One constraint system per table: everything the report says about its cells, solved together.

The unknowns are the table's cells; a digit run the page prints without separators gives its
cells a finite set of splits (`cellruns`, `evidence.Pending`). The constraints:

- the format's equations (rules 1–4, `format.Equation`, via `evidence.table_constraints`);
- the inequalities that follow from rule 8 with counts ≥ 0 (`inequalities`):
  现行有效件数 ≥ 本年制发件数 − 本年废止件数 (last year's 现行有效 is ≥ 0), and, when last
  year's report is known, 本年废止件数 ≤ last year's 现行有效 + 本年制发件数 (`chain_constraints`);
- the figures the prose states (`narrative_constraints`:
  本年度制发规范性文件34件，现行有效件数424件);
- in folder imports, the years before and after (rules 7 and 8, `chain_constraints`), and
  consecutive years whose runs are all open, as one system (`joint_chain`).

`evidence.solve` solves them at once (`infer` drives it). The table's own arithmetic is
certain (`table_system`); a statement of the prose or another year's figure is evidence only
while some solution agrees with it (`usable_evidence`): evidence the table contradicts is
dropped (and said so in the log), never forced onto the cells. A cell is set only where every
remaining solution agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import format as fmt
from .. import formats
from ..model import Cell, Report, Value
from .evidence import Constraint, Pending, solve, table_constraints

ISSUED, REPEALED, IN_FORCE = (
    fmt.PROACTIVE.column(k).key for k in ("issued", "repealed", "in_force")
)
IN_FORCE_RULE = (
    f"{fmt.PROACTIVE.column(IN_FORCE).label}不少于"
    f"{fmt.PROACTIVE.column(ISSUED).label}减{fmt.PROACTIVE.column(REPEALED).label}"
    "（上年现行有效件数不小于0）"
)

_SYSTEMS: dict[int, tuple[fmt.Table, tuple[Constraint, ...]]] = {}


def in_force_rows(table: fmt.Table) -> tuple[str, ...]:
    """Rows of `table` holding 本年制发件数, 本年废止件数 and 现行有效件数 (2021 format's 二)."""
    want = {ISSUED, REPEALED, IN_FORCE}
    return tuple(r.key for r in table.figure_rows if want <= {c.key for c in table.row_columns(r)})


def inequalities(table: fmt.Table) -> tuple[Constraint, ...]:
    """现行有效件数 − 本年制发件数 + 本年废止件数 ≥ 0 for every row that has the three columns."""
    return tuple(
        Constraint(
            (((row, IN_FORCE), 1), ((row, ISSUED), -1), ((row, REPEALED), 1)),
            0,
            "table",
            IN_FORCE_RULE,
            ">=",
        )
        for row in in_force_rows(table)
    )


def table_system(table: fmt.Table) -> tuple[Constraint, ...]:
    """The table's own constraints: its equations and the inequalities. (Cached by identity.)"""
    hit = _SYSTEMS.get(id(table))
    if hit is None:
        hit = _SYSTEMS[id(table)] = (table, (*table_constraints(table), *inequalities(table)))
    return hit[1]


def narrative_constraints(report: Report, table: fmt.Table) -> list[Constraint]:
    """Every figure the prose states about `table`'s cells, in reading order (on the cells of
    the format `table` is kept in; a figure that format has no cell for is left out)."""
    from ..narrative import own_cells, statements

    out: list[Constraint] = []
    for st in statements(report):
        if st.pattern.table != table.key:
            continue
        own = own_cells(report, st.cells)
        if own is None:
            continue
        cells = tuple((r, c) for _t, r, c in own)
        out.append(Constraint(tuple((c, 1) for c in cells), st.value, "narrative",
                              f"正文“{st.matched}”"))  # fmt: skip
    return out


def chain_constraints(
    report: Report, before: Report | None, after: Report | None
) -> dict[str, list[Constraint]]:
    """Rules 8 and 7 against the year before and the year after, as constraints on `report`
    (on the tables it keeps in a format with those cells; the other years seen in 2021 cells)."""
    out: dict[str, list[Constraint]] = {"proactive": [], "applications": []}
    before = formats.as_current(before) if before is not None else None
    after = formats.as_current(after) if after is not None else None
    rows = in_force_rows(report.table_spec("proactive"))
    for row in rows:
        label = fmt.PROACTIVE.row(row).label
        i, n, r = (row, IN_FORCE), (row, ISSUED), (row, REPEALED)
        last = before.get("proactive", *i) if before else None
        if before is not None and last is not None:
            why = f"{before.year}年报告{label}现行有效{last}件（现行有效件数逐年相接）"
            out["proactive"].append(Constraint(((i, 1), (n, -1), (r, 1)), last, "chain", why))
            why = (
                f"{before.year}年报告{label}现行有效{last}件"
                "（本年废止件数不多于上年现行有效加本年制发）"
            )
            out["proactive"].append(Constraint(((n, 1), (r, -1)), -last, "chain", why, ">="))
        if after is not None:
            now, made, gone = (after.get("proactive", *x) for x in (i, n, r))
            if now is not None and made is not None and gone is not None:
                why = f"{after.year}年报告{label}现行有效{now}件、制发{made}件、废止{gone}件"
                out["proactive"].append(Constraint(((i, 1),), now - made + gone, "chain", why))
    own = report.table_spec("applications").cells()
    for col in fmt.APPLICATIONS.columns:
        if ("carried_over", col.key) not in own or ("carry_forward", col.key) not in own:
            continue
        prev = before.get("applications", "carry_forward", col.key) if before else None
        if before is not None and prev is not None:
            why = f"{before.year}年报告结转下年度继续办理（{col.label}）{prev}件"
            cell = ("carried_over", col.key)
            out["applications"].append(Constraint(((cell, 1),), prev, "chain", why))
        nxt = after.get("applications", "carried_over", col.key) if after else None
        if after is not None and nxt is not None:
            why = f"{after.year}年报告上年结转（{col.label}）{nxt}件"
            cell = ("carry_forward", col.key)
            out["applications"].append(Constraint(((cell, 1),), nxt, "chain", why))
    return out


def _consistent(
    pending: list[Pending], known: dict[Cell, Value], constraints: Sequence[Constraint]
) -> bool:
    """Does some assignment of the open runs satisfy every constraint? (A search cut short
    proves nothing: it counts as not consistent, so the evidence is not used.)"""
    return all(d.cands for d in solve(pending, known, constraints))


def usable_evidence(
    pending: list[Pending],
    known: dict[Cell, Value],
    own: Sequence[Constraint],
    evidence: Sequence[Constraint],
) -> tuple[list[Constraint], list[Constraint]]:
    """(kept, dropped): the evidence that holds together with the certain constraints `own`
    (a table's equations and inequalities). All of it when it agrees; else each piece in
    order, kept while the system stays solvable."""
    opened = {s for p in pending for s in p.slots}
    relevant = [c for c in evidence if opened.intersection(cell for cell, _ in c.terms)]
    if not relevant or _consistent(_copy(pending), known, [*own, *relevant]):
        return relevant, []
    if not _consistent(_copy(pending), known, own):
        return [], []  # the table itself does not add up: nothing to weigh evidence against
    kept: list[Constraint] = []
    dropped: list[Constraint] = []
    for con in relevant:
        if _consistent(_copy(pending), known, [*own, *kept, con]):
            kept.append(con)
        else:
            dropped.append(con)
    return kept, dropped


CHAINED = (fmt.PROACTIVE, fmt.APPLICATIONS)  # the tables rules 8 and 7 link across years


@dataclass
class YearTables:
    """One year of one agency in a joint solve: its report and, per table, the runs still
    open (`pending`) and their cells (`open_slots`)."""

    report: Report
    pending: dict[str, list[Pending]]
    open_slots: dict[str, set[Cell]]


def _at(year: int, table: str, cell: Cell) -> Cell:
    return (f"{year}|{table}|{cell[0]}", cell[1])


def _year_chain(year: int, table: fmt.Table) -> list[Constraint]:
    """Rules 8 and 7 between `year` − 1 and `year`, over the joint system's cells."""
    out: list[Constraint] = []
    t = table.key
    if table is fmt.PROACTIVE:
        for row in in_force_rows(table):
            now, last = _at(year, t, (row, IN_FORCE)), _at(year - 1, t, (row, IN_FORCE))
            made, gone = _at(year, t, (row, ISSUED)), _at(year, t, (row, REPEALED))
            why = f"{year - 1}年与{year}年报告的{table.row(row).label}现行有效件数逐年相接"
            out.append(Constraint(((now, 1), (last, -1), (made, -1), (gone, 1)), 0, "chain", why))
            out.append(Constraint(((made, 1), (gone, -1), (last, 1)), 0, "chain", why, ">="))
    else:
        for col in table.columns:
            now, last = (
                _at(year, t, ("carried_over", col.key)),
                _at(year - 1, t, ("carry_forward", col.key)),
            )
            why = f"{year - 1}年报告结转下年度继续办理即{year}年报告上年结转（{col.label}）"
            out.append(Constraint(((now, 1), (last, -1)), 0, "chain", why))
    return out


def joint_chain(years: Sequence[YearTables]) -> dict[tuple[int, str], list[Constraint]]:
    """Consecutive years of one agency solved as one system: each year's 二 and 三 (their own
    constraints), with rule 8 (现行有效件数 carried on) and rule 7 (结转) between each pair of
    years as evidence. Returns, per (year, table), what the joint solve decides as one-cell
    constraints (evidence for that year alone): runs open in two neighbouring years can
    settle each other, which neither can alone."""
    by_year = {y.report.year: y for y in years}
    pending: list[Pending] = []
    origin: dict[int, tuple[int, str]] = {}  # id of a joint item → its year and table
    known: dict[Cell, Value] = {}
    own: list[Constraint] = []
    chain: list[Constraint] = []
    for table in CHAINED:
        t = table.key
        kept_years = {y for y, yt in by_year.items() if yt.report.table_spec(t) is table}
        for year in sorted(kept_years):
            yt = by_year[year]
            for p in yt.pending.get(t, []):
                slots = tuple(_at(year, t, c) for c in p.slots)
                pending.append(Pending(slots, list(p.cands), p.label))
                origin[id(pending[-1])] = (year, t)
            opened = yt.open_slots.get(t, set())
            for cell in table.cells():
                if cell not in opened:
                    known[_at(year, t, cell)] = yt.report.get(t, *cell)
            for con in table_system(table):
                terms = tuple((_at(year, t, c), k) for c, k in con.terms)
                own.append(Constraint(terms, con.const, con.kind, con.why, con.op))
            if year - 1 in kept_years:
                chain += _year_chain(year, table)
    if not pending or not chain:
        return {}
    kept, _dropped = usable_evidence(pending, known, own, chain)
    if not kept:
        return {}
    out: dict[tuple[int, str], list[Constraint]] = {}
    for d in solve(pending, known, [*own, *kept]):
        year, t = origin[id(d.item)]
        whys = [c.why for c in kept if any(cell[0].startswith(f"{year}|{t}|") or
                                           cell[0].startswith(f"{year - 1}|{t}|") or
                                           cell[0].startswith(f"{year + 1}|{t}|")
                                           for cell, _ in c.terms)]  # fmt: skip
        why = "；".join(dict.fromkeys(whys)) or "上下年度"
        for cell, value in d.decided.items():
            if value is None or isinstance(value, bool):
                continue
            row = cell[0].split("|", 2)[2]
            out.setdefault((year, t), []).append(
                Constraint((((row, cell[1]), 1),), value, "chain", why)
            )
    return out


def _copy(pending: list[Pending]) -> list[Pending]:
    return [Pending(p.slots, list(p.cands), p.label, p.line) for p in pending]


__all__ = [
    "IN_FORCE_RULE",
    "YearTables",
    "chain_constraints",
    "in_force_rows",
    "inequalities",
    "joint_chain",
    "narrative_constraints",
    "table_system",
    "usable_evidence",
]
