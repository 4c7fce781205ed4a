"""Planning a build: the units the params produce, their inputs, and what no longer fits.

`plan` reads every params file under the given paths (parsing only those whose hash the
manifest does not know) and returns a `Plan`:

- `units`: the reports and per-year summaries selected by `year`/`agency`, each with the hash
  of every input (see `manifest.py`) and the params texts a worker needs;
- `live`: the keys of every unit the params produce, selected or not — a recorded output whose
  key is not live and whose params file is gone or within these paths is an orphan
  (`orphans`), removed by the build;
- two agencies whose names give one output folder are refused before anything is built.
"""

from __future__ import annotations

import os
import stat
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError, DisclosureError, ParamsError, RenderError, UnreadableError
from ..locate import notebook_path
from ..rendering.notebook import DEFAULT_PROFILE, FORMATS, parse_formats
from .fingerprints import combine, digest, library_inputs
from .fonts_probe import FontsFingerprint
from .manifest import Entry, Manifest
from .manifest_db import dumps
from .states import UnitKind
from .worker import first_line

if TYPE_CHECKING:
    from ..params import Scan, Stat

REPORT_NOTEBOOK = notebook_path("annual_report.ipynb")
SUMMARY_NOTEBOOK = notebook_path("summary.ipynb")
SUMMARY_STEM = "summary"


@dataclass(eq=False, slots=True)
class Unit:
    """One output to (maybe) build: a report or a year's summary.

    Its inputs and the files it ships are worked out when asked for, from the params files it
    reads (`sources`) and the inputs every unit of its kind shares (`base`): a plan of 20,000
    units holds no per-unit copy of either (a summary reads every report up to its year).
    """

    key: str
    kind: UnitKind
    agency: str
    year: int
    source: str  # params file of a report (absolute)
    sources: tuple[_File, ...]  # the params files the worker gets (read by `pack`)
    base: dict[str, str]  # inputs shared by the units of its kind (one dict for them all)
    directory: str = ""  # relative to the output folder
    stem: str = ""
    load_error: str = ""
    shipped: dict[str, str] = field(default_factory=dict)  # hashes of the texts `pack` read

    @property
    def inputs(self) -> dict[str, str]:
        """The hash of every input, by name (see `manifest.py`)."""
        inputs = dict(self.base)
        if self.kind == UnitKind.REPORT and self.sources:
            # where it goes is an input too: outputs under a former name are rebuilt (removed)
            inputs["output"] = f"{self.directory}/{self.stem}"
        inputs.update((self._input(f), f.digest) for f in self.sources)
        inputs.update(self.shipped)
        return inputs

    @property
    def files(self) -> dict[str, tuple[Path, str]]:
        """The params files the worker gets: "<dir>/<year>.yaml" -> (file, its key in
        `inputs`); read when the unit is handed out (`pack`), so a batch never holds every
        params text at once."""
        return {_shipped(f): (f.path, self._input(f)) for f in self.sources}

    def _input(self, f: _File) -> str:
        if self.kind == UnitKind.SUMMARY:
            return f"params:{f.agency}/{f.year}"
        return f"params:{f.year}"

    @property
    def fingerprint(self) -> str:
        return combine(self.inputs)

    @property
    def label(self) -> str:
        if self.kind == UnitKind.SUMMARY:
            return f"{self.year}年 汇总"
        return f"{self.agency} {self.year}年" if self.agency else self.source

    def pack(self) -> dict[str, bytes]:
        """The params texts to ship, zlib-compressed (a summary ships every report up to its
        year: ≈ 10× less to hold and send). The hashes in `inputs` become those of the texts
        shipped, should a file have changed since planning."""
        packed = {}
        for rel, (path, key) in self.files.items():
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ParamsError(f"无法读取 (cannot read): {exc.strerror}", path=path) from None
            self.shipped[key] = digest(data)
            packed[rel] = zlib.compress(data, 1)
        return packed

    def outputs(self) -> dict[str, str]:
        """Every file this unit may have in the output folder, by kind ("ipynb", "failed",
        and each format)."""
        base = f"{self.directory}/{self.stem}" if self.directory else self.stem
        out = {"ipynb": f"{base}.ipynb", "failed": f"{base}.failed.ipynb"}
        out.update({ext: f"{base}.{ext}" for ext in FORMATS})
        return out


@dataclass
class Plan:
    units: list[Unit]  # selected by year/agency
    live: set[str] = field(default_factory=set)  # keys of every unit in scope, selected or not
    roots: list[Path] = field(default_factory=list)  # the paths scanned, absolute
    sources: set[str] = field(default_factory=set)  # params files found, absolute
    # files or folders that could not be listed or read: outputs of params in them are kept
    unread: list[Path] = field(default_factory=list)

    def unknown(self, source: str) -> bool:
        """`source` is, or lies in, a path this plan could not read: whether it still gives
        its report is unknown, so its outputs stay."""
        path = Path(source)
        return any(u == path or u in path.parents for u in self.unread)

    def in_scope(self, source: str) -> bool:
        """`source` (a params file) is one of the files scanned or lies in a scanned folder."""
        if not source:
            return False
        if source in self.sources:
            return True
        path = Path(source)
        return any(root == path or root in path.parents for root in self.roots)


def build_options(
    to: Iterable[str] | str, profile: str, pdf_standard: str
) -> tuple[tuple[str, ...], str, str]:
    """Formats, profile and PDF standard(s) ("a-2b,ua-1"), checked; a BuildError if not."""
    from ..rendering.notebook import check_profile
    from ..rendering.typst_pdf import check_standard

    try:
        wanted = parse_formats(to)
        checked = check_profile(profile), ",".join(check_standard(pdf_standard))
    except DisclosureError as exc:
        raise BuildError(exc.message) from None
    if not wanted:  # a batch always writes something besides the notebook
        raise BuildError(f"不支持的输出格式：（空）；可选：{', '.join(FORMATS)}")
    return (wanted, *checked)


@dataclass(slots=True)
class _File:
    text: str  # absolute path (a link is not resolved): the plan and each unit name it so
    digest: str
    agency: str = ""
    year: int = 0
    error: str = ""
    unread: bool = False  # could not be listed or read: its outputs are not removed
    claim: bool = False  # one of several files for one agency-year

    @property
    def path(self) -> Path:
        """The file as a `Path`, made when asked (20,000 of them held would weigh)."""
        return Path(self.text)


def _scan(paths: Sequence[Path], manifest: Manifest, scanned: Scan | None) -> list[_File]:
    """Read every params file; parse only the ones whose hash the manifest does not know.

    Paths are made absolute, not resolved: a symlink stays a symlink for the loader, which
    refuses one leaving the params folder before anything of it is read (or hashed); a file
    over the size limit is refused before it is read. What the scan cannot list or vet (a
    folder without permission, a FIFO, a link loop) comes back as an unread file. A file whose
    stat is the one recorded when it was last hashed is neither read nor hashed: the scan's
    stat (`params.Scan.stats`) and one query of the manifest's files decide it.
    """
    from ..params import Stat, load_report, scan
    from ..params_limits import MAX_BYTES, too_large

    found = scanned if scanned is not None else scan(paths)
    files = []
    real: dict[str, str] = {}  # folder -> its real path
    plain = _unlinked_roots(found)
    known_files = manifest.known_files()
    for e in found.errors:  # named by the absolute path, as the index and the manifest name it
        e.path = Path(os.path.abspath(e.path or ""))
        files.append(_File(str(e.path), "", error=str(e), unread=isinstance(e, UnreadableError)))
    for each, root in found.found.items():
        text = os.path.abspath(each)
        try:
            stat = found.stats.get(each)
            linked = stat is None or root not in plain
            if stat is None:
                stat = Stat.of(text)
            if stat.size > MAX_BYTES:
                raise too_large(stat.size, Path(text))
            if linked and _linked(Path(text), real):  # a link on the way: vetted before reading
                load_report(text)
            known = known_files.pop(text, None)
            if known is not None and _unchanged(known, stat):
                files.append(_File(text, known[0], known[1], known[2]))
                continue
            seen_ns = time.time_ns()  # before reading: a write after it changes the ctime
            data = Path(text).read_bytes()
        except ParamsError as exc:
            files.append(_File(text, "", error=str(exc), unread=isinstance(exc, UnreadableError)))
            continue
        except OSError as exc:
            files.append(_File(text, "", error=f"{text}: 无法读取 ({exc.strerror})", unread=True))
            continue
        f = _File(text, digest(data))
        if known and known[0] == f.digest:
            f.agency, f.year = known[1], known[2]
            manifest.remember_file(text, f.digest, f.agency, f.year, stat, seen_ns)
        else:
            try:
                report = load_report(text)
            except ParamsError as exc:
                f.error, f.unread = str(exc), isinstance(exc, UnreadableError)
            else:
                f.agency, f.year = report.agency, report.year
                manifest.remember_file(text, f.digest, f.agency, f.year, stat, seen_ns)
        files.append(f)
    return files


def _unlinked_roots(found: Scan) -> set[Path]:
    """The folders scanned that no link leads to: the walk enters no linked folder, so no file
    found in one of them has a link on its way (one `realpath` a folder, not one a file)."""
    roots = {r for r in found.found.values() if r is not None}
    return {r for r in roots if os.path.realpath(r) == os.path.abspath(r)}


def _linked(path: Path, real: dict[str, str]) -> bool:
    """A link on the way to `path` (`os.path.realpath` differs), each folder resolved once."""
    folder = str(path.parent)
    if folder not in real:
        real[folder] = os.path.realpath(folder)
    return real[folder] != folder or os.path.islink(path)


# A file's stat is trusted only if it last changed this long before it was hashed: a write
# within the file system's timestamp granularity of the hash could keep its stat (racy git).
SETTLED_NS = 1_000_000_000


def _unchanged(known: tuple[str, str, int, str, int], stat: Stat) -> bool:
    """A params file is as it was when last hashed: same inode, size, mtime and ctime (the
    ctime changes on every write and no tool sets it back), and it had settled by then. (The
    stat is compared as the JSON text the manifest keeps: no parse per file.)"""
    return known[3] == dumps(stat) and stat[3] < known[4] - SETTLED_NS


def _refuse_duplicates(good: list[_File]) -> list[_File]:
    """Two params files claiming one agency-year: neither is published (the order of paths
    must not decide which copy wins); each becomes a failure naming the other. Returns them."""
    claims: dict[tuple[str, int], list[_File]] = {}
    for f in good:
        claims.setdefault((f.agency, f.year), []).append(f)
    refused = []
    for group in claims.values():
        if len(group) < 2:
            continue
        for f in group:
            others = "、".join(g.text for g in group if g is not f)
            f.claim = True
            f.error = (
                f"与 {others} 是同一机关同一年度（{f.agency} {f.year}年），"
                "两份都不予发布：请删去其一 (two params files for one agency-year)"
            )
            refused.append(f)
    return refused


def report_folder(agency: str) -> str:
    """The output folder of an agency's reports, inside `<year>/` (the params folder name)."""
    from ..names import agency_dirname

    return agency_dirname(agency)


def output_dir_for(output_dir: Path | str, year: int, agency: str) -> Path:
    """outputs/<year>/<agency folder> for an agency and year already checked (`identity`);
    the agency name cannot lead outside `output_dir`."""
    base = Path(output_dir)
    target = base / str(year) / report_folder(agency)
    root, resolved = base.resolve(), target.resolve()
    if resolved == root or root not in resolved.parents:
        raise RenderError(f"机关名称不能用作目录名：{agency!r} (unsafe agency name)", path=base)
    return target


def output_stem(agency: str, year: int) -> str:
    """File name (without suffix) of a report's outputs: 机关全称2024年政府信息公开工作年度报告."""
    from ..format import TITLE_TEMPLATE
    from ..names import MAX_COMPONENT_BYTES, agency_dirname

    # a whole file name, the longest suffix of `Unit.outputs` included, stays within the limit
    # (the official title: `Report.title` of a report with no title of its own)
    title = TITLE_TEMPLATE.format(agency=agency, year=year)
    return agency_dirname(title, MAX_COMPONENT_BYTES - _LONGEST_SUFFIX)


_LONGEST_SUFFIX = max(len(f".{ext}") for ext in ("failed.ipynb", *FORMATS))


def _shipped(f: _File) -> str:
    """Where a worker puts a params file: the layout `params.params_path` expects."""
    from ..params import SUFFIX

    return f"{report_folder(f.agency)}/{f.year}{SUFFIX}"


def _refuse_shared_folders(files: list[_File]) -> dict[str, str]:
    """Two agencies whose names map to one output folder would overwrite each other's reports:
    refuse before building, naming a params file of each. Returns each agency's folder."""
    owner: dict[str, _File] = {}
    folders: dict[str, str] = {}
    for f in files:
        if f.agency not in folders:
            folders[f.agency] = report_folder(f.agency)
        folder = folders[f.agency]
        first = owner.setdefault(folder, f)
        if first.agency != f.agency:
            raise BuildError(
                f"机关“{first.agency}”（{first.path}）与“{f.agency}”（{f.path}）的输出目录"
                f"同为 {folder}：请改用可区分的机关名称 (two agencies map to one output folder)"
            )
    return folders


def plan(
    paths: Sequence[Path],
    manifest: Manifest,
    *,
    year: int | None = None,
    agency: str | None = None,
    summaries: bool = True,
    notebook: Path = REPORT_NOTEBOOK,
    profile: str = DEFAULT_PROFILE,
    pdf: str = "",
    scanned: Scan | None = None,
) -> Plan:
    """The units selected by `year`/`agency`, with their inputs hashed (see module doc);
    `scanned`: what `params.scan(paths)` returned, if the caller has it already."""
    fonts = FontsFingerprint()  # beside the scan, in another process
    report_nb = digest(read_notebook(notebook))
    files = _scan(paths, manifest, scanned)
    shared = library_inputs(fonts.result())
    good = [f for f in files if not f.error]
    claimed = _refuse_duplicates(good)
    good = [f for f in good if not f.error]
    folders = _refuse_shared_folders(good)
    roots = [Path(os.path.abspath(p)) for p in paths]
    result = Plan([], roots=roots, sources={f.text for f in files},
                  unread=[f.path for f in files if f.unread])  # fmt: skip

    def wanted(f_agency: str, f_year: int) -> bool:
        if year is not None and f_year != year:
            return False
        return agency is None or agency in (f_agency, report_folder(f_agency))

    for f in files:
        if not f.error:
            continue
        unit = Unit(f"file:{f.text}", UnitKind.REPORT, "", 0, f.text, (),
                    {"params": f.digest}, load_error=first_line(f.error))  # fmt: skip
        result.live.add(unit.key)
        if f.claim:  # what was published stays until one copy is gone
            result.live.add(f"report:{f.agency}/{f.year}")
            selected = wanted(f.agency, f.year)
        else:
            selected = (year is None or f"{year}" in f.path.stem) and agency is None
        if selected:
            result.units.append(unit)
    seen = {(f.agency, f.year): f for f in good}
    report_base = {**shared, "notebook": report_nb, "profile": profile, "pdf_standard": pdf}
    by_agency: dict[str, list[_File]] = {}
    for f in good:
        by_agency.setdefault(f.agency, []).append(f)
    for (name, y), f in seen.items():
        key = f"report:{name}/{y}"
        result.live.add(key)
        if not wanted(name, y):
            continue
        history = tuple(g for g in by_agency[name] if g.year <= y)
        folder, stem = f"{y}/{folders[name]}", output_stem(name, y)
        result.units.append(Unit(key, UnitKind.REPORT, name, y, f.text, history,
                                 report_base, folder, stem))  # fmt: skip
    years = sorted({y for _, y in seen} | {f.year for f in claimed})
    result.live.update(f"summary:{y}" for y in years)
    # A summary must cover every report its year publishes: not rebuilt while a file could not
    # be read (its agency and year are unknown) nor from a year with two copies of a report on.
    held = min((f.year for f in claimed), default=None)
    if result.unread:
        held = min(years, default=None)
    # A build given part of the params (`build params/甲局`): a summary covers the reports of
    # the params it was not given too, so from their first year on it is left as it is, not
    # rebuilt from the part (the next build given them all rebuilds it).
    outside = [
        y
        for key, kind, y, source in manifest.report_sources()
        if kind == UnitKind.REPORT and key.startswith("report:") and source
        and not result.in_scope(source) and not _gone(source)
    ]  # fmt: skip
    held = min([y for y in (held, *outside) if y is not None], default=None)
    if held is not None:
        years = [y for y in years if y < held]
    if summaries and agency is None:
        summary_nb = digest(read_notebook(SUMMARY_NOTEBOOK))
        for y in years:
            if year is not None and y != year:
                continue
            # every earlier year too: the summary's trend covers all of them
            history = tuple(g for g in seen.values() if g.year <= y)
            result.units.append(Unit(f"summary:{y}", UnitKind.SUMMARY, "", y, "", history,
                                     {**shared, "notebook": summary_nb}, str(y),
                                     SUMMARY_STEM))  # fmt: skip
    return result


def orphans(manifest: Manifest, planned: Plan) -> list[Entry]:
    """Recorded outputs that no params file produces any more: a report whose params file is
    gone, or lies within the scanned paths and no longer gives that agency-year (unreadable,
    renamed, a duplicate); a year's summary once no report of that year is left."""
    gone, left, summaries = [], set(), []
    for key, kind, y, source in manifest.report_sources():
        if kind == UnitKind.SUMMARY:
            summaries.append((key, y))
        elif key in planned.live or (source and planned.unknown(source)):
            left.add(y)
        elif not source or planned.in_scope(source) or _gone(source):
            gone.append(key)
        else:
            left.add(y)
    gone += [key for key, y in summaries if key not in planned.live and y not in left]
    return [e for e in map(manifest.entries.get, gone) if e is not None]


def _gone(source: str) -> bool:
    """A params file outside the scanned paths is gone only if it is positively not there (a
    folder that cannot be searched says nothing)."""
    try:
        return not stat.S_ISREG(os.stat(source).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False


def read_notebook(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise BuildError("找不到笔记本 (notebook not found)", path=path) from None
