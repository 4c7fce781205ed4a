"""`make lab`: JupyterLab on notebooks/ with the project's kernel, also as root (README setup)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .base import ROOT

pytestmark = pytest.mark.slow  # starts a JupyterLab server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> dict:  # type: ignore[type-arg]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: no proxy
    for _ in range(60):  # the URL is logged a moment before the socket accepts
        try:
            with opener.open(url, timeout=30) as r:
                return json.load(r)  # type: ignore[no-any-return]
        except ConnectionRefusedError:
            time.sleep(0.5)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            time.sleep(0.5)
    raise AssertionError(f"no answer from {url}")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_serves_the_notebooks_and_prints_the_url(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        # -o setup: the venv exists already (the tests run in it); the lab target itself runs
        ["make", "--no-print-directory", "-o", "setup", "lab", f"LAB_PORT={port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    url = None
    log: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log.append(line)
            m = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", line)
            url = m.group(0) if m else None
        assert url is not None, "".join(log)
        assert "Running as root" not in "".join(log)
        token = url.rsplit("=", 1)[1]
        base = f"http://127.0.0.1:{port}/api"
        names = {item["name"] for item in _get(f"{base}/contents?token={token}")["content"]}
        assert {"explore.ipynb", "summary.ipynb", "annual_report.ipynb"} <= names
        specs = _get(f"{base}/kernelspecs?token={token}")["kernelspecs"]
        python = Path(specs["python3"]["spec"]["argv"][0])
        assert python.parent == ROOT / ".venv" / "bin"  # the project's kernel
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
