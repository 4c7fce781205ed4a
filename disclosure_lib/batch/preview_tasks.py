"""What the preview runs in the build's warm pool: one version's HTML (`worker.run_task`, as a
build renders a report) and, from its executed notebook, the PDF; and the pool itself, with
workers that live long (the session, `preview.py`, hands the tasks out)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported at run time: the command line's start stays light
    from .worker import Result, Task

JOBS = 2  # the HTML of one version and the PDF of the one before can run side by side
# A worker's first task costs ≈ 0.3 s more than the next (what it imports and caches): here
# workers live long, collecting garbage after each task (≈ 0.02 s) to keep their memory flat.
TASKS_PER_WORKER = 500


def start_pool(timeout: float | None) -> Any:
    """The build's warm pool, for report notebooks (no pandas), with long-lived workers."""
    from ._fork.pool import SUMMARY_ONLY_MODULES, WARM_MODULES, WarmPool
    from .launch import WARM_INIT

    warm = tuple(m for m in WARM_MODULES if m not in SUMMARY_ONLY_MODULES)
    return WarmPool(JOBS, timeout=timeout or None, warm=warm, init=WARM_INIT,
                    tasks_per_child=TASKS_PER_WORKER)  # fmt: skip


def render_html(task: Task) -> Result:
    """`worker.run_task` for one version, then the worker's garbage collected."""
    from .worker import run_task

    try:
        return run_task(task)
    finally:
        gc.collect(0)


def typeset_pdf(notebook: str, pdf_standard: str) -> bytes:
    """The PDF of an executed notebook (runs in a warm worker, like a build's conversion)."""
    import nbformat

    from ..rendering.notebook import convert

    try:
        nb = nbformat.reads(notebook, as_version=4)
        pdf = convert(nb, ("pdf",), pdf_standard=pdf_standard)["pdf"]
    finally:
        gc.collect(0)
    return pdf if isinstance(pdf, bytes) else pdf.encode()
