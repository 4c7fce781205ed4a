"""The JSON Schema accepts every valid params file and rejects what the loader rejects."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from disclosure_lib import format as fmt
from disclosure_lib.params import find_params
from disclosure_lib.schema import params_schema

from .base import ROOT, SEED


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
    bad = yaml.safe_load(SEED.read_text(encoding="utf-8").replace(old, new, 1))
    assert list(_validator().iter_errors(bad))


def test_schema_is_generated_from_format_labels() -> None:
    schema = params_schema()
    apps = schema["properties"]["applications"]["properties"]
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
