"""The one check of an agency name and a report year (issue 16.4)."""

from __future__ import annotations

import pytest

from disclosure_lib import identity, locate
from disclosure_lib.batch import render as batch_render
from disclosure_lib.errors import ParamsError, RenderError

from .base import PARAMS


@pytest.mark.parametrize("year", [2024, "2024", " 2024 "])
def test_a_year_as_a_number_or_its_digits(year: object) -> None:
    assert identity.check_year(year) == 2024


@pytest.mark.parametrize("year", [True, 2024.0, "2024年", "２０２４", 1989, 2201, None])
def test_anything_else_is_the_callers_error_naming_the_field(year: object) -> None:
    with pytest.raises(RenderError) as info:
        identity.check_year(year, error=RenderError)
    assert info.value.field == "year" and repr(year) in info.value.message
    with pytest.raises(ParamsError):
        identity.check_year(year, path="p.yaml", line=3)


@pytest.mark.parametrize("agency", [None, "", "   ", 12])
def test_an_agency_is_a_non_empty_name(agency: object) -> None:
    with pytest.raises(RenderError, match="agency"):
        identity.check_agency(agency, error=RenderError)
    assert identity.check_agency(" 某局 ") == "某局"


def test_render_checks_agency_and_year_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the way from `render` to the params file the year is checked where it enters."""
    calls: list[object] = []
    real = identity.check_year

    def counting(year: object, **kw: object) -> int:
        calls.append(year)
        return real(year, **kw)  # type: ignore[arg-type]

    class Found(Exception):
        pass

    def found(name: str, y: int, folder: object) -> None:
        assert (name, y) == ("硚口区企业服务中心", 2024)
        raise Found

    for module in (identity, locate, batch_render):
        monkeypatch.setattr(module, "check_year", counting)
    monkeypatch.setattr(batch_render, "params_file_for", found)
    with pytest.raises(Found):
        batch_render.render("硚口区企业服务中心", "2024", PARAMS)
    assert calls == ["2024"]
