"""The preview's HTTP side: a page on 127.0.0.1 that follows the params file as it is saved.

    /             the page: the report in a frame, the check findings beside it
    /report.html  the last version that rendered (the page a build writes)
    /report.pdf   its PDF (waits for it while it is typeset)
    /state.json   status, located errors, findings, and which version of the params each is
                  of (`revision` last read, `checked`, `html` and `pdf` on show) with the
                  seconds each took from the save; `?since=N` is held until `version` > N

Bound to 127.0.0.1 only, and a request naming another host (`Host:`) is refused, so that no
web page the browser visits can read the params through a name that resolves here (DNS
rebinding). The page polls `state.json` (held open, so a change shows at once) and reloads
the frame, keeping its scroll position, when a new version has rendered.
"""

from __future__ import annotations

import html
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from ..errors import RenderError

LOOPBACK = "127.0.0.1"
HOST_NAMES = ("127.0.0.1", "localhost")  # what a request's Host may name (with our port)
WAIT_SECONDS = 20.0  # longest a page's `state.json?since=N` request is held open
PDF_WAIT_SECONDS = 30.0


class Session(Protocol):
    """What the server reads of the preview (`preview.Preview`)."""

    agency: str
    year: int
    path: Path

    def state(self, since: int = -1, wait: float = 0.0) -> dict[str, Any]: ...

    def html(self) -> tuple[int, bytes]: ...

    def pdf_document(self, wait: float) -> tuple[bytes, str]: ...


def check_host(host: str) -> str:
    """The address to bind: the loopback one; any other host is refused."""
    if host not in HOST_NAMES:
        raise RenderError(
            f"预览只在本机提供（127.0.0.1），不能绑定到 {host} "
            "(the preview binds to 127.0.0.1 only)"
        )
    return LOOPBACK


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a held `state.json` never keeps the process alive
    allow_reuse_address = True
    session: Session

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, never socketserver's traceback; none for a page closed mid-answer."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            print(f"错误：预览请求失败 (request failed): {type(exc).__name__}: {exc}",
                  file=sys.stderr)  # fmt: skip


def serve(session: Session, host: str, port: int) -> _Server:
    """The server bound to `host:port` (not yet serving); a port in use is a one-line error."""
    try:
        server = _Server((check_host(host), port), _Handler)
    except OSError as exc:
        raise RenderError(
            f"无法在 {host}:{port} 上提供预览：{exc.strerror}；请用 --port 另选端口 "
            "(port unavailable)"
        ) from None
    server.session = session
    return server


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "disclosure-preview"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the session logs
        return

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._send(403, "text/plain", "只接受本机地址的请求 (Host not allowed)".encode())
            return
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        session = self.server.session
        if url.path == "/":
            self._send(200, "text/html", page(session).encode("utf-8"))
        elif url.path == "/state.json":
            since = _int(query.get("since", ["-1"])[0])
            state = session.state(since, WAIT_SECONDS if since >= 0 else 0.0)
            self._send(200, "application/json", json.dumps(state, ensure_ascii=False).encode())
        elif url.path == "/report.html":
            revision, body = session.html()
            if not revision:
                body = _WAITING.encode("utf-8")
            self._send(200, "text/html", body)
        elif url.path == "/report.pdf":
            pdf, error = session.pdf_document(PDF_WAIT_SECONDS)
            if pdf:
                self._send(200, "application/pdf", pdf)
            else:
                self._send(503, "text/plain", error.encode("utf-8"))
        else:
            self._send(404, "text/plain", "未找到 (not found)".encode())

    def _host_allowed(self) -> bool:
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        return host in {f"{name}:{port}" for name in HOST_NAMES}

    def _send(self, code: int, kind: str, body: bytes) -> None:
        charset = "" if kind == "application/pdf" else "; charset=utf-8"
        self.send_response(code)
        self.send_header("Content-Type", kind + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


_WAITING = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>尚无报告</title>
</head><body><p>尚无生成成功的版本：正在生成，或参数文件有误（见右侧）。</p></body></html>"""


def page(session: Session) -> str:
    """The preview page (everything it shows after loading comes from `state.json`)."""
    title = html.escape(f"预览：{session.agency} {session.year}年")
    return _PAGE.replace("{{title}}", title).replace("{{file}}", html.escape(str(session.path)))


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  html, body { margin: 0; height: 100%; font-family: sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: .4rem .8rem; border-bottom: 1px solid #ccc; display: flex; gap: 1rem;
           align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 1rem; margin: 0; }
  #status { color: #444; }
  #status.error { color: #a00; font-weight: bold; }
  main { flex: 1; display: flex; min-height: 0; }
  #report { flex: 1; border: 0; min-width: 0; }
  aside { width: 24rem; max-width: 40%; overflow: auto; border-left: 1px solid #ccc;
          padding: .6rem .8rem; font-size: .9rem; }
  aside h2 { font-size: 1rem; }
  #error { background: #fee; border: 1px solid #a00; padding: .4rem; white-space: pre-wrap; }
  #findings li { margin-bottom: .5rem; }
  .sev-error { color: #a00; font-weight: bold; }
  .sev-warning { color: #8a5a00; font-weight: bold; }
  .ack { color: #555; }
</style>
</head>
<body>
<header>
  <h1>{{title}}</h1>
  <span>{{file}}</span>
  <span id="status" role="status">正在启动……</span>
  <a id="pdf" href="/report.pdf" target="_blank" hidden>PDF</a>
</header>
<main>
  <iframe id="report" title="报告预览" src="/report.html?rev=0"></iframe>
  <aside aria-labelledby="checks-title">
    <div id="error" role="alert" hidden></div>
    <h2 id="checks-title">数据校验</h2>
    <p id="counts"></p>
    <ul id="findings"></ul>
  </aside>
</main>
<script>
"use strict";
const LABEL = {error: "错误", warning: "警告"};
const STATUS = {starting: "正在启动……", rendering: "正在生成……", ready: "已是最新",
                error: "参数文件或渲染有误"};
let version = -1, shown = 0;
const frame = document.getElementById("report");

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function reload(revision) {
  let y = 0;
  try { y = frame.contentWindow.scrollY; } catch (e) { y = 0; }
  frame.addEventListener("load", () => {
    try { frame.contentWindow.scrollTo(0, y); } catch (e) { /* nothing to keep */ }
  }, {once: true});
  frame.src = "/report.html?rev=" + revision;
  shown = revision;
  document.body.dataset.html = String(revision);
}

function apply(s) {
  const status = document.getElementById("status");
  let text = STATUS[s.status] || s.status;
  if (s.status === "ready" && s.timings.html !== undefined) {
    text += "（保存后 " + s.timings.html.toFixed(2) + " 秒）";
  }
  status.textContent = text;
  status.className = s.status === "error" ? "error" : "";
  const error = document.getElementById("error");
  error.hidden = s.error.length === 0;
  error.textContent = s.error.join("\\n");
  if (s.error.length && shown) error.textContent += "\\n（仍显示上一次成功生成的版本）";
  document.getElementById("counts").textContent =
    "错误 " + s.errors + " 条，警告 " + s.warnings + " 条" +
    (s.acknowledged ? "，已核实 " + s.acknowledged + " 条" : "") +
    (s.checked && s.checked !== s.revision ? "（上一次读取成功的版本）" : "");
  const list = document.getElementById("findings");
  list.replaceChildren();
  for (const f of s.findings) {
    const item = el("li");
    item.append(el("span", "sev-" + f.severity, (LABEL[f.severity] || f.severity) + " "),
                el("code", "", f.code), " ");
    if (f.line) item.append("第 " + f.line + " 行 ");
    if (f.where) item.append(f.where);
    item.append(el("br"), f.message);
    if (f.acknowledged) {
      item.append(el("br"), el("span", "ack", "已核实：" + f.acknowledged.reason));
    }
    list.append(item);
  }
  document.getElementById("pdf").hidden = !(s.pdf && s.pdf === s.html);
  if (s.html && s.html !== shown) reload(s.html);
  document.body.dataset.version = String(s.version);
}

async function poll() {
  for (;;) {
    try {
      const r = await fetch("/state.json?since=" + version, {cache: "no-store"});
      if (!r.ok) throw new Error(String(r.status));
      const s = await r.json();
      version = s.version;
      apply(s);
    } catch (e) {
      const status = document.getElementById("status");
      status.textContent = "与预览服务的连接已断开";
      status.className = "error";
      await new Promise(done => setTimeout(done, 1000));
    }
  }
}
poll();
</script>
</body>
</html>
"""
