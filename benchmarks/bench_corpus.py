"""Real published reports — how much of each the importer reads, and how fast.

    .venv/bin/python benchmarks/bench_corpus.py [DIR] [-j 2] [--no-flat]

DIR (default `../shared/corpus/`, relative to the repository root) is walked for report
files, imported through the public API (`disclosure_lib.import_files`, `-j` processes, params
written into a temporary folder and checked). Printed: one line per file — agency, year,
format, cells read / inferred / missing (counted in the report's own format: a 2019 table in
its 2019 cells) and the check findings by code — then the totals and the wall time.

Flattened modes (skipped with `--no-flat`): every file again, (1) flattened onto one line and
(2) with every run of whitespace removed as well; a line per mode says how many files give
other figures than the file as published (agency, year or any cell).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import disclosure_lib as dl  # noqa: E402
from disclosure_lib.importers.collection import FileOutcome  # noqa: E402

Figures = tuple[str, int, dict[tuple[str, str, str], object]]

# How a row the page does not print at all counts (issue 15: "0 cells missing of those the
# report's own format has"; a report not read whole gets a verdict naming what the page lacks,
# "a row not printed"): its cells are cells of the report's own format, so they count as
# missing and the report is not read whole. The benchmark also prints how many reports lack
# nothing but such rows, so the two figures can be told apart.
UNPRINTED = "未找到"  # why a cell is blank when its row's label is nowhere on the page


def default_dir() -> Path:
    """`../shared/corpus/` from the repository root — of the main checkout when this is a
    git worktree (its root sits elsewhere)."""
    here = ROOT / ".." / "shared" / "corpus"
    if here.is_dir():
        return here
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return here
    return Path(common).parent / ".." / "shared" / "corpus"


def counts(out: FileOutcome) -> tuple[int, int, int]:
    """(read, inferred, missing) over the cells of each table in its own format (the import
    log counts them so: a 2019 table in its 2019 cells)."""
    assert out.result is not None
    return out.result.log.cells


def unprinted_rows(out: FileOutcome) -> dict[str, int]:
    """Rows of the report's own format none of whose cells the page prints (no label found),
    with their number of cells."""
    assert out.result is not None
    report, log = out.result.report, out.result.log
    rows: dict[str, int] = {}
    for t in report.table_specs():
        for row in t.figure_rows:
            cells = [(t.key, row.key, c.key) for c in t.row_columns(row)]
            if cells and all(log.blank.get(c) == UNPRINTED for c in cells):
                rows[f"{t.section} {row.label}"] = len(cells)
    return rows


def figures(out: FileOutcome) -> Figures | None:
    if out.result is None:
        return None
    r = out.result.report
    cells = {(t, *c): v for t, vals in r.tables.items() for c, v in vals.items()}
    return r.agency, r.year, cells


_EXPECTED = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*(\d{4})\s*\|", re.M)


def expected(folder: Path) -> dict[str, tuple[str, int]]:
    """(agency, year) per file as the folder's README.md lists them (a markdown table)."""
    readme = folder / "README.md"
    if not readme.is_file():
        return {}
    text = readme.read_text(encoding="utf-8")
    return {m[1]: (m[2], int(m[3])) for m in _EXPECTED.finditer(text)}


def run(folder: Path, params: Path, jobs: int) -> tuple[list[FileOutcome], float]:
    t0 = time.perf_counter()
    files = [f for f in sorted(folder.rglob("*")) if f.is_file() and not _skipped(f)]
    outs = dl.import_files(files, params_dir=params, jobs=jobs, force=True)
    return outs, time.perf_counter() - t0


def _skipped(path: Path) -> bool:
    """The corpus's own notes (README.md) and hidden files are not reports."""
    return path.name.startswith(".") or path.suffix.lower() in (".md", ".tsv")


def flattened(src: Path, dest: Path, *, no_spaces: bool) -> Path:
    """Copies of every file under `src`: on one line, and with no whitespace at all."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(p for p in src.rglob("*") if p.is_file() and not _skipped(p)):
        if f.suffix.lower() not in (".txt", ".html", ".htm", ""):
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"\s+", "" if no_spaces else " ", text)
        (dest / f.name).write_text(text, encoding="utf-8")
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dir", nargs="?", type=Path, default=None)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--no-flat", action="store_true", help="skip the flattened modes")
    args = ap.parse_args()
    folder = (default_dir() if args.dir is None else ROOT / args.dir).resolve()
    if not folder.is_dir():
        print(f"no such folder: {folder}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        outs, wall = run(folder, Path(tmp) / "params", args.jobs)
        print(
            f"{'file':<22} {'agency':<26} {'year':>4} {'fmt':<5} "
            f"{'read':>4} {'inf':>4} {'miss':>4}  findings"
        )
        tot = [0, 0, 0]
        whole = failed = only_unprinted = 0
        by_code: collections.Counter[str] = collections.Counter()
        for out in outs:
            name = str(out.path.relative_to(folder))
            if out.result is None:
                failed += 1
                msg = out.error.message if out.error else out.status
                print(f"{name:<22} FAILED ({out.status}): {msg}")
                continue
            r, log = out.result.report, out.result.log
            read, inferred, missing = counts(out)
            tot[0], tot[1], tot[2] = tot[0] + read, tot[1] + inferred, tot[2] + missing
            whole += missing == 0
            unprinted = unprinted_rows(out)
            only_unprinted += bool(unprinted) and missing == sum(unprinted.values())
            codes = collections.Counter(f.code for f in out.findings)
            by_code.update(codes)
            fmt_id = log.format if not (r.table_formats or log.table_formats) else "mixed"
            shown = " ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted(codes.items()))
            if out.status not in ("written",):
                shown = f"[{out.status}] {shown}"
            if unprinted:
                shown += f"  (not printed: {', '.join(unprinted)})"
            print(
                f"{name:<22} {r.agency[:26]:<26} {r.year:>4} {fmt_id:<5} "
                f"{read:>4} {inferred:>4} {missing:>4}  {shown}"
            )
        truth = expected(folder)
        wrong = []
        for out in outs:
            want = truth.get(str(out.path.relative_to(folder)))
            if want and out.result is not None:
                got = (out.result.report.agency, out.result.report.year)
                if got != want:
                    wrong.append(
                        f"{out.path.name}: {got[0]} {got[1]} (README: {want[0]} {want[1]})"
                    )
        n = len(outs)
        cells = sum(tot)
        print()
        print(
            f"files {n}, failed {failed}; read whole {whole}/{n - failed}; cells read {tot[0]}, "
            f"inferred {tot[1]}, missing {tot[2]} of {cells} "
            f"({100 * tot[2] / max(cells, 1):.1f} % missing)"
        )
        print(
            f"  a row the page does not print counts as missing (issue 15: the cells of the "
            f"report's own format); {only_unprinted} more lack nothing else "
            f"(read whole but for unprinted rows: {whole + only_unprinted}/{n - failed})"
        )
        print("findings: " + (", ".join(f"{c} {k}" for c, k in sorted(by_code.items())) or "none"))
        if truth:
            print(f"agency and year as README.md lists them: {n - len(wrong)}/{n}")
            for w in wrong:
                print(f"  wrong: {w}")
        print(f"wall time: {wall:.2f} s with -j {args.jobs}")

        if args.no_flat:
            return 0
        base = {o.path.name: figures(o) for o in outs}
        for label, no_spaces in (("one line", False), ("one line, no spaces", True)):
            src = flattened(folder, Path(tmp) / label.replace(" ", "_"), no_spaces=no_spaces)
            flat_outs, flat_wall = run(src, Path(tmp) / f"params-{no_spaces}", args.jobs)
            differ = []
            for o in flat_outs:
                if figures(o) != base.get(o.path.name):
                    differ.append(o.path.name)
            print(
                f"flattened ({label}): {len(flat_outs) - len(differ)}/{len(flat_outs)} files give "
                f"the same figures ({flat_wall:.2f} s)"
                + (f"; differ: {', '.join(differ)}" if differ else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
