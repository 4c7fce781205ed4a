"""Params files: one YAML file per agency and year, `params/<agency>/<year>.yaml`.

Paths and discovery, and what is checked before a file is read: symlinks that lead out of the
params folder are not followed, only regular files up to `MAX_BYTES` are read. The YAML itself
is read by `params_read`, laid out per format by `params_layout`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import ParamsError, UnreadableError
from .model import Report
from .names import agency_dirname
from .params_limits import MAX_BYTES, too_large
from .params_read import loads_report

__all__ = [
    "COLLECTION_FILE",
    "SUFFIX",
    "available",
    "find_params",
    "load_report",
    "load_reports",
    "params_path",
    "scan",
    "scan_params",
]

SUFFIX = ".yaml"
COLLECTION_FILE = "collection.yaml"  # the office's list of agencies and due dates: no report


# --- paths ------------------------------------------------------------------------------------


def params_path(params_dir: Path | str, agency: str, year: int) -> Path:
    return Path(params_dir) / agency_dirname(agency) / f"{int(year)}{SUFFIX}"


def _leaves(path: Path, root: Path) -> bool:
    """Whether `path` reaches, through a symlink, a file outside the folder `root`."""
    real = path.resolve()
    if str(real) == os.path.abspath(path):
        return False  # no link on the way
    return not real.is_relative_to(root.resolve())


def _refused_link(path: Path) -> ParamsError:
    return ParamsError(
        "是指向参数目录之外的符号链接，不予读取 (symlink leads outside the params folder)",
        path=path,
    )


def _unreadable(exc: OSError, path: Path | str | None = None) -> UnreadableError:
    """An OSError met while listing or vetting: the path and its cause, in one line."""
    where = path if path is not None else exc.filename
    return UnreadableError(f"无法访问 (cannot access): {exc.strerror or exc}", path=where)


def _vet(f: Path, root: Path) -> ParamsError | None:
    """Why `f`, a `*.yaml` entry found in the folder `root`, cannot be a params file (None: it
    can): a link out of the folder (not followed, not even to ask what it is), a link loop,
    a dangling link, a folder, a FIFO or device."""
    try:
        if f.is_symlink() and _leaves(f, root):
            return _refused_link(f)
        mode = f.stat().st_mode
    except RuntimeError:  # Path.resolve on a link loop
        return UnreadableError("符号链接循环，无法读取 (symlink loop)", path=f)
    except FileNotFoundError:
        return ParamsError("符号链接指向的文件不存在 (dangling symlink)", path=f)
    except OSError as exc:
        return _unreadable(exc, f)
    if stat.S_ISDIR(mode):
        return ParamsError("是目录，不是参数文件 (a folder named like a params file)", path=f)
    if not stat.S_ISREG(mode):
        return ParamsError("不是普通文件 (not a regular file)", path=f)
    return None


def _dangling(link: Path) -> UnreadableError:
    return UnreadableError("符号链接无法解析：目标不存在或成环 (broken symlink)", path=link)


def _walk(root: Path, stats: dict[str, Stat]) -> tuple[list[str], list[ParamsError]]:
    """The `*.yaml` files under the folder `root`, and an error for everything under it that
    could not be listed or is not a params file: nothing is skipped silently (a folder that
    cannot be listed would otherwise look empty, and its reports unpublished).

    One `os.scandir` per folder, one stat per regular file (kept in `stats`, by path: the
    build plans from it without a stat of its own); linked folders are not entered. Files
    come back as `str(Path(file))` would name them (no `Path` held a file)."""
    files: list[str] = []
    errors: list[ParamsError] = []
    pending = [str(root)]
    top_root = str(root)
    cut = 2 if top_root == os.curdir else 0  # "./a" is named "a", as `Path` names it
    while pending:
        top = pending.pop()
        try:
            with os.scandir(top) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(_unreadable(exc))
            continue
        below = []
        for entry in entries:
            name, path = entry.name, entry.path
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            linked = entry.is_symlink()
            if is_dir and not linked:
                below.append(path)
                if not name.endswith(SUFFIX):
                    continue
            if name.endswith(SUFFIX):
                if name == COLLECTION_FILE and top == top_root:
                    continue  # `collection.py` reads it
                error = _vet(Path(path), root) if linked else _vet_entry(entry)
                if error is not None:
                    errors.append(error)
                    continue
                found = path[cut:]
                files.append(found)
                if not linked:
                    st = entry.stat()
                    stats[found] = Stat(st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            elif linked and not os.path.exists(path):  # a linked folder gone, or a loop
                errors.append(_dangling(Path(path)))
            elif linked and is_dir:
                errors.append(ParamsError(
                    "是指向目录的符号链接，未读取其中的参数文件 (symlinked folder not followed)",
                    path=Path(path),
                ))  # fmt: skip
        pending.extend(reversed(below))  # folders in listing order, as os.walk visits them
    return files, errors


def _vet_entry(entry: os.DirEntry[str]) -> ParamsError | None:
    """`_vet` for a listed entry that is no link: its stat is the listing's (one call)."""
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except FileNotFoundError:
        return ParamsError("文件已不存在 (file vanished while scanning)", path=Path(entry.path))
    except OSError as exc:
        return _unreadable(exc, entry.path)
    if stat.S_ISDIR(mode):
        return ParamsError("是目录，不是参数文件 (a folder named like a params file)",
                           path=Path(entry.path))  # fmt: skip
    if not stat.S_ISREG(mode):
        return ParamsError("不是普通文件 (not a regular file)", path=Path(entry.path))
    return None


def _path_order(path: str) -> str:
    """Path order (component by component, as `Path` compares) as one string: separators
    made the lowest character, so a shorter component sorts first, as in a parts list."""
    return path.replace(os.sep, "\0")


class Stat(NamedTuple):
    """A file's inode, size, mtime and ctime (ns), as scanned (a tuple: light to hold)."""

    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path | str) -> Stat:
        st = os.stat(path)
        return cls(st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class Scan:
    """What a scan of params paths found: each file (named as `str(Path(file))`) with the
    folder it was found in (None: named itself), in path order; what could not be listed or
    vetted; and the stat of each file found in a folder that is no link, as the scan took it
    (`Stat`, four numbers, by the file's name). Names, not `Path`s: 20,000 of them are held."""

    found: dict[str, Path | None]
    errors: list[ParamsError]
    stats: dict[str, Stat] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return list(map(Path, self.found))


def scan(paths: Iterable[Path | str]) -> Scan:
    """Params files named by `paths` (files, or folders searched recursively) and errors for
    what cannot be one: a missing path, a symlink that leads out of its folder (see `Scan`)."""
    found: dict[str, Path | None] = {}
    errors: list[ParamsError] = []
    stats: dict[str, Stat] = {}
    for p in map(Path, paths):
        try:
            is_dir, is_file = p.is_dir(), p.is_file()
        except OSError as exc:  # a link loop, a folder above that cannot be searched
            errors.append(_unreadable(exc, p))
            continue
        if is_dir:
            files, failed = _walk(p, stats)
            errors.extend(failed)
            for f in files:
                found.setdefault(f, p)
        elif is_file:
            found[str(p)] = None
        elif os.path.lexists(p):
            errors.append(_vet(p, p.parent) or ParamsError("不是普通文件", path=p))
        else:
            errors.append(ParamsError("文件或目录不存在 (no such file or folder)", path=p))
    ordered = dict(sorted(found.items(), key=lambda kv: _path_order(kv[0])))
    return Scan(ordered, errors, stats)


def _scan(paths: Iterable[Path | str]) -> tuple[dict[Path, Path | None], list[ParamsError]]:
    """{params file: the folder it was found in (None: named itself)}, and errors."""
    found = scan(paths)
    return {Path(f): root for f, root in found.found.items()}, found.errors


def scan_params(paths: Iterable[Path | str]) -> tuple[list[Path], list[ParamsError]]:
    """Params files named by `paths` (files, or folders searched recursively), sorted, and
    errors for what cannot be one: a missing path, a symlink that leads out of its folder."""
    found, errors = _scan(paths)
    return list(found), errors


def find_params(paths: Iterable[Path | str]) -> list[Path]:
    """Params files named by `paths` (files, or folders searched recursively), sorted;
    symlinks leading out of a folder are left out. A missing path raises ParamsError."""
    paths = list(paths)
    files, errors = scan_params(paths)
    named = {Path(p) for p in paths}
    missing = [e for e in errors if e.path in named]  # not a link found inside a folder
    if missing:
        raise missing[0]
    return files


# --- loading ----------------------------------------------------------------------------------


def load_report(path: Path | str, *, root: Path | str | None = None) -> Report:
    """Load one params file; raise ParamsError naming file, line and field on bad input.

    A file reached through a symlink must lie inside `root` (default: the folder above the
    agency folder, `params/` for `params/<agency>/<year>.yaml`); it must be a regular file
    of at most `MAX_BYTES`.
    """
    path = Path(path)
    folder = Path(root) if root is not None else Path(os.path.abspath(path)).parent.parent
    if _leaves(path, folder):
        raise _refused_link(path)
    return _read_file(path)


def _read_file(path: Path) -> Report:
    """A params file already vetted for links: regular, not too large, UTF-8."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ParamsError("不是普通文件 (not a regular file)", path=path)
        if info.st_size > MAX_BYTES:
            raise too_large(info.st_size, path)
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableError(f"无法读取文件 (cannot read): {exc.strerror}", path=path) from None
    if len(raw) > MAX_BYTES:  # grew since stat
        raise too_large(len(raw), path)
    return report_from_bytes(raw, path)


def report_from_bytes(raw: bytes, path: Path) -> Report:
    """The bytes read from the params file `path` as a report (UTF-8, a located error if not)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParamsError("文件不是 UTF-8 编码 (not UTF-8 text)", path=path, line=line) from None
    return loads_report(text, path)


def load_reports(paths: Iterable[Path | str]) -> tuple[list[Report], list[ParamsError]]:
    """Load every params file under `paths`; what cannot be read comes back as errors (every
    error of each bad file, each with its line), not raised."""
    reports: list[Report] = []
    files, errors = _scan(paths)
    for f, root in files.items():
        try:  # found in a folder: vetted by the scan; named itself: vetted here
            reports.append(_read_file(f) if root is not None else load_report(f))
        except ParamsError as exc:
            errors.extend(exc.errors)
    return reports, errors


def available(params_dir: Path | str) -> dict[str, list[int]]:
    """Agency full name -> sorted years, for the params files under `params_dir`."""
    out: dict[str, list[int]] = {}
    reports, _ = load_reports([params_dir]) if Path(params_dir).is_dir() else ([], [])
    for r in reports:
        out.setdefault(r.agency, []).append(r.year)
    return {a: sorted(ys) for a, ys in sorted(out.items())}
