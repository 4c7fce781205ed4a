"""Test-wide settings and fixtures; shared paths live in `tests/base.py`."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from disclosure_lib.batch._fork.pool import skip_slow_optional_imports
from disclosure_lib.model import Report
from disclosure_lib.params import load_report

from .base import BUSY_AGENCY, PARAMS, SEED, SEED_AGENCY, SEED_YEAR
from .pools import shared_pools

if TYPE_CHECKING:
    from disclosure_lib.batch.render import RenderResult

# As the package's own processes (CLI, warm pool) do: the test modules import nbformat, whose
# jsonschema would otherwise build rfc3987_syntax's grammar (≈ 1.1 CPU-s) in every xdist worker.
skip_slow_optional_imports()

# The session's shared outputs (below): the modules reading them run on one xdist worker.
SESSION_OUTPUTS = frozenset({"seed_rendered", "busy_review_rendered"})
SHARED_GROUP = "session-outputs"

# CI runs a fixed set of examples (a red CI must mean a regression, not a new random draw);
# local runs keep exploring fresh examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def _shared_warm_pools() -> Iterator[None]:
    """The builds run in the test processes share their warm pools (`tests/pools.py`)."""
    from disclosure_lib.batch import build

    with shared_pools(build._executor) as pools, pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "_executor", pools)
        yield


@pytest.fixture
def seed_path() -> Path:
    """The seed report's params file (硚口区企业服务中心 2024)."""
    return SEED


@pytest.fixture
def seed_report() -> Report:
    """The seed report, freshly loaded (tests may change it)."""
    return load_report(SEED)


# --- outputs shared by every module that only reads them (each is made once per session) ---


@pytest.fixture(scope="session")
def seed_rendered(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    """The seed report rendered once, profile publish, to every format (ipynb, HTML, PDF,
    DOCX). Read-only: a test that changes outputs renders its own."""
    from disclosure_lib.batch import render as batch_render

    out = tmp_path_factory.mktemp("seed-rendered")
    return batch_render.render(SEED_AGENCY, SEED_YEAR, PARAMS, output_dir=out)


@pytest.fixture(scope="session")
def busy_review_rendered(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    """示例区教育局 2024 (figures and earlier years: every chart is drawn) rendered once, profile
    review, to HTML: the charts appendix and 数据校验. Read-only."""
    from disclosure_lib.batch import render as batch_render

    out = tmp_path_factory.mktemp("busy-review")
    return batch_render.render(BUSY_AGENCY, 2024, PARAMS, to="html", output_dir=out,
                               profile="review")  # fmt: skip


# --- pytest-xdist: `make test` runs `pytest -n 2 --dist loadgroup` ------------------------------


def _scope(nodeid: str) -> str:
    """An xdist group (the part after `@`), else the test's module."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return nodeid.rsplit("@", 1)[1]
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: every module reading the session's shared outputs goes in one
    group (they are made once), and the groups holding slow tests come first (the one holding
    the longest test first, `_seconds`, then the ones with most), so that the last group a
    worker starts is a quick one.
    A run without xdist keeps the collection order."""
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    sharing = {
        item.path for item in items if SESSION_OUTPUTS & set(getattr(item, "fixturenames", ()))
    }
    for item in items:
        if item.path in sharing and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(SHARED_GROUP))
    longest: dict[str, float] = {}  # a group's longest slow test, then how many it holds
    slow = Counter(_group(item) for item in items if item.get_closest_marker("slow"))
    for item in items:
        if mark := item.get_closest_marker("slow"):
            longest[_group(item)] = max(longest.get(_group(item), 0.0), _seconds(mark))
    items.sort(
        key=lambda item: (-longest.get(_group(item), 0.0), -slow[_group(item)])
    )  # stable: the collection order within


def _seconds(mark: pytest.Mark) -> float:
    """A slow test's weight: its seconds on a quiet machine when the mark gives them (a test far
    longer than the others, which must start first or it ends last), else 10."""
    return float(mark.args[0]) if mark.args else 10.0


def _group(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark and mark.args else str(item.path)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`, with a test outside any group sent with the rest of its module (as
    `--dist loadscope` does), so that a module's fixtures are made once, and the groups sent in
    the order collected (slow ones first, above) rather than by their number of tests."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModulesAndGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    config.option.loadscopereorder = False
    return ModulesAndGroups(config, log)
