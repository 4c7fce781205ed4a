"""A live preview of one report: `disclosure preview AGENCY YEAR`.

    with Preview("硚口区企业服务中心", 2024) as p:   # p.url: http://127.0.0.1:8765/
        ...
    preview("硚口区企业服务中心", 2024)              # the same, until Ctrl-C

The params file (and the agency's earlier years, which the charts and cross-year checks read)
are watched by polling their `stat`; each saved version is read once (one that does not load
goes to the page as its located errors at once), handed to the build's warm pool
(`_fork.pool`, `worker.run_task`) and checked here meanwhile, so its findings usually show
before its render. The libraries stay imported and each version's cells run in a forked
child: an edit costs a render, not a process start. The HTML comes first; the PDF is typeset
from the same executed notebook in the background. A version that does not load or render
keeps the last good page on show. Nothing is written to an output folder. The HTTP side
(127.0.0.1 only) is `preview_http.py`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DisclosureError, ParamsError, RenderError
from ..identity import check_agency, check_year
from ..locate import find_params_dir, load_history, params_file_for
from ..model import Report
from ..params import SUFFIX, load_report, params_path, report_from_bytes
from ..rendering.notebook import DEFAULT_PROFILE, check_profile
from ..rendering.typst_pdf import check_standard
from .gate import Checked, check_unit
from .options import DEFAULT_TIMEOUT
from .preview_tasks import render_html, start_pool, typeset_pdf
from .states import UnitKind

__all__ = ["DEFAULT_PORT", "Preview", "preview"]

DEFAULT_PORT = 8765
POLL_SECONDS = 0.05  # how often the watched files are stat'ed: a few files, ≈ 20 µs each

Log = Callable[[str], None]
Signature = tuple[tuple[str, int, int, int], ...]  # (name, mtime, size, inode) of each file


@dataclass
class _State:
    """What the page shows; `version` grows with every change of anything in it."""

    version: int = 0
    revision: int = 0  # versions of the params read so far
    status: str = "starting"  # starting, rendering, ready, error
    error: list[str] = field(default_factory=list)  # params or render error, located
    checked: Checked = field(default_factory=Checked)
    checked_revision: int = 0  # the revision `checked` is of
    html: bytes = b""
    html_revision: int = 0  # the revision `html` shows
    pdf: bytes = b""
    pdf_revision: int = 0
    pdf_error: str = ""
    # seconds from the save to its check, HTML and PDF; the worker's steps (`worker_*`)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Version:
    """One saved version of the params: its texts, as read once, and when it was seen."""

    revision: int
    files: dict[str, bytes]  # "<agency folder>/<year>.yaml" -> text (the worker's layout)
    seen: float  # perf_counter when the change was noticed


class Preview:
    """The preview's session and server; `start()`/`close()` or a `with` block.

    `port=0` takes a free port. `host` must be the loopback address: the page shows the
    params as they are typed and is never offered to another machine.
    """

    def __init__(
        self,
        agency: str,
        year: int,
        params_dir: Path | str = "params",
        *,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        profile: str = DEFAULT_PROFILE,
        pdf: bool = True,
        pdf_standard: str = "",
        notebook: Path | str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        log: Log | None = None,
    ) -> None:
        from .preview_http import check_host

        self.host = check_host(host)
        self.agency = check_agency(agency, error=RenderError)
        self.year = check_year(year, error=RenderError)
        self.profile = check_profile(profile)
        self.pdf_standard = ",".join(check_standard(pdf_standard))
        self.folder = find_params_dir(params_dir)
        self.path = params_file_for(self.agency, self.year, self.folder)
        try:  # a link out of the folder is refused here, not watched
            load_report(self.path)
        except ParamsError:
            if self.path.is_symlink():
                raise
            # any other error is the page's to show, with the file to fix beside it
        self.port, self.pdf, self.timeout = port, pdf, timeout
        self._notebook = self._read_notebook(notebook)
        self._log = log or (lambda _: None)
        self._state = _State()
        self._cond = threading.Condition()
        self._queued: _Version | None = None  # the newest saved version not yet rendered
        self._pdf_next: tuple[_Version, str] | None = None  # newest rendered: its notebook
        self._pdf_busy = False  # a PDF is being typeset
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: Any = None
        self._server: Any = None
        self._seen: bytes = b""  # digest of the texts last read

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> Preview:
        """Bind the port, start the warm pool, the watcher and the renderer."""
        from .preview_http import serve

        if self.pdf:
            from ..rendering import fonts

            fonts.require_cjk_fonts()
        self._server = serve(self, self.host, self.port)  # first: a busy port fails at once
        self.port = self._server.server_address[1]
        self._pool = start_pool(self.timeout)
        for target in (self._server.serve_forever, self._watch, self._render_loop):
            thread = threading.Thread(target=target, daemon=True, name=f"preview-{target.__name__}")
            thread.start()
            self._threads.append(thread)
        return self

    def close(self) -> None:
        """Stop serving, watching and rendering; the pool's processes are killed."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._server is not None:
            if self._threads:  # `shutdown` waits for a `serve_forever` that was started
                self._server.shutdown()
            self._server.server_close()
        if self._pool is not None:
            self._pool.kill()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    # --- what the page reads ------------------------------------------------------------------

    def state(self, since: int = -1, wait: float = 0.0) -> dict[str, Any]:
        """The page's state as JSON-ready data; waits up to `wait` seconds for a version newer
        than `since`."""
        end = time.monotonic() + wait
        with self._cond:
            while self._state.version <= since and not self._stop.is_set():
                left = end - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    break
            s = self._state
            c = s.checked
            return {
                "version": s.version,
                "agency": self.agency,
                "year": self.year,
                "file": str(self.path),
                "status": s.status,
                "error": list(s.error),
                "errors": c.errors,
                "warnings": c.warnings,
                "acknowledged": c.acknowledged,
                "findings": list(c.findings),
                "checked": s.checked_revision,
                "revision": s.revision,
                "html": s.html_revision,
                "pdf": s.pdf_revision if self.pdf else None,
                "pdf_error": s.pdf_error,
                "timings": {k: round(v, 3) for k, v in s.timings.items()},
            }

    def html(self) -> tuple[int, bytes]:
        with self._cond:
            return self._state.html_revision, self._state.html

    def pdf_document(self, wait: float) -> tuple[bytes, str]:
        """The PDF of the version on show (waiting up to `wait` seconds for it), or an error."""
        if not self.pdf:
            return b"", "未生成 PDF（--no-pdf）(no PDF: --no-pdf)"
        end = time.monotonic() + wait
        with self._cond:
            while not self._stop.is_set():
                s = self._state
                if s.html_revision and s.pdf_revision == s.html_revision:
                    return s.pdf, ""
                if s.pdf_error and s.html_revision:
                    return b"", s.pdf_error
                left = end - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    break
            return b"", "PDF 尚未生成 (not ready)"

    def _change(self, **changes: Any) -> None:
        with self._cond:
            for name, value in changes.items():
                setattr(self._state, name, value)
            self._state.version += 1
            self._cond.notify_all()

    # --- watching ---------------------------------------------------------------------------

    def _signature(self) -> Signature:
        """`stat` of the file and of the agency's other params files (earlier years)."""
        out = []
        try:
            names = sorted(e.name for e in os.scandir(self.path.parent) if e.name.endswith(SUFFIX))
        except OSError:
            names = [self.path.name]
        for name in names:
            try:
                st = os.stat(self.path.parent / name)
            except OSError:
                out.append((name, -1, -1, -1))
                continue
            out.append((name, st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(out)

    def _watch(self) -> None:
        last: Signature | None = None
        while not self._stop.is_set():
            signature = self._signature()
            if signature != last:
                last = signature
                try:
                    self._read(signature)
                except Exception as exc:  # never a traceback: the page says what went wrong
                    self._change(status="error", error=[f"{type(exc).__name__}: {exc}"])
            self._stop.wait(POLL_SECONDS)

    def _read(self, signature: Signature) -> None:
        """Read the saved params once, queue their render, check them while it runs."""
        seen = time.perf_counter()
        try:
            report, files = self._load()
        except DisclosureError as exc:
            # An editor that writes in place truncates first: a file still being written is
            # read again when it is done, not shown as an error (empty, half a YAML).
            if not (self._stop.wait(POLL_SECONDS) or self._signature() != signature):
                self._show_error(exc)
            return
        texts = b"".join(k.encode() + v for k, v in sorted(files.items()))
        digest = hashlib.sha256(texts).digest()
        if digest == self._seen:  # touched, not changed
            return
        self._seen = digest
        with self._cond:
            self._state.revision += 1
            revision = self._state.revision
            self._queued = _Version(revision, files, seen)
        self._change(status="rendering", error=[], timings={})
        try:
            history = load_history(report, self.folder)
        except DisclosureError as exc:  # an earlier year's file: its render fails too
            self._show_error(exc, new=False)
            return
        checked = check_unit(UnitKind.REPORT, self.agency, self.year, [*history, report])
        with self._cond:
            timings = {**self._state.timings, "check": time.perf_counter() - seen}
        self._change(checked=checked, checked_revision=revision, timings=timings)

    def _show_error(self, exc: DisclosureError, *, new: bool = True) -> None:
        """A params file that does not load: every error found in it, located."""
        errors = getattr(exc, "errors", [exc])
        if new:
            digest = hashlib.sha256(str(exc).encode()).digest()
            if digest == self._seen:
                return
            self._seen = digest
            with self._cond:
                self._state.revision += 1
        self._change(status="error", error=[str(e) for e in errors])
        self._log(f"参数文件有误：{errors[0]}")

    def _load(self) -> tuple[Report, dict[str, bytes]]:
        """The report as saved and every params text its render ships (earlier years too)."""
        from ..locate import load_checked

        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise ParamsError("参数文件不存在 (file not found)", path=self.path) from None
        except OSError as exc:
            raise ParamsError(f"无法读取 (cannot read): {exc.strerror}", path=self.path) from None
        report = report_from_bytes(data, self.path)
        if report.agency != self.agency or report.year != self.year:
            load_checked(self.agency, self.year, self.path)  # raises its located message
        files = {params_path(Path(), report.agency, report.year).as_posix(): data}
        for name in sorted(os.listdir(self.path.parent)):
            stem = name.removesuffix(SUFFIX)
            if name.endswith(SUFFIX) and stem.isdigit() and int(stem) < self.year:
                with_year = params_path(Path(), report.agency, int(stem)).as_posix()
                files[with_year] = (self.path.parent / name).read_bytes()
        return report, files

    # --- rendering --------------------------------------------------------------------------

    def _render_loop(self) -> None:
        """Render the newest saved version; between versions, typeset the newest rendered one's
        PDF. One PDF at a time: saves faster than PDFs never queue a render behind several."""
        while True:
            with self._cond:
                while not self._stop.is_set() and self._queued is None and not self._pdf_ready():
                    self._cond.wait()
                if self._stop.is_set():
                    return
                version, self._queued = self._queued, None
                typeset = None
                if version is None:  # the HTML of a newer version first
                    typeset, self._pdf_next = self._pdf_next, None
                    self._pdf_busy = True
            try:
                if version is not None:
                    self._render(version)
                elif typeset is not None:
                    done, notebook = typeset
                    future = self._submit(typeset_pdf, notebook, self.pdf_standard)
                    future.add_done_callback(lambda f, v=done: self._typeset(v, f))
            except Exception as exc:  # the loop goes on: the next save renders again
                if version is not None:
                    self._failed(version, f"{type(exc).__name__}: {exc}")
                else:
                    with self._cond:
                        self._pdf_busy = False
                    self._change(pdf_error=f"PDF 生成失败：{exc}")

    def _pdf_ready(self) -> bool:
        return self._pdf_next is not None and not self._pdf_busy

    def _render(self, version: _Version) -> None:
        from .worker import Task

        packed = {rel: zlib.compress(data, 1) for rel, data in version.files.items()}
        task = Task(UnitKind.REPORT, self.agency, self.year, packed, self._notebook, ("html",),
                    self.timeout, self.profile, self.pdf_standard)  # fmt: skip
        try:
            result = self._submit(render_html, task).result()
        except Exception as exc:  # the pool's own failures (killed at the deadline, …)
            if self._stop.is_set():
                return
            if not self._pool_alive():  # the warm process died (killed, out of memory)
                self._log(f"工作进程已退出，重新启动 (worker pool restarted): {exc}")
                result = self._submit(render_html, task).result()
            else:
                self._failed(version, str(exc))
                return
        if not result.ok:
            self._failed(version, result.error)
            return
        html = result.documents["html"]
        html = html.encode("utf-8") if isinstance(html, str) else html
        took = time.perf_counter() - version.seen
        with self._cond:
            # the worker's own steps too: where the time of an edit goes
            steps = {f"worker_{k}": v for k, v in result.timings.items() if k != "cpu"}
            timings = {**self._state.timings, **steps, "html": took}
            latest = self._state.revision == version.revision
        self._change(html=html, html_revision=version.revision, timings=timings, pdf_error="",
                     **({"status": "ready", "error": []} if latest else {}))  # fmt: skip
        self._log(f"已刷新 HTML：{took:.2f} 秒")
        if self.pdf:
            with self._cond:
                self._pdf_next = (version, result.notebook)

    def _failed(self, version: _Version, error: str) -> None:
        with self._cond:
            latest = self._state.revision == version.revision
        if latest:  # a newer version may render yet
            self._change(status="error", error=[f"渲染失败：{error}"])
        self._log(f"渲染失败：{error}")

    def _typeset(self, version: _Version, future: Any) -> None:
        """A PDF is done (on the pool's reader thread: nothing is submitted from here; the
        render loop, woken, hands out the next)."""
        try:
            pdf, error = future.result(), ""
        except Exception as exc:
            pdf, error = b"", f"PDF 生成失败：{exc}"
        with self._cond:
            self._pdf_busy = False
            self._cond.notify_all()
            if version.revision < self._state.pdf_revision:
                return
            if error and version.revision != self._state.html_revision:
                return  # a newer version is on show: its own PDF will say
            timings = {**self._state.timings}
        if error:
            self._change(pdf_error=error)
            return
        timings["pdf"] = time.perf_counter() - version.seen
        self._change(pdf=pdf, pdf_revision=version.revision, timings=timings, pdf_error="")

    def _pool_alive(self) -> bool:
        return self._pool is not None and self._pool._proc.poll() is None

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in the warm pool, started anew if its process has died."""
        if not self._pool_alive() and not self._stop.is_set():
            if self._pool is not None:
                self._pool.kill()
            self._pool = start_pool(self.timeout)
        return self._pool.submit(fn, *args)

    @staticmethod
    def _read_notebook(notebook: Path | str | None) -> str:
        from .plan import REPORT_NOTEBOOK, read_notebook

        return read_notebook(Path(notebook) if notebook else REPORT_NOTEBOOK).decode("utf-8")


def preview(
    agency: str,
    year: int,
    params_dir: Path | str = "params",
    *,
    port: int = DEFAULT_PORT,
    profile: str = DEFAULT_PROFILE,
    pdf: bool = True,
    pdf_standard: str = "",
    notebook: Path | str | None = None,
    quiet: bool = False,
) -> None:
    """Serve the live preview of agency-year on 127.0.0.1 until Ctrl-C (then return)."""
    from ..names import printable

    def log(line: str) -> None:
        if not quiet:
            print(f"{time.strftime('%H:%M:%S')} {printable(line)}", file=sys.stderr, flush=True)

    session = Preview(agency, year, params_dir, port=port, profile=profile, pdf=pdf,
                      pdf_standard=pdf_standard, notebook=notebook, log=log)  # fmt: skip
    try:
        session.start()
        log(f"预览：{session.url}（{session.path}；保存即刷新，Ctrl-C 结束）")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        log("预览已结束 (preview stopped)")
    finally:
        session.close()
