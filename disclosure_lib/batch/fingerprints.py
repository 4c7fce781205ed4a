"""Fingerprints: hashes of a unit's inputs, of the library's templates and fonts, and of the
package's own modules loaded in a worker (what `Manifest` compares to decide a unit is up to
date)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path

from .._version import __version__

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


def library_inputs(fonts: str | None = None) -> dict[str, str]:
    """Inputs every output shares: the library version, templates and stylesheets, and the
    PDF fonts (`pdf_fonts.fingerprint`; `fonts`: it, worked out already, `FontsFingerprint`).

    The library's code is tracked per output as well (`Entry.code`, `loaded_code`): a
    development checkout changes code without bumping the version.
    """
    styles = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and _is_style(p)]
    if fonts is None:
        from ..rendering import pdf_fonts

        fonts = pdf_fonts.fingerprint()
    return {
        "library_version": __version__,
        "templates": tree_digest(styles, PACKAGE_DIR),
        "pdf_fonts": fonts,
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
