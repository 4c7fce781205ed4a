"""A warm worker pool: one process imports the heavy libraries once, then forks a fresh child
per task.

`WarmPool` is a `concurrent.futures.Executor` backed by that long-lived process (started as
``python -m disclosure_lib.pool``), running up to ``max_workers`` children at a time. Tasks are
killed at their deadline; a dying child fails only its own task; every child dies with its
parent, even after kill -9. The warm objects are frozen out of the garbage collector before
forking, so children share them without copying the pages.

Isolation per task: a new process (copy-on-write of the warm parent) whose module state
(matplotlib rcParams, pandas options, caches) dies with it. Shared: the files on disk and the
already-imported module code.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from multiprocessing.connection import Connection, wait
from typing import Any, NoReturn

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Modules the warm parent imports once so that every forked child starts with them loaded.
WARM_MODULES = (
    "IPython",
    "IPython.core.interactiveshell",
    "matplotlib_inline.backend_inline",
    "matplotlib.pyplot",
    "numpy",
    "pandas",
    "papermill",
    "nbformat",
    "nbconvert",
    "weasyprint",
    "yaml",
    "disclosure_lib.model",
    "disclosure_lib.params",
    "disclosure_lib.checks",
    "disclosure_lib.render",
    "disclosure_lib.charts",
    "disclosure_lib.rollup",
    "disclosure_lib.tidy",
)
# Needed only by summary notebooks: a batch of reports alone can warm without them.
SUMMARY_ONLY_MODULES = ("pandas", "disclosure_lib.rollup", "disclosure_lib.tidy")
_PR_SET_PDEATHSIG = 1


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing `rfc3987_syntax` in our own processes.

    jsonschema imports it, when installed (jupyter-events pulls it in), to offer the
    "iri-reference" format; building its grammar costs ≈ 1.1 s at every `import nbformat`.
    nbformat never validates that format, so our driver and warm worker go without it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def warm_up(modules: Iterable[str] = WARM_MODULES) -> list[str]:
    """Import `modules` now (skipping ones that are not installed); return the ones loaded.

    Sets MPLBACKEND to the inline backend first, as ipykernel does, so figures made in the
    forked children are displayed the way a kernel displays them.
    """
    import importlib

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    loaded = []
    for name in modules:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except ImportError:
            continue
    return loaded


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after kill -9)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def make_pipe() -> tuple[Connection, Connection]:
    from multiprocessing import Pipe

    reader, writer = Pipe(duplex=False)
    return reader, writer


def reap(pid: int, *, kill: bool) -> int:
    """Wait for child `pid` (killing it first when asked); return its wait status."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


# --- the warm pool -----------------------------------------------------------------------------

Task = tuple[int, Callable[..., Any], tuple[Any, ...], dict[str, Any], float | None]


class WarmPool(Executor):
    """Executor whose tasks run in children forked from one warm process (see module docstring).

    ``init`` ("module:function") runs once in the warm process after the imports.
    ``timeout`` (seconds) kills a task's child and fails its future with TimeoutError. The
    warm process ignores terminal Ctrl-C (own session); `shutdown(cancel_futures=True)` or
    `kill()` stop it, and it exits by itself when the driver dies.
    """

    def __init__(
        self,
        max_workers: int,
        *,
        timeout: float | None = None,
        log: Any = subprocess.DEVNULL,
        warm: Iterable[str] = WARM_MODULES,
        init: str = "",
    ) -> None:
        self.max_workers = max(1, int(max_workers))
        self.timeout = timeout
        to_w_r, to_w_w = os.pipe()
        from_w_r, from_w_w = os.pipe()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "disclosure_lib.pool", str(to_w_r), str(from_w_w),
             str(self.max_workers), ",".join(warm), init],
            pass_fds=(to_w_r, from_w_w),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )  # fmt: skip
        os.close(to_w_r)
        os.close(from_w_w)
        self._send = Connection(to_w_w, readable=False)
        self._recv = Connection(from_w_r, writable=False)
        self._lock = threading.Lock()
        self._futures: dict[int, Future[Any]] = {}
        self._next_id = 0
        self._closed = False
        self._reader = threading.Thread(target=self._read_results, daemon=True)
        self._reader.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            fut: Future[Any] = Future()
            self._next_id += 1
            task_id = self._next_id
            self._futures[task_id] = fut
            self._send.send(("task", (task_id, fn, args, kwargs, self.timeout)))
        return fut

    def _read_results(self) -> None:
        while True:
            try:
                task_id, ok, payload = self._recv.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:  # an unpicklable result: fail the oldest waiting task
                payload, ok, task_id = exc, False, min(self._futures, default=-1)
            with self._lock:
                fut = self._futures.pop(task_id, None)
            if fut is None or not fut.set_running_or_notify_cancel():
                continue
            if ok:
                fut.set_result(payload)
            else:
                fut.set_exception(payload)
        with self._lock:  # the warm process is gone: nothing else will finish
            pending, self._futures = self._futures, {}
        for fut in pending.values():
            if fut.set_running_or_notify_cancel():
                fut.set_exception(RuntimeError("工作进程已退出 (worker process exited)"))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if cancel_futures:
                for fut in self._futures.values():
                    fut.cancel()
            with contextlib.suppress(OSError):
                self._send.send(("stop", cancel_futures))
                self._send.close()
        if wait:
            self._proc.wait()
            self._reader.join(timeout=5)

    def kill(self) -> None:
        """Stop now: the warm process kills its running children and exits."""
        with self._lock:
            self._closed = True
        with contextlib.suppress(ProcessLookupError):
            self._proc.terminate()
        self._proc.wait()
        self._reader.join(timeout=5)


def _run_task(task: Task, conn: Connection) -> NoReturn:
    task_id, fn, args, kwargs, _ = task
    code = 0
    # A task child lives for one bounded task and exits: collecting cycles would only cost time
    # (WeasyPrint's layout makes many; measured ~0.1 s per PDF). Its memory goes at exit.
    gc.disable()
    try:
        die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            reply: tuple[int, bool, Any] = (task_id, True, fn(*args, **kwargs))
        except BaseException as exc:
            reply = (task_id, False, _picklable(exc))
        conn.send(reply)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return RuntimeError("".join(traceback.format_exception_only(type(exc), exc)).strip())


def _serve(inbox: Connection, outbox: Connection, max_children: int) -> None:
    """The warm process: queue tasks from the driver, fork one child per task, relay results."""
    queue: collections.deque[Task] = collections.deque()
    # pid -> (task id, result pipe, monotonic deadline, timeout seconds)
    running: dict[int, tuple[int, Connection, float | None, float | None]] = {}
    stopping = False

    def stop_children(*_: Any) -> NoReturn:
        for pid in list(running):
            reap(pid, kill=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop_children)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        if stopping and not running and not queue:
            return
        while queue and len(running) < max_children:
            task = queue.popleft()
            reader, writer = make_pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                reader.close()
                inbox.close()
                for _, c, _, _ in running.values():
                    c.close()
                _run_task(task, writer)
            writer.close()
            limit = task[4]
            running[pid] = (task[0], reader, time.monotonic() + limit if limit else None, limit)
        ends = [e for _, _, e, _ in running.values() if e is not None]
        timeout = max(0.0, min(ends) - time.monotonic()) if ends else None
        sources: list[Any] = [c for _, c, _, _ in running.values()]
        if not stopping:
            sources.append(inbox)
        for ready in wait(sources, timeout):
            if ready is inbox:
                try:
                    kind, body = inbox.recv()
                except EOFError:  # the driver is gone
                    stop_children()
                if kind == "task":
                    queue.append(body)
                elif kind == "stop":
                    stopping = True
                    if body:
                        queue.clear()
                continue
            pid = next(p for p, (_, c, _, _) in running.items() if c is ready)
            task_id, conn, _, _ = running.pop(pid)
            try:
                reply = conn.recv()
            except EOFError:
                status = reap(pid, kill=False)
                reply = (task_id, False, RuntimeError(_death_message(status)))
            else:
                reap(pid, kill=False)
            conn.close()
            outbox.send(reply)
        now = time.monotonic()
        for pid, (task_id, conn, end, limit) in list(running.items()):
            if end is not None and now >= end:
                running.pop(pid)
                reap(pid, kill=True)
                conn.close()
                msg = f"超过时限 {limit:g} 秒，已终止 (killed at the deadline)"
                outbox.send((task_id, False, TimeoutError(msg)))


def _death_message(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"工作进程被信号 {os.WTERMSIG(status)} 终止 (worker child killed by signal)"
    return f"工作进程意外退出，状态 {os.waitstatus_to_exitcode(status)} (worker child exited)"


def _main(argv: list[str]) -> None:
    in_fd, out_fd, n, warm = int(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    init = argv[4] if len(argv) > 4 else ""
    die_with_parent()
    inbox = Connection(in_fd, writable=False)
    outbox = Connection(out_fd, readable=False)
    skip_slow_optional_imports()
    warm_up([m for m in warm.split(",") if m])
    if init:  # "module:function", e.g. building exporters once so every child inherits them
        import importlib

        module, _, func = init.partition(":")
        getattr(importlib.import_module(module), func)()
    gc.collect()
    gc.freeze()  # children share the warm objects without their collector walking them
    _serve(inbox, outbox, n)


if __name__ == "__main__":
    _main(sys.argv[1:])
