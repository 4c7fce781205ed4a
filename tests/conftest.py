"""Test-wide settings and fixtures; shared paths live in `tests/base.py`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from disclosure_lib.model import Report
from disclosure_lib.params import load_report

from .base import BUSY_AGENCY, PARAMS, SEED, SEED_AGENCY, SEED_YEAR

if TYPE_CHECKING:
    from disclosure_lib.batch.render import RenderResult

# CI runs a fixed set of examples (a red CI must mean a regression, not a new random draw);
# local runs keep exploring fresh examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
