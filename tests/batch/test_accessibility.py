"""The index's pages and a yearly summary in the real Chromium: axe-core finds no WCAG 2.1 AA
violation (issue 10.8/10.9), on the year's dashboard as the script draws it too, and its
filter box works. Uses Debian's /usr/bin/chromium
(playwright's own browsers are not installed) with a fresh profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.params import params_path

from ..browser import axe_violations, chromium, have_chromium
from .test_build import AGENCIES, make_params
from .test_gate import _break

pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_chromium(), reason="needs chromium")]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built, blocked (--strict) and failed reports, two agencies more, and the summaries."""
    tmp = tmp_path_factory.mktemp("a11y")
    params = make_params(tmp / "params", (*AGENCIES, "硚口区测试局", "阿城区测试局"))
    _break(params, AGENCIES[1], 2023)
    params_path(params, "坏文件", 2023).parent.mkdir()
    params_path(params, "坏文件", 2023).write_text("agency: [", encoding="utf-8")
    b.build([params], output_dir=tmp / "out", to=("html",), progress=False, strict=True)
    return tmp / "out"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), 1100, 900) as context:
        yield context


@pytest.mark.parametrize(
    "page_path", ["index.html", "index-2023.html", "findings-2023.html", "2022/summary.html"]
)
def test_no_wcag21_aa_violation(out: Path, browser: Any, page_path: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((out / page_path).as_uri(), wait_until="load")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert axe_violations(page) == []
    assert errors == []
    page.close()


def test_the_filter_box_narrows_the_list(out: Path, browser: Any) -> None:
    page = browser.new_page()
    page.goto((out / "index-2023.html").as_uri(), wait_until="load")
    names = "() => [...document.querySelectorAll('#reports tbody th')].map(h => h.textContent)"
    assert page.evaluate(names) == ["阿城区测试局", "测试区甲局", "测试区乙局", "硚口区测试局"]
    page.fill("#filter", "qk")  # 硚口 by its pinyin initials
    assert page.evaluate(names) == ["硚口区测试局"]
    assert page.text_content("#shown") == "显示 1 / 4 份"
    page.fill("#filter", "乙局")
    assert page.evaluate(names) == ["测试区乙局"]
    page.fill("#filter", "")
    assert len(page.evaluate(names)) == 4
    assert axe_violations(page) == []
    page.close()
