"""Forked children that die with their parent: the process helpers of the engine and the pool."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from multiprocessing.connection import Connection

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after kill -9)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def make_pipe() -> tuple[Connection, Connection]:
    """A one-way pipe: (reader, writer)."""
    from multiprocessing import Pipe

    reader, writer = Pipe(duplex=False)
    return reader, writer


def reap(pid: int, *, kill: bool) -> int:
    """Wait for child `pid` (killing it first when asked); return its wait status."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0
