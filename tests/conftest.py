"""Test-wide settings and fixtures; shared paths live in `tests/base.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from disclosure_lib.model import Report
from disclosure_lib.params import load_report

from .base import SEED

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
