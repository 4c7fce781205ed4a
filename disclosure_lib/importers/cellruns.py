"""Turn the cells read for a table into figures, splitting run-together digit runs.

Text crawlers and copy-paste often lose the separators between table cells:
`一、本年新收政府信息公开申请数量385001044` holds the seven cells 38|5|0|0|1|0|44. The only
information that says where to cut is the table's own arithmetic, read from the `Equation`s
in `format.py` (six applicant columns sum to 总计; 维持+纠正+其他+尚未审结 = 总计; the column
rules across rows) and the inequalities of `system` (现行有效 ≥ 制发 − 废止). Resolution:

1. a segment (the cells read for a run of slots, e.g. one row) with exactly one way to split
   is read as is;
2. otherwise the splits that satisfy the rules lying inside the segment are kept; a row whose
   separated cells are one too few (or none of whose splits fits) may lack one cell: it is
   also read with the missing cell at each place, its value from the row's equation;
3. segments still ambiguous are solved together against the rules across the table;
   a slot on which all table-consistent solutions agree is *inferred* (and logged, with
   what decided it in `Resolution.why`);
4. anything else stays None and is flagged — never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..format import Table
from ..model import Cell, Value
from .evidence import Constraint, Pending, show, solve
from .system import table_system

TABLE_EVIDENCE = "全表勾稽关系"
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
    pending: list[Pending] = field(default_factory=list)  # runs the table leaves open
    why: dict[Cell, str] = field(default_factory=dict)  # inferred cells: what decided them


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


def _holds(con: Constraint, values: dict[Cell, Value]) -> bool | None:
    """True/False when every cell of the constraint is known, else None."""
    total: Decimal = Decimal(0)
    for c, coef in con.terms:
        v = values.get(c)
        if v is None:
            return None
        total += coef * v
    return con.holds(total)


def resolve(
    table: Table,
    segments: list[Segment],
    *,
    signed: frozenset[Cell] = frozenset(),
) -> Resolution:
    """Values for every slot of `segments`, with a status per slot and log notes."""
    res = Resolution()
    constraints = table_system(table)
    ambiguous: list[Pending] = []

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
        slots = set(seg.slots)
        local = [k for k in constraints if all(c in slots for c, _ in k.terms)]
        has_run = any(_INT.match(c) and len(c) > 1 for c in cells)
        cands = _bounded(_segment_candidates(cells, n)) if has_run else []
        if cands is None:
            res.notes.append(
                (seg.slots[0], "warning", f"{seg.label}：连写数字拆分方式过多，未导入该行")
            )
            continue
        # cells the page separates, one too few: the row may lack one cell
        lacking = _short_candidates(cells, seg.slots, local) if 1 < len(cells) == n - 1 else []
        if len(cands) == 1 and not lacking:
            _assign(res, seg.slots, cands[0], "read", "连写数字唯一拆分")
            res.notes.append(
                (seg.slots[0], "info", f"{seg.label}：连写数字唯一拆分为 {show(cands)}")
            )
            continue
        fits = [
            c
            for c in cands
            if all(_holds(k, dict(zip(seg.slots, c, strict=True))) is not False for k in local)
        ]
        if len(cells) > 1 and not fits and not lacking:  # no reading of the cells fits
            lacking = _short_candidates(cells, seg.slots, local)
        short = [c for c in lacking if c not in fits]
        readings = fits + short
        if not readings:
            msg = (
                f"{seg.label}：连写数字“{''.join(cells)}”无符合勾稽关系的拆分，留空"
                if cands
                else f"{seg.label}：应有{n}个数值，只读到{len(cells)}个，留空"
            )
            res.notes.append((seg.slots[0], "warning", msg))
            continue
        if len(readings) == 1:
            by = "；".join(_decisive(local, seg.slots, cands + short)) or "本行勾稽关系"
            lacks = readings[0] in short
            what = "少一个单元格，" if lacks else "连写数字"
            _assign(res, seg.slots, readings[0], "inferred", f"{what}按{by}推断")
            res.notes.append(
                (seg.slots[0], "info", f"{seg.label}：{what}按{by}推断为 {show(readings)}")
            )
            for s, v in zip(seg.slots, readings[0], strict=True):
                if v is None and lacks:
                    res.status[s] = "absent"  # not printed, and no rule of the row gives it
            continue
        item = Pending(seg.slots, list[tuple[Value, ...]](readings), seg.label, seg.line)
        item.short = bool(short)
        ambiguous.append(item)

    if ambiguous:
        open_slots = {x for p in ambiguous for x in p.slots}
        known = {s: v for s, v in res.values.items() if s not in open_slots}
        res.pending = settle(res, ambiguous, known, constraints)
        res.notes += [(p.slots[0], "warning", open_note(p)) for p in res.pending]
    return res


def _short_candidates(
    cells: list[str], slots: tuple[Cell, ...], local: list[Constraint]
) -> list[tuple[int | None, ...]]:
    """Readings of a row that lacks one cell: the text as n − 1 figures, the missing cell at
    each place in turn, its value from an equation of the row where one has it as the only
    unknown (else None: not printed, not known). Only readings every rule of the row keeps."""
    out: dict[tuple[int | None, ...], None] = {}
    bases = _bounded(_segment_candidates(cells, len(slots) - 1)) or []
    if len(bases) * len(slots) > MAX_CANDIDATES:
        return []  # too many ways to read it: nothing is concluded
    for base in bases:
        for hole in range(len(slots)):
            cand: list[int | None] = [*base[:hole], None, *base[hole:]]
            value = _derive(local, slots, cand, hole)
            if value is False:
                continue
            cand[hole] = value
            values: dict[Cell, Value] = dict(zip(slots, cand, strict=True))
            if all(_holds(k, values) is not False for k in local):
                out[tuple(cand)] = None
            if len(out) > MAX_CANDIDATES:
                return []
    return list(out)


def _derive(
    local: list[Constraint], slots: tuple[Cell, ...], cand: list[int | None], hole: int
) -> int | bool | None:
    """The missing cell's value from the first equation that has it as the only unknown;
    None when none has; False when one would make it negative or fractional."""
    values: dict[Cell, Value] = dict(zip(slots, cand, strict=True))
    target = slots[hole]
    for k in local:
        coefs = dict(k.terms)
        if k.op != "==" or target not in coefs:
            continue
        rest = Decimal(k.const)
        for c, coef in k.terms:
            if c == target:
                continue
            v = values.get(c)
            if v is None:
                break
            rest -= coef * v
        else:
            got = rest / coefs[target]
            if got < 0 or got != got.to_integral_value():
                return False
            return int(got)
    return None


def _decisive(
    local: list[Constraint], slots: tuple[Cell, ...], cands: list[tuple[int | None, ...]]
) -> list[str]:
    """The rules (their descriptions) that ruled out some of `cands`."""
    out: list[str] = []
    for k in local:
        if any(_holds(k, dict(zip(slots, c, strict=True))) is False for c in cands):
            out.append(k.why)
    return list(dict.fromkeys(out))


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
    res: Resolution, slots: tuple[Cell, ...], cand: tuple[int | None, ...], st: str, why: str = ""
) -> None:
    for s, v in zip(slots, cand, strict=True):
        res.values[s] = v
        res.status[s] = st if v is not None else "blank"
        if why and v is not None:
            res.why[s] = why


def settle(
    res: Resolution,
    pending: list[Pending],
    known: dict[Cell, Value],
    constraints: Iterable[Constraint],
    *,
    evidence: str = TABLE_EVIDENCE,
) -> list[Pending]:
    """Solve `pending` against `constraints`; record the slots decided in `res` (inferred, the
    evidence in an info note); return the items still open, their splits narrowed."""
    still: list[Pending] = []
    for d in solve(pending, known, constraints):
        p = d.item
        if d.cands is None or d.contradicted:
            if not p.reason and evidence == TABLE_EVIDENCE:  # other evidence is only skipped
                p.reason = "可能的拆分过多" if d.cands is None else "与表内其他数据均不符"
            still.append(p)
            continue
        p.cands = d.cands
        new = {s: v for s, v in d.decided.items() if res.status.get(s) != "inferred"}
        by = "、".join(f"“{w}”" for w in d.why) if d.why else evidence
        what = "少一个单元格，" if p.short else "连写数字"
        for s, v in new.items():
            res.values[s], res.status[s] = v, "inferred"
            res.why[s] = f"{what}按{by}推断"
        if len(d.decided) == len(p.slots):
            res.notes.append((p.slots[0], "info", f"{p.label}：{what}按{by}推断为 {show(p.cands)}"))
            p.reason = "decided"
            continue
        if new:
            msg = f"{p.label}：{what}按{by}推断出部分单元格（仍可能为 {show(p.cands)}）"
            res.notes.append((p.slots[0], "info", msg))
        p.reason = ""
        still.append(p)
    return still


def open_note(p: Pending) -> str:
    """The warning for a run still open."""
    why = p.reason or "仍无法确定"
    what = "少一个单元格，有多种读法" if p.short else "连写数字有多种拆分"
    return f"{p.label}：{what}（{show(p.cands)}），{why}，不确定的单元格留空"


__all__ = ["Resolution", "Segment", "open_note", "parse_value", "resolve", "settle"]
