"""The `disclosure` papermill engine: same notebooks as papermill, isolation, deadlines, crashes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from disclosure_lib.engine import ENGINE_NAME

from ..base import FIXTURES as ALL_FIXTURES

TINY = ALL_FIXTURES / "build" / "tiny.ipynb"


def _outputs(nb: dict) -> list[tuple]:
    """What a reader sees of each cell: source, execution count, outputs (without timings)."""
    out = []
    for cell in nb["cells"]:
        outputs = []
        for o in cell.get("outputs", []):
            o = dict(o)
            o.pop("metadata", None)
            outputs.append(json.dumps(o, sort_keys=True, ensure_ascii=False))
        status = cell["metadata"].get("papermill", {}).get("status")
        out.append(
            (cell["cell_type"], cell["source"], cell.get("execution_count"), status, outputs)
        )
    return out


def _texts(nb: dict) -> list[str]:
    """Stream texts of every output (the JSON file stores them as lists of lines)."""
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            text = o.get("text", "")
            out.append("".join(text) if isinstance(text, list) else text)
    return out


def _run(
    tmp: Path, label: str, engine: str | None, **params: object
) -> tuple[dict, Exception | None]:
    path = tmp / f"{label}.ipynb"
    error = None
    try:
        papermill.execute_notebook(
            str(TINY), str(path), parameters=params, engine_name=engine, kernel_name="python3",
            progress_bar=False,
        )  # fmt: skip
    except PapermillExecutionError as exc:
        error = exc
    return json.loads(path.read_text(encoding="utf-8")), error


@pytest.fixture(scope="module")
def kernel_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[dict, Exception | None]]:
    """The fixture notebook under papermill's default engine (a fresh kernel): the reference."""
    tmp = tmp_path_factory.mktemp("kernel")
    return {
        "ok": _run(tmp, "ok", None, name="ann"),
        "fail": _run(tmp, "fail", None, name="bob", mode="fail"),
    }


@pytest.mark.slow
def test_same_outputs_as_a_kernel(kernel_runs: dict, tmp_path: Path) -> None:
    ours, error = _run(tmp_path, "ours", ENGINE_NAME, name="ann")
    theirs, _ = kernel_runs["ok"]
    assert error is None
    assert _outputs(ours) == _outputs(theirs)
    kinds = {o["output_type"] for c in ours["cells"] for o in c.get("outputs", [])}
    assert kinds == {"stream", "execute_result", "display_data"}
    assert any(
        "image/png" in o.get("data", {}) for c in ours["cells"] for o in c.get("outputs", [])
    )
    assert ours["metadata"]["language_info"] == theirs["metadata"]["language_info"]


@pytest.mark.slow
def test_failure_gives_papermills_error_cell_and_exception(
    kernel_runs: dict, tmp_path: Path
) -> None:
    ours, error = _run(tmp_path, "fail", ENGINE_NAME, name="bob", mode="fail")
    theirs, their_error = kernel_runs["fail"]
    assert isinstance(error, PapermillExecutionError) and isinstance(
        their_error, PapermillExecutionError
    )
    assert (error.ename, error.evalue, error.cell_index) == (
        their_error.ename, their_error.evalue, their_error.cell_index,
    )  # fmt: skip
    assert error.evalue == "boom bob"
    assert _outputs(ours) == _outputs(theirs)  # incl. the error marker cells and the traceback
    assert "papermill-error-cell-tag" in ours["cells"][0]["metadata"]["tags"]


def test_reports_do_not_leak_state(tmp_path: Path) -> None:
    """The fixture records a module attribute; a second run must not see the first one's."""
    for name in ("first", "second"):
        nb, error = _run(tmp_path, name, ENGINE_NAME, name=name)
        assert error is None
        assert "leak: None\n" in _texts(nb)
    import disclosure_lib

    assert not hasattr(disclosure_lib, "_tiny_leak")  # nothing ran in this process either


def test_hanging_cell_is_killed_at_the_deadline(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(TINY), str(tmp_path / "hang.ipynb"), parameters={"mode": "hang"},
            engine_name=ENGINE_NAME, progress_bar=False, execution_timeout=1,
        )  # fmt: skip
    assert time.monotonic() - started < 15
    assert info.value.ename == "CellTimeoutError"
    nb = json.loads((tmp_path / "hang.ipynb").read_text(encoding="utf-8"))
    assert any(
        o.get("ename") == "CellTimeoutError" for c in nb["cells"] for o in c.get("outputs", [])
    )


def test_a_dying_child_fails_the_notebook_not_the_caller(tmp_path: Path) -> None:
    with pytest.raises(PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(TINY), str(tmp_path / "die.ipynb"), parameters={"mode": "die"},
            engine_name=ENGINE_NAME, progress_bar=False, deadline=30,
        )  # fmt: skip
    assert info.value.ename == "DeadKernelError"


@pytest.mark.slow
def test_plain_papermill_cli_finds_the_engine(tmp_path: Path) -> None:
    out = tmp_path / "cli.ipynb"
    papermill_cli = Path(sys.executable).parent / "papermill"
    subprocess.run(
        [str(papermill_cli), "--engine", ENGINE_NAME, str(TINY), str(out), "-p", "name", "cli",
         "--no-progress-bar"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert "hello cli\nmore\n" in _texts(json.loads(out.read_text()))


def test_shell_prepared_ahead_leaves_this_process_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch worker builds the shell before forking: its children get a fresh copy each,
    and creating it changes nothing process-wide in the worker."""
    import builtins

    import nbformat

    from disclosure_lib.engine import shell

    monkeypatch.setattr(shell, "_UNUSED_SHELL", None)
    main = sys.modules["__main__"]
    shell.prepare_shell()
    assert shell._UNUSED_SHELL is not None
    assert sys.modules["__main__"] is main and "__IPYTHON__" not in builtins.__dict__
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = [
        nbformat.v4.new_code_cell("print('seen:', 'mark' in globals(), __IPYTHON__)\nmark = 1"),
        nbformat.v4.new_code_cell(  # pickling a class defined in a cell needs __main__ = user ns
            "import pickle\nclass Point: pass\nprint(len(pickle.dumps(Point())) > 0)"
        ),
    ]
    path = tmp_path / "in.ipynb"
    nbformat.write(nb, path)
    for name in ("a", "b"):
        papermill.execute_notebook(
            str(path), str(tmp_path / f"{name}.ipynb"), engine_name=ENGINE_NAME,
            progress_bar=False,
        )  # fmt: skip
        texts = _texts(json.loads((tmp_path / f"{name}.ipynb").read_text(encoding="utf-8")))
        assert texts == ["seen: False True\n", "True\n"]
    assert sys.modules["__main__"] is main
