"""After the tables are read: what the report's own evidence decides, then the final tally.

Order (each step logs every cell it fills, with its evidence; `evidence` does the solving):

1. `--blank-as-zero` (the user says the source prints 0 as blank): every blank is 0;
2. blanks an equation forces to 0, and runs the table's equations now decide (to a fixpoint);
3. the narrative: figures the prose states (`narrative.statements`), one statement at a time
   in reading order; a statement no split agrees with is not evidence (the prose is wrong);
4. across years (`use_chain`, when several years of one agency are imported together, or a
   neighbouring year's params file exists): 现行有效件数 (rule 8) and 结转 (rule 7);
5. `finish`: per table read / inferred / missing, every cell left blank with why, warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import format as fmt
from .. import format2019 as f19
from ..model import Cell, Report
from .cellruns import TABLE_EVIDENCE, Resolution, open_note, settle
from .evidence import Constraint, Pending, fill_blank_zeros, table_constraints
from .log import ImportLog, LogEntry, TableStats


@dataclass
class OpenCells:
    """Per table: each cell's status (read | inferred | blank | flagged | absent) and the runs
    still open. Lives beside the report until `finish`."""

    status: dict[str, dict[Cell, str]] = field(default_factory=dict)
    pending: dict[str, list[Pending]] = field(default_factory=dict)

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
    for t in fmt.TABLES:
        for cell, st in state.status.get(t.key, {}).items():
            if st == "blank":
                report.tables[t.key][cell] = Decimal(0) if t.is_amount(*cell) else 0
                state.status[t.key][cell] = "inferred"
                n += 1
    if n:
        log.add("info", f"按 --blank-as-zero 将 {n} 个空白单元格视为 0（来源以空白表示 0）")
    return n


def use_table(report: Report, log: ImportLog, state: OpenCells) -> None:
    """Blanks the equations force to 0 and runs the equations decide, to a fixpoint."""
    for t in fmt.TABLES:
        if t.key not in state.status:
            continue
        cons = list(table_constraints(t))
        while True:
            filled = fill_blank_zeros(cons, report.tables[t.key], state.status[t.key])
            _log_zeros(log, t, filled)
            if not _settle(report, log, state, t, cons, TABLE_EVIDENCE) and not filled:
                break


def _log_zeros(log: ImportLog, table: fmt.Table, filled: list[tuple[Cell, Constraint]]) -> None:
    rows: dict[str, list[tuple[str, str]]] = {}
    for (r, c), con in filled:
        rows.setdefault(r, []).append((c, con.why))
    for r, cells in rows.items():
        cols = "、".join(table.column(c).label for c, _ in cells)
        rules = "；".join(dict.fromkeys(why for _, why in cells))
        log.add(
            "info",
            f"{_row_name(table, r)}：空白单元格 {cols} 按勾稽关系（{rules}）推断为 0",
            table=table.key,
            row=r,
        )


def use_narrative(report: Report, log: ImportLog, state: OpenCells) -> None:
    """Runs the prose decides: each figure it states, in reading order."""
    if not any(state.pending.values()):
        return
    from ..narrative import statements

    for st in statements(report):
        table = fmt.table(st.pattern.table)
        open_slots = state.open_slots(table.key)
        cells = tuple((r, c) for _t, r, c in st.cells)
        if not open_slots.intersection(cells):
            continue
        said = Constraint(
            tuple((c, 1) for c in cells), st.value, "narrative", f"正文“{st.matched}”"
        )
        if _settle(report, log, state, table, [*table_constraints(table), said], "正文"):
            use_table(report, log, state)


def chain_constraints(
    report: Report, before: Report | None, after: Report | None
) -> dict[str, list[Constraint]]:
    """Rules 8 and 7 against the year before and the year after, as constraints on `report`."""
    out: dict[str, list[Constraint]] = {"proactive": [], "applications": []}
    for row in ("regulations", "normative_documents"):
        label = fmt.PROACTIVE.row(row).label
        i, n, r = (row, "in_force"), (row, "issued"), (row, "repealed")
        last = before.get("proactive", *i) if before else None
        if before is not None and last is not None:
            why = f"{before.year}年报告{label}现行有效{last}件（现行有效件数逐年相接）"
            out["proactive"].append(Constraint(((i, 1), (n, -1), (r, 1)), last, "chain", why))
        if after is not None:
            now, made, gone = (after.get("proactive", *x) for x in (i, n, r))
            if now is not None and made is not None and gone is not None:
                why = f"{after.year}年报告{label}现行有效{now}件、制发{made}件、废止{gone}件"
                out["proactive"].append(Constraint(((i, 1),), now - made + gone, "chain", why))
    for col in fmt.APPLICATIONS.columns:
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


def use_chain(
    report: Report,
    log: ImportLog,
    state: OpenCells,
    before: Report | None,
    after: Report | None,
) -> bool:
    """Runs the neighbouring years decide; True when a cell was decided."""
    changed = False
    for key, cons in chain_constraints(report, before, after).items():
        table = fmt.table(key)
        for con in cons:
            if not state.open_slots(key).intersection(c for c, _ in con.terms):
                continue
            if _settle(report, log, state, table, [*table_constraints(table), con], "上下年度"):
                changed = True
                use_table(report, log, state)
    return changed


def _row_name(table: fmt.Table, row: str) -> str:
    r = table.row(row)
    return f"{r.group} {r.label}" if r.group else r.label


def finish(report: Report, log: ImportLog, state: OpenCells) -> None:
    """The tally: per table read / inferred / missing; each blank cell and why; warnings."""
    for pending in state.pending.values():
        for p in pending:
            if isinstance(p.note, LogEntry):
                p.note.level, p.note.message = "warning", open_note(p)
            else:
                log.add("warning", open_note(p), line=p.line)
    old = {t.key for t in fmt.TABLES if log.table_formats.get(t.key, log.format) == f19.FORMAT_ID}
    unmapped = frozenset(c for c in _unmapped_2019() if c[0] in old)
    log.blank = {}
    for t in fmt.TABLES:
        stats = log.stats[t.key] = TableStats()
        status = state.status.get(t.key, {})
        open_slots = state.open_slots(t.key)
        row_blanks: dict[str, list[str]] = {}
        for cell in t.cells():
            value, st = report.get(t.key, *cell), status.get(cell, "absent")
            if value is not None:
                if st == "inferred":
                    stats.inferred += 1
                else:
                    stats.read += 1
                continue
            stats.missing += 1
            if cell in open_slots:
                why = "拆分不唯一"
            elif st == "blank":
                why = "空白"
                row_blanks.setdefault(cell[0], []).append(t.column(cell[1]).label)
            elif st == "flagged":
                why = "无法识别"
            elif (t.key, *cell) in unmapped:
                why = "旧格式无此项"
            else:
                why = "未找到"
            log.blank[(t.key, *cell)] = why
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


def _unmapped_2019() -> frozenset[tuple[str, str, str]]:
    mapped = {d for d in f19.MAPPING.values() if d}
    return frozenset(
        (t.key, *c) for t in fmt.TABLES for c in t.cells() if (t.key, *c) not in mapped
    )
