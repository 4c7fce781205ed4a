"""Names: control characters refused; folder and file names safe, readable, distinct, short."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_lib.errors import ParamsError
from disclosure_lib.model import Report
from disclosure_lib.names import MAX_COMPONENT_BYTES, agency_dirname, check_name

from .base import PARAMS


@pytest.mark.parametrize(
    "name",
    [
        *("注入局\nformat: 2019", "局\x1b[31m红", "局\x00", "局\u202e反", "局\x85", "局\u2028"),
        # issue 17.14: invisible marks make two different names look the same
        *(
            "示例\u200b局",
            "示例局\u200d",
            "\ufeff示例局",
            "示例\u200f局",
            "示例\u2060局",
            "示\u00ad例局",
        ),
    ],
)
def test_control_characters_are_refused(name: str) -> None:
    with pytest.raises(ParamsError, match="控制字符"):
        check_name(name, path="p.yaml", line=2, field="agency")


def test_a_plain_name_passes_stripped() -> None:
    assert check_name("  硚口区企业服务中心 ") == "硚口区企业服务中心"
    with pytest.raises(ParamsError, match="不能为空"):
        check_name("  ")


def test_plain_names_are_their_own_folder_names() -> None:
    for folder in PARAMS.iterdir():  # the bundled params keep their folders
        assert agency_dirname(folder.name) == folder.name
    assert agency_dirname("示例_局") == "示例_局"


def test_unsafe_characters_become_full_width_and_names_stay_distinct() -> None:
    names = [
        "示例/局",
        "示例_局",
        "示例／局",
        "示例\\局",
        "示例:局",
        "示例：局",
        "示例/局~",
        ".",
        "..",
    ]
    dirs = [agency_dirname(n) for n in names]
    assert len(set(dirs)) == len(names)
    assert dirs[0].startswith("示例／局~") and dirs[3].startswith("示例＼局~")
    assert agency_dirname("示例/局") == dirs[0]  # stable
    for d in dirs:
        assert "/" not in d and "\\" not in d and not d.startswith(".")


def test_a_name_that_looks_hashed_is_hashed_again() -> None:
    looks_hashed = agency_dirname("示例/局")  # a real agency could be called this
    assert agency_dirname(looks_hashed) != looks_hashed


name_text = st.text(
    alphabet=st.one_of(st.sampled_from("局区/_／\\:：.~ 0a"), st.characters()), max_size=120
)


@settings(max_examples=300, deadline=None)
@given(a=name_text, b=name_text)
def test_different_names_never_share_a_folder(a: str, b: str) -> None:
    if a != b:
        assert agency_dirname(a) != agency_dirname(b)


@settings(max_examples=200, deadline=None)
@given(name=name_text)
def test_every_name_is_one_creatable_component(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    d = agency_dirname(name)
    assert len(d.encode("utf-8")) <= MAX_COMPONENT_BYTES and d not in (".", "..")
    assert "/" not in d and "\x00" not in d
    folder = tmp_path_factory.mktemp("n") / d
    folder.mkdir()
    assert [p.name for p in folder.parent.iterdir()] == [d]


@pytest.mark.parametrize("length", [60, 66, 85, 90, 200, 1000])
def test_long_names_are_cut_with_a_hash_and_fit_the_filesystem(tmp_path: Path, length: int) -> None:
    agency = ("示例区" * 400)[: length - 1] + "局"
    folder, stem = agency_dirname(agency), agency_dirname(Report(agency, 2024).title)
    assert folder != stem
    for suffix in (".ipynb", ".failed.ipynb", ".html", ".pdf"):
        path = tmp_path / folder / f".{stem}{suffix}.abcd1234.tmp"  # write_atomic's temp name
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    assert len(os.listdir(tmp_path / folder)) == 4
    if len(agency.encode()) > MAX_COMPONENT_BYTES:
        assert folder[:20] == agency[:20] and "~" in folder
    # names that differ only at the end still get different folders
    assert agency_dirname(agency[:-1] + "办") != folder


def test_a_cut_title_keeps_its_start_and_its_year() -> None:
    agency = "示例区" * 30 + "教育局"
    stem = agency_dirname(Report(agency, 2024).title)
    assert stem.startswith("示例区示例区") and "…" in stem and "教育局2024年" in stem


def test_agencies_in_per_character_pinyin_order() -> None:
    """Issue 19.7: pinyin compared syllable by syllable (古田 gu < 国有 guo), phrases read as
    phrases (长沙 chang), other runs kept; the name breaks ties between homophones."""
    from disclosure_lib.names import agency_key, agency_order, pinyin_syllables

    assert pinyin_syllables("长沙市A2局") == ("chang", "sha", "shi", "a2", "ju")
    names = ["国有资产局", "古田县局", "长沙局", "阿城局", "巩义局"]
    assert sorted(names, key=agency_key) == ["阿城局", "长沙局", "巩义局", "古田县局", "国有资产局"]
    assert agency_key("古田县局") < agency_key("国有资产局")
    assert agency_key("甲", ("jia",)) < agency_key("钾", ("jia",))  # same pinyin: by name
    assert agency_order(["乙", "甲", "甲"]) == {"甲": 0, "乙": 1}
