"""Synthetic reports pass every check; the bundled demo set is what synth generates."""

from __future__ import annotations

import itertools
import random

from disclosure_lib.checks import check_reports
from disclosure_lib.params import params_path
from disclosure_lib.params_write import dump_report
from disclosure_lib.synth import demo_reports, demo_series

from .base import ROOT


def test_bundled_demo_params_are_the_synth_output() -> None:
    for report in demo_reports():
        path = params_path(ROOT / "params", report.agency, report.year)
        assert path.read_text(encoding="utf-8") == dump_report(report), path


def test_series_pass_every_check_including_cross_year() -> None:
    for seed in range(20):
        scale = random.Random(seed).choice([0, 5, 60, 400])
        reports = demo_series(f"示例区{seed}号局", range(2020, 2025), seed=seed, scale=scale)
        # every consistency rule; the Y warnings judge plausibility (a random series may jump)
        findings = [f for f in check_reports(reports) if not f.code.startswith("Y")]
        assert findings == [], (seed, findings[:3])
        for last, this in itertools.pairwise(reports):
            for col in ("natural", "business", "total"):
                assert this.get("applications", "carried_over", col) == last.get(
                    "applications", "carry_forward", col
                )
