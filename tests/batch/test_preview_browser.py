"""The preview page in the real Chromium: it refreshes itself after a save (the report frame,
kept where it was scrolled to, and the findings beside it), shows a params error beside the
last good render, and axe-core finds no WCAG 2.1 AA violation on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib.batch.preview import Preview

from ..base import BUSY_AGENCY
from ..browser import axe_violations, chromium, have_chromium
from .test_preview import NEW_ROW, YEAR, copy_params

pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_chromium(), reason="needs chromium")]

WAIT_MS = 60_000


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Preview]:
    with Preview(BUSY_AGENCY, YEAR, copy_params(tmp_path), port=0, pdf=False) as p:
        yield p


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with chromium(tmp_path / "chromium-profile", 1300, 900) as context:
        yield context


def test_the_page_refreshes_itself_after_a_save(live: Preview, browser: Any) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live.url, wait_until="load")
    frame = page.frame_locator("#report")
    frame.locator("h1, .title").first.wait_for(timeout=WAIT_MS)
    first = int(page.evaluate("() => document.body.dataset.html"))
    assert first >= 1 and page.locator("#error").is_hidden()
    assert axe_violations(page) == []

    scroll = "() => document.getElementById('report').contentWindow.scrollY"
    page.evaluate("() => document.getElementById('report').contentWindow.scrollTo(0, 600)")
    assert page.evaluate(scroll) == 600
    original = live.path.read_text(encoding="utf-8")
    edited = original.replace(NEW_ROW, NEW_ROW.replace("146]", "150]"))
    live.path.write_text(edited.replace("推进政务新媒体", "推进政务新媒体（浏览器甲）"), "utf-8")
    frame.get_by_text("（浏览器甲）").first.wait_for(timeout=WAIT_MS)  # no reload by the test
    assert int(page.evaluate("() => document.body.dataset.html")) > first
    page.wait_for_function(f"() => ({scroll})() === 600", timeout=WAIT_MS)  # where it was
    page.locator("#findings .sev-error").first.wait_for(timeout=WAIT_MS)
    assert "本年新收" in page.locator("#findings").inner_text()

    live.path.write_text("agency: [\n", encoding="utf-8")
    page.locator("#error").wait_for(state="visible", timeout=WAIT_MS)
    assert f"{live.path}:" in page.locator("#error").inner_text()
    assert frame.get_by_text("（浏览器甲）").count() >= 1  # the last good render stays
    assert errors == []
    page.close()
