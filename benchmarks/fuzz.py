"""Fuzzing at scale: the property tests for params and imports, ≥ 10,000 cases each, 0 tracebacks.

The hypothesis tests themselves are reused, not copied: every `@given` test (that needs no
pytest fixture) of the params group (tests/test_properties.py, tests/test_params.py,
tests/test_names.py) and of the imports group (tests/importers/test_fuzz.py and
test_properties.py) is driven case by case through hypothesis' `fuzz_one_input` with seeded
random bytes, each case a full run of the
test body with its own assertions. A case that raises anything (an assertion of the test, or
an exception the code should have turned into a clear error) is a failure: the script prints
it and exits 1.

Run: .venv/bin/python benchmarks/fuzz.py [--cases 10000] [--seed S]
[--group params|imports|hostile]

Prints per test the cases run (valid draws), draws rejected by the strategies' filters,
failures and cases/s, then per group the totals.

The hostile group (issue 17 item 3) imports files built to cost a parser far more than their
size (`tests/importers/hostile.py`: PDF pages sharing one content stream, inflate bombs, form
XObjects drawn many times, deep and wide HTML, a 10 MB line of text), each in a forked child
of this process (which has imported only the importers) under a safety net of
`--safety-mb` address space and `--safety-s` seconds. Printed per case: the outcome (refused
with its message, imported, or a traceback / kill — failures), wall time and the child's peak
RSS (`wait4`'s `ru_maxrss`, its own children included); then the worst of each against the
bounds (30 s, 500 MB).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import pickle
import random
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests are imported as the package `tests`

GROUPS = {
    "params": ("tests.test_properties", "tests.test_params", "tests.test_names"),
    "imports": ("tests.importers.test_fuzz", "tests.importers.test_properties"),
}
BUFFER_BYTES = 8192  # enough choices for the largest strategy (texts of 2,000 characters)
MAX_REJECT_RATIO = 5  # give up on a test whose draws are mostly filtered out


@dataclass
class Outcome:
    name: str
    cases: int = 0
    rejected: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def fuzz_targets(module_name: str) -> list[tuple[str, Callable[[bytes], Any]]]:
    """The module's `@given` tests that take no pytest fixture, as fuzz targets."""
    module = importlib.import_module(module_name)
    out = []
    for name, fn in vars(module).items():
        handle = getattr(fn, "hypothesis", None)
        if not name.startswith("test_") or handle is None:
            continue
        if inspect.signature(fn).parameters:  # a fixture hypothesis does not draw
            continue
        out.append((f"{module_name.removeprefix('tests.')}::{name}", handle.fuzz_one_input))
    return out


def run(name: str, target: Callable[[bytes], Any], cases: int, rng: random.Random) -> Outcome:
    outcome = Outcome(name)
    start = time.perf_counter()
    while outcome.cases < cases and outcome.rejected < MAX_REJECT_RATIO * cases:
        buffer = rng.randbytes(BUFFER_BYTES)
        try:
            result = target(buffer)
        except Exception as exc:  # a failing case: counted, reported, and the run goes on
            outcome.cases += 1
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            outcome.failures.append(f"{type(exc).__name__}: {first[:200]}")
            continue
        if result is None:
            outcome.rejected += 1
        else:
            outcome.cases += 1
    outcome.seconds = time.perf_counter() - start
    return outcome


BOUND_S = 30.0  # the bounds for any input up to the size caps
BOUND_MB = 500.0


def hostile_cases() -> list[tuple[str, str, Callable[[], bytes]]]:
    """(name, file name, builder): the reproductions of issue 17 item 3 and more of their kind."""
    from tests.importers import hostile as h

    return [
        ("PDF: 20 pages sharing a stream of 4,000 text operators", "a.pdf",
         lambda: h.shared_stream_pdf(20)),
        ("PDF: 250 pages sharing a stream of 4,000 text operators", "a.pdf",
         lambda: h.shared_stream_pdf(250)),
        ("PDF: 300 pages sharing a stream of 400 text operators", "a.pdf",
         lambda: h.shared_stream_pdf(300, 400)),
        ("PDF: a stream inflating to 1 GiB", "a.pdf", lambda: h.inflate_bomb_pdf(2**30)),
        ("PDF: a stream deflated twice, inflating to 1 GiB", "a.pdf",
         lambda: h.inflate_bomb_pdf(2**30, twice=True)),
        ("PDF: a form XObject of 100 operators drawn 5,000 times", "a.pdf",
         lambda: h.xobject_pdf(5000)),
        ("PDF: 100,000 empty pages", "a.pdf", lambda: h.many_pages_pdf(100_000)),
        ("PDF: 100,000 empty pages in nodes of 300", "a.pdf",
         lambda: h.many_pages_pdf(100_000, per_node=300)),
        ("PDF: 7 pages sharing 4,000 operators (under the cap)", "a.pdf",
         lambda: h.shared_stream_pdf(7)),
        ("PDF: a run-length stream inflating to 1 GiB", "a.pdf",
         lambda: h.runlength_bomb_pdf(2**30)),
        ("PDF: a form drawing itself", "a.pdf", h.self_drawing_form_pdf),
        ("PDF: a font's ToUnicode map inflating to 1 GiB", "a.pdf",
         lambda: h.font_bomb_pdf(2**30)),
        ("PDF: a page tree 100,000 levels deep", "a.pdf", lambda: h.deep_page_tree_pdf(100_000)),
        ("HTML: 1M nested <div> (3 MB)", "a.html", lambda: h.nested_html(1_000_000)),
        ("HTML: 1M nested <b> (3 MB)", "a.html", lambda: h.nested_html(1_000_000, "b")),
        ("HTML: one table of 990,000 cells (9.9 MB)", "a.html",
         lambda: h.wide_table_html(990_000)),
        ("HTML: 1.2M sibling paragraphs (9.6 MB)", "a.html",
         lambda: h.many_elements_html(1_200_000)),
        ("HTML: 29,900 sibling paragraphs (under the cap)", "a.html",
         lambda: h.many_elements_html(29_900)),
        ("HTML: one table of 9,900 cells (under the cap)", "a.html",
         lambda: h.wide_table_html(9_900, 100)),
        ("HTML: 250 nested <div> (under the cap)", "a.html", lambda: h.nested_html(250)),
        ("HTML: 200 unclosed <b>, 1M </i> closing nothing", "a.html",
         lambda: h.unclosed_flood(200) + b"</i>" * 1_000_000),
        ("HTML: 200 unclosed <b>, 59,000 </i> (under the cap)", "a.html",
         lambda: h.unclosed_flood(200) + b"</i>" * 59_000),
        ("HTML: the seed page repeated to 29,000 elements", "a.html",
         lambda: h.repeated_page(29_000)),
        ("HTML: one paragraph of 3.3M characters (9.9 MB)", "a.html",
         lambda: h.long_paragraph_html(3_300_000)),
        ("workbook: a sheet of 500,000 cells", "a.xlsx", lambda: h.big_sheet_xlsx(500_000)),
        ("workbook: a sheet of 19,000 cells (under the cap)", "a.xlsx",
         lambda: h.big_sheet_xlsx(19_000)),
        ("text: one line of 3.3M characters (9.9 MB)", "a.txt",
         lambda: h.long_line_text(3_300_000)),
        ("text: one line of 490,000 characters (under the cap)", "a.txt",
         lambda: h.long_line_text(490_000)),
        ("text: the seed report repeated to 490,000 characters", "a.txt",
         lambda: h.repeated_report(490_000)),
        ("text: the seed report on one line, repeated to 490,000", "a.txt",
         lambda: h.repeated_report(490_000, flat=True)),
    ]  # fmt: skip


def _child_import(data: bytes, name: str, safety_mb: int, writer: int) -> None:
    """In the forked child: import, send back the outcome, exit without cleanup."""
    from disclosure_lib.errors import DisclosureError
    from disclosure_lib.importers.document import import_bytes

    resource.setrlimit(resource.RLIMIT_AS, (safety_mb * 2**20, safety_mb * 2**20))
    try:
        result = import_bytes(data, path=name)
        outcome = ("imported", f"{result.report.agency} {result.report.year}")
    except DisclosureError as exc:
        outcome = ("refused", str(exc))
    except BaseException:
        outcome = ("TRACEBACK", traceback.format_exc(limit=4).strip().splitlines()[-1])
    with os.fdopen(writer, "wb") as fh:
        fh.write(pickle.dumps(outcome))
    os._exit(0)


def run_hostile(
    data: bytes, name: str, safety_mb: int, safety_s: float
) -> tuple[str, str, float, float]:
    """(outcome, detail, seconds, peak RSS in MB) of importing `data` in a forked child."""
    reader, writer = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            _child_import(data, name, safety_mb, writer)
        finally:
            os._exit(1)
    os.close(writer)
    chunks: list[bytes] = []
    killed = False
    while True:
        left = safety_s - (time.perf_counter() - start)
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            killed = True
            break
        if select.select([reader], [], [], left)[0]:
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(reader)
    _pid, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    peak = usage.ru_maxrss / 1024
    if killed:
        return "KILLED", f"still running after {safety_s:.0f} s", seconds, peak
    if not chunks:
        return "DIED", f"wait status {status}", seconds, peak
    kind, detail = pickle.loads(b"".join(chunks))
    return kind, detail, seconds, peak


def hostile(safety_mb: int, safety_s: float) -> int:
    """Run every hostile case; the number of failures (tracebacks, kills, bounds exceeded)."""
    import disclosure_lib.importers.document  # noqa: F401 — what the children share

    print(f"== hostile: imports under a safety net of {safety_mb} MB, {safety_s:.0f} s")
    worst_s = worst_mb = 0.0
    failures = 0
    for label, name, build in hostile_cases():
        data = build()
        kind, detail, seconds, peak = run_hostile(data, name, safety_mb, safety_s)
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, peak)
        bad = kind not in ("refused", "imported") or seconds > BOUND_S or peak > BOUND_MB
        failures += bad
        print(
            f"  {label:<58} {len(data) / 2**20:>6.2f} MB  {seconds:>6.2f} s  {peak:>6.0f} MB"
            f"  {'FAILED ' if bad else ''}{kind}: {detail[:150]}"
        )
    print(
        f"  worst: {worst_s:.2f} s (bound {BOUND_S:.0f} s), {worst_mb:.0f} MB peak RSS "
        f"(bound {BOUND_MB:.0f} MB); {failures} failures"
    )
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases per group (default 10,000)")
    ap.add_argument("--seed", type=int, default=20241, help="seed of the random bytes")
    ap.add_argument(
        "--group", choices=[*sorted(GROUPS), "hostile"], action="append", help="default: all"
    )
    ap.add_argument("--safety-mb", type=int, default=1500, help="hostile: child's address space")
    ap.add_argument("--safety-s", type=float, default=120.0, help="hostile: child's wall time")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    failed = 0
    for group in args.group or [*GROUPS, "hostile"]:
        if group == "hostile":
            failed += hostile(args.safety_mb, args.safety_s)
            continue
        targets = [t for m in GROUPS[group] for t in fuzz_targets(m)]
        share = -(-args.cases // len(targets))  # every test gets an equal share, rounded up
        print(f"== {group}: {len(targets)} tests × {share} cases (seed {args.seed})")
        outcomes = []
        for name, target in targets:
            o = run(name, target, share, rng)
            outcomes.append(o)
            rate = o.cases / o.seconds if o.seconds else 0.0
            print(
                f"  {o.name:<72} {o.cases:>6} cases  {o.rejected:>6} rejected  "
                f"{len(o.failures):>3} failed  {rate:>7.0f} cases/s"
            )
            distinct = list(dict.fromkeys(o.failures))
            for failure in distinct[:5]:
                print(f"      FAILED {failure}")
            if len(distinct) > 5:
                print(f"      … {len(distinct) - 5} more distinct failures")
        cases = sum(o.cases for o in outcomes)
        failures = sum(len(o.failures) for o in outcomes)
        seconds = sum(o.seconds for o in outcomes)
        short = [o.name for o in outcomes if o.cases < share]
        print(
            f"  total: {cases} cases in {seconds:.1f} s ({cases / seconds:.0f} cases/s), "
            f"{failures} failures (tracebacks)"
            + (f"; too many rejected draws: {', '.join(short)}" if short else "")
        )
        failed += failures + len(short)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
