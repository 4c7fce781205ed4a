"""A warm worker pool: one process imports the heavy libraries once, then forks children that
run the tasks.

`WarmPool` is a `concurrent.futures.Executor` backed by that long-lived process (started as
``python -m disclosure_lib.batch._fork.pool``), running up to ``max_workers`` children at a
time. Tasks are killed at their deadline; a dying child fails only its own task; every child
dies with its parent, even after kill -9. The warm objects are frozen out of the garbage
collector before forking, so children share them without copying the pages.

Every reply crosses the processes as pickled bytes tagged with its task id: the warm process
relays bytes without unpickling them, a child checks that its reply unpickles before sending it
(an exception that does not is sent as a `TaskFailed` record), and a reply the driver cannot
read fails only its own task. No task, whatever it raises, returns or does to its process,
stops the pool.

Isolation per task: by default a new process (copy-on-write of the warm parent) whose module
state (matplotlib rcParams, pandas options, caches) dies with it. Shared: the files on disk and
the already-imported module code. With ``tasks_per_child > 1`` a child runs several tasks in
turn: for tasks that fork their own fresh process for the part that needs it (the build runs
notebook cells through the ``disclosure`` engine, which does), the rest reusing warm caches.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
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
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, NoReturn

from ...engine.process import die_with_parent, make_pipe, reap
from ...engine.shell import INLINE_BACKEND

# Modules the warm parent imports once so that every forked child starts with them loaded.
WARM_MODULES = (
    "IPython",
    "IPython.core.interactiveshell",
    "IPython.core.logger",  # these two the shell's first cell imports: else every report's child
    "bdb",
    "comm",  # the engine gives widgets comms in every notebook's child (`capture_widgets`)
    "matplotlib_inline.backend_inline",
    "matplotlib.pyplot",
    "numpy",
    "pandas",
    "papermill",
    "nbformat",  # not nbconvert (≈ 0.3 CPU-s): the worker converts through `rendering.outputs`
    "typst",
    "yaml",
    "disclosure_lib.model",
    "disclosure_lib.params",
    "disclosure_lib.checks",
    "disclosure_lib.rendering.notebook",
    "disclosure_lib.rendering.outputs",
    "disclosure_lib.rendering.charts",
    "disclosure_lib.rendering.compose",
    "disclosure_lib.summary",
    "disclosure_lib.rendering.summary",
    "disclosure_lib.tidy",
)
# Needed only by summary notebooks: a batch of reports alone can warm without them.
SUMMARY_ONLY_MODULES = ("pandas", "disclosure_lib.summary", "disclosure_lib.rendering.summary",
                        "disclosure_lib.tidy")  # fmt: skip
# Needed only to draw charts (summaries; reports in the review profile or whose params ask for
# charts): a batch of reports can warm without them (≈ 0.55 CPU-s of a 1.3 CPU-s warm start);
# a worker given a unit that draws imports them once itself (`batch.worker.warm_charts`).
CHART_MODULES = ("matplotlib_inline.backend_inline", "matplotlib.pyplot")


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


# --- the warm pool -----------------------------------------------------------------------------

# (task id, deadline in seconds, pickled (function, args, kwargs)): the warm process passes
# the call on as bytes, so no task's objects are ever unpickled there.
Task = tuple[int, float | None, bytes]
# (task id, ok, pickled result or exception)
Reply = tuple[int, bool, bytes]


class TaskFailed(RuntimeError):
    """A task's exception that could not cross to the driver as itself (it or its contents do
    not survive pickling): its type name, message and formatted traceback, as text."""

    def __init__(self, type: str, message: str, traceback: str = "") -> None:
        super().__init__(type, message, traceback)
        self.type, self.message, self.traceback = type, message, traceback

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type

    @classmethod
    def of(cls, exc: BaseException) -> TaskFailed:
        kind = type(exc)
        name = (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        try:
            message = str(exc)
        except Exception:  # a __str__ that raises
            message = repr(exc.args)
        tb = "".join(traceback.format_exception(exc))
        return cls(name, message, tb)


def _dumps(value: Any) -> bytes:
    """`value` pickled, and checked to unpickle (what the driver will do)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.loads(data)
    return data


def _failure(exc: BaseException) -> bytes:
    """A task's exception as the bytes of a reply: itself if it round-trips, else a record.
    SystemExit, KeyboardInterrupt and the like are records too: raised again in the driver by
    `Future.result()`, they would stop it rather than fail the task."""
    if isinstance(exc, Exception):
        try:
            return _dumps(exc)
        except BaseException:
            pass
    return pickle.dumps(TaskFailed.of(exc), protocol=pickle.HIGHEST_PROTOCOL)


class WarmPool(Executor):
    """Executor whose tasks run in children forked from one warm process (see module docstring).

    ``init`` ("module:function") runs once in the warm process after the imports.
    ``tasks_per_child``: 1 (default) gives every task a new child; more lets a child run that
    many tasks one after another, for tasks that isolate what needs isolating themselves. A
    child never collects garbage cycles, so this also bounds the memory it accumulates.
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
        tasks_per_child: int = 1,
    ) -> None:
        self.max_workers = max(1, int(max_workers))
        self.tasks_per_child = max(1, int(tasks_per_child))
        self.timeout = timeout
        to_w_r, to_w_w = os.pipe()
        from_w_r, from_w_w = os.pipe()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "disclosure_lib.batch._fork.pool", str(to_w_r), str(from_w_w),
             str(self.max_workers), str(self.tasks_per_child), ",".join(warm), init],
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
        self._lock = threading.Lock()  # the futures and ids (never held while sending)
        self._send_lock = threading.Lock()
        self._futures: dict[int, Future[Any]] = {}
        self._next_id = 0
        self._closed = False
        self._reader = threading.Thread(target=self._read_results, daemon=True)
        self._reader.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        call = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            fut: Future[Any] = Future()
            self._next_id += 1
            task_id = self._next_id
            self._futures[task_id] = fut
        # Not under `_lock`: the reader thread takes it for every reply, and the warm process
        # may be waiting for that reader while this send waits for the warm process.
        with self._send_lock:
            try:
                self._send.send(("task", (task_id, self.timeout, call)))
            except OSError:
                with self._lock:
                    self._futures.pop(task_id, None)
                raise
        return fut

    def _read_results(self) -> None:
        while True:
            try:
                task_id, ok, data = self._recv.recv()
            except (EOFError, OSError):
                break
            try:
                payload = pickle.loads(data)
            except BaseException as exc:  # a reply the driver cannot read fails its own task
                payload, ok = TaskFailed.of(exc), False
            with self._lock:
                fut = self._futures.pop(task_id, None)
            if fut is None or not fut.set_running_or_notify_cancel():
                continue
            if ok:
                fut.set_result(payload)
            elif isinstance(payload, BaseException):
                fut.set_exception(payload)
            else:
                fut.set_exception(TaskFailed("TypeError", f"not an exception: {payload!r}"))
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
            cancelled = list(self._futures.values()) if cancel_futures else []
        for fut in cancelled:
            fut.cancel()
        with self._send_lock, contextlib.suppress(OSError):
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


@dataclass
class _Child:
    """A forked child as the warm process sees it."""

    pid: int
    tasks: Connection  # warm process -> child
    replies: Connection  # child -> warm process
    task: Task | None = None  # the one it is running
    end: float | None = None  # monotonic deadline of that task
    done: int = 0


def _child_main(tasks: Connection, replies: Connection) -> NoReturn:
    """A forked child: run the tasks the warm process sends until it closes the pipe."""
    code = 0
    # A child runs a bounded number of tasks and lets the OS take its memory at exit:
    # collecting cycles would only cost time (WeasyPrint's layout makes many: ~0.1 s per PDF
    # with the collector on, ~0.02 s collecting after each; a PDF leaves ~15 MB of cycles).
    gc.disable()
    try:
        die_with_parent()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:
            try:
                task_id, _, call = tasks.recv()
            except EOFError:  # retired, or the warm process is gone
                break
            try:
                fn, args, kwargs = pickle.loads(call)
                reply: Reply = (task_id, True, _dumps(fn(*args, **kwargs)))
            except BaseException as exc:  # also a result that does not round-trip
                reply = (task_id, False, _failure(exc))
            replies.send(reply)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _serve(inbox: Connection, outbox: Connection, max_children: int, per_child: int) -> None:
    """The warm process: queue tasks from the driver, hand them to forked children (a new
    child after every `per_child` tasks), relay results, enforce deadlines."""
    queue: collections.deque[Task] = collections.deque()
    children: dict[int, _Child] = {}
    retired: list[int] = []  # exited or exiting children not yet reaped
    stopping = False

    def stop_children(*_: Any) -> NoReturn:
        for pid in [*children, *retired]:
            reap(pid, kill=True)
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()  # e.g. temporary files; os._exit alone would skip them
        os._exit(0)

    def fork_child() -> _Child:
        task_r, task_w = make_pipe()
        reply_r, reply_w = make_pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            for conn in (task_w, reply_r, inbox, *(c for k in children.values()
                                                   for c in (k.tasks, k.replies))):  # fmt: skip
                conn.close()
            _child_main(task_r, reply_w)
        task_r.close()
        reply_w.close()
        child = _Child(pid, task_w, reply_r)
        children[pid] = child
        return child

    def forget(child: _Child) -> None:
        children.pop(child.pid, None)
        child.tasks.close()  # an idle child reads EOF and exits
        child.replies.close()

    def retire(child: _Child) -> None:
        forget(child)
        retired.append(child.pid)  # reaped once it has exited

    signal.signal(signal.SIGTERM, stop_children)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        retired = [pid for pid in retired if not _reaped(pid)]
        busy = [c for c in children.values() if c.task is not None]
        if stopping and not busy and not queue:
            for child in list(children.values()):
                retire(child)
            for pid in retired:
                reap(pid, kill=False)
            return
        while queue:
            idle = [c for c in children.values() if c.task is None]
            if not idle and len(children) >= max_children:
                break
            child = idle[0] if idle else fork_child()
            task = queue.popleft()
            child.task, limit = task, task[1]
            child.end = time.monotonic() + limit if limit else None
            try:
                child.tasks.send(task)
            except OSError as exc:  # the child died before its first task: the reply says so
                child.task = None
                outbox.send((task[0], False, _failure(exc)))
        ends = [c.end for c in children.values() if c.task is not None and c.end is not None]
        timeout = max(0.0, min(ends) - time.monotonic()) if ends else None
        if retired:  # poll so that exited children are reaped soon
            timeout = 0.05 if timeout is None else min(timeout, 0.05)
        sources: list[Any] = [c.replies for c in children.values()]
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
            child = next(c for c in children.values() if c.replies is ready)
            try:  # passed on as bytes: a task's objects are never unpickled here
                reply = child.replies.recv_bytes()
            except (EOFError, OSError):  # the child died (killed, crashed, os._exit in a task)
                forget(child)
                status = reap(child.pid, kill=False)
                if child.task is not None:
                    error = RuntimeError(_death_message(status))
                    outbox.send((child.task[0], False, _failure(error)))
                continue
            child.task, child.end = None, None
            child.done += 1
            outbox.send_bytes(reply)
            if child.done >= per_child:
                retire(child)
        now = time.monotonic()
        for child in list(children.values()):
            if child.task is not None and child.end is not None and now >= child.end:
                forget(child)
                reap(child.pid, kill=True)
                limit = child.task[1] or 0
                msg = f"超过时限 {limit:g} 秒，已终止 (timed out: killed at the deadline)"
                outbox.send((child.task[0], False, _failure(TimeoutError(msg))))


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _death_message(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = str(number)
        with contextlib.suppress(ValueError):
            name = f"{number} ({signal.Signals(number).name})"  # SIGKILL, SIGABRT, SIGSEGV…
        return f"工作进程被信号 {name} 终止 (worker child killed by signal)"
    return f"工作进程意外退出，状态 {os.waitstatus_to_exitcode(status)} (worker child exited)"


def _main(argv: list[str]) -> None:
    in_fd, out_fd, n, per_child, warm = (int(argv[0]), int(argv[1]), int(argv[2]),
                                         int(argv[3]), argv[4])  # fmt: skip
    init = argv[5] if len(argv) > 5 else ""
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
    _serve(inbox, outbox, n, per_child)


if __name__ == "__main__":
    # Run as the importable module, not as `__main__`: what the children pickle (`TaskFailed`)
    # must unpickle in the driver under its real name.
    from disclosure_lib.batch._fork import pool

    pool._main(sys.argv[1:])
