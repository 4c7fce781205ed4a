"""The command line shell: exit codes and one-line messages, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from disclosure_lib.batch import render as batch_render
from disclosure_lib.batch.options import DEFAULT_TIMEOUT, BuildOptions
from disclosure_lib.cli import build_parser, main, options
from disclosure_lib.params import load_report
from disclosure_lib.rendering.notebook import FORMATS

from .base import SEED


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "disclosure_lib.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def _in_process(
    capsys: pytest.CaptureFixture[str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`disclosure ARGS` as `_run` gives it, run by `main` in this process: the same parsing,
    command and messages without a new interpreter's imports (≈ 0.6–3 CPU-s a command). An
    exception `main` lets through fails the test, as its traceback would. Each command keeps
    real-process tests (`_run`, the writers below, test_render, test_tidy, test_schema)."""
    capsys.readouterr()
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors, as the process would exit
            code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["disclosure", *args], code, out, err)


def test_new_then_refuse_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "示例区新局", "2025", "--params", str(tmp_path)]) == 0
    created = tmp_path / "示例区新局" / "2025.yaml"
    assert load_report(created).agency == "示例区新局"
    assert main(["new", "示例区新局", "2025", "--params", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(created) in err and "--force" in err


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[0, 0, 0, 0, 0, 0, 0]", "[0, 0, 3.5, 0, 0, 0, 0]"),
        ("year: 2024", "year: 2023"),
        ("agency:", "agnecy:"),
        ("  行政许可: {", "  行政许可: {本年处理决定数量: 0}\n    行政许可: {"),
        ("[0, 0, 0, 0, 0, 0, 0]", "[0, 0, true, 0, 0, 0, 0]"),
    ],
)
def test_malformed_params_give_one_line_and_exit_2(
    tmp_path: Path, old: str, new: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "示例" / "2024.yaml"
    bad.parent.mkdir()
    bad.write_text(SEED.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    for command in (["check", str(bad)], ["export", str(bad)]):
        proc = _in_process(capsys, *command)
        assert proc.returncode == 2, proc
        assert "Traceback" not in proc.stderr + proc.stdout
        lines = [line for line in (proc.stderr + proc.stdout).splitlines() if str(bad) in line]
        assert lines and f"{bad}:" in lines[0]


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    proc = _run("export", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "不存在" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("agency", "year", "message"),
    [
        ('注入局\nformat: "2019"\n#', "2024", "控制字符"),
        ("局\x1b]0;标题\x07", "2024", "控制字符"),
        ("示例区新局", "25", "四位数年份"),
        ("示例区新局", "0", "四位数年份"),
        ("示例区新局", "99999", "四位数年份"),
    ],
)
def test_new_refuses_bad_names_and_years_early(
    tmp_path: Path, agency: str, year: str, message: str
) -> None:
    proc = _run("new", agency, year, "--params", str(tmp_path))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert "\x1b" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [85, 90, 300])
def test_new_and_render_take_long_names(
    tmp_path: Path, length: int, capsys: pytest.CaptureFixture[str]
) -> None:
    agency = ("示例区" * 100)[: length - 3] + "教育局"
    assert _in_process(capsys, "new", agency, "2024", cwd=tmp_path).returncode == 0
    [params] = (tmp_path / "params").glob("*/2024.yaml")
    assert load_report(params).agency == agency  # the full name inside the file
    rendered = _in_process(capsys, "render", agency, "2024", "--to", "html", cwd=tmp_path)
    # a blank report has check errors: written, marked as a draft, exit 1 (issue 19 item 6)
    assert rendered.returncode == 1 and "Traceback" not in rendered.stderr, rendered.stderr
    assert f"已标记为草稿（校验未通过） {agency} 2024年：校验发现 " in rendered.stderr
    [html] = (tmp_path / "outputs" / "2024").glob("*/*.html")
    text = html.read_text(encoding="utf-8")
    assert agency in text and "2024年" in html.name and "草稿（校验未通过）" in text


@pytest.mark.parametrize(
    "command",
    [
        ["schema"],
        ["export", str(SEED), "--format", "csv"],
        ["export", str(SEED), "--format", "xlsx"],
    ],
)
def test_output_files_are_not_overwritten_without_force(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.file"
    out.write_text("keep me", encoding="utf-8")
    proc = _in_process(capsys, *command, "-o", str(out))
    assert proc.returncode == 2 and "--force" in proc.stderr and str(out) in proc.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _in_process(capsys, *command, "-o", str(out), "--force").returncode == 0
    assert out.read_bytes() != b"keep me" and out.stat().st_size > 1000
    fresh = tmp_path / "fresh.file"
    assert _in_process(capsys, *command, "-o", str(fresh)).returncode == 0 and fresh.is_file()


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_is_explained_in_chinese_first() -> None:
    """Issue 18.6: each subcommand's description and options in Chinese, the English after."""
    cjk = re.compile(r"[\u4e00-\u9fff]")

    def chinese_then_english(text: str | None) -> bool:
        chinese, _, english = (text or "").rpartition(" (")
        return bool(cjk.search(chinese)) and english[:1].isascii() and english[:1].isalpha()

    for name, sub in _subcommands().items():
        assert chinese_then_english(sub.description), name
        for action in sub._actions:
            assert chinese_then_english(action.help), (name, action.dest, action.help)


def test_cli_defaults_are_the_apis_constants() -> None:
    subs = _subcommands()
    defaults = BuildOptions()
    build = subs["build"].parse_args([])
    assert options.to_list(build.to) == tuple(defaults.to) == FORMATS
    assert build.timeout == defaults.timeout == DEFAULT_TIMEOUT
    assert (build.profile, build.executor) == (defaults.profile, defaults.executor)
    assert Path(str(defaults.output_dir)) == build.output
    render = subs["render"].parse_args(["某局", "2024"])
    assert render.to == build.to
    assert inspect.signature(batch_render.render).parameters["to"].default == FORMATS


# --- writers: one located line for every I/O error (issue 17.10) ----------------------------

CLI = [sys.executable, "-m", "disclosure_lib.cli"]


def _writers(folder: Path) -> dict[str, list[str]]:
    """Every command that writes a file the user names or a params file, into `folder`."""
    from .base import IMPORT_FIXTURES

    return {
        "export": [*CLI, "export", str(SEED), "-o", str(folder / "x.csv")],
        "template": [*CLI, "template", "示例局", "2025", "-o", str(folder / "x.xlsx")],
        "from": [*CLI, "template", "--from", str(SEED), "-o", str(folder / "y.xlsx")],
        "schema": [*CLI, "schema", "-o", str(folder / "x.json")],
        "new": [*CLI, "new", "示例局", "2025", "--params", str(folder)],
        "import": [*CLI, "import", str(IMPORT_FIXTURES / "seed.txt"), "-o", str(folder)],
    }


def _one_line(run: subprocess.CompletedProcess[str], words: str, where: Path) -> None:
    assert run.returncode == 2, run.stderr + run.stdout
    assert "Traceback" not in run.stderr and words in run.stderr + run.stdout
    assert str(where) in run.stderr + run.stdout


def test_writers_on_a_full_disk_say_so_in_one_line(tmp_path: Path) -> None:
    import shutil

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a 4 KB tmpfs")
    full = tmp_path / "full"
    full.mkdir()
    mount = f'mount -t tmpfs -o size=4k tmpfs {full} && exec "$@"'
    for name, cmd in _writers(full).items():
        wrapped = ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, "sh", *cmd]
        run = subprocess.run(wrapped, capture_output=True, text=True, timeout=120)
        if "mount:" in run.stderr or "unshare:" in run.stderr:
            pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
        assert run.returncode != 0, name
        _one_line(run, "磁盘空间不足", full)


def test_writers_into_a_read_only_folder_say_so_in_one_line(tmp_path: Path) -> None:
    from .base import without_permission_override

    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for cmd in _writers(locked).values():
            run = subprocess.run(without_permission_override(cmd), capture_output=True,
                                 text=True, timeout=120)  # fmt: skip
            _one_line(run, "不可写", locked)
    finally:
        locked.chmod(0o755)
    assert list(locked.iterdir()) == []


def test_writers_never_write_through_a_device_nor_create_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import stat

    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # as /dev/full
    except PermissionError:
        os.mkfifo(device)  # not root: a FIFO is not a regular file either
    mode = device.stat().st_mode
    run = _in_process(capsys, "export", str(SEED), "-o", str(device), "--force")
    _one_line(run, "不是普通文件", device)
    assert device.stat().st_mode == mode
    run = _in_process(capsys, "schema", "-o", str(tmp_path), "--force")  # a folder
    _one_line(run, "不是普通文件", tmp_path)
    run = _in_process(capsys, "export", str(SEED), "--format", "parquet", "-o",
               str(tmp_path / "nonexistent" / "dir" / "x.parquet"))  # fmt: skip
    _one_line(run, "目录不存在", tmp_path / "nonexistent" / "dir" / "x.parquet")
    assert not (tmp_path / "nonexistent").exists()
    run = _in_process(capsys, "schema", "-o", "/proc/x.json")
    assert run.returncode == 2 and "Traceback" not in run.stderr and "/proc/x.json" in run.stderr
