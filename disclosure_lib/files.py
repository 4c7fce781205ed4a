"""Writing files safely: every output and params file goes through `write_atomic`; a file the
user names is not overwritten without --force (`refuse_overwrite`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import DisclosureError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write `data` to `path` via a temp file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files must be readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def refuse_overwrite(path: Path | str, force: bool) -> None:
    """The one rule for files a command is told to write (-o): an existing one is kept
    unless `force`."""
    if not force and os.path.lexists(path):
        raise DisclosureError("文件已存在，如需覆盖请使用 --force (file exists)", path=path)
