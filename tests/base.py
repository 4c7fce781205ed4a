"""Paths and builders shared by the tests (fixtures wrapping them are in `conftest.py`)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
PARAMS = ROOT / "params"  # the bundled params files
SEED_AGENCY = "硚口区企业服务中心"
SEED_YEAR = 2024
SEED = PARAMS / SEED_AGENCY / f"{SEED_YEAR}.yaml"  # the seed report's params file
BUSY_AGENCY = "示例区教育局"  # bundled, with figures and earlier years: every chart is drawn
FIXTURES = ROOT / "tests" / "fixtures"
IMPORT_FIXTURES = FIXTURES / "import"
# the seed report as published: the web page's text, tables one cell a line (docs/FORMAT.md)
SEED_PAGE = FIXTURES / "seed" / "000_9841ad1147ba200b.txt"
