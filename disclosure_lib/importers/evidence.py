"""Deciding cells a page does not print plainly, from the report's own evidence.

A digit run that more than one split fits (`cellruns`) is a `Pending` item: its slots and the
splits still possible. Evidence is a set of linear `Constraint`s (Σ coefficient × cell = constant,
or ≥ it; `system` gathers them per table):

- `table`: the format's equations (`format.Equation`: rules 1–4);
- `narrative`: a figure the prose states (`narrative.statements`: 现行有效行政规范性文件512件);
- `chain`: the year before or after, for one agency (rule 8: 现行有效件数 = last year's +
  本年制发 − 本年废止; rule 7: 上年结转 = last year's 结转下年度继续办理).

`solve` keeps, for each pending item, the splits that some assignment satisfying every
usable constraint contains; a slot on which they all agree is decided. Nothing else is: a
search cut short keeps every split (never a guess). `fill_blanks` fills blanks (empty cells,
markers) the equations decide, counts being ≥ 0: the one blank of an equation, or every blank
on the short side of one whose cells present already balance (0) — kept only where the
equations its group of blanks joins still have a solution in counts ≥ 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..format import Table
from ..model import Cell, Value

Number = int | Decimal
MAX_NODES = 200_000  # per component and stage: beyond it nothing is eliminated


@dataclass(frozen=True)
class Constraint:
    """sum(coefficient × value) == const (`op` "=="), or >= const (`op` ">=") over `terms`."""

    terms: tuple[tuple[Cell, int], ...]
    const: Number = 0
    kind: str = "table"  # table | narrative | chain
    why: str = ""  # the evidence, in Chinese, for the log
    op: str = "=="

    def holds(self, total: Number, const: Number | None = None) -> bool:
        """Does sum(coefficient × value) = `total` satisfy it (against `const`, default own)?"""
        c = self.const if const is None else const
        return total >= c if self.op == ">=" else total == c


@dataclass
class Pending:
    """A run the arithmetic so far leaves open: its slots and the splits still possible."""

    slots: tuple[Cell, ...]
    cands: list[tuple[Value, ...]]
    label: str
    line: int | None = None
    reason: str = ""  # why it is still open (for the warning)
    short: bool = False  # some readings lack one cell the row should print (not only a run)
    note: object | None = None  # the log entry that says so (updated when decided later)


@dataclass
class Decision:
    """What one solve settled for one pending item."""

    item: Pending
    cands: list[tuple[Value, ...]] | None = None  # splits some solution uses; None: search cut
    decided: dict[Cell, Value] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)  # evidence used (non-table constraints)
    kinds: set[str] = field(default_factory=set)

    @property
    def contradicted(self) -> bool:
        """No split fits every constraint: the evidence disagrees with the table."""
        return self.cands == []


# a constraint as the search uses it: its open terms and the constant left once the known
# cells are moved over
_Usable = tuple[Constraint, tuple[tuple[Cell, int], ...], Number]

_CONSTRAINTS: dict[int, tuple[Table, tuple[Constraint, ...]]] = {}


def table_constraints(table: Table) -> tuple[Constraint, ...]:
    """Every equation of `table` as concrete constraints over its existing cells. (Cached by
    identity: hashing a frozen Table walks all its rows and columns on every call.)"""
    hit = _CONSTRAINTS.get(id(table))
    if hit is None:
        hit = _CONSTRAINTS[id(table)] = (table, _table_constraints(table))
    return hit[1]


def _table_constraints(table: Table) -> tuple[Constraint, ...]:
    cells = set(table.cells())
    out: list[Constraint] = []
    for eq in table.equations:
        if eq.axis == "column":
            keys = eq.over or tuple(c.key for c in table.columns)
            pairs = [
                ([(r, k) for r in eq.left], [(r, k) for r in eq.right], k)
                for k in keys  # per column
            ]
        else:
            keys = eq.over or tuple(r.key for r in table.figure_rows)
            pairs = [([(k, c) for c in eq.left], [(k, c) for c in eq.right], k) for k in keys]
        for left, right, _k in pairs:
            lt = [(c, 1) for c in left if c in cells]
            rt = [(c, -1) for c in right if c in cells]
            if lt and rt:
                out.append(Constraint(tuple(lt + rt), 0, "table", eq.description))
    return tuple(out)


def _number(v: Value) -> bool:
    return v is not None and not isinstance(v, bool)


def solve(
    pending: list[Pending], known: dict[Cell, Value], constraints: Iterable[Constraint]
) -> list[Decision]:
    """Narrow each pending item's splits to those some full solution uses; decide the slots
    on which the remaining splits agree. Items are solved per connected component."""
    open_slots = {s: i for i, p in enumerate(pending) for s in p.slots}
    usable: list[_Usable] = []
    for con in constraints:
        open_terms, rest = [], con.const
        ok = True
        for cell, coef in con.terms:
            if cell in open_slots:
                open_terms.append((cell, coef))
                continue
            v = known.get(cell)
            if not _number(v):
                ok = False
                break
            rest -= coef * v  # type: ignore[operator]
        if ok and open_terms:
            usable.append((con, tuple(open_terms), rest))
    parent = list(range(len(pending)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _con, terms, _rest in usable:
        items = {open_slots[c] for c, _ in terms}
        first = find(items.pop())
        for other in items:
            parent[find(other)] = first
    groups: dict[int, list[int]] = {}
    for i in range(len(pending)):
        groups.setdefault(find(i), []).append(i)
    decisions: list[Decision] = []
    for members in groups.values():
        cons = [u for u in usable if open_slots[u[1][0][0]] in members]
        decisions.extend(_solve_component([pending[i] for i in members], cons))
    return decisions


def _solve_component(items: list[Pending], usable: list[_Usable]) -> list[Decision]:
    n = len(items)
    slot_item = {s: i for i, p in enumerate(items) for s in p.slots}
    by_size = sorted(range(n), key=lambda i: len(items[i].cands))
    supported: list[set[int]] = [set() for _ in items]
    budget = [MAX_NODES]
    plans: dict[int, tuple[list[int], list[list[_Usable]]]] = {}

    def plan(first: int) -> tuple[list[int], list[list[_Usable]]]:
        """Search order starting with `first`; each constraint checked at its last item."""
        order = [first, *(i for i in by_size if i != first)]
        pos = {i: j for j, i in enumerate(order)}
        checks: list[list[_Usable]] = [[] for _ in order]
        for u in usable:
            checks[max(pos[slot_item[c]] for c, _ in u[1])].append(u)
        return order, checks

    def exists(first: int, cand: int) -> bool:
        """Is there a solution with item `first` split as `cand`? Marks the one found."""
        if first not in plans:
            plans[first] = plan(first)
        order, checks = plans[first]
        values: dict[Cell, Value] = {}
        chosen = [0] * n

        def holds(j: int) -> bool:
            for con, terms, rest in checks[j]:
                total: Number = 0
                for cell, coef in terms:
                    v = values[cell]
                    if v is None:
                        break  # a blank inside the run: the equation cannot be checked
                    total += coef * v
                else:
                    if not con.holds(total, rest):
                        return False
            return True

        def rec(j: int) -> bool:
            if j == n:
                for i, c in enumerate(chosen):
                    supported[i].add(c)
                return True
            i = order[j]
            for c in (cand,) if j == 0 else range(len(items[i].cands)):
                budget[0] -= 1
                if budget[0] < 0:
                    raise _Cut
                for s, v in zip(items[i].slots, items[i].cands[c], strict=True):
                    values[s] = v
                chosen[i] = c
                if holds(j) and rec(j + 1):
                    return True
            return False

        return rec(0)

    complete = True
    try:
        for i in by_size:
            for c in range(len(items[i].cands)):
                if c not in supported[i]:
                    exists(i, c)
    except _Cut:
        complete = False
    why = list(dict.fromkeys(u[0].why for u in usable if u[0].kind != "table" and u[0].why))
    kinds = {u[0].kind for u in usable}
    out: list[Decision] = []
    for i, p in enumerate(items):
        if not complete:
            out.append(Decision(p))
            continue
        d = Decision(p, [p.cands[c] for c in sorted(supported[i])], why=why, kinds=kinds)
        for j, s in enumerate(p.slots):
            vals = {cand[j] for cand in d.cands or ()}
            if len(vals) == 1 and (v := vals.pop()) is not None:
                d.decided[s] = v
        out.append(d)
    return out


class _Cut(Exception):
    """The search hit MAX_NODES: nothing may be concluded for this component."""


def fill_blanks(
    constraints: Iterable[Constraint], values: dict[Cell, Value], status: dict[Cell, str]
) -> tuple[list[tuple[Cell, int, Constraint]], dict[Cell, dict[int, str]]]:
    """Blanks (empty cells, markers such as — / 无) the equations decide, counts being ≥ 0:
    an equation whose only blank is one cell gives its value (a row total with every other
    part printed); one whose blanks all sit on one side while the cells present balance
    makes each of them 0. A cell is filled only where every equation deciding it agrees and
    the equations its blanks connect still have a solution in counts ≥ 0 with it (a page
    that does not add up decides nothing). Fills `values`/`status` in place, to a
    fixpoint; returns (cell, value, equation) per fill and, per cell left blank because the
    equations disagree, the values they gave (with the rule) — the candidates for the log."""
    filled: list[tuple[Cell, int, Constraint]] = []
    conflicts: dict[Cell, dict[int, str]] = {}
    cons = [c for c in constraints if c.op == "=="]
    before = {cell: values.get(cell) for con in cons for cell, _ in con.terms}
    before = {cell: v for cell, v in before.items() if status.get(cell) == "blank"}
    while True:
        implied: dict[Cell, dict[int, Constraint]] = {}
        for con in cons:
            blanks: list[tuple[Cell, int]] = []
            total: Number = 0
            for cell, coef in con.terms:
                if status.get(cell) == "blank":
                    blanks.append((cell, coef))
                    continue
                v = values.get(cell)
                if not _number(v):
                    break
                total += coef * v  # type: ignore[operator]
            else:
                rest = con.const - total
                for cell, value in _decided(blanks, rest):
                    implied.setdefault(cell, {}).setdefault(value, con)
        changed = False
        for cell, by in implied.items():
            if cell in conflicts:
                continue
            if len(by) > 1 or -1 in by:  # equations disagree, or one has no count for it
                conflicts[cell] = {v: k.why for v, k in by.items() if v >= 0}
                continue
            ((value, con),) = by.items()
            values[cell], status[cell] = value, "inferred"
            filled.append((cell, value, con))
            changed = True
        if not changed:
            return _feasible_only(cons, values, status, before, filled, conflicts), conflicts


def _feasible_only(
    cons: list[Constraint],
    values: dict[Cell, Value],
    status: dict[Cell, str],
    before: dict[Cell, Value],
    filled: list[tuple[Cell, int, Constraint]],
    conflicts: dict[Cell, dict[int, str]],
) -> list[tuple[Cell, int, Constraint]]:
    """The fills whose group (equations joined by cells blank on the page) still has a
    solution in counts ≥ 0; the others go back to blank, their values kept as conflicts —
    which printed figure of the group is wrong is unknown, so each fill would be a guess."""
    group = {cell: cell for cell in before}

    def root(cell: Cell) -> Cell:
        while group[cell] != cell:
            cell = group[cell]
        return cell

    for con in cons:
        linked = [root(cell) for cell, _ in con.terms if cell in before]
        for cell in linked[1:]:
            group[cell] = linked[0]
    # each group once (its blanks share its equations: solving it per blank repeats the search)
    bad = {
        r
        for r in {root(cell) for cell in before}
        if not _solvable(
            [c for c in cons if any(root(t) == r for t, _ in c.terms if t in before)],
            values,
            status,
        )
    }
    kept = []
    for cell, value, con in filled:
        if root(cell) not in bad:
            kept.append((cell, value, con))
            continue
        values[cell], status[cell] = before[cell], "blank"
        conflicts.setdefault(cell, {})[value] = con.why
    return kept


def _solvable(cons: list[Constraint], values: dict[Cell, Value], status: dict[Cell, str]) -> bool:
    """Can the blanks left in `cons` take counts ≥ 0 satisfying every one? A search cut short
    (or a blank no equation bounds) answers from each equation alone."""
    rests: list[tuple[Number, list[tuple[Cell, int]]]] = []
    for con in cons:
        blanks = [(c, k) for c, k in con.terms if status.get(c) == "blank"]
        known = [(values.get(c), k) for c, k in con.terms if status.get(c) != "blank"]
        if not all(_number(v) for v, _ in known):
            continue
        rest: Number = con.const - sum(k * v for v, k in known)  # type: ignore[misc,operator]
        if not blanks and rest != 0:
            return False
        if blanks and len({k > 0 for _, k in blanks}) == 1 and rest * blanks[0][1] < 0:
            return False  # blanks of one sign cannot make up a total of the other
        if blanks:
            rests.append((rest, blanks))
    free = list(dict.fromkeys(c for _, blanks in rests for c, _ in blanks))
    bound: dict[Cell, int] = {}  # the most a blank can be: the total of an all-plus equation
    for rest, blanks in rests:
        if len({k > 0 for _, k in blanks}) == 1:
            for c, k in blanks:
                most = int(Decimal(rest) / k)
                bound[c] = min(bound.get(c, most), most)
    if any(c not in bound for c in free) or not free:
        return True
    budget = [MAX_NODES]
    assigned: dict[Cell, int] = {}

    def ok() -> bool:
        for rest, blanks in rests:
            done = all(c in assigned for c, _ in blanks)
            if done and sum(k * assigned[c] for c, k in blanks) != rest:
                return False
        return True

    def rec(i: int) -> bool:
        if i == len(free):
            return True
        for v in range(bound[free[i]] + 1):
            budget[0] -= 1
            if budget[0] < 0:
                raise _Cut
            assigned[free[i]] = v
            if ok() and rec(i + 1):
                return True
        del assigned[free[i]]
        return False

    try:
        return rec(0)
    except _Cut:
        return True


def _decided(blanks: list[tuple[Cell, int]], rest: Number) -> list[tuple[Cell, int]]:
    """What Σ coef × blank = rest decides with every blank a count ≥ 0: the one blank's value,
    or 0 for every blank when they share a sign and rest is 0. A value that cannot be a count
    (negative, fractional) is returned as −1, so the cell counts as contradicted."""
    if len(blanks) == 1:
        cell, coef = blanks[0]
        value = Decimal(rest) / coef
        ok = value >= 0 and value == value.to_integral_value()
        return [(cell, int(value) if ok else -1)]
    if blanks and rest == 0 and len({coef > 0 for _, coef in blanks}) == 1:
        return [(cell, 0) for cell, _ in blanks]
    return []


def show(cands: Sequence[tuple[Value, ...]], limit: int = 3) -> str:
    """Splits as the log shows them: 3|0|40、30|4|0 等5种."""
    shown = ["|".join("" if v is None else str(v) for v in c) for c in cands[:limit]]
    more = f" 等{len(cands)}种" if len(cands) > limit else ""
    return "、".join(shown) + more
