"""Importing many files at once: folders walked, cross-year evidence, params files written.

`import_files(paths)` takes files and folders (walked recursively; hidden files and files that
cannot hold a report — images, scripts, styles — are passed over; a page that is not an annual
report is skipped, not failed). Every file is imported first; then runs still open are decided
by the neighbouring years of the same agency (imported together, or params files already in
the params folder: `infer.use_chain`); then each report is written — validated by loading
the text about to be written — and checked. One bad file never stops the rest.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DisclosureError, ImportError_
from ..findings import Finding
from ..model import Report
from .document import NOT_A_REPORT, ImportResult, import_file
from .infer import use_chain, use_joint_chain
from .log import SPLIT_NOT_UNIQUE, ImportLog

# what a crawl holds besides pages: never a report
SKIP_SUFFIXES = frozenset(
    (
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".webp",
        ".svg",
        ".ico",
        ".css",
        ".js",
        ".json",
        ".map",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".avi",
        ".zip",
        ".rar",
        ".7z",
        ".gz",
        ".tar",
        ".exe",
        ".dll",
        ".doc",
        ".docx",
        ".ppt",
        ".pptx",
        ".xls",
        ".wps",
        ".yaml",
        ".yml",
        ".py",
        ".ipynb",
    )
)
CHAIN_PASSES = 4  # a decision in one year can settle the next; a few passes reach a fixpoint


@dataclass
class FileOutcome:
    """What `import_files` did with one input file."""

    path: Path
    result: ImportResult | None = None
    written: Path | None = None
    findings: list = field(default_factory=list)  # checks.Finding
    error: DisclosureError | None = None
    status: str = "pending"  # written | failed | skipped | duplicate
    from_folder: bool = False  # found by walking a folder (not named on the command line)

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def walk(paths: Iterable[Path | str]) -> Iterator[tuple[Path, bool]]:
    """(file, found in a folder) for every input: files as given, folders walked, sorted."""
    for p in map(Path, paths):
        if not p.is_dir():
            yield p, False
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                f = Path(root) / name
                if not name.startswith(".") and f.suffix.lower() not in SKIP_SUFFIXES:
                    yield f, True


def import_files(
    files: Iterable[Path | str],
    *,
    agency: str | None = None,
    year: int | None = None,
    params_dir: Path | str = "params",
    force: bool = False,
    blank_as_zero: bool = False,
    jobs: int | None = None,
) -> list[FileOutcome]:
    """Import every file (and every report in the folders given), write its params file and
    check it. Errors are kept per file. Files are read by `jobs` processes (default: one per
    core) when there are several."""
    outcomes = [FileOutcome(f, from_folder=folder) for f, folder in walk(files)]
    options = (agency, year, blank_as_zero)
    for out, got in zip(
        outcomes, _read_all([o.path for o in outcomes], options, jobs), strict=True
    ):
        if isinstance(got, ImportResult):
            out.result = got
            continue
        out.error = got
        out.status = "skipped" if out.from_folder and _not_a_report(got) else "failed"
    existing = ExistingParams(params_dir)
    imported = [o for o in outcomes if o.result is not None]
    cross_year([o.result for o in imported if o.result], existing)
    for out in imported:
        assert out.result is not None
        out.result.finish()
    _mark_duplicates(imported)
    for out in imported:
        if out.status == "duplicate":
            continue
        result = out.result
        assert result is not None
        try:
            out.written = write_params(result, params_dir, existing, force=force)
            out.status = "written"
            out.findings = undecided(_check(out.written, existing), result.log)
        except DisclosureError as exc:
            out.error, out.status = exc, "failed"
    return outcomes


_Options = tuple[str | None, int | None, bool]
PARALLEL_MIN = 4  # fewer files are read in this process: starting workers costs more


def _read_one(path: Path, options: _Options) -> ImportResult | DisclosureError:
    agency, year, blank_as_zero = options
    try:
        return import_file(
            path, agency=agency, year=year, blank_as_zero=blank_as_zero, finished=False
        )
    except DisclosureError as exc:
        return exc


def _read_all(
    paths: list[Path], options: _Options, jobs: int | None
) -> list[ImportResult | DisclosureError]:
    """Every file read, in order; by a pool of forked processes when it pays (PDFs are slow)."""
    import multiprocessing

    jobs = min(jobs or os.cpu_count() or 1, len(paths))
    if (
        jobs < 2
        or len(paths) < PARALLEL_MIN
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon  # a pool's worker may not start one
    ):
        return [_read_one(p, options) for p in paths]
    import functools

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(functools.partial(_read_one, options=options), paths, chunksize=1)


def _not_a_report(exc: DisclosureError) -> bool:
    msg = exc.message
    return NOT_A_REPORT in msg or "二进制" in msg or "文件为空" in msg or "编码" in msg


# --- the params folder as it is -----------------------------------------------------------------

_TOP = re.compile(r"^(agency|year):\s*(.*?)\s*(?:#.*)?$")


class ExistingParams:
    """(agency, year) → params file already under the params folder, whatever its folder name
    (read from each file's own `agency:`/`year:` lines: cheap, no full load)."""

    def __init__(self, params_dir: Path | str) -> None:
        self.dir = Path(params_dir)
        self._index: dict[tuple[str, int], Path] | None = None
        self._loaded: dict[Path, Report | None] = {}

    @property
    def index(self) -> dict[tuple[str, int], Path]:
        if self._index is None:
            self._index = {}
            if self.dir.is_dir():
                for f in sorted(self.dir.rglob("*.yaml")):
                    key = _agency_year(f)
                    if key is not None:
                        self._index.setdefault(key, f)
        return self._index

    def path(self, agency: str, year: int) -> Path | None:
        return self.index.get((agency, year))

    def report(self, agency: str, year: int) -> Report | None:
        """The existing params file for `agency`/`year`, loaded (None if absent or unreadable)."""
        path = self.path(agency, year)
        if path is None:
            return None
        if path not in self._loaded:
            from ..params import load_report

            try:
                self._loaded[path] = load_report(path)
            except DisclosureError:
                self._loaded[path] = None
        return self._loaded[path]

    def add(self, report: Report, path: Path) -> None:
        self.index[(report.agency, report.year)] = path
        self._loaded[path] = report


def _agency_year(path: Path) -> tuple[str, int] | None:
    import yaml

    found: dict[str, object] = {}
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for _, line in zip(range(60), fh, strict=False):
                m = _TOP.match(line.rstrip("\n"))
                if m and m.group(1) not in found:
                    try:
                        found[m.group(1)] = yaml.safe_load(m.group(2))
                    except yaml.YAMLError:
                        return None
                if len(found) == 2:
                    break
    except (OSError, UnicodeDecodeError):
        return None
    agency, year = found.get("agency"), found.get("year")
    if isinstance(agency, str) and isinstance(year, int) and not isinstance(year, bool):
        return agency.strip(), year
    return None


# --- evidence across years ----------------------------------------------------------------------


def cross_year(results: list[ImportResult], existing: ExistingParams) -> None:
    """Open runs decided by the year before and after (same agency), to a fixpoint."""
    by_year: dict[tuple[str, int], ImportResult] = {}
    for r in results:
        by_year.setdefault((r.report.agency, r.report.year), r)

    def neighbour(agency: str, year: int) -> Report | None:
        r = by_year.get((agency, year))
        return r.report if r is not None else existing.report(agency, year)

    agencies: dict[str, list[ImportResult]] = {}
    for r in by_year.values():
        agencies.setdefault(r.report.agency, []).append(r)
    for _ in range(CHAIN_PASSES):
        changed = False
        for same in agencies.values():
            years = [(r.report, r.log, r.state) for r in sorted(same, key=lambda r: r.report.year)]
            changed = use_joint_chain(years) or changed
        for r in results:
            if not any(r.state.pending.values()):
                continue
            a, y = r.report.agency, r.report.year
            before, after = neighbour(a, y - 1), neighbour(a, y + 1)
            if (before or after) and use_chain(r.report, r.log, r.state, before, after):
                changed = True
        if not changed:
            break


def _mark_duplicates(imported: list[FileOutcome]) -> None:
    """Two inputs for one agency-year (a page and its PDF): the one with more figures wins."""
    best: dict[tuple[str, int], FileOutcome] = {}
    for out in imported:
        assert out.result is not None
        key = (out.result.report.agency, out.result.report.year)
        if key not in best:
            best[key] = out
            continue
        other = best[key]
        if _score(out) > _score(other):
            best[key], out = out, other
        out.status = "duplicate"
        out.error = ImportError_(
            f"与 {best[key].path} 是同一机关同一年度的报告，只导入读到数字较多的那份 (duplicate)",
            path=out.path,
        )


def _score(out: FileOutcome) -> tuple[int, int]:
    assert out.result is not None
    read, inferred, _missing = out.result.log.cells
    return read + inferred, read


# --- writing and checking -----------------------------------------------------------------------


def params_text(result: ImportResult) -> str:
    """The params YAML for an imported report: the emitter's text, with comment lines saying
    where it came from and what the import assumed (every character printable, one line)."""
    from ..params_write import dump_report

    text = dump_report(result.report)
    log = result.log
    notes = [f"导入自 {_comment(log.source.name if log.source else '(输入)')}（{log.kind}）"]
    read, inferred, missing = log.cells
    notes.append(f"读取 {read} 个单元格，推断 {inferred} 个，缺失 {missing} 个")
    if any("--blank-as-zero" in e.message for e in log.entries):
        notes.append("--blank-as-zero：来源以空白表示 0，空白单元格已按 0 导入")
    notes += [f"留空（拆分不唯一）{_comment(c)}" for c in log.open_cells()]
    head, _, rest = text.partition("\n")
    return "\n".join([head, *(f"# {n}" for n in notes), rest])


def _comment(text: str) -> str:
    """Text safe inside a one-line YAML comment: anything unprintable (line and paragraph
    separators, controls) escaped."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def write_params(
    result: ImportResult, params_dir: Path | str, existing: ExistingParams, *, force: bool
) -> Path:
    """Write the params file (validated: the text must load back as the same report). An
    existing file for the same agency and year — in any folder — is kept unless `force`
    (then it is the one overwritten, so there are never two)."""
    from ..files import write_atomic
    from ..params import params_path
    from ..params_read import loads_report

    report = result.report
    dest = existing.path(report.agency, report.year)
    if dest is not None and not force:
        raise ImportError_(
            f"{report.agency} {report.year}年的参数文件已存在：{dest}，如需覆盖请使用 --force "
            "(params file exists)",
            path=result.log.source,
        )
    dest = dest or params_path(params_dir, report.agency, report.year)
    if dest.exists() and not force:
        raise ImportError_("参数文件已存在，如需覆盖请使用 --force (params file exists)", path=dest)
    text = params_text(result)
    try:
        back = loads_report(text, dest)
    except DisclosureError as exc:
        raise ImportError_(
            f"导入结果无法写成有效的参数文件：{exc.message} (would not load back)", path=dest
        ) from None
    if back != report:
        raise ImportError_("导入结果写成参数文件后不能原样读回 (round trip differs)", path=dest)
    write_atomic(dest, text, parents=True)
    back.source = dest
    existing.add(back, dest)
    return dest


def _check(written: Path, existing: ExistingParams) -> list:
    """Checks on the params file just written (findings name its lines), with the year
    before when its params file exists (cross-year rules)."""
    from ..checks import check_report
    from ..params import load_report

    report = load_report(written)
    previous = existing.report(report.agency, report.year - 1)
    return list(check_report(report, previous))


UNDECIDED = "I1-UNDECIDED"


def undecided(findings: list[Finding], log: ImportLog) -> list[Finding]:
    """An R5-BLANK on cells the page does print, run together with other figures in more than
    one way the table allows (every reading a figure), is a warning naming the readings
    (I1-UNDECIDED), not an error: the page is not missing them, the import could not decide
    them (the params file stays blank there, so `disclosure check` still asks for them)."""
    out: list[Finding] = []
    for f in findings:
        evs = [log.evidence.get(c) for c in f.cells]
        if (
            f.code != "R5-BLANK"
            or not evs
            # a reading with a cell not printed at all (空) is R5-BLANK's own case: an error
            or any(
                ev is None
                or ev.why != SPLIT_NOT_UNIQUE
                or None in ev.candidates
                or not ev.candidates
                for ev in evs
            )
        ):
            out.append(f)
            continue
        readings = "；".join(
            f"{log.cell_name(c, why=False)}可能为 " + "、".join(str(v) for v in ev.candidates)
            for c, ev in zip(f.cells, evs, strict=True)
            if ev is not None
        )
        message = f"原文数字连写，拆分不唯一，留空待核对原文：{readings}"
        out.append(dataclasses.replace(f, code=UNDECIDED, severity="warning", message=message))
    return out
