"""Turn the cells read for a table into figures, splitting run-together digit runs.

Text crawlers and copy-paste often lose the separators between table cells:
`一、本年新收政府信息公开申请数量385001044` holds the seven cells 38|5|0|0|1|0|44. The only
information that says where to cut is the table's own arithmetic, read from the `Equation`s
in `format.py` (six applicant columns sum to 总计; 维持+纠正+其他+尚未审结 = 总计; the column
rules across rows). Resolution:

1. a segment (the cells read for a run of slots, e.g. one row) with exactly one way to split
   is read as is;
2. otherwise the splits that satisfy the equations lying inside the segment are kept;
3. segments still ambiguous are solved together against the equations across the table;
   a slot on which all table-consistent solutions agree is *inferred* (and logged);
4. anything else stays None and is flagged — never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from ..format import Table
from ..model import Cell, Value

MAX_DIGITS = 6  # a single figure above 999,999 does not occur in these tables
MAX_CANDIDATES = 20_000  # per segment
MAX_NODES = 200_000  # global search
MAX_SOLUTIONS = 64

_INT = re.compile(r"^\d+$")
_SIGNED = re.compile(r"^[+-]\d+$")
_DEC = re.compile(r"^\d+\.\d+$")


@dataclass
class Segment:
    """Cells read in order for `slots` (one table row, or the whole 四 row of 15)."""

    slots: tuple[Cell, ...]
    cells: list[str]  # normalised cell texts; '' = blank
    line: int | None = None
    label: str = ""


@dataclass
class Resolution:
    values: dict[Cell, Value] = field(default_factory=dict)
    status: dict[Cell, str] = field(default_factory=dict)  # read | inferred | blank | flagged
    notes: list[tuple[Cell | None, str, str]] = field(default_factory=list)  # (cell, level, msg)


def parse_value(text: str, *, amount: bool = False, signed: bool = False) -> tuple[Value, str]:
    """One cell → (value, status). Status 'read', 'blank' (empty / marker) or 'flagged'."""
    if text == "" or text is None:
        return None, "blank"
    if _INT.match(text):
        return (Decimal(text) if amount else int(text)), "read"
    if signed and _SIGNED.match(text):
        return int(text), "read"
    if _DEC.match(text):
        try:
            d = Decimal(text)
        except InvalidOperation:  # pragma: no cover - regex admits only valid decimals
            return None, "flagged"
        if amount:
            return d, "read"
        if d == d.to_integral_value():
            return int(d), "read"
    return None, "flagged"


def _splits(digits: str, k: int) -> Iterator[tuple[int, ...]]:
    """All ways to cut `digits` into k numbers without leading zeros (≤ MAX_DIGITS each)."""
    n = len(digits)
    if not k <= n <= k * MAX_DIGITS:
        return
    if k == 1:
        if n <= MAX_DIGITS and (n == 1 or digits[0] != "0"):
            yield (int(digits),)
        return
    if digits[0] == "0":
        for rest in _splits(digits[1:], k - 1):
            yield (0, *rest)
        return
    for i in range(1, min(MAX_DIGITS, n - k + 1) + 1):
        for rest in _splits(digits[i:], k - 1):
            yield (int(digits[:i]), *rest)


def _segment_candidates(cells: list[str], n: int) -> Iterator[tuple[int | None, ...]]:
    """Ways to read `cells` as n figures; only pure digit runs can hold more than one."""
    splittable = [bool(_INT.match(c)) and len(c) > 1 for c in cells]
    extra = n - len(cells)
    if extra < 0:
        return
    # how many extra slots the cells after i can still take (prunes dead branches early)
    room = [0] * (len(cells) + 1)
    for i in range(len(cells) - 1, -1, -1):
        room[i] = room[i + 1] + (len(cells[i]) - 1 if splittable[i] else 0)

    def parts(i: int, left: int) -> Iterator[tuple[int | None, ...]]:
        if i == len(cells):
            if left == 0:
                yield ()
            return
        c = cells[i]
        if not splittable[i]:
            v, st = parse_value(c)
            head: tuple[int | None, ...] = (v if isinstance(v, int) else None,)
            if st == "flagged":
                return
            for rest in parts(i + 1, left):
                yield head + rest
            return
        for take in range(max(0, left - room[i + 1]), min(left, len(c) - 1) + 1):
            for split in _splits(c, take + 1):
                for rest in parts(i + 1, left - take):
                    yield split + rest

    yield from parts(0, extra)


@cache
def _instances(table: Table) -> list[tuple[tuple[Cell, ...], tuple[Cell, ...]]]:
    """Every equation as concrete (left cells, right cells) pairs over existing cells."""
    cells = set(table.cells())
    out = []
    for eq in table.equations:
        if eq.axis == "column":
            keys = eq.over or tuple(c.key for c in table.columns)
            for col in keys:
                left = tuple((r, col) for r in eq.left if (r, col) in cells)
                right = tuple((r, col) for r in eq.right if (r, col) in cells)
                if left and right:
                    out.append((left, right))
        else:
            keys = eq.over or tuple(r.key for r in table.figure_rows)
            for row in keys:
                left = tuple((row, c) for c in eq.left if (row, c) in cells)
                right = tuple((row, c) for c in eq.right if (row, c) in cells)
                if left and right:
                    out.append((left, right))
    return out


def _holds(
    inst: tuple[tuple[Cell, ...], tuple[Cell, ...]], values: dict[Cell, Value]
) -> bool | None:
    """True/False when every cell of the equation is known, else None."""
    total = [Decimal(0), Decimal(0)]
    for side, cells in enumerate(inst):
        for c in cells:
            v = values.get(c)
            if v is None:
                return None
            total[side] += v
    return total[0] == total[1]


def _fmt(cands: list[tuple[Value, ...]] | list[tuple[int | None, ...]]) -> str:
    shown = ["|".join("" if v is None else str(v) for v in c) for c in cands[:3]]
    more = f" 等{len(cands)}种" if len(cands) > 3 else ""
    return "、".join(shown) + more


def resolve(
    table: Table,
    segments: list[Segment],
    *,
    signed: frozenset[Cell] = frozenset(),
) -> Resolution:
    """Values for every slot of `segments`, with a status per slot and log notes."""
    res = Resolution()
    instances = _instances(table)
    ambiguous: list[tuple[Segment, list[tuple[int | None, ...]]]] = []

    for seg in segments:
        n = len(seg.slots)
        cells = list(seg.cells)
        while len(cells) > n and cells[-1] == "":
            cells.pop()  # trailing blank cells (padding) carry nothing
        if len(cells) == n:
            for slot, text in zip(seg.slots, cells, strict=True):
                v, st = parse_value(text, amount=table.is_amount(*slot), signed=slot in signed)
                res.values[slot], res.status[slot] = v, st
                if st == "flagged":
                    res.notes.append((slot, "warning", f"无法识别的数值“{text}”，按缺失处理"))
            continue
        _blank(res, seg.slots)
        if not cells:
            for s in seg.slots:
                res.status[s] = "blank"
            res.notes.append((seg.slots[0], "warning", f"{seg.label}：未读到数值"))
            continue
        if len(cells) > n:
            res.notes.append(
                (
                    seg.slots[0],
                    "warning",
                    f"{seg.label}：应有{n}个数值，读到{len(cells)}个，未导入该行",
                )
            )
            continue
        if not any(_INT.match(c) and len(c) > 1 for c in cells):
            res.notes.append(
                (seg.slots[0], "warning", f"{seg.label}：应有{n}个数值，只读到{len(cells)}个，留空")
            )
            continue
        cands = _bounded(_segment_candidates(cells, n))
        if cands is None:
            res.notes.append(
                (seg.slots[0], "warning", f"{seg.label}：连写数字拆分方式过多，未导入该行")
            )
            continue
        if len(cands) == 1:
            _assign(res, seg.slots, cands[0], "read")
            res.notes.append(
                (seg.slots[0], "info", f"{seg.label}：连写数字唯一拆分为 {_fmt(cands)}")
            )
            continue
        local = [inst for inst in instances if all(c in seg.slots for side in inst for c in side)]
        fits = [
            c
            for c in cands
            if all(_holds(i, dict(zip(seg.slots, c, strict=True))) is not False for i in local)
        ]
        if not fits:
            res.notes.append(
                (
                    seg.slots[0],
                    "warning",
                    f"{seg.label}：连写数字“{''.join(cells)}”无符合勾稽关系的拆分，留空",
                )
            )
            continue
        if len(fits) == 1:
            _assign(res, seg.slots, fits[0], "inferred")
            res.notes.append(
                (seg.slots[0], "info", f"{seg.label}：连写数字按本行勾稽关系推断为 {_fmt(fits)}")
            )
            continue
        ambiguous.append((seg, fits))

    if ambiguous:
        _solve_globally(res, ambiguous, instances)
    return res


def _bounded(it: Iterator[tuple[int | None, ...]]) -> list[tuple[int | None, ...]] | None:
    out = []
    for c in it:
        out.append(c)
        if len(out) > MAX_CANDIDATES:
            return None
    return out


def _blank(res: Resolution, slots: tuple[Cell, ...]) -> None:
    for s in slots:
        res.values[s], res.status[s] = None, "flagged"


def _assign(
    res: Resolution, slots: tuple[Cell, ...], cand: tuple[int | None, ...], st: str
) -> None:
    for s, v in zip(slots, cand, strict=True):
        res.values[s] = v
        res.status[s] = st if v is not None else "blank"


def _solve_globally(
    res: Resolution,
    ambiguous: list[tuple[Segment, list[tuple[int | None, ...]]]],
    instances: list[tuple[tuple[Cell, ...], tuple[Cell, ...]]],
) -> None:
    """Backtrack over the ambiguous segments against every equation of the table."""
    ambiguous.sort(key=lambda a: len(a[1]))
    open_slots = {s for seg, _ in ambiguous for s in seg.slots}
    known = {s: v for s, v in res.values.items() if s not in open_slots}
    # the equations each segment completes, given the segments assigned before it
    assigned: set[Cell] = set()
    checks: list[list[tuple[tuple[Cell, ...], tuple[Cell, ...]]]] = []
    for seg, _ in ambiguous:
        assigned |= set(seg.slots)
        now = []
        for inst in instances:
            cells = [c for side in inst for c in side]
            if any(c in seg.slots for c in cells) and all(
                c in assigned or c not in open_slots for c in cells
            ):
                now.append(inst)
        checks.append(now)

    solutions: list[dict[Cell, Value]] = []
    nodes = 0
    values: dict[Cell, Value] = dict(known)
    complete = True

    def search(i: int) -> bool:
        nonlocal nodes
        if i == len(ambiguous):
            solutions.append({s: values[s] for s in open_slots})
            return len(solutions) < MAX_SOLUTIONS
        seg, cands = ambiguous[i]
        for cand in cands:
            nodes += 1
            if nodes > MAX_NODES:
                return False
            for s, v in zip(seg.slots, cand, strict=True):
                values[s] = v
            if all(_holds(inst, values) is not False for inst in checks[i]) and not search(i + 1):
                return False
        for s in seg.slots:
            values.pop(s, None)
        return True

    complete = search(0)
    for seg, cands in ambiguous:
        label = seg.label
        if not solutions or not complete:
            why = "与表内其他数据均不符" if not solutions else "可能的拆分过多"
            res.notes.append(
                (
                    seg.slots[0],
                    "warning",
                    f"{label}：连写数字有多种拆分（{_fmt(cands)}），{why}，留空",
                )
            )
            continue
        agreed = []
        for s in seg.slots:
            vals = {sol[s] for sol in solutions}
            if len(vals) == 1:
                v = vals.pop()
                res.values[s] = v
                res.status[s] = "inferred" if v is not None else "blank"
                agreed.append(s)
        rows = {tuple(sol[s] for s in seg.slots) for sol in solutions}
        if len(agreed) == len(seg.slots):
            res.notes.append(
                (
                    seg.slots[0],
                    "info",
                    f"{label}：连写数字按全表勾稽关系推断为 {_fmt(sorted(rows, key=str))}",
                )
            )
        else:
            res.notes.append(
                (
                    seg.slots[0],
                    "warning",
                    f"{label}：连写数字按全表勾稽关系仍有多种拆分"
                    f"（{_fmt(sorted(rows, key=str))}），不确定的单元格留空",
                )
            )


__all__ = ["Resolution", "Segment", "parse_value", "resolve"]
