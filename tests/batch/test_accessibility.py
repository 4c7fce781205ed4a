"""The index page and a yearly summary in the real Chromium: axe-core finds no WCAG 2.1 AA
violation (issue 10.8/10.9), and the index's filter box works. Uses Debian's /usr/bin/chromium
(playwright's own browsers are not installed) with a fresh profile."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib.batch import build as b
from disclosure_lib.params import params_path

from .test_build import AGENCIES, make_params
from .test_gate import _break

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs chromium")


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
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1100, "height": 900},
        )  # fmt: skip
        try:
            yield context
        finally:
            context.close()


def _axe(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


@pytest.mark.parametrize("page_path", ["index.html", "2022/summary.html"])
def test_no_wcag21_aa_violation(out: Path, browser: Any, page_path: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((out / page_path).as_uri(), wait_until="load")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert _axe(page) == []
    assert errors == []
    page.close()


def test_the_filter_box_narrows_the_list(out: Path, browser: Any) -> None:
    page = browser.new_page()
    page.goto((out / "index.html").as_uri(), wait_until="load")
    rows = "() => [...document.querySelectorAll('#reports tbody tr')].filter(r => !r.hidden)"
    names = f"() => ({rows})().map(r => r.querySelector('th').textContent)"
    assert page.evaluate(names) == ["阿城区测试局", "测试区甲局", "测试区乙局", "硚口区测试局"]
    page.fill("#filter", "qk")  # 硚口 by its pinyin initials
    assert page.evaluate(names) == ["硚口区测试局"]
    assert page.text_content("#shown") == "显示 1 / 4 个机关"
    page.fill("#filter", "乙局")
    assert page.evaluate(names) == ["测试区乙局"]
    page.fill("#filter", "")
    assert len(page.evaluate(names)) == 4
    assert _axe(page) == []
    page.close()
