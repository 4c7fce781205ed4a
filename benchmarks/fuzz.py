"""Fuzzing at scale: the property tests for params and imports, ≥ 10,000 cases each, 0 tracebacks.

The hypothesis tests themselves are reused, not copied: every `@given` test (that needs no
pytest fixture) of the params group (tests/test_properties.py, tests/test_params.py,
tests/test_names.py) and of the imports group (tests/importers/test_fuzz.py and
test_properties.py) is driven case by case through hypothesis' `fuzz_one_input` with seeded
random bytes, each case a full run of the
test body with its own assertions. A case that raises anything (an assertion of the test, or
an exception the code should have turned into a clear error) is a failure: the script prints
it and exits 1.

Run: .venv/bin/python benchmarks/fuzz.py [--cases 10000] [--seed S] [--group params|imports]

Prints per test the cases run (valid draws), draws rejected by the strategies' filters,
failures and cases/s, then per group the totals.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import random
import sys
import time
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases per group (default 10,000)")
    ap.add_argument("--seed", type=int, default=20241, help="seed of the random bytes")
    ap.add_argument("--group", choices=sorted(GROUPS), action="append", help="default: all")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    failed = 0
    for group in args.group or list(GROUPS):
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
