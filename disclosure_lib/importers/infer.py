"""After the tables are read: what the report's own evidence decides, then the final tally.

Order (each step logs every cell it fills, with its evidence; `evidence` does the solving):

1. `--blank-as-zero` (the user says the source prints 0 as blank): every blank is 0;
2. blanks an equation forces to 0, and runs the table's equations now decide (to a fixpoint);
3. the narrative: every figure the prose states (`narrative.statements`), solved together
   with the table (`system`); a statement the table contradicts is not evidence (the prose
   is wrong: logged, left out);
4. across years (`use_chain`, when several years of one agency are imported together, or a
   neighbouring year's params file exists): 现行有效件数 (rule 8) and 结转 (rule 7), with the
   prose; runs open in consecutive years at once (`use_joint_chain`);
5. `finish`: per table read / inferred / missing, every cell left blank with why, warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import format as fmt
from ..model import Cell, Report
from .cellruns import TABLE_EVIDENCE, Resolution, open_note, settle
from .evidence import Constraint, Pending, fill_blanks
from .log import (
    EQUATIONS_DISAGREE,
    NOT_FOUND,
    PRINTED_BLANK,
    SPLIT_NOT_UNIQUE,
    CellEvidence,
    ImportLog,
    LogEntry,
    TableStats,
)
from .system import (
    CHAINED,
    YearTables,
    chain_constraints,
    joint_chain,
    narrative_constraints,
    table_system,
    usable_evidence,
)

__all__ = [
    "chain_constraints",
    "finish",
    "use_chain",
    "use_joint_chain",
    "use_narrative",
    "use_table",
]


@dataclass
class OpenCells:
    """Per table: each cell's status (read | inferred | blank | flagged | absent) and the runs
    still open. Lives beside the report until `finish`."""

    status: dict[str, dict[Cell, str]] = field(default_factory=dict)
    pending: dict[str, list[Pending]] = field(default_factory=dict)
    why: dict[str, dict[Cell, str]] = field(default_factory=dict)  # what decided a cell
    # blanks the equations give different values: the values (candidates, never chosen)
    conflicts: dict[str, dict[Cell, list[int]]] = field(default_factory=dict)

    def open_slots(self, table: str) -> set[Cell]:
        return {s for p in self.pending.get(table, []) for s in p.slots}


def _settle(
    report: Report,
    log: ImportLog,
    state: OpenCells,
    table: fmt.Table,
    constraints: list[Constraint],
    evidence: str,
) -> bool:
    """One solve of `table`'s open runs; True when a cell was decided."""
    pending = state.pending.get(table.key)
    if not pending:
        return False
    values = report.tables[table.key]
    status = state.status[table.key]
    res = Resolution(values=dict(values), status=status)
    open_slots = state.open_slots(table.key)
    known = {s: v for s, v in values.items() if s not in open_slots}
    before = {s: values.get(s) for s in open_slots}
    still = settle(res, pending, known, constraints, evidence=evidence)
    state.why.setdefault(table.key, {}).update(res.why)
    changed = False
    for s in open_slots:
        if res.values.get(s) != before[s]:
            values[s] = res.values[s]
            changed = True
    by_slot = {p.slots[0]: p for p in pending}
    for cell, level, msg in res.notes:
        p = by_slot.get(cell) if cell else None
        entry = p.note if p is not None else None
        if isinstance(entry, LogEntry) and p is not None and p.reason == "decided":
            entry.level, entry.message = "info", msg  # the warning it had becomes the decision
        else:
            log.add(level, msg, table=table.key, row=cell[0] if cell else None,
                    column=cell[1] if cell else None, line=p.line if p else None)  # fmt: skip
    state.pending[table.key] = still
    return changed


def blank_as_zero(report: Report, log: ImportLog, state: OpenCells) -> int:
    """Every blank cell is 0 (the user states the source prints 0 as blank)."""
    n = 0
    for t in report.table_specs():
        for cell, st in state.status.get(t.key, {}).items():
            if st == "blank":
                report.tables[t.key][cell] = Decimal(0) if t.is_amount(*cell) else 0
                state.status[t.key][cell] = "inferred"
                state.why.setdefault(t.key, {})[cell] = "--blank-as-zero：来源以空白表示 0"
                n += 1
    if n:
        log.add("info", f"按 --blank-as-zero 将 {n} 个空白单元格视为 0（来源以空白表示 0）")
    return n


def use_table(report: Report, log: ImportLog, state: OpenCells) -> None:
    """Blanks the equations decide and runs the equations decide, to a fixpoint."""
    for t in report.table_specs():
        if t.key not in state.status:
            continue
        cons = list(table_system(t))
        while True:
            filled, conflicts = fill_blanks(cons, report.tables[t.key], state.status[t.key])
            for cell, value, con in filled:
                state.why.setdefault(t.key, {})[cell] = (
                    f"空白，按勾稽关系（{con.why}）推断为 {value}"
                )
            _log_blanks(log, t, filled)
            _log_conflicts(log, t, conflicts)
            state.conflicts.setdefault(t.key, {}).update(
                {c: sorted(v) for c, v in conflicts.items()}
            )
            if not _settle(report, log, state, t, cons, TABLE_EVIDENCE) and not filled:
                break


def _log_blanks(
    log: ImportLog, table: fmt.Table, filled: list[tuple[Cell, int, Constraint]]
) -> None:
    rows: dict[str, list[tuple[str, int, str]]] = {}
    for (r, c), value, con in filled:
        rows.setdefault(r, []).append((c, value, con.why))
    for r, cells in rows.items():
        rules = "；".join(dict.fromkeys(why for _, _, why in cells))
        values = {v for _, v, _ in cells}
        if values == {0}:
            cols = "、".join(table.column(c).label for c, _, _ in cells)
            what = f"{cols} 按勾稽关系（{rules}）推断为 0"
        else:
            cols = "、".join(f"{table.column(c).label}={v}" for c, v, _ in cells)
            what = f"按勾稽关系（{rules}）推断为 {cols}"
        log.add("info", f"{_row_name(table, r)}：空白单元格 {what}", table=table.key, row=r)


def _log_conflicts(log: ImportLog, table: fmt.Table, conflicts: dict[Cell, dict[int, str]]) -> None:
    """Blanks the equations give different values: left blank, the values in the log."""
    for (r, c), by in conflicts.items():
        if any(e.row == r and e.column == c and "各勾稽关系" in e.message for e in log.entries):
            continue  # said in an earlier round
        shown = "；".join(f"{v}（{why}）" for v, why in by.items()) or "无非负整数解"
        log.add(
            "warning",
            f"{_row_name(table, r)}：空白单元格 {table.column(c).label} 各勾稽关系给出的值不一致"
            f"（{shown}），留空",
            table=table.key,
            row=r,
            column=c,
        )


def use_narrative(report: Report, log: ImportLog, state: OpenCells) -> None:
    """Runs the prose decides: every figure it states, solved together with the table."""
    for t in report.table_specs():
        if state.pending.get(t.key):
            _use_evidence(report, log, state, t, narrative_constraints(report, t), "正文")


def _use_evidence(
    report: Report,
    log: ImportLog,
    state: OpenCells,
    table: fmt.Table,
    evidence: list[Constraint],
    name: str,
) -> bool:
    """Solve `table`'s open runs with its own constraints and the `evidence` that agrees with
    them (the rest is logged and left out); True when a cell was decided."""
    pending = state.pending.get(table.key)
    if not pending or not evidence:
        return False
    values = report.tables[table.key]
    open_slots = state.open_slots(table.key)
    known = {s: v for s, v in values.items() if s not in open_slots}
    kept, dropped = usable_evidence(pending, known, table_system(table), evidence)
    for con in dropped:
        log.add("info", f"{con.why}与表格其他数据不符，未用作推断依据", table=table.key)
    if not kept or not _settle(report, log, state, table, [*table_system(table), *kept], name):
        return False
    use_table(report, log, state)
    return True


def use_chain(
    report: Report,
    log: ImportLog,
    state: OpenCells,
    before: Report | None,
    after: Report | None,
) -> bool:
    """Runs the neighbouring years decide (with the prose's figures); True when a cell was
    decided."""
    changed = False
    for key, cons in chain_constraints(report, before, after).items():
        table = report.table_spec(key)
        evidence = [*cons, *narrative_constraints(report, table)]
        changed = _use_evidence(report, log, state, table, evidence, "上下年度") or changed
    return changed


def use_joint_chain(years: list[tuple[Report, ImportLog, OpenCells]]) -> bool:
    """Consecutive years of one agency with runs open in more than one year: solved as one
    system (`system.joint_chain`); True when a cell was decided."""
    tables = [
        YearTables(
            r,
            {k: list(v) for k, v in state.pending.items()},
            {k: state.open_slots(k) for k in state.pending},
        )
        for r, _log, state in years
    ]
    if sum(any(t.pending.values()) for t in tables) < 2:
        return False
    decided = joint_chain(tables)
    changed = False
    for report, log, state in years:
        for t in CHAINED:
            cons = decided.get((report.year, t.key))
            if cons and _use_evidence(report, log, state, t, cons, "上下年度"):
                changed = True
    return changed


def _row_name(table: fmt.Table, row: str) -> str:
    r = table.row(row)
    return f"{r.group} {r.label}" if r.group else r.label


def finish(report: Report, log: ImportLog, state: OpenCells) -> None:
    """The tally: per table read / inferred / missing; each blank cell and why; warnings."""
    log.evidence = {}
    for pending in state.pending.values():
        for p in pending:
            if isinstance(p.note, LogEntry):
                p.note.level, p.note.message = "warning", open_note(p)
            else:
                log.add("warning", open_note(p), line=p.line)
    log.blank = {}
    for t in report.table_specs():
        stats = log.stats[t.key] = TableStats()
        status = state.status.get(t.key, {})
        open_slots = state.open_slots(t.key)
        candidates = _candidates(state.pending.get(t.key, []))
        conflicts = state.conflicts.get(t.key, {})
        decided = state.why.get(t.key, {})
        row_blanks: dict[str, list[str]] = {}
        for cell in t.cells():
            value, st = report.get(t.key, *cell), status.get(cell, "absent")
            line = report.lines.get((t.key, *cell))
            source = {"line": line} if line else {}
            if value is not None:
                if st == "inferred":
                    stats.inferred += 1
                else:
                    stats.read += 1
                kind = "inferred" if st == "inferred" else "read"
                why = decided.get(cell, "")
                log.evidence[(t.key, *cell)] = CellEvidence(kind, value, why, source=source)
                continue
            stats.missing += 1
            if cell in open_slots or (st == "blank" and (t.key, *cell) in log.amount_readings):
                why = SPLIT_NOT_UNIQUE
            elif st == "blank" and cell in conflicts:
                why = EQUATIONS_DISAGREE
            elif st == "blank":
                why = PRINTED_BLANK
                row_blanks.setdefault(cell[0], []).append(t.column(cell[1]).label)
            elif st == "flagged":
                why = "无法识别"
            else:
                why = NOT_FOUND
            log.blank[(t.key, *cell)] = why
            shown: list[object] = list(conflicts.get(cell, []))
            if cell in open_slots:
                shown = candidates.get(cell, [])
            elif why == SPLIT_NOT_UNIQUE:  # a figure in 元 the count may be run into
                shown = list(log.amount_readings[(t.key, *cell)])
            log.evidence[(t.key, *cell)] = CellEvidence("blank", None, why, shown, source)
        if log.cell_refs:
            continue  # a workbook: the check's findings sum blanks up per sheet
        for row, cols in row_blanks.items():
            log.add(
                "warning",
                f"{_row_name(t, row)}：空白单元格（按缺失处理）：{'、'.join(cols)}",
                table=t.key,
                row=row,
                line=report.line_of(t.key, row, t.row_columns(t.row(row))[0].key),
            )


def _candidates(pending: list[Pending]) -> dict[Cell, list[object]]:
    """Per open cell, the values its run's remaining splits give it (in split order)."""
    out: dict[Cell, list[object]] = {}
    for p in pending:
        for i, s in enumerate(p.slots):
            out[s] = list(dict.fromkeys(c[i] for c in p.cands))
    return out
