"""Test-wide settings."""

from __future__ import annotations

import os

from hypothesis import settings

# CI runs a fixed set of examples (a red CI must mean a regression, not a new random draw);
# local runs keep exploring fresh examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
