"""Live preview latency: a params file saved → the new HTML served (target ≤ 1 s) and its PDF
(target ≤ 2 s), against a fresh `disclosure render` process per edit (the baseline).

    .venv/bin/python benchmarks/bench_preview.py [--edits 10] [--agency 示例区教育局 --year 2024]

Copies the agency's params (every year: the charts and cross-year checks read them) into a
temp folder, starts `Preview` on a free port (its warm pool included) and waits for the first
render. Then, `--edits` times: writes an edit (a marker in the narrative, a figure changed),
and times it from just before the write until `/report.html` — fetched over HTTP after
`state.json` says the version rendered — holds the marker, then until `/report.pdf` is that
version's. Each edit waits for its PDF before the next one. Then `--browser-edits` more,
timed until Chromium's preview page, refreshing itself, has loaded the edit into its report
frame (the frame's `load` event, by the page's clock). The baseline, run in this same
process, is `disclosure render AGENCY YEAR --to html,pdf` once as a new process, which is what
an edit cost before the preview.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HTML_TARGET, PDF_TARGET = 1.0, 2.0


def get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
        return body
    finally:
        conn.close()


def wait_state(port: int, done: Any, since: int = -1) -> dict[str, Any]:
    while True:
        state: dict[str, Any] = json.loads(get(port, f"/state.json?since={since}"))
        if done(state):
            return state
        if state["status"] == "error":
            raise RuntimeError(f"preview error: {state['error']}")
        since = state["version"]


def worker_memory(pid: int) -> list[float]:
    """RSS in MB of the warm process's children (the workers)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += (task / "children").read_text().split()
    sizes = []
    for child in children:
        status = Path(f"/proc/{child}/status").read_text()
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        sizes.append(int(kb) / 1024)
    return sizes


_WATCH_FRAME = """() => {
  window.shownAt = {};
  const frame = document.getElementById("report");
  frame.addEventListener("load", () => {
    const now = Date.now();
    for (const m of frame.contentDocument.body.textContent.match(/（浏览器第\\d+次）/g) || []) {
      if (!(m in window.shownAt)) window.shownAt[m] = now;
    }
  });
}"""


def in_browser(p: Any, path: Path, original: str, edits: int, profile: Path) -> list[float]:
    """Seconds from a save until Chromium's preview page shows the edit in its report frame
    (the page refreshing itself); [] without chromium or playwright."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    if not edits or not Path(chromium).exists():
        return []
    times = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )  # fmt: skip
        page = context.new_page()
        page.goto(p.url, wait_until="load")
        frame = page.frame_locator("#report")
        frame.locator("h1").first.wait_for(timeout=120_000)
        # when the frame first loads each marker, by the page's clock: playwright's own waits
        # poll at up to 500 ms and would add that to the figure
        page.evaluate(_WATCH_FRAME)
        for i in range(edits):
            marker = f"（浏览器第{i + 1}次）"
            t = time.time()
            path.write_text(original.replace("。", f"{marker}。", 1), encoding="utf-8")
            frame.get_by_text(marker).first.wait_for(timeout=120_000)
            times.append(page.evaluate(f"() => window.shownAt[{marker!r}]") / 1000 - t)
            page.wait_for_function("() => !document.getElementById('pdf').hidden")
        context.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--agency", default="示例区教育局")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--params", type=Path, default=ROOT / "params", help="params folder")
    ap.add_argument("--browser-edits", type=int, default=5, help="edits watched in Chromium")
    args = ap.parse_args()
    from disclosure_lib.batch.preview import Preview
    from disclosure_lib.params import params_path

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        folder = params_path(args.params, args.agency, args.year).parent
        params = Path(tmp) / "params"
        shutil.copytree(folder, params / folder.name)
        path = params / folder.name / f"{args.year}.yaml"
        original = path.read_text(encoding="utf-8")

        t = time.perf_counter()
        with Preview(args.agency, args.year, params, port=0) as p:
            state = wait_state(p.port, lambda s: s["html"] >= 1)
            start = time.perf_counter() - t
            wait_state(p.port, lambda s: s["pdf"] == s["html"])
            print(f"start: first HTML {start:.2f} s after the preview started (pool warm-up)")
            html_times, pdf_times = [], []
            steps: list[dict[str, float]] = []
            for i in range(args.edits):
                marker = f"（第{i + 1}次修改）"
                text = original.replace("。", f"{marker}。", 1)
                text = text.replace(": 0,", f": {i + 1},", 1) if i % 2 else text
                t = time.perf_counter()
                path.write_text(text, encoding="utf-8")
                state = wait_state(
                    p.port, lambda s, r=state["revision"]: s["html"] > r, state["version"]
                )
                while marker.encode() not in get(p.port, "/report.html"):
                    state = wait_state(p.port, lambda s, h=state["html"]: s["html"] > h)
                html_times.append(time.perf_counter() - t)
                steps.append(state["timings"])
                pdf = get(p.port, "/report.pdf")  # held until the version on show has its PDF
                assert pdf.startswith(b"%PDF")
                pdf_times.append(time.perf_counter() - t)
                state = wait_state(p.port, lambda s: s["pdf"] == s["html"])
            workers = worker_memory(p._pool._proc.pid)
            shown = in_browser(p, path, original, args.browser_edits, Path(tmp) / "chromium")

        cmd = [str(Path(sys.executable).parent / "disclosure"), "render", args.agency,
               str(args.year), "--params", str(params), "--to", "html,pdf", "-o",
               str(Path(tmp) / "out")]  # fmt: skip
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        baseline = time.perf_counter() - t

    def line(name: str, times: list[float], target: float) -> None:
        med, worst = statistics.median(times), max(times)
        verdict = "OK" if worst <= target else "MISSED"
        print(f"save → {name}: median {med:.3f} s, max {worst:.3f} s over {len(times)} edits; "
              f"target ≤ {target:g} s: {verdict}; {baseline / med:.0f}× faster than the "
              f"baseline")  # fmt: skip

    print(
        "each edit, HTML / PDF (s): "
        + ", ".join(f"{h:.2f}/{d:.2f}" for h, d in zip(html_times, pdf_times, strict=True))
    )
    names = [k for k in steps[0] if k not in ("html", "pdf")]
    print(
        "median steps of an edit (s): "
        + ", ".join(f"{k} {statistics.median(s.get(k, 0.0) for s in steps):.3f}" for k in names)
    )
    print(f"workers' memory after {args.edits} edits: "
          + ", ".join(f"{mb:.0f} MB" for mb in workers))  # fmt: skip
    print(f"baseline: `disclosure render --to html,pdf`, a new process: {baseline:.2f} s")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    line("HTML", html_times, HTML_TARGET)
    line("PDF ", pdf_times, PDF_TARGET)
    if shown:
        line("shown in Chromium", shown, HTML_TARGET)
    else:
        print("shown in Chromium: not measured (no chromium or playwright)")


if __name__ == "__main__":
    main()
