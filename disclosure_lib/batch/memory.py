"""The build driver's memory handed back between its steps (issue 17 item 13: flat at 20,000).

What the units left (their lines aside) is garbage once they are written, but CPython keeps
freed small objects in its arenas and glibc keeps freed heap pages: the index pages made next
would add to that high-water mark instead of reusing it."""

from __future__ import annotations

import ctypes
import functools
import gc


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


def release_memory() -> None:
    """Collect cycles, then return the heap's free pages to the system (glibc's `malloc_trim`;
    elsewhere the collection only)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
