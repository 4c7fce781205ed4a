"""`disclosure import DIR…`: a crawl's folders, one bad file never stopping the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure_lib import cli
from disclosure_lib.importers.collection import import_files, params_text
from disclosure_lib.importers.document import import_file
from disclosure_lib.params import load_report, params_path

from ..base import IMPORT_FIXTURES as FIX


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    """A crawl: reports, a duplicate, pages that are not reports, junk, a broken report."""
    root = tmp_path / "crawl"
    (root / "site" / "2024").mkdir(parents=True)
    (root / "other").mkdir()
    (root / ".git").mkdir()
    shutil.copy(FIX / "seed.txt", root / "site" / "2024" / "seed.txt")
    shutil.copy(FIX / "seed.html", root / "site" / "2024" / "seed.html")  # same agency-year
    shutil.copy(FIX / "format2019.txt", root / "other" / "archive.txt")
    (root / "other" / "index.html").write_text(
        "<html><body><h1>政务公开</h1><p>欢迎访问。</p></body></html>", encoding="utf-8"
    )
    (root / "other" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    # a report without a title: its agency cannot be told
    text = (FIX / "seed.txt").read_text(encoding="utf-8").splitlines()
    (root / "other" / "untitled.txt").write_text("\n".join(text[3:]) + "\n", encoding="utf-8")
    return root


def test_a_crawl_imports_every_report_and_reports_each_file(
    crawl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "params"
    code = cli.main(["import", str(crawl), "-o", str(params), "-j", "2"])
    out, err = capsys.readouterr()
    assert code == 1  # one file failed (and the 2019 report has check findings)
    statuses = {line.split()[0].rsplit("/", 1)[-1]: line for line in out.splitlines()[1:-1]}
    assert "已写入" in statuses["archive.txt"] and "示例区档案馆" in statuses["archive.txt"]
    assert "失败" in statuses["untitled.txt"]
    assert {"重复", "已写入"} == {
        next(s for s in ("重复", "已写入") if s in statuses[n]) for n in ("seed.txt", "seed.html")
    }
    assert "index.html" not in out and "logo.png" not in out and "config" not in out
    assert "写入 2，失败 1，跳过 1（不是年度报告），重复 1" in out.splitlines()[-1]
    assert "untitled.txt" in err and "--agency" in err and "Traceback" not in err
    written = sorted(p.relative_to(params).as_posix() for p in params.rglob("*.yaml"))
    assert written == ["硚口区企业服务中心/2024.yaml", "示例区档案馆/2020.yaml"]


def test_sequential_and_parallel_reads_agree(crawl: Path, tmp_path: Path) -> None:
    one = import_files([crawl], params_dir=tmp_path / "a", jobs=1)
    two = import_files([crawl], params_dir=tmp_path / "b", jobs=2)
    assert [(o.path, o.status) for o in one] == [(o.path, o.status) for o in two]
    for a, b in zip(one, two, strict=True):
        assert (a.result and a.result.report) == (b.result and b.result.report)
        assert str(a.error) == str(b.error)


def test_nothing_read_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    assert cli.main(["import", str(empty), "-o", str(tmp_path / "params")]) == 2
    assert "写入 0" in capsys.readouterr().out
    assert cli.main(["import", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "p")]) == 2


def test_params_comments_say_where_it_came_from_and_cannot_break_out(tmp_path: Path) -> None:
    odd = tmp_path / "a\u2028b\nformat: 2019.txt"
    shutil.copy(FIX / "seed.txt", odd)
    result = import_file(odd)
    text = params_text(result)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("导入自" in c and "\\u2028" in c and "\\u000a" in c for c in comments)
    assert "\u2028" not in text
    [out] = import_files([odd], params_dir=tmp_path / "params")
    assert out.written is not None and load_report(out.written).format == "2021"


def test_agency_override_goes_through_the_name_check(tmp_path: Path) -> None:
    [out] = import_files(
        [FIX / "seed.txt"], agency="注入局\nformat: x", params_dir=tmp_path / "params"
    )
    assert out.failed and "控制字符" in str(out.error)
    assert not (tmp_path / "params").exists()
    [ok] = import_files([FIX / "seed.txt"], agency="示例区改名局", params_dir=tmp_path / "p")
    assert ok.written == params_path(tmp_path / "p", "示例区改名局", 2024)


def test_terminal_output_shows_escapes_not_raw_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "evil\x1b[31m.txt"
    shutil.copy(FIX / "seed.txt", page)
    junk = tmp_path / "junk\x1b[2J.bin"
    junk.write_bytes(b"\x00\x01" * 50)
    cli.main(["import", str(page), str(junk), "-o", str(tmp_path / "params"), "-v"])
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\x1b" not in err
    assert "\\x1b[31m" in out and "\\x1b[2J" in err
    assert "\\n" not in out and "章节：" in out.splitlines()[1]  # the log still one fact a line


def test_blank_reasons_are_one_definition_the_importer_and_batch_share() -> None:
    # review finding 7: 拆分不唯一 was typed in infer.py and collection.py; a wording change
    # in one would silently stop collection.undecided from recognising the reason
    from disclosure_lib.importers import collection, infer
    from disclosure_lib.importers import log as import_log
    from disclosure_lib.importers.document import import_bytes
    from tests.base import FIXTURES

    assert collection.SPLIT_NOT_UNIQUE is import_log.SPLIT_NOT_UNIQUE
    assert infer.SPLIT_NOT_UNIQUE is import_log.SPLIT_NOT_UNIQUE
    text = (FIXTURES / "import" / "numbers_style.txt").read_text(encoding="utf-8")
    text = text.replace("2.重复申请1000001", "2.重复申请 无 1 0 0 0 0 1")
    log = import_bytes(text.encode("utf-8"), path="numbers_style.txt").log
    ev = log.evidence[("applications", "not_processed.repeated", "natural")]
    assert ev.why == import_log.EQUATIONS_DISAGREE and ev.candidates == [0, 1]
