"""Paths and builders shared by the tests (fixtures wrapping them are in `conftest.py`)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
PARAMS = ROOT / "params"  # the bundled params files
SEED_AGENCY = "硚口区企业服务中心"
SEED_YEAR = 2024
SEED = PARAMS / SEED_AGENCY / f"{SEED_YEAR}.yaml"  # the seed report's params file
FIXTURES = ROOT / "tests" / "fixtures"
IMPORT_FIXTURES = FIXTURES / "import"


def without_permission_override(cmd: list[str]) -> list[str]:
    """`cmd` run so that file permissions apply: as root, with the capabilities that override
    them dropped (`setpriv`); the test is skipped when that is not possible."""
    import os
    import shutil

    import pytest

    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits are not enforced")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
