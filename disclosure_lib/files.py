"""Writing files safely: every output and params file goes through `write_atomic`, the one
error path of every writer (an OSError becomes one located `WriteError` line); a file the user
names is not overwritten without --force (`refuse_overwrite`)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import DisclosureError, WriteError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_atomic(path: Path | str, data: str | bytes, *, parents: bool = False) -> Path:
    """Write `data` to `path` via a temp file in the same folder and a rename.

    `parents`: create missing folders (params and output folders the library lays out); a
    file the user names must have its folder already. What is there must be a regular file (a
    device node such as /dev/full is never written through, nor replaced). Any OSError is
    raised as a `WriteError` naming the path and the cause (磁盘空间不足, 不可写, …).
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        _require_regular(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files must be readable
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise write_error(exc, path) from None
    return path


def _require_regular(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return  # new (a dangling link is replaced, not followed)
    if not stat.S_ISREG(mode):
        raise WriteError("已存在且不是普通文件，不予写入 (not a regular file)", path=path)


def write_error(exc: OSError, path: Path | str) -> WriteError:
    """`exc`, met writing `path`, as one line saying why."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        what = "磁盘空间不足 (no space left on device)"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "所在目录不可写 (folder is read-only or not writable)"
    elif code == errno.EISDIR:
        what = "是目录，不是普通文件 (a folder, not a regular file)"
    elif code == errno.ENOENT:
        what = "所在目录不存在 (folder does not exist)"
    elif code in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir met a file on the way
        what = "上级路径不是目录 (a parent is not a folder)"
    elif code == errno.ENAMETOOLONG:
        what = "文件名过长 (file name too long)"
    else:
        what = f"无法写入 (cannot write): {exc.strerror or exc}"
    return WriteError(what, path=path, errno=code)


def refuse_overwrite(path: Path | str, force: bool) -> None:
    """The one rule for files a command is told to write (-o): an existing one is kept
    unless `force`."""
    if not force and os.path.lexists(path):
        raise DisclosureError("文件已存在，如需覆盖请使用 --force (file exists)", path=path)
