"""The real browser for tests: Debian's Chromium driven by playwright, and axe-core in it.

playwright's own browsers cannot be downloaded here; `/usr/bin/chromium` is launched headless
with a fresh profile and without background networking (the machine's network is closed).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # GB/T 37668 follows WCAG 2.1 AA


def have_chromium() -> bool:
    return Path(CHROMIUM).exists()


@contextmanager
def chromium(profile: Path, width: int = 1000, height: int = 1400) -> Iterator[Any]:
    """A persistent Chromium context in the fresh user-data-dir `profile`."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context
        finally:
            context.close()


def axe_violations(page: Any) -> list[str]:
    """What axe-core finds on `page` at WCAG 2.1 AA, one line a rule (empty: none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]
