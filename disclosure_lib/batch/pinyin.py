"""Pinyin sort keys of agency names for the index, computed in a short-lived process so that
the build driver never loads pypinyin's dictionaries."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable

# pypinyin's dictionaries take ≈ 55 MB once loaded: a short-lived process computes the pinyin
# of names not seen before (the manifest keeps them), so the build driver stays small.
_PINYIN = """
import json, sys
from disclosure_lib.names import pinyin_search
json.dump({name: pinyin_search(name) for name in json.load(sys.stdin)}, sys.stdout)
"""


def _cached(value: object) -> bool:
    """A cache entry of this form: [syllables separated by spaces, initials] (an older one
    held the syllables run together: computed again)."""
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        return False
    return len(value[0].split()) == len(value[1])


def pinyin_keys(
    names: Iterable[str], cache: dict[str, list[str]] | None = None
) -> dict[str, tuple[str, ...]]:
    """The pinyin syllables of each name (`names.pinyin_syllables`): the sort key and what
    the filter matches. Names missing from `cache` are computed (in a separate process) and
    added to it (here if that process fails); without pypinyin a name sorts by itself."""
    cache = {} if cache is None else cache
    names = set(names)
    missing = sorted(n for n in names if not _cached(cache.get(n)))
    if missing:
        cache.update(_pinyin_elsewhere(missing))
        # the other process failed (killed, out of memory): the same pinyin here, a larger
        # process once, rather than a page in another order
        left = [n for n in missing if not _cached(cache.get(n))]
        if left:
            cache.update(_pinyin_here(left))
    # a few hundred syllables, interned: 20,000 names' tuples share them
    return {n: tuple(map(sys.intern, cache[n][0].split())) if _cached(cache.get(n)) else ()
            for n in names}  # fmt: skip


def _pinyin_here(names: list[str]) -> dict[str, list[str]]:
    from ..names import pinyin_search

    try:
        return {n: list(pinyin_search(n)) for n in names}
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return {}


def _pinyin_elsewhere(names: list[str]) -> dict[str, list[str]]:
    try:
        run = subprocess.run([sys.executable, "-c", _PINYIN], input=json.dumps(names),
                             capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        found = json.loads(run.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    return {n: v for n, v in found.items() if _cached(v)}
