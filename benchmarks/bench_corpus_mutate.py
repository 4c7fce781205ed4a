"""Real published reports varied as unseen ones vary — does any figure change?

    .venv/bin/python benchmarks/bench_corpus_mutate.py DIR [-j 2] [--only NAME,…] [-v]

Every report file under DIR (the corpus: crawler header lines, then the body on one line) is
imported as published, then once per mutation: a variation real pages show across the corpus
(its README) and issue 15 — heading variants, page chrome, spaces inside labels, uneven and
ideographic spaces between cells, 规范性文件 for 行政规范性文件, 钩稽关系, 先行有效件数, the fee
section as 五, seven sections, a cover-letter title, the body broken into lines (one piece a
line, one tab-indented cell a line as in the seed report), money in 元, next year's plans in 五,
a short row, no 规章 row, and all of them at once (`combined`). Each mutated folder holds every
file (the year chain keeps its years); the files a mutation applies to are compared with their
unmutated import, cell by cell:

- same: every figure, the agency and the year as before (cells a mutation takes off the page,
  `LOST`, must be blank);
- blank: a figure read before is blank now (never a different value) — acceptable only where
  the mutation really loses the information;
- WRONG: a figure, the agency or the year differs — an importer mistake.

Also counted: check errors the mutated import has and the unmutated one has not (a clean page
must not get an error from an importer-side cause). `DEFECTS` are not variations but defects
put into the page (the text states another figure than the table): each must be flagged.
One line per mutation, then the details of every file that is not `same` (`-v`: the cells).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from variation_tools import Page, tables_span  # noqa: E402

import disclosure_lib as dl  # noqa: E402
from disclosure_lib import format as fmt  # noqa: E402
from disclosure_lib import format2019 as f19  # noqa: E402
from disclosure_lib.importers.align import align_page  # noqa: E402
from disclosure_lib.importers.collection import FileOutcome  # noqa: E402

Cells = dict[tuple[str, str, str], object]
HEADER_LINES = 9  # the crawler's header (标题: … 正文 separator) before the body
Mutation = Callable[[list[str], str, random.Random, "Outcome | None"], Page | None]


# --- mutations --------------------------------------------------------------------------------


def _replace_first(body: str, pairs: tuple[tuple[str, str], ...]) -> str | None:
    for old, new in pairs:
        if old in body:
            return body.replace(old, new, 1)
    return None


def headings(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """五 and 六 as real offices title them (issue 15, kind 3)."""
    five = rnd.choice(
        (
            "五、存在的主要问题及明年工作计划",
            "五、存在的主要问题及改进措施",
            "五、存在的主要问题和改进情况",
        )
    )
    six = rnd.choice(("六、需要说明的其他事项与附表", "六、其他需报告的事项", "六、其他需说明事项"))
    out = _replace_first(body, ((fmt.section("五").heading, five),))
    out = _replace_first(out or body, ((fmt.section("六").heading, six),))
    return None if out is None or out == body else (head, out)


CHROME_BEFORE = (
    "当前位置： 首页 > 政务公开 > 政府信息公开年报 微信 微博 QQ空间 全真版 文字版 "
    "【字体：大 中 小】 打印 文件下载 相关链接： "
)
CHROME_AFTER = " 附件下载 （此件主动公开） 联系电话：0591-12345678 扫一扫在手机打开当前页"


def chrome(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """Website navigation before the body, attachments and a contact line after it."""
    return head, CHROME_BEFORE + body + CHROME_AFTER


def _labels() -> list[str]:
    """Row labels and column headers of both formats, longest first (no ordinal prefixes)."""
    out: set[str] = set()
    for t in (*fmt.TABLES, *f19.TABLES):
        for r in t.rows:
            label = re.sub(
                r"^(?:[（(][一二三四五六七八九十]+[）)]|\d+[.．]|[一二三四五六]、)", "", r.label
            )
            if len(label) >= 4:
                out.add(label)
        for c in t.columns:
            if len(c.label) >= 4 and "（" not in c.label:
                out.add(c.label)
    out |= {"本年度办理结果", "社会公益组织", "法律服务机构", "商业企业", "科研机构"}
    return sorted(out, key=len, reverse=True)


def label_spaces(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """A space inside table labels and headers (`社会公益 组织`, `本年度办 理结果`)."""
    pattern = re.compile("|".join(re.escape(x) for x in _labels()))

    def split(m: re.Match[str]) -> str:
        s = m.group(0)
        at = rnd.randrange(1, len(s))
        return s[:at] + " " + s[at:]

    start, end = tables_span(body)
    if start < 0:
        return None
    out = body[:start] + pattern.sub(split, body[start:end]) + body[end:]
    return None if out == body else (head, out)


_SPACED_DIGITS = re.compile(r"(?<=\d) (?=\d)")


def uneven_spaces(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """Spaces between cells printed as runs, ideographic spaces (U+3000) or both."""
    out = _SPACED_DIGITS.sub(lambda _: rnd.choice(("  ", "\u3000", " \u3000", "   ")), body)
    return None if out == body else (head, out)


def normative(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """规范性文件 for 行政规范性文件 (the row and the prose)."""
    out = body.replace("行政规范性文件", "规范性文件")
    return None if out == body else (head, out)


def typos(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """钩稽关系 for 勾稽关系, 先行有效件数 for 现行有效件数 (table header), 行政法复议."""
    out = body.replace("勾稽关系", "钩稽关系").replace("现行有效件数", "先行有效件数", 1)
    out = out.replace("政府信息公开行政复议", "政府信息公开行政法复议", 1)
    return None if out == body else (head, out)


FEE_SECTION = "五、信息处理费收取情况 通知收取件数 通知收取金额（元） 实际收取金额（元） 0 0 0 "


def fee_as_five(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """A section 五、信息处理费收取情况 before 五, which becomes 六 (六 dropped, as jjpq-2025)."""
    five, six = fmt.section("五").heading, fmt.section("六").heading
    at = body.find(five)
    if at < 0:
        return None
    rest = body[at + len(five) :]
    cut = rest.find(six)
    if cut >= 0:  # 六's text kept, under a 七 heading
        rest = rest[:cut] + "七、其他需要报告的事项" + rest[cut + len(six) :]
    return head, body[:at] + FEE_SECTION + "六、" + five[2:] + rest


_RENUMBER = dict(zip("二三四五六", "三四五六七", strict=True))
EXTRA_SECTION = (
    "二、政务公开工作主要任务落实情况 围绕年度政务公开工作要点，推进重点领域信息公开，"
    "加强政策解读和回应关切。"
)


def seven_sections(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """An extra section 二 before the tables, the official 二…六 renumbered 三…七 (lwtj-2020)."""
    out = body
    positions = []
    for key in "二三四五六":
        h = fmt.section(key).heading
        at = out.find(h)
        if at < 0:
            return None
        positions.append((at, key))
    for at, key in sorted(positions, reverse=True):
        out = out[:at] + _RENUMBER[key] + out[at + 1 :]
    first = min(at for at, _ in positions)
    return head, out[:first] + EXTRA_SECTION + out[first:]


def cover_letter(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """The title a cover letter (…关于报送…年度报告的函), in the header and the body."""
    title = head[0].removeprefix("标题:").strip()
    m = re.match(r"(.+?)\s*(?:关于)?\s*(\d{4})年度?政府信息公开工作(?:年度)?报告", title)
    if m is None:
        return None
    letter = f"{m[1]}关于报送{m[2]}年度政府信息公开工作年度报告的函"
    new_head = [f"标题: {letter}", *head[1:]]
    return new_head, body.replace(title, letter, 1)


def lines(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """The body with every run of whitespace a line break (cells and paragraphs one a line)."""
    out = re.sub(r"\s+", "\n", body.strip())
    return None if "\n" not in out else (head, out)


def tab_cells(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """The tables one tab-indented cell a line, a blank line before each row, as the seed
    report prints them: a cell is a label, a header word or a figure run (as the page printed
    it); a row starts at a label; headings and prose (a piece's text up to its last 。) stay
    lines of their own. The labels are set apart first by the importer's own alignment
    (`align_page`): a page whose labels run into their figures has no other record of where
    a cell ends."""
    body = align_page(body)
    start, end = tables_span(body)
    if start < 0:
        return None
    out: list[str] = []
    for piece in re.split(r"\s+", body[start:end].strip()):
        cut = piece.rfind("。") + 1  # prose up to its last 。, the table after it
        if cut:
            out += ["", piece[:cut], ""]
            piece = piece[cut:]
        for n, h in enumerate(_HEADS):  # headings kept whole
            piece = piece.replace(h, f"\0{n}\0")
        piece = _WORDS.sub(r" \g<0> ", piece)
        for n, h in enumerate(_HEADS):
            piece = piece.replace(f"\0{n}\0", f" {h} ")
        for part in piece.split():
            if part in _HEADS:
                out += ["", part, ""]
                continue
            for cell in _CELL.findall(part):
                if not _FIGURE.fullmatch(cell):
                    out += ["", f"\t{cell}"]
                    continue
                if (
                    out
                    and out[-1][:1] == "\t"
                    and out[-1][1:] not in _ROW_LABELS
                    and not (_FIGURE.fullmatch(out[-1][1:]))
                ):
                    out.append("")  # figures after header words: a row of their own (四)
                out.append(f"\t{cell}")
    return head, body[:start] + "\n" + "\n".join(out) + "\n" + body[end:]


_HEADS = tuple(s.heading for s in fmt.SECTIONS)
_ROW_LABELS = frozenset(r.label for t in (*fmt.TABLES, *f19.TABLES) for r in t.rows)


def _table_words() -> re.Pattern[str]:
    """Every label and header word of both formats' tables (a cell of its own)."""
    words = {fmt.PROACTIVE_ROW_HEADER, fmt.APPLICANT_HEADER, fmt.LEGAL_PERSONS}
    for t in (*fmt.TABLES, *f19.TABLES):
        words |= {r.label for r in t.rows} | {r.group for r in t.rows if r.group}
        words |= {c.label for c in t.columns if len(c.label) >= 3}
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_WORDS = _table_words()
# a label (its ordinal 1. included) or a figure run with its unit
_CELL = re.compile(r"\d+(?:\.\d+)?(?:万?元|个)?(?![.．])|(?:\d+[.．])?\D+")
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:万?元|个)?")


_FEE = re.compile(r"(行政事业性收费)(\s*)(\d+(?:\.\d+)?)(?=\s*(?:三、|\(|（|\s|$))")


def money_yuan(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """The 万元 fee printed in 元 with its unit (`176586650.10元`)."""
    m = _FEE.search(body)
    if m is None or "万元" not in body[max(0, m.start() - 40) : m.start()]:
        return None
    try:
        yuan = Decimal(m[3]) * 10_000
    except InvalidOperation:
        return None
    text = f"{yuan:f}".rstrip("0").rstrip(".") if "." in f"{yuan:f}" else f"{yuan:f}"
    return head, body[: m.start(3)] + text + "元" + body[m.end(3) :]


_SIX = re.compile(r"[六七]、\s*(?:其他需|需要说明|其他需要)")


def plans(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """Next year's plans in 五 (`2025年，我局将继续…`, 明年): not the report year's facts."""
    m = _SIX.search(body)
    if base is None or m is None:
        return None
    y = base.year + 1
    text = (
        f"{y}年，我局将继续深化政务公开，计划制发规范性文件5件。"
        f"明年将进一步做好依申请公开工作，力争收到申请100%按时办结。"
    )
    return head, body[: m.start()] + text + body[m.start() :]


_SEVEN = re.compile(r"(?<=[^\d\s])[ \u3000]*(\d+)((?:[ \u3000]+\d+){6})(?=[ \u3000]*[^\d\s.])")


def short_row(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """A row of 三 printing 6 of its 7 cells (one dropped): the row may go blank where nothing
    says which cell is missing, but no figure may change."""
    start = body.find(fmt.section("三").title)
    m = _SEVEN.search(body, max(start, 0)) if start >= 0 else None
    if m is None:
        return None
    cells = [m[1], *m[2].split()]
    cells.pop(rnd.randrange(6))
    return head, body[: m.start(1)] + " ".join(cells) + body[m.end(2) :]


def text_defect(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """A DEFECT, not a variation: 一 states 本年新收 3 more than the table — must be flagged."""
    new = None if base is None else base.cells.get(("applications", "new", "total"))
    m = re.search(rf"[二三]、\s*{fmt.section('二').title}", body)
    if not isinstance(new, int) or m is None:
        return None
    text = f"本年度新收政府信息公开申请{new + 3}件。"
    return head, body[: m.start()] + text + body[m.start() :]


MUTATIONS: dict[str, Mutation] = {
    "headings": headings,
    "chrome": chrome,
    "label-spaces": label_spaces,
    "uneven-spaces": uneven_spaces,
    "normative": normative,
    "typos": typos,
    "fee-as-five": fee_as_five,
    "seven-sections": seven_sections,
    "cover-letter": cover_letter,
    "lines": lines,
    "tab-cells": tab_cells,
    "money-yuan": money_yuan,
    "plans": plans,
    "short-row": short_row,
    "text-defect": text_defect,
}
_REGS = re.compile(r"(?<=项)(\s*信息内容.*?)(规章)([\s\d]*?)(?=\s*(?:行政)?规范性文件)")


def no_regs_row(
    head: list[str], body: str, rnd: random.Random, base: Outcome | None
) -> Page | None:
    """No 规章 row printed (`行政规范性文件3024` only, as 5 corpus pages): its cells are blank
    (the page does not give them, `LOST`), every other figure as before."""
    start, end = tables_span(body)
    m = _REGS.search(body, start, end) if start >= 0 else None
    if m is None:
        return None
    return head, body[: m.start(2)] + body[m.end(3) :]


COMBINED = ("cover-letter", "headings", "label-spaces", "uneven-spaces", "normative", "typos")
COMBINED += ("money-yuan", "plans", "fee-as-five", "chrome")


def combined(head: list[str], body: str, rnd: random.Random, base: Outcome | None) -> Page | None:
    """Every variation of `COMBINED` that applies, one after the other (fee-as-five after the
    heading variants: it renumbers 五 and 六)."""
    page: Page = (head, body)
    applied = 0
    for name in COMBINED:
        out = MUTATIONS[name](list(page[0]), page[1], rnd, base)
        if out is not None:
            page, applied = out, applied + 1
    return page if applied > 1 else None


MUTATIONS["combined"] = combined
MUTATIONS["no-regs-row"] = no_regs_row
# cells a variation really takes off the page: blank there is what the import must give
LOST: dict[str, Callable[[tuple[str, str, str]], bool]] = {
    "no-regs-row": lambda cell: cell[:2] == ("proactive", "regulations"),
}
DEFECTS = frozenset({"text-defect"})  # must be flagged (a new R6 finding), figures unchanged


def _more_variations() -> None:
    """Add the variations of each `variations_*.py` beside this script: every such module has
    `MUTATIONS` (name → function of the same signature as above) and `LOST` (name → cells the
    variation takes off the page), kept apart so this file stays a runner."""
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    for path in sorted(here.glob("variations_*.py")):
        mod = importlib.import_module(path.stem)
        MUTATIONS.update(mod.MUTATIONS)
        LOST.update(getattr(mod, "LOST", {}))
        global DEFECTS  # a module's defects (names in its MUTATIONS) must be flagged too
        DEFECTS = DEFECTS | getattr(mod, "DEFECTS", frozenset())


_more_variations()


# --- running and comparing ----------------------------------------------------------------------


@dataclass
class Outcome:
    agency: str
    year: int
    cells: Cells
    errors: frozenset[str]  # error findings: code and cells
    r6: frozenset[str]  # R6 findings of any severity (text vs tables)


def outcome(out: FileOutcome) -> Outcome | None:
    if out.result is None:
        return None
    r = out.result.report
    cells = {(t, *c): v for t, vals in r.tables.items() for c, v in vals.items()}
    errors = frozenset(
        f"{f.code} {','.join('/'.join(c) for c in f.cells)}"
        for f in out.findings
        if f.severity == "error"
    )
    r6 = frozenset(f"{f.code} {f.message}" for f in out.findings if f.code.startswith("R6"))
    return Outcome(r.agency, r.year, cells, errors, r6)


def report_files(folder: Path) -> list[Path]:
    return [
        f
        for f in sorted(folder.rglob("*"))
        if f.is_file() and not f.name.startswith(".") and f.suffix.lower() == ".txt"
    ]


def split_page(text: str) -> Page:
    parts = text.split("\n")
    return parts[:HEADER_LINES], "\n".join(parts[HEADER_LINES:])


def import_all(files: list[Path], params: Path, jobs: int) -> dict[str, Outcome | None]:
    outs = dl.import_files(files, params_dir=params, jobs=jobs, force=True)
    return {o.path.name: outcome(o) for o in outs}


@dataclass
class Diff:
    wrong: list[str]
    blank: list[str]
    new_errors: list[str]


def compare(
    base: Outcome | None,
    got: Outcome | None,
    lost: Callable[[tuple[str, str, str]], bool] | None = None,
) -> Diff:
    if base is None:
        return Diff([], [], [])
    if got is None:
        return Diff(["import failed"], [], [])
    wrong: list[str] = []
    blank: list[str] = []
    if (got.agency, got.year) != (base.agency, base.year):
        wrong.append(f"agency/year {got.agency} {got.year} (was {base.agency} {base.year})")
    for cell in sorted(set(base.cells) | set(got.cells)):
        was, now = base.cells.get(cell), got.cells.get(cell)
        if was == now:
            continue
        name = "/".join(cell)
        if now is None and lost is not None and lost(cell):
            continue  # taken off the page: blank is right
        if now is None:
            blank.append(f"{name} {was}→空")
        else:
            wrong.append(f"{name} {was}→{now}")
    errors = got.errors - base.errors
    if lost is not None:  # R5-BLANK on the cells taken off the page is right
        errors = {e for e in errors if not (e.startswith("R5-BLANK") and _all_lost(e, lost))}
    return Diff(wrong, blank, sorted(errors))


def _all_lost(error: str, lost: Callable[[tuple[str, str, str]], bool]) -> bool:
    """Whether every cell an error names (`CODE t/r/c,t/r/c`) is one the variation took off."""
    cells = [tuple(c.split("/")) for c in error.partition(" ")[2].split(",") if c]
    return bool(cells) and all(len(c) == 3 and lost(c) for c in cells)  # type: ignore[arg-type]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated mutation names")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the cells")
    args = ap.parse_args()
    folder = args.dir.resolve()
    files = report_files(folder)
    if not files:
        print(f"no report files under {folder}", file=sys.stderr)
        return 2
    names = [n for n in args.only.split(",") if n] or list(MUTATIONS)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        base = import_all(files, Path(tmp) / "params", args.jobs)
        print(f"{'mutation':<15} {'files':>5} {'same':>5} {'blank':>5} {'WRONG':>5} {'+err':>5}")
        totals: collections.Counter[str] = collections.Counter()
        details: list[str] = []
        for name in names:
            mutate = MUTATIONS[name]
            src = Path(tmp) / name
            src.mkdir()
            changed: set[str] = set()
            for f in files:  # every file, so the year chain has the same years
                text = f.read_text(encoding="utf-8")
                head, body = split_page(text)
                page = mutate(list(head), body, random.Random(f.name + name), base.get(f.name))
                if page is not None:
                    text = "\n".join([*page[0], page[1]])
                    changed.add(f.name)
                (src / f.name).write_text(text, encoding="utf-8")
            got = import_all(report_files(src), Path(tmp) / f"params-{name}", args.jobs)
            got = {k: v for k, v in got.items() if k in changed}
            counts: collections.Counter[str] = collections.Counter()
            for fname, o in sorted(got.items()):
                d = compare(base.get(fname), o, LOST.get(name))
                was = base.get(fname)
                if name in DEFECTS:
                    flagged = o is not None and was is not None and bool(o.r6 - was.r6)
                    counts["flagged"] += flagged
                    if not flagged:
                        details.append(f"  {name} {fname}: NOT FLAGGED")
                    d.new_errors = [e for e in d.new_errors if not e.startswith("R6")]
                kind = "WRONG" if d.wrong else "blank" if d.blank else "same"
                counts[kind] += 1
                counts["+err"] += bool(d.new_errors)
                if kind != "same" or d.new_errors:
                    what = [f"{len(d.wrong)} wrong", f"{len(d.blank)} blank"]
                    if d.new_errors:
                        codes = collections.Counter(e.split()[0] for e in d.new_errors)
                        what.append(
                            "new errors: " + ", ".join(f"{c}×{n}" for c, n in codes.items())
                        )
                    details.append(f"  {name} {fname}: {'; '.join(what)}")
                    if args.verbose:
                        details.extend(f"      {x}" for x in (*d.wrong, *d.blank))
                    elif d.wrong:
                        details.append(f"      {'; '.join(d.wrong[:4])}")
            totals.update(counts)
            totals["files"] += len(got)
            print(
                f"{name:<15} {len(got):>5} {counts['same']:>5} {counts['blank']:>5} "
                f"{counts['WRONG']:>5} {counts['+err']:>5}"
                + (f"   flagged {counts['flagged']}/{len(got)}" if name in DEFECTS else "")
            )
        print(
            f"{'total':<15} {totals['files']:>5} {totals['same']:>5} {totals['blank']:>5} "
            f"{totals['WRONG']:>5} {totals['+err']:>5}   ({time.perf_counter() - t0:.1f} s)"
        )
        if details:
            print("\nnot the same:")
            print("\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
