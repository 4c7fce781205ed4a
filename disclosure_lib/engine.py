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

The warm worker pool that forks one process per report lives in `pool.py`.

Isolation per report: a new process (copy-on-write of the warm parent), a new IPython shell
and user namespace, and module state (matplotlib rcParams, pandas options, caches) that dies
with the process. Shared: the files on disk and the already-imported module code.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import functools
import gc
import io
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from .pool import INLINE_BACKEND, die_with_parent, make_pipe, reap

ENGINE_NAME = "disclosure"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


# --- the cell runner (inside the forked child) -------------------------------------------------


def _mime_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Binary mime data becomes base64 text, as ipykernel's json_clean/encode_images do."""
    return {
        k: (base64.b64encode(v).decode("ascii") if isinstance(v, bytes | bytearray) else v)
        for k, v in data.items()
    }


class _Sink:
    """Collects one cell's outputs in kernel message order.

    Like ipykernel's OutStream, stdout and stderr are buffered separately and flushed (stdout
    first) before any display, result or error, and at the end of the cell.
    """

    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self._streams: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._display_ids: dict[str, list[int]] = {}
        self._clear_pending = False

    def begin(self) -> None:
        self.outputs = []
        self._display_ids = {}
        self._clear_pending = False

    def stream(self, name: str, text: str) -> None:
        self._streams.setdefault(name, []).append(text)

    def flush(self) -> None:
        for name, parts in self._streams.items():
            text = "".join(parts)
            parts.clear()
            if text:
                self._add({"output_type": "stream", "name": name, "text": text})

    def _add(self, out: dict[str, Any], display_id: str | None = None) -> None:
        if self._clear_pending:
            self.outputs.clear()
            self._display_ids.clear()
            self._clear_pending = False
        if display_id:
            self._display_ids.setdefault(display_id, []).append(len(self.outputs))
        self.outputs.append(out)

    def display(
        self, data: dict[str, Any], metadata: dict[str, Any] | None, transient: Any, update: bool
    ) -> None:
        self.flush()
        display_id = (transient or {}).get("display_id") if isinstance(transient, dict) else None
        out = {"output_type": "display_data", "data": _mime_clean(data), "metadata": metadata or {}}
        if update and display_id:
            for i in self._display_ids.get(display_id, []):
                self.outputs[i]["data"] = out["data"]
                self.outputs[i]["metadata"] = out["metadata"]
            return
        self._add(out, display_id)

    def result(self, data: dict[str, Any], metadata: dict[str, Any], count: int | None) -> None:
        self.flush()
        self._add(
            {
                "output_type": "execute_result",
                "data": _mime_clean(data),
                "metadata": metadata or {},
                "execution_count": count,
            }
        )

    def error(self, ename: str, evalue: str, tb: list[str]) -> None:
        self.flush()
        self._add({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": tb})

    def clear(self, wait: bool) -> None:
        self.flush()
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()
            self._display_ids.clear()


class _Stream(io.TextIOBase):
    def __init__(self, name: str, sink: _Sink) -> None:
        self.name_ = name
        self.sink = sink

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.sink.stream(self.name_, s)
        return len(s)


@functools.cache
def _shell_class() -> Any:
    """InteractiveShell wired to a `_Sink` (its ``sink`` attribute) the way ipykernel's
    ZMQInteractiveShell is wired to its socket."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type

    class SinkPublisher(DisplayPublisher):
        def publish(
            self,
            data: dict[str, Any],
            metadata: dict[str, Any] | None = None,
            source: Any = None,
            *,
            transient: Any = None,
            update: bool = False,
            **kwargs: Any,
        ) -> None:
            self.shell.sink.display(data, metadata, transient, update)

        def clear_output(self, wait: bool = False) -> None:
            self.shell.sink.clear(wait)

    class SinkDisplayHook(DisplayHook):
        def start_displayhook(self) -> None:
            self._data: dict[str, Any] = {}
            self._md: dict[str, Any] = {}

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: Any, md_dict: Any = None) -> None:
            self._data, self._md = dict(format_dict), dict(md_dict or {})

        def finish_displayhook(self) -> None:
            shell: Any = self.shell
            if self._data:
                shell.sink.result(self._data, self._md, self.prompt_count)

    class SinkShell(InteractiveShell):
        displayhook_class = Type(SinkDisplayHook)
        display_pub_class = Type(SinkPublisher)
        sink: _Sink

        def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
            self.sink.error(str(etype.__name__), str(evalue), stb)

        def enable_gui(self, gui: Any = None) -> None:  # no event loops in a batch child
            pass

    return SinkShell


_UNUSED_SHELL: Any = None  # built ahead by `prepare_shell`; no cell has run in it


def _new_shell() -> Any:
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file or saving thread per report
    kwargs: dict[str, Any] = {}
    with contextlib.suppress(ImportError):  # the compiler ipykernel uses: same cell filenames
        from ipykernel.compiler import XCachingCompiler

        kwargs["compiler_class"] = XCachingCompiler
    return _shell_class().instance(config=config, **kwargs)


def prepare_shell() -> None:
    """Build the shell now, in a process that forks the children that run cells (a batch
    worker), so each child starts with its own copy of a shell no cell has run in (≈ 0.02 s
    less per report). What creating a shell changes process-wide (``sys.modules["__main__"]``,
    the ``__IPYTHON__`` and ``display`` builtins, ``sys.ps1``) is put back here and installed
    in the child when it takes the shell. Not for a process that has its own IPython shell."""
    import builtins

    global _UNUSED_SHELL
    if _UNUSED_SHELL is not None:
        return
    main = sys.modules.get("__main__")
    names = ("__IPYTHON__", "display")
    saved = {k: builtins.__dict__[k] for k in names if k in builtins.__dict__}
    prompts = {k: getattr(sys, k) for k in ("ps1", "ps2") if hasattr(sys, k)}
    try:
        _UNUSED_SHELL = _new_shell()
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        for k in names:
            builtins.__dict__.pop(k, None)
        builtins.__dict__.update(saved)
        for k in ("ps1", "ps2"):
            if k in prompts:
                setattr(sys, k, prompts[k])
            elif hasattr(sys, k):
                delattr(sys, k)


def _make_shell(sink: _Sink) -> Any:
    """The shell for this child: the prepared one, else a new one; its outputs go to `sink`."""
    global _UNUSED_SHELL
    shell, _UNUSED_SHELL = _UNUSED_SHELL, None
    if shell is None:
        shell = _new_shell()
    else:  # what the shell's creation did process-wide, undone in the preparing process
        shell.init_sys_modules()
        shell.init_builtins()
        shell.init_prompts()
    shell.sink = sink
    return shell


def _enable_inline_matplotlib(shell: Any) -> None:
    """Display figures inline as a kernel does (ipykernel sets MPLBACKEND before any import).

    When matplotlib was imported before the fork (warm parent), importing it again in a cell
    does nothing, so do here what loading the inline backend does inside a kernel.
    """
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    if os.environ["MPLBACKEND"] != INLINE_BACKEND or "matplotlib" not in sys.modules:
        return
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    activate_matplotlib(INLINE_BACKEND)
    configure_inline_support(shell, INLINE_BACKEND)


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
    sink = _Sink()
    sys.stdout = _Stream("stdout", sink)
    sys.stderr = _Stream("stderr", sink)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # a kernel imports from its working directory first
    shell = _make_shell(sink)
    _enable_inline_matplotlib(shell)
    for index, source, allow_errors in plan:
        conn.send(("start", index, _now()))
        sink.begin()
        result = shell.run_cell(source, store_history=True)
        sink.flush()
        failed = not result.success
        conn.send(("end", index, result.execution_count, sink.outputs, failed, _now()))
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
                    _, index, count, outputs, failed, ts = msg
                    cell = nb.cells[index]
                    cell.execution_count = count
                    cell.outputs = [nbformat.from_dict(o) for o in outputs]
                    cell.metadata.setdefault("execution", {}).update(
                        {"shell.execute_reply": ts, "iopub.status.idle": ts}
                    )
                    _log_outputs(outputs, log_output, stdout_file, stderr_file)
                    if failed:
                        nb_man.cell_exception(cell, index)
                    nb_man.cell_complete(cell, index)
                    next_cell = index + 1
                    current, cell_end = None, None
                    if failed and not next(a for i, _, a in plan if i == index):
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
