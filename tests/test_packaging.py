"""The wheel works anywhere: built, installed with --no-deps into a fresh venv that sees the
project's dependencies, it renders a report from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from disclosure_lib import locate

from .base import ROOT

pytestmark = pytest.mark.slow  # builds a wheel and installs it in a fresh venv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    [built] = dist.glob("disclosure_lib-*.whl")
    return built


def test_wheel_carries_notebooks_templates_and_types(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for nb in locate.NOTEBOOKS:
        assert f"disclosure_lib/notebooks/{nb}" in names
    assert "disclosure_lib/py.typed" in names
    assert any(n.startswith("disclosure_lib/rendering/templates/") for n in names)
    assert not any(n.startswith(("tests/", "params/", "benchmarks/")) for n in names)


def test_installed_wheel_renders_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    # The project's dependencies, but not its editable install (a plain path line in a .pth
    # adds the folder without running the .pth files inside it).
    (site / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # nbconvert's base templates are data files in the dependencies' prefix; only those, not
    # its kernel spec (that kernel would run the checkout's interpreter, not the wheel)
    shared = tmp_path / "jupyter"
    shared.mkdir()
    (shared / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env["JUPYTER_PATH"] = str(shared)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=empty, env=env, capture_output=True, text=True, timeout=300
        )

    where = run(str(python), "-c", "import disclosure_lib as d; print(d.__file__)")
    assert where.stdout.strip().startswith(str(site)), where
    new = run(str(venv / "bin" / "disclosure"), "new", "测试局", "2024")
    assert new.returncode == 0, new.stderr
    rendered = run(str(venv / "bin" / "disclosure"), "render", "测试局", "2024", "--to", "html")
    # blank figures are check errors: written as a draft, exit 1 (issue 19 item 6)
    assert rendered.returncode == 1 and "已标记为草稿（校验未通过） 测试局" in rendered.stderr, (
        rendered
    )
    [html] = (empty / "outputs" / "2024" / "测试局").glob("*.html")
    assert "测试局2024年" in html.read_text(encoding="utf-8")
