"""The year's aggregates two ways (issue 20 item 1: "vectorised pandas or DuckDB over a Parquet
cache: measure both and pick"): key figures per report, totals per year, P25/P50/P75 and ranks
of one year — pandas over the wide cell frame (what `summary.py` and the collection cache do)
against DuckDB over a Parquet file of the same figures in tidy form (one figure a row).

    .venv/bin/python benchmarks/bench_aggregate.py [--n 20000]

DuckDB is not a dependency: install it beside (`pip install --target DIR duckdb`, then
PYTHONPATH=DIR) to measure it; without it only pandas is timed. The figures are random (the
timing does not depend on them); N reports over 3 years, every official cell.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

YEAR = 2024


def frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from disclosure_lib import summary as sm

    rng = np.random.default_rng(1)
    data = rng.integers(0, 50, size=(n, len(sm.CELLS))).astype("float64")
    index = [(f"机关{i // 3}", 2022 + i % 3) for i in range(n)]
    wide = sm.frame_of(data, index)
    tidy = wide.stack(["table", "row", "column"], future_stack=True).rename("value").reset_index()
    return wide, tidy


def with_pandas(wide: pd.DataFrame) -> pd.DataFrame:
    from disclosure_lib import summary as sm

    figures = sm.figures_of(wide)
    sm.totals_by_year(figures)
    year = figures[figures["year"] == YEAR].drop(columns="year")
    sm.distribution(year)
    return sm.rank(year)


def with_duckdb(path: Path) -> pd.DataFrame:
    import duckdb

    from disclosure_lib import summary as sm

    con = duckdb.connect()
    sums = ", ".join(
        f'sum(value) filter (where {" or ".join(_cell(c) for c in cells)}) as "{name}"'
        for name, cells in sm.KEY_FIGURES.items()
    )
    con.execute(
        f"create temp view fig as select agency, year, {sums} "
        f"from read_parquet('{path}') group by agency, year"
    )
    con.execute('select year, count(*), sum("本年新收") from fig group by year').fetchall()
    quart = ", ".join(f'quantile_cont("{name}", [0.25, 0.5, 0.75])' for name in sm.KEY_FIGURES)
    con.execute(f"select {quart} from fig where year = {YEAR}").fetchall()
    ranks = ", ".join(
        f'rank() over (order by "{name}" desc) as "{name}排名"' for name in sm.KEY_FIGURES
    )
    return con.execute(f"select *, {ranks} from fig where year = {YEAR}").df()


def _cell(c: tuple[str, str, str]) -> str:
    return f"(\"table\" = '{c[0]}' and \"row\" = '{c[1]}' and \"column\" = '{c[2]}')"


def timed(fn: object, *args: object) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    wide, tidy = frames(args.n)
    print(f"{args.n} reports, {wide.shape[1]} cells each ({len(tidy):,} tidy rows); best of 3")
    print(f"  pandas over the wide frame:   {timed(with_pandas, wide):.3f} s")
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("  duckdb: not installed (see the docstring)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tidy.parquet"
        t = time.perf_counter()
        tidy.to_parquet(path, index=False)
        print(f"  (parquet of the tidy frame written in {time.perf_counter() - t:.2f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
        print(f"  duckdb over the parquet file: {timed(with_duckdb, path):.3f} s")


if __name__ == "__main__":
    main()
