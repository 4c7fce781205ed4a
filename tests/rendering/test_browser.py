"""The rendered HTML in headless Chromium: three tables with the right cells, images load, no
console errors, and axe-core finds no WCAG 2.1 AA violation (publish and review), the page
reflowing at 200 % zoom. Uses Debian's /usr/bin/chromium (playwright's own browsers are not
installed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from disclosure_lib import format as fmt
from disclosure_lib.batch import render as batch_render

from ..base import BUSY_AGENCY, ROOT, SEED_AGENCY, SEED_YEAR
from ..browser import axe_violations, chromium, have_chromium

AGENCY = BUSY_AGENCY  # has figures and earlier years: every chart is drawn

pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not have_chromium() or not (ROOT / "params" / AGENCY / "2024.yaml").is_file(),
        reason="needs chromium and the bundled demo params",
    ),
]


@pytest.fixture(scope="module")
def rendered(busy_review_rendered: batch_render.RenderResult) -> batch_render.RenderResult:
    """AGENCY 2024, review, HTML: rendered once per session (conftest)."""
    return busy_review_rendered


@pytest.fixture(scope="module")
def html(rendered: batch_render.RenderResult) -> Path:
    assert rendered.html is not None
    return rendered.html


def test_charts_drawn_without_missing_glyph_warnings(rendered: batch_render.RenderResult) -> None:
    nb = nbformat.read(rendered.notebook, as_version=4)
    streams = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]
    assert not any("missing from font" in text for text in streams)
    assert not any("Warning" in text for text in streams)


@pytest.fixture(scope="module")
def page(
    html: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[object, list[str]]]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        pg = context.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("requestfailed", lambda r: errors.append(f"request failed: {r.url[:80]}"))
        pg.goto(html.as_uri(), wait_until="load")
        yield pg, errors


def test_three_tables_with_expected_cells(page: tuple) -> None:
    pg, _ = page
    counts = pg.evaluate(
        """() => [...document.querySelectorAll('table.official')].map(t => ({
            key: t.dataset.table,
            head: t.querySelectorAll('thead th').length,
            body: t.querySelectorAll('tbody td').length,
            text: [...t.querySelectorAll('th')].map(th => th.textContent),
        }))"""
    )
    assert [c["key"] for c in counts] == [t.key for t in fmt.TABLES]
    by_key = {c["key"]: c for c in counts}
    for table in fmt.TABLES:
        assert by_key[table.key]["body"] == len(table.cells())
    assert by_key["applications"]["head"] == 10
    assert by_key["review"]["head"] == 19
    assert by_key["proactive"]["head"] == 0  # four blocks of header cells inside tbody
    assert fmt.APPLICATIONS_NOTE in by_key["applications"]["text"]


def test_images_load_and_no_console_errors(page: tuple, tmp_path: Path) -> None:
    pg, errors = page
    images = pg.evaluate(
        "() => [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt}))"
    )
    assert len(images) == 4  # outcome, applicants, trend, proactive
    assert all(img["ok"] and img["alt"] for img in images)
    assert pg.evaluate("() => document.documentElement.lang") == "zh-CN"
    shot = tmp_path / "report.png"
    pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == []


def test_figures_centred(page: tuple) -> None:
    pg, _ = page
    aligns = pg.evaluate(
        "() => [...document.querySelectorAll('td.num')].map(td => getComputedStyle(td).textAlign)"
    )
    assert aligns and set(aligns) == {"center"}


@pytest.fixture(scope="module")
def seed_pages(
    tmp_path_factory: pytest.TempPathFactory, seed_rendered: batch_render.RenderResult
) -> dict[str, Path]:
    """The seed report's page in both profiles (publish: the session's, conftest)."""
    folder = tmp_path_factory.mktemp("review")
    review = batch_render.render(SEED_AGENCY, SEED_YEAR, ROOT / "params", to="html",
                                 output_dir=folder, profile="review")  # fmt: skip
    assert seed_rendered.html is not None and review.html is not None
    return {"publish": seed_rendered.html, "review": review.html}


@pytest.mark.parametrize("which", ["seed publish", "seed review", "charts review"])
def test_axe_finds_no_wcag21_aa_violation(
    page: tuple, html: Path, seed_pages: dict[str, Path], which: str
) -> None:
    pg, _ = page
    target = html if which == "charts review" else seed_pages[which.split()[1]]
    pg.goto(target.as_uri(), wait_until="load")
    assert axe_violations(pg) == []


def test_reflows_at_200_percent_zoom(page: tuple, html: Path) -> None:
    """1280 CSS px at 200 % is 640 px of layout: no page-wide horizontal scrolling (tables
    scroll inside their own focusable region)."""
    pg, _ = page
    pg.goto(html.as_uri(), wait_until="load")
    pg.set_viewport_size({"width": 640, "height": 900})
    widths = pg.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    regions = pg.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')].map(d => d.tabIndex)"
    )
    assert regions and set(regions) == {0}
