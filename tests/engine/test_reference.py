"""The engine against papermill's default engine (nbclient and a real kernel), output for
output, on the reference notebooks in tests/fixtures/engine/ (see its `_make.py`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from disclosure_lib.engine import ENGINE_NAME

from ..base import FIXTURES

REFERENCE = FIXTURES / "engine"
NOTEBOOKS = sorted(p.stem for p in REFERENCE.glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# a kernel's cells are compiled under /tmp/ipykernel_<pid>/; our shell's under its own pid
KERNEL_TMP = re.compile(r"/tmp/ipykernel_\d+/")


def execute(name: str, out: Path, engine: str | None) -> tuple[dict[str, Any], str]:
    """The executed notebook as JSON and the error papermill raised ("" when none)."""
    error = ""
    try:
        papermill.execute_notebook(
            str(REFERENCE / f"{name}.ipynb"), str(out), engine_name=engine,
            kernel_name="python3", progress_bar=False,
        )  # fmt: skip
    except PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    return json.loads(out.read_text(encoding="utf-8")), error


def normalised(nb: dict[str, Any]) -> list[dict[str, Any]]:
    """Each cell as a reader sees it: no timings; widget model ids by order of appearance."""
    models: dict[str, str] = {}
    cells = []
    for cell in nb["cells"]:
        outputs = []
        for o in cell.get("outputs", []):
            view = o.get("data", {}).get(WIDGET_VIEW)
            if view:
                view["model_id"] = models.setdefault(view["model_id"], f"model-{len(models)}")
            text = json.dumps(o, sort_keys=True, ensure_ascii=False)
            outputs.append(json.loads(KERNEL_TMP.sub("/tmp/ipykernel/", text)))
        meta = cell["metadata"]
        cells.append({
            "source": cell["source"],
            "execution_count": cell.get("execution_count"),
            "status": meta.get("papermill", {}).get("status"),
            "tags": meta.get("tags", []),
            "outputs": outputs,
        })  # fmt: skip
    return cells


@pytest.fixture(scope="module")
def kernel_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, str]]:
    """Every reference notebook under papermill's default engine: the reference."""
    tmp = tmp_path_factory.mktemp("kernel")
    return {name: execute(name, tmp / f"{name}.ipynb", None) for name in NOTEBOOKS}


def test_the_reference_set_covers_what_a_kernel_sends() -> None:
    assert {"rich_outputs", "display_updates", "clear_output", "streams", "errors",
            "widgets"} <= set(NOTEBOOKS)  # fmt: skip


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_same_outputs_as_papermills_default_engine(
    name: str, kernel_runs: dict[str, tuple[dict, str]], tmp_path: Path
) -> None:
    theirs, their_error = kernel_runs[name]
    ours, our_error = execute(name, tmp_path / f"{name}.ipynb", ENGINE_NAME)
    assert our_error == their_error
    expected, got = normalised(theirs), normalised(ours)
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have == want, want["source"]
    assert ours["metadata"]["language_info"] == theirs["metadata"]["language_info"]
