"""What each output was built from, and the lock that keeps two builds off one output folder.

`outputs/manifest.json` holds one entry per built report (and per-year summary), whoever wrote
it (`build` or `render`): the hash of every input that determines it (its params file, the
earlier years of the same agency, the notebook, templates/CSS, the library code and version),
the formats produced, the status, the check counts and findings shown in the index, and the
size and hash of every file written. A report is up to date when its inputs hash the same and
every output is still the file that was written (size and hash; the hash is recomputed only
when the file's stat changed, as git does for its index). The manifest is rewritten
atomically (temp file + rename), so a build killed at any moment leaves either the old or the
new manifest; reports not yet recorded are simply built again next time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import BuildError, OutputError, WriteError
from ..files import write_atomic
from ..rendering.notebook import FORMATS
from .states import Status, UnitKind

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".build.lock"
SCHEMA = 3  # 3: size and hash of every output (stamps), findings; 2: code hashes by package path
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # disclosure_lib/


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


def file_digest(path: Path) -> str:
    return digest(path.read_bytes())


def combine(parts: dict[str, str]) -> str:
    """One fingerprint for a set of named input hashes (order-independent)."""
    return digest(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode())


def tree_digest(paths: list[Path], root: Path) -> str:
    """Hash of the names and contents of `paths` (relative to `root`)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def library_inputs() -> dict[str, str]:
    """Inputs every output shares: the library version, templates and stylesheets, and the
    PDF fonts (`pdf_fonts.fingerprint`).

    The library's code is tracked per output as well (`Entry.code`, `loaded_code`): a
    development checkout changes code without bumping the version.
    """
    styles = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and _is_style(p)]
    from ..rendering import pdf_fonts

    return {
        "library_version": __version__,
        "templates": tree_digest(styles, PACKAGE_DIR),
        "pdf_fonts": pdf_fonts.fingerprint(),
    }


def loaded_code() -> dict[str, str]:
    """Hash of every disclosure_lib module loaded in this process, keyed by its path inside the
    package (`batch/build.py`: bare file names would clash between the `__init__.py` files).
    Call it in a worker after a build: these are the modules the output was made with."""
    import sys

    out = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.startswith("disclosure_lib") and path and path.endswith(".py"):
            with contextlib.suppress(OSError):
                st = os.stat(path)
                out[_package_path(path)] = _code_digest(path, st.st_mtime_ns, st.st_size)
    return dict(sorted(out.items()))


def _package_path(path: str) -> str:
    """`path` relative to the package folder (the key `Manifest` resolves against its own)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(PACKAGE_DIR).as_posix()
    except ValueError:  # another copy of the package (an installed one beside a checkout)
        return Path(*p.parts[p.parts.index("disclosure_lib") + 1 :]).as_posix()


@functools.lru_cache(maxsize=256)
def _code_digest(path: str, mtime_ns: int, size: int) -> str:
    """A module file's hash, read again only when the file changes (a worker asks per unit)."""
    return file_digest(Path(path))


def _is_style(p: Path) -> bool:
    if "__pycache__" in p.parts:
        return False
    return p.suffix in (".css", ".j2", ".jinja", ".tpl", ".json", ".html") or "templates" in p.parts


@dataclass
class Entry:
    """One output unit (a report or a year's summary) as last built."""

    key: str
    fingerprint: str
    inputs: dict[str, str]
    status: Status
    formats: list[str]
    outputs: list[str]  # paths relative to the output folder
    kind: UnitKind = UnitKind.REPORT
    agency: str = ""
    year: int = 0
    source: str = ""  # params file (reports)
    errors: int = 0  # check findings of severity error
    warnings: int = 0
    first_error: str = ""  # first line of the failure, or of the first check error
    seconds: float = 0.0
    built_at: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # module file -> hash, as built
    # output path -> {"size", "sha256", "stat": [inode, mtime_ns, ctime_ns]} as written
    stamps: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)  # check findings (capped)
    # what the index shows besides (reports): warnings the office verified (已核实), the 落款
    # date (ISO), the key figures (checks_trend.KEY_FIGURES), the profile rendered
    acknowledged: int = 0
    issued: str = ""
    figures: dict[str, int | None] = field(default_factory=dict)
    profile: str = ""

    def __post_init__(self) -> None:
        self.status, self.kind = Status(self.status), UnitKind(self.kind)  # JSON holds str

    @property
    def label(self) -> str:
        """How progress lines and the index name this unit."""
        if self.kind == UnitKind.SUMMARY:
            return f"{self.year}年 汇总"
        return f"{self.agency} {self.year}年" if self.agency else (self.source or self.key)


class Manifest:
    """The manifest of one output folder."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir)
        self.path = self.output_dir / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}
        # params file cache: relative path -> {digest, agency, year}; saves parsing unchanged files
        self.files: dict[str, dict[str, Any]] = {}
        # agency name -> [pinyin, initials] for the index (`site.pinyin_keys`), computed once
        self.pinyin: dict[str, list[str]] = {}
        self._dirty = False
        self._saved_at = 0.0
        self._code: dict[str, str | None] = {}
        self._codes: dict[str, dict[str, str]] = {}  # combine(code) -> the shared dict
        self._save_cost = 0.0  # seconds the last save took

    @classmethod
    def load(cls, output_dir: Path | str) -> Manifest:
        """Read the manifest; a missing or unreadable one is empty (everything rebuilds)."""
        m = cls(Path(output_dir))
        try:
            raw = json.loads(m.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return m
        if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
            return m
        codes = raw.get("code", {})
        for key, e in raw.get("entries", {}).items():
            # an entry this code cannot read (hand-edited, unknown status) is rebuilt
            with contextlib.suppress(TypeError, AttributeError, ValueError):
                if isinstance(e.get("code"), str):
                    e["code"] = codes.get(e["code"], {"?": "missing"})
                m.entries[key] = m._intern(Entry(**e))
        m.files = dict(raw.get("files", {}))
        m.pinyin = dict(raw.get("pinyin", {}))
        return m

    def _intern(self, entry: Entry) -> Entry:
        """Entries built by the same code share one `code` dict (thousands of entries hold the
        same few sets of module hashes)."""
        ref = combine(entry.code)
        entry.code = self._codes.setdefault(ref, entry.code)
        return entry

    def up_to_date(
        self, key: str, fingerprint: str, formats: tuple[str, ...], *, strict: bool = False
    ) -> bool:
        """Nothing to do for `key`: built from the same inputs by the same code, in `formats`,
        its outputs as written; with `strict`, blocked, or built without check errors."""
        e = self.entries.get(key)
        if e is None or e.fingerprint != fingerprint:
            return False
        if any(self._module_digest(name) != h for name, h in e.code.items()):
            return False
        if e.status == Status.BLOCKED:
            return strict and self.verify(e)
        if e.status != Status.BUILT or (strict and e.errors):
            return False
        if not set(formats) <= set(e.formats):
            return False
        return self.verify(e)

    def with_kept_formats(
        self, key: str, asked: Sequence[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The formats to write for `key` and those of them not `asked`: `asked` plus what its
        last successful build wrote, so a format a user once asked for (`render --to docx`) is
        rebuilt with the report, never removed by a later run asking for less."""
        e = self.entries.get(key)
        before = set(e.formats) if e is not None and e.status == Status.BUILT else set()
        kept = tuple(f for f in FORMATS if f in before and f not in asked)
        return tuple(f for f in FORMATS if f in asked or f in kept), kept

    def verify(self, entry: Entry) -> bool:
        """Every output of `entry` is the file that was written: same size and hash.

        The hash is recomputed only when the file's (inode, mtime, ctime) differ from the
        recorded ones; a file that hashes the same gets its new stat recorded.
        """
        for rel in entry.outputs:
            recorded = entry.stamps.get(rel)
            if recorded is None:
                return False
            try:
                st = os.stat(self.output_dir / rel)
            except OSError:
                return False
            if st.st_size != recorded.get("size"):
                return False
            key = _stat_key(st)
            if key == recorded.get("stat"):
                continue
            try:
                same = file_digest(self.output_dir / rel) == recorded.get("sha256")
            except OSError:
                return False
            if not same:
                return False
            recorded["stat"] = key
            self._dirty = True
        return True

    def _module_digest(self, name: str) -> str | None:
        if name not in self._code:
            try:
                self._code[name] = file_digest(PACKAGE_DIR / name)
            except OSError:
                self._code[name] = None
        return self._code[name]

    def record(self, entry: Entry) -> None:
        entry.built_at = entry.built_at or time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.entries[entry.key] = self._intern(entry)
        self._dirty = True

    def touch(self) -> None:
        """Something besides entries changed (e.g. `pinyin`): save it next time."""
        self._dirty = True

    def forget(self, key: str) -> None:
        if self.entries.pop(key, None) is not None:
            self._dirty = True

    def remember_file(self, rel: str, file_hash: str, agency: str, year: int) -> None:
        new = {"digest": file_hash, "agency": agency, "year": year}
        if self.files.get(rel) != new:
            self.files[rel] = new
            self._dirty = True

    def save(self, *, every: float = 0.0) -> None:
        """Write atomically if changed; with `every`, at most once per that many seconds (or
        per 20 times what the last save took, for a large manifest)."""
        every = max(every, 20 * self._save_cost) if every else 0.0
        if not self._dirty or time.monotonic() - self._saved_at < every:
            return
        started = time.monotonic()
        codes: dict[str, dict[str, str]] = {}
        rows = []
        for key, e in sorted(self.entries.items()):
            row = {f.name: getattr(e, f.name) for f in fields(Entry)}  # shallow: no deep copy
            ref = combine(e.code)
            codes.setdefault(ref, e.code)
            row["code"] = ref
            rows.append(f"  {_dumps(key)}: {_dumps(row)}".encode())
        # One entry a line: readable, and json's C encoder (an indented dump goes through the
        # pure-Python one, ≈ 10× the memory and time for a manifest of thousands of entries).
        head = {"schema": SCHEMA, "generator": f"disclosure_lib {__version__}"}
        files = dict(sorted(self.files.items()))
        pinyin = dict(sorted(self.pinyin.items()))
        text = b"".join(
            [
                b"{\n",
                *(f" {_dumps(k)}: {_dumps(v)},\n".encode() for k, v in head.items()),
                b' "entries": {\n',
                b",\n".join(rows),
                f'\n }},\n "code": {_dumps(codes)},\n "files": {_dumps(files)},\n'.encode(),
                f' "pinyin": {_dumps(pinyin)}\n}}\n'.encode(),
            ]
        )
        del rows
        write_output(self.path, text)
        self._dirty = False
        self._saved_at = time.monotonic()
        self._save_cost = self._saved_at - started


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- writing outputs ------------------------------------------------------------------------


def write_output(path: Path, data: str | bytes) -> dict[str, Any]:
    """`write_atomic`, with a clear BuildError for a read-only or full output folder; returns
    the file's stamp for the manifest (size, hash, stat)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        write_atomic(path, raw, parents=True)
        st = os.stat(path)
    except WriteError as exc:
        raise OutputError(exc.message, path=path, errno=exc.errno) from None
    except OSError as exc:
        raise output_error(exc, path) from None
    return {"size": len(raw), "sha256": digest(raw), "stat": _stat_key(st)}


def _stat_key(st: os.stat_result) -> list[int]:
    # ctime cannot be set by a user tool (cp -p, touch), so a replaced file never matches
    return [st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def output_error(exc: OSError, path: Path) -> OutputError:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        what = "磁盘空间不足 (no space left on device)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "输出目录不可写 (output folder is read-only or not writable)"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        what = "输出路径已存在且不是目录 (output path exists and is not a folder)"
    elif exc.errno == errno.ENAMETOOLONG:
        what = "文件名过长 (file name too long)"
    else:
        what = f"无法写入输出 (cannot write output): {exc.strerror}"
    return OutputError(what, path=path, errno=exc.errno)


def remove_stale_temps(output_dir: Path) -> int:
    """Delete temp files a killed build left behind (`.<name>.*.tmp`); call under the lock."""
    n = 0
    if not output_dir.is_dir():
        return 0
    for p in output_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            p.unlink()
            n += 1
    return n


class OutputLock:
    """An exclusive lock on an output folder (flock: released by the OS even after kill -9)."""

    def __init__(self, output_dir: Path | str) -> None:
        self.output_dir = Path(output_dir)
        self.path = self.output_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise output_error(exc, self.output_dir) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            with contextlib.suppress(OSError, ValueError):
                holder = f"，进程 {int(os.pread(fd, 32, 0).decode().strip())}"
            os.close(fd)
            raise BuildError(
                f"另一个生成任务正在使用此输出目录{holder} (another build is running on this "
                "output folder; wait for it or use another -o)",
                path=self.output_dir,
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise output_error(exc, self.output_dir) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
