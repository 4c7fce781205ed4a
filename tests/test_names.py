"""Names: control characters refused, folder names safe."""

from __future__ import annotations

import pytest

from disclosure_lib.errors import ParamsError
from disclosure_lib.names import agency_dirname, check_name


@pytest.mark.parametrize(
    "name", ["注入局\nformat: 2019", "局\x1b[31m红", "局\x00", "局\u202e反", "局\x85", "局\u2028"]
)
def test_control_characters_are_refused(name: str) -> None:
    with pytest.raises(ParamsError, match="控制字符"):
        check_name(name, path="p.yaml", line=2, field="agency")


def test_a_plain_name_passes_stripped() -> None:
    assert check_name("  硚口区企业服务中心 ") == "硚口区企业服务中心"
    with pytest.raises(ParamsError, match="不能为空"):
        check_name("  ")


def test_dirname_is_one_component() -> None:
    assert "/" not in agency_dirname("示例/局") and agency_dirname("..") == "_"
