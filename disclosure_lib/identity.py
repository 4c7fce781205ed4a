"""The one check of an agency name and a report year, wherever they come from: a params file,
the command line, a notebook's parameters (papermill `-r` gives text), the Python API. Checked
once where they enter; what is called with checked values does not check again."""

from __future__ import annotations

from pathlib import Path

from .errors import DisclosureError, ParamsError

YEARS = range(1990, 2201)  # a report year: four digits, within reason


def check_year(
    year: object,
    *,
    error: type[DisclosureError] = ParamsError,
    path: Path | str | None = None,
    line: int | None = None,
) -> int:
    """`year` as a report year (an int in `YEARS`; ASCII digits as text too), else `error`."""
    if isinstance(year, str) and year.strip().isascii() and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        raise error(
            f"应为整数年份（四位数年份，如 2024，{YEARS.start}–{YEARS.stop - 1}），而不是 {year!r} "
            "(expected a year such as 2024)",
            path=path,
            line=line,
            field="year",
        )
    return year


def check_agency(agency: object, *, error: type[DisclosureError] = ParamsError) -> str:
    """`agency` as a stripped, non-empty name, else `error`."""
    if not isinstance(agency, str) or not agency.strip():
        raise error(
            f"应为机关全称（文本），实际为 {agency!r} (agency must be a name)", field="agency"
        )
    return agency.strip()
