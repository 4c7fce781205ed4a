"""Params files: loading, located errors, lossless round-trip, paths."""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_lib import format as fmt
from disclosure_lib import format2019 as f19
from disclosure_lib import formats
from disclosure_lib.errors import DisclosureError, ParamsError
from disclosure_lib.model import PLACEHOLDER, Paragraph, Report
from disclosure_lib.names import agency_dirname, text_control
from disclosure_lib.params import (
    available,
    find_params,
    load_report,
    load_reports,
    params_path,
)
from disclosure_lib.params_limits import MAX_BYTES
from disclosure_lib.params_nodes import MAX_ERRORS
from disclosure_lib.params_read import loads_report
from disclosure_lib.params_write import dump_report, new_params_file, save_report
from disclosure_lib.synth import consistent_report

from .base import FORMAT2019_FIXTURES, ROOT, SEED, report_2019, report_mixed


def _write(tmp_path: Path, text: str, name: str = "2024.yaml") -> Path:
    path = tmp_path / "示例区" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str, name: str = "2024.yaml") -> ParamsError:
    with pytest.raises(ParamsError) as info:
        load_report(_write(tmp_path, text, name))
    return info.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_seed_loads_with_official_figures_and_lines() -> None:
    report = load_report(SEED)
    assert report.agency == "硚口区企业服务中心"
    assert report.year == 2024
    assert report.contact.phone == "027-83366995"
    assert len(report.tables["applications"]) == 25 * 7
    assert len(report.tables["review"]) == 15
    assert len(report.tables["proactive"]) == 10
    assert report.get("proactive", "fees", "fee_amount") == Decimal(0)
    assert isinstance(report.get("proactive", "fees", "fee_amount"), Decimal)
    text = SEED.read_text(encoding="utf-8")
    assert report.line_of("applications", "carry_forward", "total") == _line_of(
        text, "四、结转下年度继续办理"
    )
    assert [p.heading for p in report.narrative["五"]] == [
        "（一）上年度存在的问题及改进情况",
        "（二）本年度存在的问题及下年度改进举措",
    ]


def test_round_trip_is_lossless_for_every_bundled_file() -> None:
    for path in find_params([ROOT / "params"]):
        text = path.read_text(encoding="utf-8")
        report = load_report(path)
        assert dump_report(report) == text, path
        assert loads_report(dump_report(report)) == report


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), fee=st.decimals(0, 10_000, places=2))
def test_round_trip_random_reports(seed: int, fee: Decimal) -> None:
    report = consistent_report("示例区测试局", 2023, random.Random(seed))
    report.set("proactive", "fees", "fee_amount", fee)
    report.set("applications", "new", "research", None)  # blank stays blank, not 0
    back = loads_report(dump_report(report))
    assert back == report
    assert back.get("applications", "new", "research") is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_awkward_narrative_text_round_trips(text: str) -> None:
    if text_control(text) is not None:  # refused on loading (next test)
        text = "".join(ch for ch in text if text_control(ch) is None)
    report = Report.blank("示例区测试局", 2024, fill=0)
    report.narrative["一"] = [Paragraph(text=text, heading=text or None)]
    report.contact.office = text
    assert loads_report(dump_report(report)) == report


@pytest.mark.parametrize("bad", ["\x1b[2J", "\x00", "\x07", "\x85", "\u202e", "\x7f"])
def test_control_characters_in_text_are_refused_with_file_and_line(
    tmp_path: Path, bad: str
) -> None:
    """Issue 17.8: an escape sequence or NUL in the narrative passed `check` and reached the
    terminal, the index and a published page; it is refused where it is, tabs and line breaks
    are not."""
    report = load_report(SEED)
    report.narrative["五"] = [Paragraph(f"第一行\t制表\n第二行{bad}尾")]
    text = dump_report(report)
    err = _error(tmp_path, text)
    assert "控制字符" in err.message and (err.field or "").endswith("[1].text")
    assert err.line == _line_of(text, "第二行") and str(err).startswith(f"{err.path}:{err.line}: ")
    report.narrative["五"] = [Paragraph("第一行\t制表\n第二行尾")]
    assert loads_report(dump_report(report)) == report


@pytest.mark.parametrize(
    ("old", "new", "needle", "field_part"),
    [
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            "[0, 0, 3.5, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "科研机构",
        ),
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            "[0, -1, 0, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "商业企业",
        ),
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            "[true, 0, 0, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "自然人",
        ),
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            '["3", 0, 0, 0, 0, 0, 0]\n  二、',
            "一、本年新收",
            "自然人",
        ),
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            "[0, 0, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "一、本年新收",
        ),
        (
            "行政许可: {本年处理决定数量: 0}",
            "行政许可: {本年处理决定数量: 2.0}",
            "行政许可: {",
            "本年处理决定数量",
        ),
        ("（单位：万元）: 0}", "（单位：万元）: -3.5}", "行政事业性收费: {", "本年收费金额"),
        # issue 17.14: -0.0 is not an amount ≥ 0; 017 is octal 15 in YAML 1.1 (refused)
        ("（单位：万元）: 0}", "（单位：万元）: -0.0}", "行政事业性收费: {", "本年收费金额"),
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            "[0, 017, 0, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "商业企业",
        ),
        # issue 17.5: int() refuses more than 4,300 digits (a traceback before)
        (
            "[0, 0, 0, 0, 0, 0, 0]\n  二、",
            f"[0, {'9' * 5000}, 0, 0, 0, 0, 0]\n  二、",
            "一、本年新收",
            "商业企业",
        ),
        (
            "（单位：万元）: 0}",
            f"（单位：万元）: {'9' * 5000}.5}}",
            "行政事业性收费: {",
            "本年收费金额",
        ),
    ],
)
def test_bad_figures_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, needle: str, field_part: str
) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    err = _error(tmp_path, bad)
    assert err.path is not None and err.path.name == "2024.yaml"
    assert err.line == _line_of(bad, needle)
    assert err.field is not None and field_part in err.field
    assert str(err).startswith(f"{err.path}:{err.line}: ")


def test_unknown_key_missing_table_duplicate_key_and_year(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    err = _error(tmp_path, text.replace("agency:", "agnecy:", 1))
    assert err.line == 2 and "agnecy" in (err.field or "") and "未知" in err.message

    start = text.index("review:")
    err = _error(tmp_path, text[:start])
    assert err.field == "review" and "缺少" in err.message

    dup = text.replace("  行政许可: {", "  行政许可: {本年处理决定数量: 0}\n    行政许可: {", 1)
    err = _error(tmp_path, dup)
    assert "重复" in err.message and err.line == _line_of(dup, "行政许可: {") + 1

    err = _error(tmp_path, text, name="2023.yaml")
    assert err.field == "year" and err.line == 3 and "2023" in err.message

    err = _error(tmp_path, text.replace("  （七）总计:", "  （八）总计:", 1))
    fields = [e.field or "" for e in err.errors]  # the unknown row, and the one now missing
    assert any("（八）总计" in f for f in fields) and any("（七）总计" in f for f in fields)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"agency: [unclosed",
        b"- a list\n- not a mapping\n",
        b"{{}}",
        b"!!python/object:os.system ls",
    ],
)
def test_malformed_files_raise_params_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x" / "2024.yaml"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(ParamsError) as info:
        load_report(path)
    assert str(info.value).startswith(str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_loading_mutated_documents_raises_only_params_error(data: st.DataObject) -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                ["- x\n", "  : :\n", "&a [*a]\n", "? \n", "\t\n", "null\n", "{\n", "[1, 2]\n"]
            ),
        )
    )
    lines[i] = replacement
    try:
        report = loads_report("".join(lines), Path("x/2024.yaml"))
    except ParamsError as exc:  # anything else (a traceback) fails the test
        assert str(exc).startswith("x/2024.yaml")
    else:
        assert report.year == 2024 and len(report.tables["applications"]) == 175


def test_agency_dirname_is_a_safe_single_component() -> None:
    for name in ["../../etc", "a/b", "..", ".", "a\\b", "x\x00y", "  ", "示例区/教育局"]:
        d = agency_dirname(name)
        assert d and "/" not in d and "\\" not in d and d not in (".", "..")
        assert (Path("params") / d).resolve().parent == Path("params").resolve()
    assert agency_dirname("硚口区企业服务中心") == "硚口区企业服务中心"
    assert params_path("p", "示例区教育局", 2024) == Path("p/示例区教育局/2024.yaml")


def test_new_file_is_blank_loadable_and_not_overwritten(tmp_path: Path) -> None:
    path = new_params_file("示例区新局", 2025, tmp_path)
    report = load_report(path)
    assert report.agency == "示例区新局" and report.year == 2025
    assert all(v is None for t in report.tables.values() for v in t.values())
    assert sum(len(t) for t in report.tables.values()) == sum(len(t.cells()) for t in fmt.TABLES)
    assert [p.heading for p in report.narrative["一"]] == list(fmt.section("一").subheadings)
    assert {p.text for ps in report.narrative.values() for p in ps} == {PLACEHOLDER}
    assert report.contact.phone == PLACEHOLDER
    with pytest.raises(DisclosureError):
        new_params_file("示例区新局", 2025, tmp_path)


@pytest.mark.parametrize("year", [25, 0, 99999, -2024, 1989, 2201])
def test_new_refuses_a_year_check_would_reject(tmp_path: Path, year: int) -> None:
    with pytest.raises(ParamsError, match="四位数年份"):
        new_params_file("示例区新局", year, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_names_cannot_inject_yaml(tmp_path: Path) -> None:
    name = '注入局\nformat: "2019"\n#'
    with pytest.raises(ParamsError, match="控制字符"):
        new_params_file(name, 2024, tmp_path)
    assert list(tmp_path.iterdir()) == []
    # a Report built in Python is still written through the YAML emitter: nothing injected
    report = Report.blank(name, 2024, fill=0)
    report.own_title = "标题\nformat: '2019'"
    text = dump_report(report)
    data = yaml.safe_load(text)
    assert data["agency"] == name and data["title"] == report.own_title
    assert "format" not in data and text.splitlines()[0] == "# 参数文件 (params file)"
    with pytest.raises(ParamsError, match="控制字符"):  # and it is refused on the way in
        loads_report(text)


def test_save_is_atomic_and_refuses_overwrite(tmp_path: Path) -> None:
    report = load_report(SEED)
    path = save_report(report, tmp_path / "a" / "2024.yaml")
    assert [p.name for p in path.parent.iterdir()] == ["2024.yaml"]
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, as published files must be
    with pytest.raises(ParamsError):
        save_report(report, path, force=False)


def test_load_reports_collects_errors_and_available(tmp_path: Path) -> None:
    save_report(load_report(SEED), tmp_path / "good" / "2024.yaml")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "2024.yaml").write_text("agency: x\n", encoding="utf-8")
    reports, errors = load_reports([tmp_path])
    assert [r.agency for r in reports] == ["硚口区企业服务中心"]
    assert {e.path for e in errors} == {tmp_path / "bad" / "2024.yaml"}
    assert {e.field for e in errors} == {"year", "proactive", "applications", "review"}
    assert available(tmp_path) == {"硚口区企业服务中心": [2024]}
    _, errors = load_reports([tmp_path / "missing"])
    assert errors and "不存在" in errors[0].message


def test_title_issued_and_charts_round_trip(seed_report: Report) -> None:
    assert seed_report.title == "硚口区企业服务中心2024年政府信息公开年度报告"  # the seed's own
    seed_report.own_title = None
    assert seed_report.title == seed_report.official_title
    seed_report.own_title = "硚口区企业服务中心2024年度政府信息公开报告"
    seed_report.issued = datetime.date(2025, 1, 20)
    seed_report.charts = True
    text = dump_report(seed_report)
    back = loads_report(text)
    assert back == seed_report and back.title == seed_report.own_title
    assert loads_report(text.replace("issued: 2025-01-20", "issued: 2025年1月20日")) == back


@pytest.mark.parametrize(
    ("line", "field"),
    [("issued: 2025-02-30", "issued"), ("issued: 下月", "issued"), ("charts: 是", "charts")],
)
def test_bad_issued_date_or_charts_flag_is_located(seed_path: Path, line: str, field: str) -> None:
    text = seed_path.read_text(encoding="utf-8").replace("year: 2024\n", f"year: 2024\n{line}\n")
    with pytest.raises(ParamsError) as info:
        loads_report(text, seed_path)
    assert info.value.field == field and info.value.line == 4


def test_every_error_in_a_file_is_reported_with_its_line(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    bad = (
        text.replace("year: 2024", "year: 24", 1)
        .replace("[0, 0, 0, 0, 0, 0, 0]\n  二、", "[0, 0, 3.5, 0, -1, 0, 0]\n  二、", 1)
        .replace("行政许可: {本年处理决定数量: 0}", "行政许可: {本年处理决定数量: x}", 1)
        .replace("agency:", "agency: 局\n" + "agnecy:", 1)
    )
    err = _error(tmp_path, bad)
    found = [(e.line, e.field) for e in err.errors]
    assert found == sorted(found, key=lambda x: x[0] or 0)  # in file order, the first raised
    assert (err.line, err.field) == found[0]
    year, new = _line_of(bad, "year: 24"), _line_of(bad, "一、本年新收")
    assert (year, "year") in found
    assert (new, "applications.一、本年新收政府信息公开申请数量[科研机构]") in found
    assert (new, "applications.一、本年新收政府信息公开申请数量[法律服务机构]") in found
    assert (
        _line_of(bad, "行政许可: {"),
        "proactive.第二十条第（五）项.行政许可.本年处理决定数量",
    ) in found
    assert (_line_of(bad, "agnecy:"), "agnecy") in found
    for e in err.errors:
        assert str(e).startswith(f"{e.path}:{e.line}: {e.field}: ")


def test_errors_are_capped(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[0, 0, 0, 0, 0, 0, 0]", "[x, x, x, x, x, x, x]"
    )
    err = _error(tmp_path, text)
    assert len(err.errors) == MAX_ERRORS + 1 and "错误过多" in err.errors[-1].message


def test_cli_check_lists_every_error_of_a_file(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[0, 0, 0, 0, 0, 0, 0]", "[0, 0, 0, 0, 0, 0, x]", 6
    )
    path = _write(tmp_path, text)
    proc = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "check", str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if line.startswith("无法读取：")]
    assert proc.returncode == 2 and len(lines) == text.count("[0, 0, 0, 0, 0, 0, x]") == 6
    assert all(re.match(rf"无法读取：{re.escape(str(path))}:\d+: applications\.", x) for x in lines)
    assert "1 个文件无法读取（6 处错误）" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "check", str(path), "--format", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["code"] for r in rows] == ["LOAD-ERROR"] * 6
    assert [r["line"] for r in rows] == sorted({r["line"] for r in rows})  # six lines, in order


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agency", '"注入局\\nformat: \\"2019\\""', "控制字符"),
        ("agency", '"局\\e[31m红"', "控制字符"),
        ("agency", '"  "', "不能为空"),
        ("title", '"标题\\u202e"', "控制字符"),
        ("year", "25", "四位数年份"),
        ("year", "99999", "四位数年份"),
    ],
)
def test_bad_names_and_years_are_refused(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = SEED.read_text(encoding="utf-8")
    if field == "title":
        text = text.replace("year: 2024\n", f"year: 2024\ntitle: {value}\n", 1)
    else:
        text = re.sub(rf"(?m)^{field}: .*$", lambda _: f"{field}: {value}", text, count=1)
    err = _error(tmp_path, text)
    assert message in err.message and err.field == field
    assert err.line == _line_of(text, f"{field}: ")


def test_a_file_that_is_not_a_params_file_is_not_quoted(tmp_path: Path) -> None:
    secrets = [
        "root:$6$secretsalt$hash:19000:0:99999:7:::\n",
        "password: hunter2\ntoken: s3cr3t-value\n",
        "- hunter2\n- s3cr3t-value\n",
        "hunter2: [s3cr3t-value\n",
        "password: hunter2\x01s3cr3t-value\n",  # a character YAML refuses: a reader error
        "agency: 局\nyear: 2024\n%hunter2 s3cr3t-value\n",
    ]
    for content in secrets:
        err = _error(tmp_path, content)
        for e in err.errors:
            assert "hunter2" not in str(e) and "s3cr3t" not in str(e) and "secretsalt" not in str(e)


def _linked_params(tmp_path: Path, target: Path) -> Path:
    params = tmp_path / "params"
    save_report(load_report(SEED), params / "甲局" / "2024.yaml")
    link = params / "乙局" / "2024.yaml"
    link.parent.mkdir()
    link.symlink_to(target)
    return params


def test_symlinks_out_of_the_params_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("agency: 外部局\nyear: 2024\nhunter2: s3cr3t-value\n", encoding="utf-8")
    params = _linked_params(tmp_path, secret)
    link = params / "乙局" / "2024.yaml"
    assert find_params([params]) == [params / "甲局" / "2024.yaml"]
    reports, errors = load_reports([params])
    assert [r.agency for r in reports] == ["硚口区企业服务中心"]
    assert [(e.path, "符号链接" in e.message) for e in errors] == [(link, True)]
    with pytest.raises(ParamsError, match="符号链接") as info:
        load_report(link)  # named directly (render, check FILE): still not followed
    assert "s3cr3t" not in str(info.value) and "hunter2" not in str(info.value)


def test_symlinks_inside_the_params_folder_are_followed(tmp_path: Path) -> None:
    params = _linked_params(tmp_path, Path("../甲局/2024.yaml"))
    reports, errors = load_reports([params])
    assert errors == [] and len(reports) == 2
    # a params folder that is itself a link (params -> /data/params) is fine too
    (tmp_path / "alias").symlink_to(params)
    assert len(load_reports([tmp_path / "alias"])[0]) == 2
    assert load_report(tmp_path / "alias" / "甲局" / "2024.yaml").year == 2024


@pytest.mark.parametrize(
    ("chars", "aliases", "words"), [(100_000, 50, "超过 2 MB"), (100_000, 2000, "超过 2 MB"),
                                    (10, 2000, "超过 100 个")]
)  # fmt: skip
def test_yaml_aliases_cannot_amplify_a_file(
    tmp_path: Path, chars: int, aliases: int, words: str
) -> None:
    """Issue 17.4: one anchored 100,000-character paragraph and 2,000 `- text: *t` lines
    (335 KB) took `check` 227 s; 50 of them made a 15 MB page. Refused at once, one line."""
    text = SEED.read_text(encoding="utf-8")
    first = "  一、总体情况:\n    - text: "
    assert first in text
    lines = "".join("    - text: *t\n" for _ in range(aliases))
    bad = text.replace(first, f"{first}&t {'字' * chars}\n{lines}    - text: ", 1)
    start = time.perf_counter()
    err = _error(tmp_path, bad)
    assert time.perf_counter() - start < 2
    assert words in err.message and err.line is not None and len(err.errors) == 1
    few = text.replace(first, f"{first}&t 一段话。\n    - text: *t\n    - text: ", 1)
    assert _write(tmp_path, few, "2024.yaml") and load_report(tmp_path / "示例区" / "2024.yaml")


def test_the_expanded_limit_is_the_file_limit() -> None:
    from disclosure_lib.params_limits import MAX_EXPANDED

    assert MAX_EXPANDED == MAX_BYTES


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("narrative:", "narrative: &n\n  x: *n", 1)
    err = _error(tmp_path, text)
    assert "别名" in err.message or "应为" in err.message


def test_large_files_are_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "示例区" / "2024.yaml"
    path.parent.mkdir()
    with path.open("wb") as fh:
        fh.write(SEED.read_bytes())
        fh.write(b"#" * (50 * 1024 * 1024))
    start = time.perf_counter()
    with pytest.raises(ParamsError, match="文件过大"):
        load_report(path)
    assert time.perf_counter() - start < 0.5  # refused from its size, not parsed
    with pytest.raises(ParamsError, match="文件过大"):
        loads_report("#" * (MAX_BYTES + 1))


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "示例区" / "2024.yaml"
    path.parent.mkdir()
    os.mkfifo(path)  # opening it would block for ever
    with pytest.raises(ParamsError, match="不是普通文件"):
        load_report(path)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=3000))
def test_any_bytes_load_or_raise_params_error(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        loads_report(text, Path("x/2024.yaml"))
    except ParamsError as exc:
        assert exc.errors and all(str(e).startswith("x/2024.yaml") for e in exc.errors)
        assert len(exc.errors) <= MAX_ERRORS + 1


def test_find_params_raises_for_a_missing_path_even_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    for missing in (tmp_path / "nope", tmp_path / "gone.yaml"):
        with pytest.raises(ParamsError, match="不存在"):
            find_params(iter([SEED, missing]))
    assert find_params(iter([SEED])) == [SEED]


# --- the 2019 format and mixed pages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "name"), [(report_2019, "2020.yaml"), (report_mixed, "2021.yaml")]
)
def test_2019_and_mixed_reports_round_trip_as_their_fixtures(
    builder: Callable[[], Report], name: str
) -> None:
    path = FORMAT2019_FIXTURES / "示例区某某局" / name
    report = load_report(path)
    assert report == builder()
    assert dump_report(report) == path.read_text(encoding="utf-8")
    assert loads_report(dump_report(report)) == report


def test_a_2019_file_holds_the_2019_labels_and_cells() -> None:
    text = (FORMAT2019_FIXTURES / "示例区某某局" / "2020.yaml").read_text(encoding="utf-8")
    for label in (
        "本年新制作数量",
        "上一年项目数量",
        "本年增/减",
        "第二十条第（九）项",
        "采购总金额",
    ):
        assert label in text
    assert "本年制发件数" not in text and "1.申请人无正当理由" not in text
    report = loads_report(text)
    assert report.format == "2019" and report.table_formats == {}
    assert set(report.tables["proactive"]) == set(f19.PROACTIVE.cells())
    assert report.get("proactive", "procurement", "purchase_amount") == Decimal("123.45")
    assert report.get("applications", "other_handling", "total") == 1
    assert report.line_of("proactive", "licensing", "change") == _line_of(text, "行政许可:")


def test_a_table_in_another_format_than_the_file_says_is_one_error_naming_it(
    tmp_path: Path,
) -> None:
    seed = SEED.read_text(encoding="utf-8")
    error = _error(tmp_path, seed.replace("contact:", 'format: "2019"\ncontact:', 1))
    assert [(e.field, e.line) for e in error.errors] == [
        ("proactive", _line_of(seed, "proactive:") + 1),
        ("applications", _line_of(seed, "applications:") + 1),
    ]  # 四 is the same in both formats
    assert 'format: "2021"' in str(error.errors[0]) and "2021〕30号" in str(error.errors[0])
    mixed = (FORMAT2019_FIXTURES / "示例区某某局" / "2021.yaml").read_text(encoding="utf-8")
    text = mixed.replace('table_formats:  # 与本报告格式不同的表格 (tables in another format)\n'
                         '  proactive: "2019"\n', "")  # fmt: skip
    (only,) = _error(tmp_path, text, "2021.yaml").errors
    assert only.field == "proactive" and 'proactive: "2019"' in str(only)
    # a table of no format at all keeps its row-by-row errors
    broken = mixed.replace("    规章: {本年新制作数量", "    规定: {本年新制作数量", 1)
    assert "proactive.第二十条第（一）项" in str(_error(tmp_path, broken, "2021.yaml"))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('format: "2019"', 'format: "2018"', "format"),
        ('  proactive: "2019"', '  proactive: "2020"', "table_formats.proactive"),
        ('  proactive: "2019"', "  proactive: [2019]", "table_formats.proactive"),
        ("本年增/减: -2", "本年增/减: -2.5", "本年增/减"),
        ("上一年项目数量: 12", "上一年项目数量: -12", "上一年项目数量"),
    ],
)
def test_bad_formats_and_2019_figures_are_located(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    name = "2021.yaml" if "proactive:" in old else "2020.yaml"
    text = (FORMAT2019_FIXTURES / "示例区某某局" / name).read_text(encoding="utf-8")
    assert old in text
    error = _error(tmp_path, text.replace(old, new, 1), name)
    (only,) = error.errors
    assert only.field is not None and field in only.field
    assert only.line == _line_of(text, old)


def test_new_2019_file_is_blank_in_the_2019_layout(tmp_path: Path) -> None:
    path = new_params_file("示例区旧局", 2020, tmp_path, format="2019")
    report = load_report(path)
    assert report.format == "2019"
    assert sum(len(t) for t in report.tables.values()) == sum(len(t.cells()) for t in f19.TABLES)
    assert all(v is None for t in report.tables.values() for v in t.values())
    assert "本年新制作数量" in path.read_text(encoding="utf-8")
    with pytest.raises(ParamsError, match="报告格式"):
        new_params_file("示例区旧局", 2019, tmp_path, format="2018")
    out = subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", "new", "示例区旧局", "2019",
         "--params", str(tmp_path), "--format", "2019"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "已创建" in out.stdout
    assert load_report(tmp_path / "示例区旧局" / "2019.yaml").format == "2019"


@pytest.mark.parametrize(
    ("format_id", "table_formats"),
    [("2019", {}), ("2019", {"applications": "2021"}), ("2021", {"proactive": "2019"}),
     ("2019", {"proactive": "2021", "applications": "2021"})],
)  # fmt: skip
def test_every_mix_of_formats_round_trips_and_validates(
    format_id: str, table_formats: dict[str, str]
) -> None:
    import jsonschema

    from disclosure_lib.schema import params_schema

    rng = random.Random(7)
    report = Report.blank("示例区混排局", 2021, format=format_id, table_formats=table_formats)
    for t in report.table_specs():
        for row, column in t.cells():
            value = rng.randint(-5 if (row, column) in formats.signed_cells(t) else 0, 99)
            report.set(
                t.key, row, column, Decimal(value) / 4 if t.is_amount(row, column) else value
            )
    text = dump_report(report)  # (issued: null, as `new` writes it)
    assert loads_report(text) == report
    jsonschema.validate(yaml.safe_load(text), params_schema())
