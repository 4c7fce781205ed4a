"""An IPython shell whose outputs become notebook outputs, as a Jupyter kernel's would.

ipykernel wires its shell to a ZMQ socket; here the display publisher, display hook,
traceback hook and standard streams feed a `Sink` that keeps one cell's outputs in kernel
message order (stream / display_data / execute_result / error, inline matplotlib figures).
The `disclosure` papermill engine (`papermill_engine.py`) runs cells in a forked child with it.

`prepare_shell()` builds the shell ahead in a process that forks those children, so that each
child starts from its own copy of a shell no cell has run in.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import sys
from typing import Any

# matplotlib's backend in a Jupyter kernel (ipykernel sets it before any import)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _mime_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Binary mime data becomes base64 text, as ipykernel's json_clean/encode_images do."""
    return {
        k: (base64.b64encode(v).decode("ascii") if isinstance(v, bytes | bytearray) else v)
        for k, v in data.items()
    }


class Sink:
    """Collects one cell's outputs in kernel message order.

    Like ipykernel's OutStream, stdout and stderr are buffered separately and flushed (stdout
    first) before any display, result or error, and at the end of the cell.

    Display ids are kept for the whole notebook, as nbclient keeps them: displaying or updating
    an id updates every output shown under it, in this cell (`outputs`) and in earlier ones
    (`updates`: (cell, output index, data, metadata), for the caller to apply).
    """

    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self.updates: list[tuple[int, int, dict[str, Any], dict[str, Any]]] = []
        self._streams: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._cell = 0
        self._display_ids: dict[str, dict[int, list[int]]] = {}  # id -> {cell: [output]}
        self._clear_pending = False
        # widget models by comm id, as nbclient stores them from comm messages (`widget_state`)
        self.widgets: dict[str, dict[str, Any]] = {}
        self.widget_buffers: dict[str, dict[tuple[Any, ...], dict[str, str]]] = {}
        self.widgets_changed = False

    def begin(self, cell: int = 0) -> None:
        self.outputs = []
        self.updates = []
        self._cell = cell
        self._clear_pending = False

    def stream(self, name: str, text: str) -> None:
        self._streams.setdefault(name, []).append(text)

    def flush(self, only: str | None = None) -> None:
        """Pending stream text becomes outputs: every stream's, or the one named `only`."""
        for name, parts in self._streams.items():
            if only is not None and name != only:
                continue
            text = "".join(parts)
            parts.clear()
            if text:
                self._add({"output_type": "stream", "name": name, "text": text})

    def _forget_cell(self) -> None:
        for cells in self._display_ids.values():
            cells.pop(self._cell, None)

    def _add(self, out: dict[str, Any], display_id: str | None = None) -> None:
        if self._clear_pending:
            self.outputs.clear()
            self._forget_cell()
            self._clear_pending = False
        if display_id:
            cells = self._display_ids.setdefault(display_id, {})
            cells.setdefault(self._cell, []).append(len(self.outputs))
        self.outputs.append(out)

    def _update(self, display_id: str, data: dict[str, Any], metadata: dict[str, Any]) -> None:
        for cell, indices in self._display_ids.get(display_id, {}).items():
            for i in indices:
                if cell == self._cell:
                    self.outputs[i]["data"], self.outputs[i]["metadata"] = data, metadata
                else:
                    self.updates.append((cell, i, data, metadata))

    def display(
        self, data: dict[str, Any], metadata: dict[str, Any] | None, transient: Any, update: bool
    ) -> None:
        self.flush()
        display_id = (transient or {}).get("display_id") if isinstance(transient, dict) else None
        data, metadata = _mime_clean(data), metadata or {}
        if display_id:
            self._update(display_id, data, metadata)
        if not (update and display_id):
            self._add(
                {"output_type": "display_data", "data": data, "metadata": metadata}, display_id
            )

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

    def comm(self, comm_id: str, data: Any, buffers: Any) -> None:
        """A widget's comm message: its state (and binary buffers) kept as nbclient keeps them."""
        if not isinstance(data, dict) or "state" not in data:
            return
        self.widgets.setdefault(comm_id, {}).update(data["state"])
        paths = data.get("buffer_paths") or []
        if paths:
            kept = self.widget_buffers.setdefault(comm_id, {})
            for path, buf in zip(paths, buffers or [], strict=False):
                data_b64 = base64.b64encode(bytes(buf)).decode("ascii")
                kept[tuple(path)] = {"data": data_b64, "encoding": "base64", "path": path}
        self.widgets_changed = True

    def widget_metadata(self) -> dict[str, Any] | None:
        """The notebook's ``widgets`` metadata, as nbclient's `set_widgets_metadata` writes it."""
        if not self.widgets:
            return None
        state = {}
        for model_id, model in self.widgets.items():
            if "_model_name" not in model:
                continue
            state[model_id] = {
                "model_name": model.get("_model_name"),
                "model_module": model.get("_model_module"),
                "model_module_version": model.get("_model_module_version"),
                "state": model,
            }
            if self.widget_buffers.get(model_id):
                state[model_id]["buffers"] = list(self.widget_buffers[model_id].values())
        return {
            "application/vnd.jupyter.widget-state+json": {
                "state": state, "version_major": 2, "version_minor": 0,
            }
        }  # fmt: skip

    def clear(self, wait: bool) -> None:
        self.flush()
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()
            self._forget_cell()


class Stream(io.TextIOBase):
    def __init__(self, name: str, sink: Sink) -> None:
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

    def flush(self) -> None:
        """Send what was written now, as a kernel's stream does (e.g. ``print(flush=True)``,
        every logging record): its own output, not merged with what follows."""
        self.sink.flush(self.name_)


@functools.cache
def _shell_class() -> Any:
    """InteractiveShell wired to a `Sink` (its ``sink`` attribute) the way ipykernel's
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
        sink: Sink

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


def make_shell(sink: Sink) -> Any:
    """The shell for this child: the prepared one, else a new one; its outputs go to `sink`."""
    global _UNUSED_SHELL
    shell, _UNUSED_SHELL = _UNUSED_SHELL, None
    if shell is None:
        shell = _new_shell()  # the class's singleton: it may be one a preparing process made
    # what creating the shell did process-wide, undone by `prepare_shell`
    shell.init_sys_modules()
    shell.init_builtins()
    shell.init_prompts()
    shell.sink = sink
    return shell


def fresh_warnings() -> None:
    """Warnings as a kernel, a new interpreter, has them: the process the cells' child was
    forked from may have changed them (pytest records warnings instead of printing them and
    shows every DeprecationWarning)."""
    import warnings

    warnings.resetwarnings()
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:  # fmt: skip
        text = warnings.formatwarning(message, category, filename, lineno, line)
        (file or sys.stderr).write(text)

    warnings.showwarning = show


def capture_widgets(sink: Sink) -> None:
    """Give widgets comms that report their state to `sink` (no frontend answers them), as a
    kernel's comms do to nbclient, which stores that state in the notebook's metadata."""
    try:
        import comm
        from comm.base_comm import BaseComm
    except ImportError:
        return

    class SinkComm(BaseComm):
        def publish_msg(
            self,
            msg_type: str,
            data: Any = None,
            metadata: Any = None,
            buffers: Any = None,
            **keys: Any,
        ) -> None:
            sink.comm(self.comm_id, data, buffers)

    comm.create_comm = SinkComm


def enable_inline_matplotlib(shell: Any) -> None:
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
