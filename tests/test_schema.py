"""The JSON Schema accepts every valid params file and rejects what the loader rejects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from disclosure_lib import format as fmt
from disclosure_lib.params import find_params
from disclosure_lib.params_layout import FORMATS
from disclosure_lib.schema import params_schema

from .base import FORMAT2019_FIXTURES, ROOT, SEED

FILE_2019 = FORMAT2019_FIXTURES / "示例区某某局" / "2020.yaml"
FILE_MIXED = FORMAT2019_FIXTURES / "示例区某某局" / "2021.yaml"


class _EditorLoader(yaml.SafeLoader):
    """YAML as editors' schema validation sees it: 2025-01-20 is text, not a date object."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(text: str) -> object:
    return yaml.load(text, Loader=_EditorLoader)  # a SafeLoader: no tags beyond safe ones


class _Yaml12(yaml.SafeLoader):
    """YAML as editors read it against the schema (1.2 core: a date stays a string)."""


_Yaml12.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator() -> jsonschema.Draft202012Validator:
    schema = params_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_bundled_params_validate() -> None:
    validator = _validator()
    for path in find_params([ROOT / "params"]):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12)
        errors = list(validator.iter_errors(data))
        assert errors == [], path


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[0, 0, 0, 0, 0, 0, 0]", "[0, 0, 3.5, 0, 0, 0, 0]"),
        ("[0, 0, 0, 0, 0, 0, 0]", "[0, -1, 0, 0, 0, 0, 0]"),
        ("[0, 0, 0, 0, 0, 0, 0]", "[0, 0, 0, 0, 0, 0]"),
        ("[0, 0, 0, 0, 0, 0, 0]", "[true, 0, 0, 0, 0, 0, 0]"),
        ("agency:", "agnecy:"),
        ("（七）总计:", "（八）总计:"),
        ("year: 2024", "year: 24"),
        ("agency: 硚口区企业服务中心", 'agency: "注入局\\nformat: 2019"'),
        ("agency: 硚口区企业服务中心", 'agency: "局\\e[31m"'),
        ("agency: 硚口区企业服务中心", 'agency: "  "'),
    ],
)
def test_schema_rejects_bad_documents(old: str, new: str) -> None:
    bad = _load(SEED.read_text(encoding="utf-8").replace(old, new, 1))
    assert list(_validator().iter_errors(bad))


def test_schema_is_generated_from_format_labels() -> None:
    schema = params_schema()
    apps = schema["$defs"]["applications-2021"]["properties"]
    outcome = apps["三、本年度办理结果"]["properties"]
    assert list(outcome["（三）不予公开"]["properties"]) == [
        r.label for r in fmt.APPLICATIONS.children("withheld")
    ]
    first = apps["一、本年新收政府信息公开申请数量"]
    assert first["minItems"] == first["maxItems"] == len(fmt.APPLICATIONS.columns)


def test_cli_schema_prints_json() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["title"] == params_schema()["title"]


def _doc(path: Path, old: str = "", new: str = "") -> object:
    text = path.read_text(encoding="utf-8")
    assert old in text
    return _load(text.replace(old, new, 1))


def test_schema_accepts_the_2019_and_mixed_files_by_their_format() -> None:
    validator = _validator()
    for path in (FILE_2019, FILE_MIXED):
        assert list(validator.iter_errors(_doc(path))) == [], path
    # `format: 2019` unquoted (YAML reads a number) is the same format
    assert not list(validator.iter_errors(_doc(FILE_2019, 'format: "2019"', "format: 2019")))


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (FILE_2019, 'format: "2019"', 'format: "2021"'),  # 2019 tables under the 2021 layout
        (FILE_2019, 'format: "2019"', 'format: "2018"'),
        (FILE_2019, "本年增/减: -2", "本年增/减: -2.5"),
        (FILE_2019, "上一年项目数量: 12", "上一年项目数量: -12"),
        (FILE_2019, "    （六）其他处理: [1, 0, 0, 0, 0, 0, 1]", "    （六）其他处理: {}"),
        (FILE_MIXED, "table_formats:", "table_formats_:"),
        (FILE_MIXED, '  proactive: "2019"', '  proactive: "2021"'),  # 二 printed in 2019
        (FILE_MIXED, '  proactive: "2019"', '  review: "2019"'),
        (SEED, "contact:", 'format: "2019"\ncontact:'),  # the 2021 layout under format 2019
        (SEED, "contact:", 'table_formats: {applications: "2019"}\ncontact:'),
    ],
)
def test_schema_rejects_a_table_in_another_format_than_declared(
    path: Path, old: str, new: str
) -> None:
    assert list(_validator().iter_errors(_doc(path, old, new)))


def test_schema_keeps_one_layout_per_format_and_table() -> None:
    defs = params_schema()["$defs"]
    assert sorted(defs) == sorted(f"{t.key}-{f}" for f in FORMATS for t in fmt.TABLES)
    item9 = defs["proactive-2019"]["properties"]["第二十条第（九）项"]["properties"]
    assert list(item9["政府集中采购"]["properties"]) == ["采购项目数量", "采购总金额"]
