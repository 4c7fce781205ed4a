"""What a build is asked to do, as one object; its defaults are the ones the CLI shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..rendering.notebook import DEFAULT_PROFILE, FORMATS

DEFAULT_TIMEOUT = 300.0  # seconds per unit, conversion included: the unit is killed then
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class BuildOptions:
    """Options of `build` (see its docstring); `build(paths, opts, year=2024)` overrides."""

    year: int | None = None  # only this reporting year
    agency: str | None = None  # only this agency (full name or folder name)
    to: Sequence[str] | str = FORMATS
    output_dir: Path | str = "outputs"
    jobs: int | None = None  # None: one worker per core
    force: bool = False  # rebuild even if up to date
    executor: str = EXECUTORS[0]
    scheduler: str | None = None  # dask scheduler address
    progress: bool = True
    timeout: float | None = DEFAULT_TIMEOUT
    summaries: bool = True
    notebook: Path | str | None = None  # None: the bundled report notebook
    profile: str = DEFAULT_PROFILE
    pdf_standard: str = ""
    strict: bool = False  # block reports whose check finds errors
