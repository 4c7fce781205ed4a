"""The PDF fonts' fingerprint for a build's plan, worked out in another process."""

from __future__ import annotations

import os
import subprocess
import sys

from .fingerprints import PACKAGE_DIR

_FONTS_PROBE = "from disclosure_lib.rendering.pdf_fonts import fingerprint; print(fingerprint())"


class FontsFingerprint:
    """`pdf_fonts.fingerprint()` worked out in a short-lived process started at once: Typst's
    font scan (≈ 15 MB held, 0.3 s) stays out of the build driver and runs beside its params
    scan. The same package is imported there (`PYTHONPATH`); if that process fails, the
    fingerprint is worked out here."""

    def __init__(self) -> None:
        paths = [str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        try:
            self._proc: subprocess.Popen[str] | None = subprocess.Popen(
                [sys.executable, "-c", _FONTS_PROBE], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
            )  # fmt: skip
        except OSError:
            self._proc = None

    def result(self) -> str:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                out, _ = proc.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            else:
                lines = out.split()
                if proc.returncode == 0 and lines:
                    return lines[-1]
        from ..rendering import pdf_fonts

        return pdf_fonts.fingerprint()
