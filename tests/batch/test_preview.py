"""`disclosure preview`: a saved edit is served as new HTML with its findings, a params file that
does not load shows its located error beside the last good render, the PDF follows, and the
server answers on 127.0.0.1 only. One preview (warm pool included) serves the module; each
test writes the params text it needs and waits for the state that text gives."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from disclosure_lib import cli
from disclosure_lib.batch.gate import check_unit
from disclosure_lib.batch.preview import Preview
from disclosure_lib.batch.states import UnitKind
from disclosure_lib.errors import RenderError
from disclosure_lib.locate import load_history
from disclosure_lib.params import load_report, params_path

from ..base import BUSY_AGENCY, PARAMS
from .test_build import notebook_with

YEAR = 2024
NEW_ROW = "一、本年新收政府信息公开申请数量: [116, 15, 1, 2, 3, 9, 146]"
WAIT = 60.0  # seconds: a loaded machine, a pool warming up


def copy_params(tmp: Path) -> Path:
    """The agency's three years, in a params folder of their own."""
    folder = params_path(PARAMS, BUSY_AGENCY, YEAR).parent
    shutil.copytree(folder, tmp / "params" / folder.name)
    return tmp / "params"


def request(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}" if host is None else host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(port: int, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first state (through `state.json`, held until it changes) that `done` accepts."""
    end = time.monotonic() + WAIT
    version = -1
    while True:
        status, body = request(port, f"/state.json?since={version}")
        assert status == 200
        state: dict[str, Any] = json.loads(body)
        if done(state):
            return state
        assert time.monotonic() < end, f"state never came: {state}"
        version = state["version"]


def shown(state: dict[str, Any]) -> bool:
    """The latest saved version is rendered and on show, and checked."""
    latest = state["revision"]
    return state["status"] == "ready" and state["html"] == latest == state["checked"]


# a cell that fails for a version whose params hold FAIL (the render path's errors)
FAIL = "（渲染失败）"
FAILING_CELL = f"""
import pathlib
if any({FAIL!r} in f.read_text(encoding="utf-8") for f in pathlib.Path(params_dir).rglob("*.yaml")):
    raise RuntimeError("预览测试：此版本不能渲染")
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Preview, Path]]:
    tmp = tmp_path_factory.mktemp("preview")
    params, notebook = copy_params(tmp), notebook_with(tmp, FAILING_CELL)
    with Preview(BUSY_AGENCY, YEAR, params, port=0, notebook=notebook) as p:
        wait_for(p.port, shown)
        yield p, p.path


def test_the_page_serves_the_report_and_its_findings(live: tuple[Preview, Path]) -> None:
    p, path = live
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a new version
    state = wait_for(p.port, lambda s: shown(s) and s["revision"] >= 2)
    status, page = request(p.port, "/")
    assert status == 200
    assert f"预览：{BUSY_AGENCY} {YEAR}年".encode() in page and b'lang="zh-CN"' in page
    status, html = request(p.port, f"/report.html?rev={state['html']}")
    assert status == 200 and BUSY_AGENCY.encode() in html and b"<table" in html
    report = load_report(path)
    expected = check_unit(UnitKind.REPORT, BUSY_AGENCY, YEAR, [*load_history(report), report])
    assert (state["errors"], state["warnings"]) == (expected.errors, expected.warnings)
    assert state["findings"] == json.loads(json.dumps(expected.findings, ensure_ascii=False))
    assert state["error"] == []


def test_a_saved_edit_is_served_with_its_findings(live: tuple[Preview, Path]) -> None:
    p, path = live
    before = wait_for(p.port, shown)
    original = path.read_text(encoding="utf-8")
    assert NEW_ROW in original
    edited = original.replace(NEW_ROW, NEW_ROW.replace("146]", "150]")).replace(
        "推进政务新媒体", "推进政务新媒体（预览甲）"
    )
    path.write_text(edited, encoding="utf-8")
    state = wait_for(p.port, lambda s: shown(s) and s["revision"] > before["revision"])
    _, html = request(p.port, "/report.html")
    assert "推进政务新媒体（预览甲）".encode() in html and b">150<" in html
    assert state["errors"] > before["errors"]
    broken = [f for f in state["findings"] if f["severity"] == "error"]
    assert any("本年新收" in f["where"] or "本年新收" in f["message"] for f in broken)
    assert "html" in state["timings"] and "check" in state["timings"]
    path.write_text(original, encoding="utf-8")
    restored = wait_for(p.port, lambda s: shown(s) and s["revision"] > state["revision"])
    assert restored["errors"] == before["errors"]


def test_a_params_file_that_does_not_load_shows_its_error_and_keeps_the_last_render(
    live: tuple[Preview, Path],
) -> None:
    p, path = live
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace("推进政务新媒体", "推进政务新媒体（预览乙）"), encoding="utf-8"
    )
    good = wait_for(p.port, lambda s: shown(s) and "（预览乙）" in _html(p.port))
    path.write_text(original.replace(NEW_ROW, NEW_ROW.replace("[116", "[116,, x")), "utf-8")
    state = wait_for(p.port, lambda s: s["status"] == "error")
    line = original.splitlines().index("  " + NEW_ROW) + 1
    assert state["error"] and state["error"][0].startswith(f"{path}:{line}:")
    assert "Traceback" not in json.dumps(state, ensure_ascii=False)
    assert state["html"] == good["html"]  # the last good render stays on show
    assert "（预览乙）" in _html(p.port)
    path.write_text("agency: [\n", encoding="utf-8")  # not YAML at all
    state = wait_for(p.port, lambda s: s["status"] == "error" and "YAML" in s["error"][0])
    assert state["error"][0].startswith(f"{path}:") and "（预览乙）" in _html(p.port)
    path.write_text(original, encoding="utf-8")
    state = wait_for(p.port, lambda s: shown(s) and "（预览乙）" not in _html(p.port))
    assert state["error"] == []


def test_a_version_that_fails_to_render_keeps_the_last_good_one(
    live: tuple[Preview, Path],
) -> None:
    p, path = live
    good = wait_for(p.port, shown)
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("推进政务新媒体", f"推进政务新媒体{FAIL}"), "utf-8")
    state = wait_for(p.port, lambda s: s["status"] == "error" and s["checked"] == s["revision"])
    assert state["revision"] > good["revision"] and state["html"] == good["html"]
    assert state["error"][0].startswith("渲染失败：") and "此版本不能渲染" in state["error"][0]
    assert FAIL not in _html(p.port) and state["errors"] == good["errors"]  # still checked
    path.write_text(original, encoding="utf-8")
    state = wait_for(p.port, lambda s: shown(s) and s["revision"] > good["revision"] + 1)
    assert state["error"] == []


@pytest.mark.slow
def test_a_warm_pool_that_died_is_started_again(live: tuple[Preview, Path]) -> None:
    p, path = live
    good = wait_for(p.port, shown)
    os.kill(p._pool._proc.pid, signal.SIGKILL)  # out of memory, say
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("推进政务新媒体", "推进政务新媒体（重启后）"), "utf-8")
    state = wait_for(p.port, lambda s: shown(s) and s["revision"] > good["revision"])
    assert "（重启后）" in _html(p.port) and state["error"] == []
    path.write_text(original, encoding="utf-8")
    wait_for(p.port, lambda s: shown(s) and s["revision"] > state["revision"])


def test_saves_in_quick_succession_end_on_the_last_one(live: tuple[Preview, Path]) -> None:
    p, path = live
    before = wait_for(p.port, shown)
    original = path.read_text(encoding="utf-8")
    for i in range(6):  # faster than a render: versions in between are skipped, not queued
        path.write_text(original.replace("推进政务新媒体", f"推进政务新媒体（连续{i}）"), "utf-8")
        time.sleep(0.12)
    state = wait_for(p.port, lambda s: shown(s) and s["pdf"] == s["html"])
    assert "（连续5）" in _html(p.port) and state["revision"] > before["revision"]
    assert request(p.port, "/report.pdf")[1].startswith(b"%PDF")
    path.write_text(original, encoding="utf-8")
    wait_for(p.port, lambda s: shown(s) and s["revision"] > state["revision"])


def _html(port: int) -> str:
    return request(port, "/report.html")[1].decode("utf-8")


def test_the_pdf_of_the_version_on_show(live: tuple[Preview, Path]) -> None:
    p, _ = live
    state = wait_for(p.port, shown)
    status, pdf = request(p.port, "/report.pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    after = wait_for(p.port, lambda s: s["pdf"] == s["html"])
    assert after["html"] == state["html"] and "pdf" in after["timings"]


def test_serves_127_0_0_1_only(live: tuple[Preview, Path]) -> None:
    p, path = live
    assert p._server.server_address[0] == "127.0.0.1"
    assert p.url == f"http://127.0.0.1:{p.port}/"
    for host in ("evil.example", f"evil.example:{p.port}", f"192.168.1.5:{p.port}", ""):
        status, body = request(p.port, "/state.json", host=host)
        assert status == 403 and BUSY_AGENCY.encode() not in body
    assert request(p.port, "/", host=f"localhost:{p.port}")[0] == 200
    assert request(p.port, "/../params.yaml")[0] == 404
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        with pytest.raises(RenderError, match=r"127\.0\.0\.1"):
            Preview(BUSY_AGENCY, YEAR, path.parent.parent, port=0, host=host)


def test_a_busy_port_or_an_unknown_agency_is_one_line(
    live: tuple[Preview, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    p, path = live
    params = str(path.parent.parent)
    code = cli.main(["preview", BUSY_AGENCY, str(YEAR), "--params", params, "--port", str(p.port)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("错误：") and str(p.port) in err
    assert len(err.strip().splitlines()) == 1
    assert cli.main(["preview", "示例区不存在局", str(YEAR), "--params", params]) == 2
    err = capsys.readouterr().err
    assert "示例区不存在局" in err and "Traceback" not in err


@pytest.mark.slow
def _ctrl_c_as_from_a_terminal() -> None:
    """SIGINT delivered and handled, whatever an earlier test left this process's children (a
    signal ignored or blocked is inherited: the command would be deaf to Ctrl-C)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_ends_the_command_cleanly(tmp_path: Path) -> None:
    params = copy_params(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "disclosure_lib.cli", "preview", BUSY_AGENCY, str(YEAR),
         "--params", str(params), "--port", "0", "--no-pdf"],
        stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_as_from_a_terminal,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert "预览：http://127.0.0.1:" in first
        port = int(first.split("127.0.0.1:")[1].split("/")[0])
        wait_for(port, shown)
        proc.send_signal(signal.SIGINT)
        try:
            rest = proc.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:  # say what it was doing (seen once under load)
            proc.kill()
            pytest.fail(f"no exit 30 s after Ctrl-C; its stderr: {proc.communicate()[1]}")
    finally:
        proc.kill()
    assert proc.returncode == 0, rest
    assert "预览已结束" in rest and "Traceback" not in rest
    with pytest.raises(ConnectionRefusedError):
        request(port, "/")


def test_the_command_takes_its_defaults_from_the_api() -> None:
    import inspect

    from disclosure_lib.batch import preview as api

    parser = cli.build_parser()
    args = parser.parse_args(["preview", BUSY_AGENCY, str(YEAR)])
    signature = inspect.signature(api.preview).parameters
    assert args.port == signature["port"].default == api.DEFAULT_PORT
    assert args.profile == signature["profile"].default
    assert args.pdf_standard == signature["pdf_standard"].default
    assert args.params == Path("params") and not args.no_pdf


@pytest.mark.slow
def test_a_file_broken_at_the_start_is_shown_then_rendered_once_fixed(tmp_path: Path) -> None:
    params = copy_params(tmp_path)
    path = params_path(params, BUSY_AGENCY, YEAR)
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(NEW_ROW, NEW_ROW.replace("[116", "[116,, x")), "utf-8")
    with Preview(BUSY_AGENCY, YEAR, params, port=0, pdf=False) as p:
        state = wait_for(p.port, lambda s: s["status"] == "error")
        assert state["error"][0].startswith(f"{path}:") and state["html"] == 0
        assert "尚无生成成功的版本" in _html(p.port)
        assert request(p.port, "/report.pdf")[0] == 503  # --no-pdf: at once, never waited for
        path.write_text(original, encoding="utf-8")
        state = wait_for(p.port, shown)
        assert state["error"] == [] and BUSY_AGENCY in _html(p.port)


def test_a_request_that_fails_is_one_line_and_a_closed_page_none(
    live: tuple[Preview, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    server = live[0]._server
    for exc in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise exc
        except ConnectionError:
            server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("坏请求")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "坏请求" in err and len(err.splitlines()) == 1
