"""A papermill engine that runs each notebook in a freshly forked process.

Starting a Jupyter kernel per report costs ≈ 2 s (interpreter start, heavy imports, ZMQ
handshake). This module avoids both costs while keeping every report isolated:

* `DisclosureEngine` (papermill engine ``disclosure``, registered through the
  ``papermill.engine`` entry point): forks a child from the current process and executes the
  cells there with an IPython shell whose display publisher, display hook, traceback hook and
  streams produce the same outputs a kernel would send (stream / display_data /
  execute_result / error, execution counts, inline matplotlib figures). The child streams each
  finished cell back; the parent fills the notebook through papermill's execution manager, so
  the executed notebook, papermill's error cell and `PapermillExecutionError` are the same as
  with the default engine. A cell running past ``execution_timeout`` or a notebook past
  ``deadline`` has its child killed and gets a ``CellTimeoutError`` error output.

The shell and its output sink live in `shell.py`; batch's warm worker pool
(`batch/_fork/pool.py`) forks the processes this engine forks from.

Isolation per report: a new process (copy-on-write of the warm parent), a new IPython shell
and user namespace, and module state (matplotlib rcParams, pandas options, caches) that dies
with the process. Shared: the files on disk and the already-imported module code.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from .process import die_with_parent, make_pipe, reap
from .shell import (
    Sink,
    Stream,
    capture_widgets,
    enable_inline_matplotlib,
    fresh_warnings,
    make_shell,
)

# The papermill engine's name; pyproject.toml registers `DisclosureEngine` under it
# (tests/test_layers.py keeps the two in step).
ENGINE_NAME = "disclosure"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


# --- the cell runner (inside the forked child) -------------------------------------------------


def _language_info() -> dict[str, Any]:
    return {
        "name": "python",
        "version": sys.version.split()[0],
        "mimetype": "text/x-python",
        "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
        "pygments_lexer": f"ipython{sys.version_info[0]}",
        "nbconvert_exporter": "python",
        "file_extension": ".py",
    }


def _run_cells(plan: list[tuple[int, str, bool]], conn: Connection) -> None:
    """Execute `plan` ([(cell index, source, errors allowed)]) here, reporting each cell."""
    sink = Sink()
    sys.stdout = Stream("stdout", sink)
    sys.stderr = Stream("stderr", sink)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # a kernel imports from its working directory first
    shell = make_shell(sink)
    enable_inline_matplotlib(shell)
    capture_widgets(sink)
    fresh_warnings()
    for index, source, allow_errors in plan:
        conn.send(("start", index, _now()))
        sink.begin(index)
        result = shell.run_cell(source, store_history=True)
        sink.flush()
        failed = not result.success
        widgets = sink.widget_metadata() if sink.widgets_changed else None
        sink.widgets_changed = False
        end = (index, result.execution_count, sink.outputs, sink.updates, widgets, failed, _now())
        conn.send(("end", *end))
        if failed and not allow_errors:
            break
    conn.send(("done",))


def _child(plan: list[tuple[int, str, bool]], conn: Connection) -> NoReturn:
    code = 0
    # The collector would otherwise walk every inherited object, touching (and so copying) the
    # parent's pages: measured 0.66 s -> 0.36 s per report notebook. Freezing here rather than
    # in the parent leaves the parent's own collection alone (a batch worker lives on).
    gc.freeze()
    try:
        die_with_parent()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _run_cells(plan, conn)
    except BaseException:  # report anything, then leave without running the parent's cleanup
        with contextlib.suppress(Exception):
            conn.send(("crash", traceback.format_exc()))
        code = 1
    finally:
        with contextlib.suppress(Exception):
            conn.close()
        os._exit(code)


# --- the papermill engine (in the parent) ------------------------------------------------------


def _timeout_output(seconds: float, what: str) -> dict[str, Any]:
    msg = f"执行超时，已终止 (timed out after {seconds:g} s: {what})"
    return {"output_type": "error", "ename": "CellTimeoutError", "evalue": msg, "traceback": [msg]}


class DisclosureEngine:
    """papermill engine ``disclosure``: cells run in a forked child with an IPython shell.

    Extra keyword arguments (papermill passes unknown ones through): ``execution_timeout``
    (seconds per cell, as for the default engine) and ``deadline`` (seconds for the whole
    notebook).

    It has papermill's `Engine` interface without subclassing it: papermill loads engines
    from entry points while it is being imported, so importing papermill here would be
    circular.
    """

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str | None,
        output_path: str | None = None,
        progress_bar: Any = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        """As papermill's `Engine.execute_notebook`: wrap `nb` in an execution manager."""
        from papermill.engines import NotebookExecutionManager

        nb_man = NotebookExecutionManager(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> str:
        from papermill.utils import nb_kernel_name

        return str(nb_kernel_name(nb, name))

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> str:
        from papermill.utils import nb_language

        return str(nb_language(nb, language))

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str | None,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> Any:
        import nbformat

        nb = nb_man.nb
        language = nb.metadata.get("kernelspec", {}).get("language") or "python"
        if language != "python":
            from papermill.exceptions import PapermillException

            raise PapermillException(f"engine {ENGINE_NAME!r} runs Python notebooks only")
        plan: list[tuple[int, str, bool]] = []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            tags = cell.metadata.get("tags", [])
            if "skip-execution" in tags:
                continue
            plan.append((index, cell.source, "raises-exception" in tags))
        code_cells = {i for i, _, _ in plan}

        reader, writer = make_pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
            reader.close()
            _child(plan, writer)
        writer.close()

        started = time.monotonic()
        notebook_end = started + deadline if deadline else None
        cell_end: float | None = None
        current: int | None = None
        next_cell = 0  # cells before this index have been started+completed in nb_man
        lost: dict[str, Any] | None = None  # error output for a cell whose child we lost

        def pass_cells(upto: int) -> None:
            nonlocal next_cell
            while next_cell < upto:
                cell = nb.cells[next_cell]
                nb_man.cell_start(cell, next_cell)
                nb_man.cell_complete(cell, next_cell)
                next_cell += 1

        finished = False
        try:
            while True:
                limits = [t for t in (notebook_end, cell_end) if t is not None]
                timeout = max(0.0, min(limits) - time.monotonic()) if limits else None
                if not reader.poll(timeout):
                    if notebook_end is not None and time.monotonic() >= notebook_end:
                        lost = _timeout_output(float(deadline or 0), "notebook deadline")
                    else:
                        lost = _timeout_output(float(execution_timeout or 0), "cell")
                    break
                try:
                    msg = reader.recv()
                except EOFError:
                    lost = {
                        "output_type": "error",
                        "ename": "DeadKernelError",
                        "evalue": "执行进程意外退出 (kernel died)",
                        "traceback": [],
                    }
                    break
                kind = msg[0]
                if kind == "start":
                    _, index, ts = msg
                    pass_cells(index)
                    cell = nb.cells[index]
                    nb_man.cell_start(cell, index)
                    cell.outputs = []
                    cell.metadata["execution"] = {
                        "iopub.status.busy": ts,
                        "iopub.execute_input": ts,
                    }
                    current = index
                    cell_end = time.monotonic() + execution_timeout if execution_timeout else None
                elif kind == "end":
                    _, index, count, outputs, updates, widgets, failed, ts = msg
                    if widgets is not None:  # as nbclient: widget models in the metadata
                        nb.metadata["widgets"] = nbformat.from_dict(widgets)
                    for at, i, data, metadata in updates:  # display ids shown in earlier cells
                        shown = nb.cells[at].outputs[i]
                        shown["data"] = nbformat.from_dict(data)
                        shown["metadata"] = nbformat.from_dict(metadata)
                    cell = nb.cells[index]
                    cell.execution_count = count
                    cell.outputs = [nbformat.from_dict(o) for o in outputs]
                    cell.metadata.setdefault("execution", {}).update(
                        {"shell.execute_reply": ts, "iopub.status.idle": ts}
                    )
                    _log_outputs(outputs, log_output, stdout_file, stderr_file)
                    # a cell tagged raises-exception may fail: "completed", as nbclient has it
                    stop = failed and not next(a for i, _, a in plan if i == index)
                    if stop:
                        nb_man.cell_exception(cell, index)
                    nb_man.cell_complete(cell, index)
                    next_cell = index + 1
                    current, cell_end = None, None
                    if stop:
                        break
                elif kind == "done":
                    finished = True
                    break
                elif kind == "crash":
                    lost = {
                        "output_type": "error",
                        "ename": "EngineError",
                        "evalue": "执行进程出错 (engine child failed)",
                        "traceback": str(msg[1]).splitlines(),
                    }
                    break
        finally:
            reap(pid, kill=not finished)
            reader.close()

        nb.metadata["language_info"] = _language_info()  # nbclient asks the kernel even on failure
        if lost is not None:
            target = current if current is not None else _first_pending(code_cells, next_cell)
            if target is not None:
                index = target
                pass_cells(index)
                cell = nb.cells[index]
                if current is None:
                    nb_man.cell_start(cell, index)
                cell.outputs = [*cell.get("outputs", []), nbformat.from_dict(lost)]
                nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
        elif finished:
            pass_cells(len(nb.cells))
        return nb


def _first_pending(code_cells: set[int], start: int) -> int | None:
    later = sorted(i for i in code_cells if i >= start)
    return later[0] if later else None


def _log_outputs(
    outputs: list[dict[str, Any]], log_output: bool, stdout_file: Any, stderr_file: Any
) -> None:
    if not (log_output or stdout_file or stderr_file):
        return
    from papermill.log import logger

    for out in outputs:
        if out["output_type"] != "stream":
            continue
        target = stdout_file if out["name"] == "stdout" else stderr_file
        if target is not None:
            target.write(out["text"])
        if log_output:
            logger.info(out["text"].rstrip("\n"))
