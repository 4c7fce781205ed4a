"""The output folder's lock: one build or render at a time per output folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ..errors import BuildError
from .manifest import LOCK_NAME, output_error


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
