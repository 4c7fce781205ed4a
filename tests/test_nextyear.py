"""Next year from this year: `new --from` (and the core `next_year`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from disclosure_lib import cli
from disclosure_lib import format as fmt
from disclosure_lib.checks import check_paths
from disclosure_lib.model import PLACEHOLDER
from disclosure_lib.nextyear import next_year
from disclosure_lib.params import load_report, params_path

from .base import BUSY_AGENCY, PARAMS

APP, PRO = fmt.APPLICATIONS, fmt.PROACTIVE
# what is left to fill in a new file; nothing else may be found (no R7, no copy warning)
TO_FILL = {"R5-BLANK", "P1-PLACEHOLDER", "P2-ISSUED"}


def _params(tmp_path: Path) -> Path:
    dest = tmp_path / "params" / BUSY_AGENCY
    shutil.copytree(PARAMS / BUSY_AGENCY, dest)
    return tmp_path / "params"


def test_new_from_last_year_leaves_only_what_is_to_fill(tmp_path: Path) -> None:
    params = _params(tmp_path)
    last_path = params_path(params, BUSY_AGENCY, 2024)
    last = load_report(last_path)
    argv = ["new", BUSY_AGENCY, "2025", "--from", str(last_path), "--params", str(params)]
    assert cli.main(argv) == 0
    path = params_path(params, BUSY_AGENCY, 2025)
    new = load_report(path)
    assert new.contact == last.contact
    assert new.issued is None
    for col in APP.columns:  # rule 7, per column
        assert new.get(APP.key, "carried_over", col.key) == last.get(
            APP.key, "carry_forward", col.key
        )
    result = check_paths([params])
    mine = [f for f in result.findings if f.year == 2025]
    assert mine and {f.code for f in mine} <= TO_FILL
    assert not any(f.code == "R5-BLANK" and "上年结转" in f.row for f in mine)
    text = path.read_text(encoding="utf-8")
    # last year's text only as a comment, never as this year's text
    lead = last.narrative["一"][0].text
    assert f"# 2024年原文（仅供参考，勿照搬）：{lead}" in text
    assert all(p.text == PLACEHOLDER for ps in new.narrative.values() for p in ps)
    # the carry base of rule 8, as a comment
    before = last.get(PRO.key, "normative_documents", "in_force")
    assert f"# 2024年现行有效 {before} 件（规则 8）" in text


def test_new_from_refuses_to_overwrite(tmp_path: Path) -> None:
    params = _params(tmp_path)
    last = str(params_path(params, BUSY_AGENCY, 2023))
    argv = ["new", BUSY_AGENCY, "2024", "--from", last, "--params", str(params)]
    assert cli.main(argv) == 2
    assert load_report(params_path(params, BUSY_AGENCY, 2024)).contact.office != PLACEHOLDER


def test_next_year_changes_the_office_title_and_keeps_multiline_comments_safe() -> None:
    last = load_report(params_path(PARAMS, BUSY_AGENCY, 2024))
    last.own_title = "示例区教育局2024年政府信息公开工作年度报告（修订）"
    last.narrative["一"][0].text = "第一行\n# 第二行\u2028第三行"
    report, refs = next_year(last)
    assert report.year == 2025
    assert report.own_title == "示例区教育局2025年政府信息公开工作年度报告（修订）"
    assert refs.narrative["一"][0].text == last.narrative["一"][0].text
    from disclosure_lib.params_write import dump_report

    text = dump_report(report, refs)
    from disclosure_lib.params import loads_report

    assert loads_report(text) == report  # the comments read as comments
    assert "#   # 第二行 第三行" in text
