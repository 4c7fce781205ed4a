"""Reading a file in a forked child bounded in wall time and address space.

A reading nested in another runs in the same child.
The caller's process never grows: the child reads, sends its result back pickled and exits;
past `limits.MAX_SECONDS` it is killed, and past `limits.MAX_MEMORY` of address space (added
to what it inherited) its allocations fail. Either ends in one `ImportFailed` line naming the
file and the limit. Without `os.fork` (not Linux/macOS) the function runs in-process, bounded
by the structural limits alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import limits

T = TypeVar("T")
_in_child = False  # in a bounded child: its limits hold already, no child of its own
_PR_SET_PDEATHSIG = 1
_OUT_OF_MEMORY = "memory"


def _address_space() -> int:
    """Bytes of address space this process has mapped now."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(fn: Callable[[], T], writer: int) -> None:
    """In the child: limit, run, send (True, value) or (False, error), exit without cleanup."""
    global _in_child
    _in_child = True
    with contextlib.suppress(Exception):  # a child left behind by a killed parent dies too
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        cap = _address_space() + limits.MAX_MEMORY
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:  # a lower limit set from outside stays
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        reply = pickle.dumps((True, fn()))
    except MemoryError:
        reply = pickle.dumps((False, _OUT_OF_MEMORY))
    except BaseException as exc:  # raised in the caller as it would have been in-process
        try:
            reply = pickle.dumps((False, exc))
        except Exception:
            reply = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(writer, "wb") as fh:
        fh.write(reply)


def run_bounded(fn: Callable[[], T], what: str, path: Path | str | None) -> T:
    """`fn()` in a forked child under the time and memory limits; `what` names the reading
    (读取 PDF) in the refusal."""
    if _in_child or not hasattr(os, "fork") or not os.path.exists("/proc/self/statm"):
        return fn()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — the child's coverage is not collected
        os.close(reader)
        try:
            _child(fn, writer)
        finally:
            os._exit(0)
    os.close(writer)
    timed_out = True  # until the child answered (an interrupt kills it too)
    try:
        data, timed_out = _receive(reader, limits.MAX_SECONDS)
    finally:
        os.close(reader)
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if timed_out:
        raise limits.refuse(f"{what}超过时限 {limits.MAX_SECONDS:g} 秒", "time limit", path)
    try:
        ok, value = pickle.loads(data)
    except Exception:  # nothing or a cut reply: the child died (an allocation aborted it)
        ok, value = False, _OUT_OF_MEMORY
    if ok:
        return value
    if isinstance(value, BaseException):
        raise value
    raise limits.refuse(
        f"{what}所需内存超过上限 {limits.MAX_MEMORY // 2**20} MB", "memory limit", path
    )


def _receive(reader: int, seconds: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe, or (what came, True) at the
    deadline."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), True
        if select.select([reader], [], [], left)[0]:
            chunk = os.read(reader, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
